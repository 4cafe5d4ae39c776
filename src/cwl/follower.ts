/**
 * `cwl`'s loop: find the followed groups' streams, hold leases on this process's share of them,
 * read each held stream from its checkpoint to its end, index the events, and move the checkpoint
 * only once OpenSearch has acknowledged every document (or the dead-letter store holds it). A
 * crash therefore re-reads only events after the last checkpoint, and their ids (from the event
 * ids) make that harmless. Rounds repeat every `pollMs`, picking up new events and new streams.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../observability/logger.js';
import type { DeadLetter, DeadLetterSink } from '../deadletter/types.js';
import { cwlEventDocId, cwlEventsBatch, type CwlReadContext } from '../formats/cwl/events.js';
import { selects, type GroupSelector } from '../formats/cwl/groups.js';
import { Countdown, addAll, type OpSink } from '../pipeline/process-object.js';
import { documentJson } from '../sink/bulk-body.js';
import type { LogsReader } from '../source/cloudwatch-logs.js';
import { ItemStatus, type IndexOp, type ItemOutcome, type LogEvent } from '../core/types.js';
import { messageOf } from '../core/errors.js';
import { streamDocId, type CheckpointStore, type Position, type StreamKey, type StreamState } from './checkpoints.js';
import { advance, isNew, shareOf } from './position.js';

export interface FollowerDeps {
  readonly reader: LogsReader;
  readonly store: CheckpointStore;
  readonly sink: OpSink;
  readonly deadLetters: DeadLetterSink;
  readonly read: CwlReadContext;
  readonly selectors: readonly GroupSelector[];
  /** Where a stream without checkpoint starts (ms); its first event when absent. */
  readonly startTime?: number;
  readonly pollMs: number;
  readonly logger: Logger;
  /** Aborted to stop: API calls and pauses end at once; documents in flight are still acknowledged. */
  readonly signal: AbortSignal;
}

/** Totals of one `cwl` process. */
export interface FollowerStats {
  rounds: number;
  streams: number;
  events: number;
  created: number;
  exists: number;
  deadLetters: number;
  checkpoints: number;
  leasesLost: number;
}

/**
 * Follows until `signal` aborts, or with `untilCaughtUp` until every followed stream has been read
 * to its end (by this process or another) since this one started. Leases are released on the way out.
 */
export async function follow(deps: FollowerDeps, untilCaughtUp: boolean): Promise<FollowerStats> {
  const stats: FollowerStats = { rounds: 0, streams: 0, events: 0, created: 0, exists: 0, deadLetters: 0, checkpoints: 0, leasesLost: 0 };
  const started = Date.now();
  const held = new Map<string, StreamState>();
  await deps.store.ensureIndex();
  try {
    while (!deps.signal.aborted) {
      const streams = await discover(deps);
      stats.streams = streams.length;
      await balance(deps, streams, held);
      for (const [id, state] of held) {
        if (deps.signal.aborted) break;
        const after = await pull(deps, state, stats);
        if (after) held.set(id, after);
        else held.delete(id);
      }
      stats.rounds += 1;
      if (untilCaughtUp && (await allReadSince(deps.store, streams, started))) break;
      await pause(deps.pollMs, deps.signal);
    }
  } finally {
    for (const state of held.values()) await deps.store.release(state).catch((err: unknown) => deps.logger.warn({ stream: state.stream, error: messageOf(err) }, 'lease not released; it lapses'));
    await deps.store.leave();
  }
  return stats;
}

/** The followed groups' streams, found anew every round so that new groups and streams join. */
async function discover(deps: FollowerDeps): Promise<StreamKey[]> {
  const groups = new Set<string>();
  for (const selector of deps.selectors) {
    for (const name of await deps.reader.groupsWithPrefix(selector.text)) if (selects(selector, name)) groups.add(name);
  }
  const keys: StreamKey[] = [];
  for (const group of [...groups].sort()) for (const stream of (await deps.reader.streams(group)).sort()) keys.push({ group, stream });
  return keys;
}

/** Renews membership, gives up leases beyond this process's share, and claims free or lapsed ones up to it. */
async function balance(deps: FollowerDeps, streams: readonly StreamKey[], held: Map<string, StreamState>): Promise<void> {
  const now = Date.now();
  const live = await deps.store.heartbeat(now);
  const states = await deps.store.states(streams);
  const share = shareOf(streams.length, live);
  for (const id of held.keys()) if (states.get(id)?.owner !== deps.store.owner) held.delete(id);
  for (const [id, state] of [...held].slice(share)) {
    await deps.store.release(state);
    held.delete(id);
  }
  // Each process starts looking at its own place in the list, so claims rarely collide.
  const offset = streams.length === 0 ? 0 : Number.parseInt(streamDocId({ group: deps.store.owner, stream: '' }).slice(0, 8), 16) % streams.length;
  for (let i = 0; i < streams.length && held.size < share; i += 1) {
    const key = streams[(offset + i) % streams.length] as StreamKey;
    const id = streamDocId(key);
    if (held.has(id) || !deps.store.claimable(states.get(id), now)) continue;
    const claimed = await deps.store.claim(key, states.get(id), now);
    if (claimed) held.set(id, claimed);
  }
}

/** Reads one held stream to its end; the state after, or undefined when the lease was lost. */
async function pull(deps: FollowerDeps, state: StreamState, stats: FollowerStats): Promise<StreamState | undefined> {
  let held: StreamState | undefined = state;
  let position: Position | undefined = state.position;
  try {
    for await (const page of deps.reader.events(state.group, state.stream, position?.timestamp ?? deps.startTime ?? 0)) {
      const fresh = page.filter((event) => isNew(position, event));
      if (fresh.length === 0) continue;
      if (!(await deliver(deps, state, fresh, stats))) return held;
      position = advance(position, fresh);
      stats.events += fresh.length;
      held = await deps.store.save(held, position, held.readToEndAt, Date.now());
      if (!held) return lost(deps, state, stats);
      stats.checkpoints += 1;
    }
    held = await deps.store.save(held, position, Date.now(), Date.now());
    return held ?? lost(deps, state, stats);
  } catch (err) {
    if (!deps.signal.aborted) deps.logger.warn({ group: state.group, stream: state.stream, error: messageOf(err) }, 'stream read failed; retried next round');
    return held;
  }
}

function lost(deps: FollowerDeps, state: StreamState, stats: FollowerStats): undefined {
  stats.leasesLost += 1;
  deps.logger.warn({ group: state.group, stream: state.stream }, 'lease lost to another process; it goes on from the last checkpoint');
  return undefined;
}

/**
 * Indexes one page's new events and waits for every answer. True when each document is in the
 * index or the dead-letter store, so the checkpoint may pass them; false leaves it for a re-read.
 */
async function deliver(deps: FollowerDeps, key: StreamKey, events: readonly LogEvent[], stats: FollowerStats): Promise<boolean> {
  const batch = cwlEventsBatch(key.group, key.stream, events, deps.read);
  const format = deps.read.formatOf(key.group).fields.join(' ');
  const letters: DeadLetter[] = batch.problems.map((p) => {
    const event = events[p.lineNo - 1] as LogEvent;
    return { kind: 'line', reason: p.reason, key: `${key.group}/${key.stream}`, id: cwlEventDocId(key.group, key.stream, event.id), line: p.text, format };
  });
  let failed = 0;
  const answers = new Countdown();
  answers.expect(batch.ops.length);
  const onOutcome = (outcome: ItemOutcome, op: IndexOp) => {
    answers.done();
    if (outcome.status === ItemStatus.failed) failed += 1;
    else if (outcome.status === ItemStatus.rejected) letters.push({ kind: 'document', reason: outcome.error ?? 'rejected', key: `${key.group}/${key.stream}`, index: op.index, id: op.id, document: documentJson(op) });
    else if (outcome.status === ItemStatus.created) stats.created += 1;
    else if (outcome.status === ItemStatus.exists) stats.exists += 1;
  };
  await addAll(deps.sink, batch.ops, onOutcome);
  await answers.all();
  if (failed > 0) {
    deps.logger.warn({ group: key.group, stream: key.stream, failed }, 'documents not indexed; the events are read again next round');
    return false;
  }
  await deps.deadLetters.record(letters);
  stats.deadLetters += letters.length;
  return true;
}

/** True when every stream's document says it was read to its end at or after `since`. */
async function allReadSince(store: CheckpointStore, streams: readonly StreamKey[], since: number): Promise<boolean> {
  const states = await store.states(streams);
  return streams.every((key) => (states.get(streamDocId(key))?.readToEndAt ?? 0) >= since);
}

/** Waits between rounds; a stop ends the wait at once. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => undefined);
}
