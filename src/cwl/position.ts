/** Pure rules of `cwl`'s positions and shares, kept apart so unit tests can pin them down. */
import type { LogEvent } from '../core/types.js';
import type { Position } from './checkpoints.js';

/**
 * True when `event` is past `position`. FilterLogEvents' `startTime` is inclusive, so a stream read
 * again from its checkpoint's millisecond returns the events at it once more: those named in
 * `position.ids` are done, any other at that millisecond is new.
 */
export function isNew(position: Position | undefined, event: LogEvent): boolean {
  if (position === undefined || event.timestamp > position.timestamp) return true;
  return event.timestamp === position.timestamp && !position.ids.includes(event.id);
}

/** The position after `events` (all new) are acknowledged: their latest millisecond and the ids at it. */
export function advance(position: Position | undefined, events: readonly LogEvent[]): Position | undefined {
  if (events.length === 0) return position;
  const latest = Math.max(...events.map((e) => e.timestamp));
  const atLatest = events.filter((e) => e.timestamp === latest).map((e) => e.id);
  const ids = position?.timestamp === latest ? [...position.ids, ...atLatest] : atLatest;
  return { timestamp: latest, ids };
}

/** How many streams one of `live` processes holds: an even split, rounded up so none is left over. */
export function shareOf(streams: number, live: number): number {
  return Math.ceil(streams / Math.max(1, live));
}
