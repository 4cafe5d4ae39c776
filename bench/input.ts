/**
 * The benchmark's input: flow-log objects with the address mix of a real edge, not of a demo.
 * An internet-facing VPC talks to tens of thousands of distinct public peers per object, a few
 * percent of them over IPv6, and rejects a share of the traffic; interfaces without traffic write
 * NODATA lines. A benchmark on ten peers would keep every per-address cache hot and flatter us.
 *
 * The VPC's own side has about two thousand private addresses. Deterministic for a seed (mulberry32 from src/sample), so two runs read the same bytes.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { once } from 'node:events';
import { createGzip, gzipSync } from 'node:zlib';
import { parquetWriteFile } from 'hyparquet-writer';
import { DEFAULT_FORMAT_FIELDS } from '../src/formats/vpc-flow/catalogue.js';
import { PUBLIC_ADDRESSES, rng } from '../src/sample/flow-logs.js';
import { isPublicAddress } from '../src/enrich/ip.js';

/** The two layouts measured: AWS's default, and a wide v5 custom format of 22 fields. */
export const BenchFormat = { default: 'default', wide: 'wide' } as const;
export type BenchFormat = (typeof BenchFormat)[keyof typeof BenchFormat];

export const WIDE_FIELDS = [
  ...DEFAULT_FORMAT_FIELDS, 'vpc-id', 'subnet-id', 'instance-id', 'tcp-flags', 'type', 'pkt-srcaddr', 'pkt-dstaddr', 'flow-direction',
] as const;

export const FIELDS_OF: Readonly<Record<BenchFormat, readonly string[]>> = { default: DEFAULT_FORMAT_FIELDS, wide: WIDE_FIELDS };

/** Distinct public peers of a VPC (an object of a million records meets nearly all), and the share of them (and of lines) on IPv6. */
export const PUBLIC_V4_PEERS = 20_000;
export const PUBLIC_V6_PEERS = 1_300;
const IPV6_SHARE = 0.06;
const PORTS = [22, 25, 53, 80, 123, 443, 443, 443, 3306, 3389, 5432, 6379, 8080, 8443] as const;

type Random = () => number;

function publicV4(random: Random): string {
  for (;;) {
    const n = Math.floor(random() * 2 ** 32);
    const ip = `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
    if (isPublicAddress(ip)) return ip;
  }
}

function publicV6(random: Random): string {
  const group = () => Math.floor(random() * 0x10000).toString(16);
  const prefix = random() < 0.5 ? '2600' : '2a0' + Math.floor(random() * 10);
  return `${prefix}:${group()}:${group()}:${group()}::${group()}`;
}

/** The peers, the GeoIP test databases' own addresses among them so that enrichment shows. */
function peers(random: Random): { v4: string[]; v6: string[] } {
  const known = PUBLIC_ADDRESSES as readonly string[];
  const v4 = [...known.filter((a) => !a.includes(':')), ...Array.from({ length: PUBLIC_V4_PEERS }, () => publicV4(random))];
  const v6 = [...known.filter((a) => a.includes(':')), ...Array.from({ length: PUBLIC_V6_PEERS }, () => publicV6(random))];
  return { v4, v6 };
}

/** One record's values by field name; `-` where AWS writes it. */
function record(random: Random, pool: { v4: string[]; v6: string[] }, i: number, start: number, version: string): Record<string, string> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const eni = `eni-0${(i % 400).toString(16).padStart(6, '0')}abcdef01`;
  const base = { version, 'account-id': '123456789012', 'interface-id': eni, start: String(start), end: String(start + 60 - (i % 7)) };
  const status = i % 89 === 3 ? 'NODATA' : i % 997 === 11 ? 'SKIPDATA' : 'OK';
  if (status !== 'OK') return { ...base, 'log-status': status };
  const v6 = random() < IPV6_SHARE;
  // The VPC's own side: a few hundred interfaces, so about a thousand private addresses.
  const host = Math.floor(random() * 1000);
  const local = v6 ? `2600:1f18:abcd:12${(host % 16).toString(16)}0::${host.toString(16)}` : `10.0.${host % 16}.${4 + Math.floor(host / 16)}`;
  // Most flows cross the edge; a quarter stay inside the VPC.
  const peer = Math.floor(random() * 1000);
  const remote = random() < 0.75 ? pick(v6 ? pool.v6 : pool.v4) : v6 ? `2600:1f18:abcd:1200::${peer.toString(16)}` : `10.1.${peer % 16}.${4 + Math.floor(peer / 16)}`;
  const outbound = random() < 0.5;
  const service = pick(PORTS);
  const protocol = service === 53 || service === 123 ? 17 : random() < 0.03 ? (v6 ? 58 : 1) : 6;
  const ephemeral = 32768 + Math.floor(random() * 28000);
  const icmp = protocol === 1 || protocol === 58;
  const packets = 1 + Math.floor(random() * 900);
  const [src, dst] = outbound ? [local, remote] : [remote, local];
  return {
    ...base, srcaddr: src, dstaddr: dst,
    srcport: String(icmp ? 0 : outbound ? ephemeral : service), dstport: String(icmp ? 0 : outbound ? service : ephemeral),
    protocol: String(protocol), packets: String(packets), bytes: String(packets * (40 + Math.floor(random() * 1400))),
    action: random() < 0.18 ? 'REJECT' : 'ACCEPT', 'log-status': 'OK',
    'vpc-id': 'vpc-0a1b2c3d4e5f60718', 'subnet-id': `subnet-0123456789abcdef${i % 4}`, 'instance-id': `i-0123456789abcd${(i % 400).toString(16).padStart(3, '0')}`,
    'tcp-flags': protocol === 6 ? pick(['2', '18', '3', '19', '1', '4', '27']) : '0', type: v6 ? 'IPv6' : 'IPv4',
    'pkt-srcaddr': src, 'pkt-dstaddr': dst, 'flow-direction': outbound ? 'egress' : 'ingress',
  };
}

/**
 * The header and `records` lines of one object, in chunks of text ready to compress. `peerSeed`
 * picks the peers: objects of one VPC share theirs (bench:e2e's objects are consecutive slices of
 * the same traffic). By default the peers are drawn from the lines' own stream, `seed`.
 */
export function* benchText(format: BenchFormat, records: number, seed = 7, peerSeed?: number): Generator<string> {
  const random = rng(seed);
  const pool = peers(peerSeed === undefined ? random : rng(peerSeed));
  const fields = FIELDS_OF[format];
  const start = Date.UTC(2026, 10, 22) / 1000;
  let chunk = `${fields.join(' ')}\n`;
  for (let i = 0; i < records; i++) {
    // Windows advance by a minute every 5,000 records: a few hundred distinct start times per object.
    const values = record(random, pool, i, start + Math.floor(i / 5000) * 60, format === BenchFormat.wide ? '5' : '2');
    chunk += `${fields.map((f) => values[f] ?? '-').join(' ')}\n`;
    if (chunk.length > 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}

/** Writes the gzip object once (kept in bench/out between runs); returns its path. */
export async function benchObject(dir: string, format: BenchFormat, records: number): Promise<string> {
  const file = `${dir}flow-${format}-${records}.log.gz`;
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const gzip = createGzip();
  const out = createWriteStream(`${file}.part`);
  gzip.pipe(out);
  for (const text of benchText(format, records)) {
    if (!gzip.write(text)) await once(gzip, 'drain');
  }
  gzip.end();
  await once(out, 'finish');
  renameSync(`${file}.part`, file);
  return file;
}

/** CloudTrail files hold up to a few thousand events; this one is large so that the rate is steady. */
export const CLOUDTRAIL_KEY = 'AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/22/123456789012_CloudTrail_us-east-1_20261122T0000Z_bench.json.gz';

/**
 * A CloudTrail file of `events` records: the documented example events of the test fixtures, each
 * with its own eventID, time and one of the public peers as source address.
 */
export async function cloudTrailObject(dir: string, fixture: string, events: number): Promise<string> {
  const file = `${dir}cloudtrail-${events}.json.gz`;
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const templates = (JSON.parse(readFileSync(fixture, 'utf8')) as { Records: Record<string, unknown>[] }).Records;
  const random = rng(11);
  const pool = peers(random).v4;
  const gzip = createGzip();
  const out = createWriteStream(`${file}.part`);
  gzip.pipe(out);
  gzip.write('{"Records":[');
  for (let i = 0; i < events; i++) {
    const event = {
      ...templates[i % templates.length], eventID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      eventTime: new Date(Date.UTC(2026, 10, 22) + i * 50).toISOString().replace(/\.\d+Z$/, 'Z'), sourceIPAddress: pool[i % pool.length],
    };
    if (!gzip.write(`${i === 0 ? '' : ','}${JSON.stringify(event)}`)) await once(gzip, 'drain');
  }
  gzip.end(']}');
  await once(out, 'finish');
  renameSync(`${file}.part`, file);
  return file;
}

/** A Firehose stream's key says nothing of what it holds: the reader knows a subscription object by its first bytes. */
export const CWL_KEY = 'firehose/2026/11/22/00/flow-logs-1-2026-11-22-00-00-00-bench';
/** Events per envelope: CloudWatch Logs sends a subscription's events in batches of up to ~1 MB. */
const CWL_ENVELOPE_EVENTS = 500;

/**
 * A CloudWatch Logs subscription object as Firehose writes it to S3: the default-format object's
 * records as events of DATA_MESSAGE envelopes (four log streams of one group), each envelope its
 * own gzip member, concatenated. Kept in bench/out.
 */
export async function cwlObject(dir: string, records: number): Promise<string> {
  const file = `${dir}cwl-default-${records}.gz`;
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const out = createWriteStream(`${file}.part`);
  const lines = (function* () {
    for (const chunk of benchText(BenchFormat.default, records)) yield* chunk.split('\n').filter((line) => line !== '');
  })();
  lines.next(); // the header: events carry records only
  const start = Date.UTC(2026, 10, 22);
  let events: Array<{ id: string; timestamp: number; message: string }> = [];
  let envelopes = 0;
  const flush = async () => {
    const envelope = {
      messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: '/vpc/flow-logs', logStream: `eni-${envelopes % 4}-all`,
      subscriptionFilters: ['to-firehose'], logEvents: events,
    };
    envelopes += 1;
    if (!out.write(gzipSync(JSON.stringify(envelope)))) await once(out, 'drain');
    events = [];
  };
  let n = 0;
  for (const message of lines) {
    // CloudWatch Logs' ids are 56 digits.
    events.push({ id: `${'3'.repeat(40)}${String(n).padStart(16, '0')}`, timestamp: start + Math.floor(n / 100), message });
    n += 1;
    if (events.length === CWL_ENVELOPE_EVENTS) await flush();
  }
  if (events.length > 0) await flush();
  out.end();
  await once(out, 'finish');
  renameSync(`${file}.part`, file);
  return file;
}

/** The Parquet object's key: AWS's layout, `.log.parquet`. */
export const PARQUET_KEY = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/123456789012_vpcflowlogs_us-east-1_fl-bench_20261122T0000Z_bench.log.parquet';

/** Parquet column types as AWS writes them (see test/fixtures/vpc-flow/parquet/make-fixtures.py); strings for the rest. */
const INT32_COLUMNS = new Set(['version', 'srcport', 'dstport', 'tcp_flags', 'traffic_path']);
const INT64_COLUMNS = new Set(['protocol', 'packets', 'bytes', 'start', 'end']);

/**
 * The default-format object's records as a Parquet flow log (`….log.parquet`, Snappy pages, row
 * groups of 100,000), columns named and typed as AWS does; `-` becomes null. Written with
 * hyparquet-writer, kept in bench/out.
 */
export function parquetObject(dir: string, records: number): string {
  const file = `${dir}flow-default-${records}.log.parquet`;
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const fields = FIELDS_OF[BenchFormat.default];
  const columns: (string | number | bigint | null)[][] = fields.map(() => []);
  let first = true;
  for (const chunk of benchText(BenchFormat.default, records)) {
    for (const line of chunk.split('\n')) {
      if (first || line === '') {
        first = false;
        continue;
      }
      line.split(' ').forEach((value, i) => {
        const name = (fields[i] as string).replaceAll('-', '_');
        const typed = value === '-' ? null : INT32_COLUMNS.has(name) ? Number(value) : INT64_COLUMNS.has(name) ? BigInt(value) : value;
        columns[i]?.push(typed);
      });
    }
  }
  parquetWriteFile({
    filename: `${file}.part`,
    columnData: fields.map((f, i) => {
      const name = f.replaceAll('-', '_');
      return { name, data: columns[i] ?? [], type: INT32_COLUMNS.has(name) ? 'INT32' : INT64_COLUMNS.has(name) ? 'INT64' : 'STRING', nullable: true };
    }),
    rowGroupSize: 100_000,
  });
  renameSync(`${file}.part`, file);
  return file;
}
