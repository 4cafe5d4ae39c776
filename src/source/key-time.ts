/**
 * Time read from the S3 key layouts AWS writes flow logs and CloudTrail under, so that a time range
 * selects objects without reading them (`query s3://…`, `reprocess --since/--until`).
 *
 * AWS names each file with its delivery stamp (`…_20261122T0705Z_…`) under day folders: plain
 * (`…/vpcflowlogs/<region>/2026/11/22/`, `…/CloudTrail/<region>/2026/11/22/`) or Hive-style
 * (`…/aws-region=us-east-1/year=2026/month=11/day=22/hour=07/`). The stamp trails the records a file
 * holds by the aggregation interval and the delivery delay, so a range is widened by a lag.
 */
import type { S3ObjectRef } from '../core/types.js';

/** An inclusive–exclusive time range in epoch milliseconds; an open end is undefined. */
export interface TimeRange {
  readonly since?: number;
  readonly until?: number;
}

const STAMP = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_/;
const DAY_FOLDERS = /\/(\d{4})\/(\d{2})\/(\d{2})\//;
const HIVE_FOLDERS = /\/year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/(?:hour=(\d{2})\/)?/;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

function utc(y: number, mo: number, d: number, h = 0, mi = 0): number | undefined {
  const ms = Date.UTC(y, mo - 1, d, h, mi);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-31 over to March; a key that says so is not a time.
  return Number.isNaN(ms) || back.getUTCDate() !== d || back.getUTCMonth() !== mo - 1 ? undefined : ms;
}

/** The delivery time AWS writes into flow-log and CloudTrail file names, as epoch seconds. */
export function timeFromKey(key: string): number | undefined {
  const m = STAMP.exec(key);
  if (!m) return undefined;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const ms = utc(y, mo, d, h, mi);
  return ms === undefined ? undefined : ms / 1000;
}

/**
 * The span of time (epoch ms, end exclusive) a key says its object belongs to: the file's stamp
 * (a point), else the hour or day of its folders; undefined when the key names no time.
 */
export function keySpan(key: string): { from: number; to: number } | undefined {
  const stamp = timeFromKey(key);
  if (stamp !== undefined) return { from: stamp * 1000, to: stamp * 1000 + 1 };
  const hive = HIVE_FOLDERS.exec(key);
  if (hive) {
    const hour = hive[4] === undefined ? undefined : Number(hive[4]);
    const from = utc(Number(hive[1]), Number(hive[2]), Number(hive[3]), hour ?? 0);
    return from === undefined ? undefined : { from, to: from + (hour === undefined ? DAY_MS : HOUR_MS) };
  }
  const day = DAY_FOLDERS.exec(key);
  const from = day ? utc(Number(day[1]), Number(day[2]), Number(day[3])) : undefined;
  return from === undefined ? undefined : { from, to: from + DAY_MS };
}

/** Whether a key's time overlaps the range widened by `lagMs` on both sides; undefined when the key has no time. */
export function keyInRange(key: string, range: TimeRange, lagMs: number): boolean | undefined {
  const span = keySpan(key);
  if (!span) return undefined;
  if (range.since !== undefined && span.to <= range.since - lagMs) return false;
  if (range.until !== undefined && span.from >= range.until + lagMs) return false;
  return true;
}

/** Whether a range bounds time at all. */
export const isBounded = (range: TimeRange): boolean => range.since !== undefined || range.until !== undefined;

/** How many objects a selection left out, and why. */
export interface KeySelection {
  outOfRange: number;
  noTime: number;
}

/**
 * Keeps the listed objects whose key time overlaps the range (widened by `lagMs`). With a bounded
 * range, keys that carry no time are left out too (counted in `skipped.noTime`): reading them could
 * mean reading a whole bucket.
 */
export async function* selectByKeyTime(
  refs: AsyncIterable<S3ObjectRef>, range: TimeRange, lagMs: number, skipped: KeySelection = { outOfRange: 0, noTime: 0 },
): AsyncGenerator<S3ObjectRef> {
  const bounded = isBounded(range);
  for await (const ref of refs) {
    if (!bounded) {
      yield ref;
      continue;
    }
    const inRange = keyInRange(ref.key, range, lagMs);
    if (inRange === true) yield ref;
    else if (inRange === false) skipped.outOfRange += 1;
    else skipped.noTime += 1;
  }
}

const REGION_FOLDER = /(?:^|\/)(?:vpcflowlogs|CloudTrail)\/[a-z0-9-]+\/$/;
const HIVE_REGION_FOLDER = /(?:^|\/)aws-region=[a-z0-9-]+\/$/;
/** Past this many days, one listing of the whole prefix is cheaper than a listing per day. */
const MAX_DAY_PREFIXES = 400;

/**
 * When the prefix ends at the region folder of a layout AWS writes, the day folders the range
 * (widened by `lagMs`) touches: listing those alone skips the rest of the bucket. Otherwise the
 * prefix itself.
 */
export function listingPrefixes(prefix: string, range: TimeRange, lagMs: number): string[] {
  const plain = REGION_FOLDER.test(prefix);
  if ((!plain && !HIVE_REGION_FOLDER.test(prefix)) || range.since === undefined) return [prefix];
  const first = Math.floor((range.since - lagMs) / DAY_MS);
  const last = Math.floor(((range.until ?? Date.now()) + lagMs) / DAY_MS);
  if (last - first >= MAX_DAY_PREFIXES || last < first) return [prefix];
  const p = (n: number) => String(n).padStart(2, '0');
  const out: string[] = [];
  for (let day = first; day <= last; day++) {
    const d = new Date(day * DAY_MS);
    const [y, m, dd] = [d.getUTCFullYear(), p(d.getUTCMonth() + 1), p(d.getUTCDate())];
    out.push(plain ? `${prefix}${y}/${m}/${dd}/` : `${prefix}year=${y}/month=${m}/day=${dd}/`);
  }
  return out;
}
