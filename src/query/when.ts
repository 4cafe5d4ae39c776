/**
 * Times and durations as users type them: `--since 15m` (ago), `--until 2026-11-22T11:00Z`,
 * `prune --older-than 30d`. An ISO time without an offset is UTC, as every time in the logs is.
 */
import { ConfigError } from '../config/load.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d+)(s|m|h|d|w)$/;
/** Date, optional time (minutes, seconds, fraction), optional `Z` or `±hh:mm`. */
const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$/i;

/** `15m`, `2h`, `1d`, `30s`, `1w` in milliseconds; undefined when the text is not one. */
export function durationMs(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined;
}

/** Like `durationMs`, failing with a message that names the option. */
export function parseDuration(option: string, text: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new ConfigError(`${option} ${JSON.stringify(text)}: a duration such as 15m, 2h, 30d expected`);
  return ms;
}

/**
 * A point in time in epoch ms: `now`, a duration ago (`15m`, `2h`, `1d`), or an ISO-8601 date or
 * time (`2026-11-22`, `2026-11-22T10:59`, `2026-11-22T10:59:00+01:00`; UTC when no offset is given).
 */
export function parseWhen(option: string, text: string, now = Date.now()): number {
  const t = text.trim();
  if (t === 'now') return now;
  const ago = durationMs(t);
  if (ago !== undefined) return now - ago;
  const m = ISO.exec(t);
  const ms = m ? Date.parse(`${m[1]}T${m[2] ?? '00:00'}${m[3] ?? 'Z'}`) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new ConfigError(`${option} ${JSON.stringify(text)}: an ISO time (2026-11-22T10:59Z; UTC without an offset), or a time ago such as 15m, 2h, 1d expected`);
  }
  return ms;
}
