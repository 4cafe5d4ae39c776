import { FIELDS, DEFAULT_FORMAT_FIELDS, type KnownField } from '../formats/vpc-flow/catalogue.js';

/**
 * Realistic synthetic VPC Flow Logs for the demo, the benchmark and the tests: the default format
 * and a custom format with every VPC field, public and private addresses, ACCEPT and REJECT,
 * NODATA and SKIPDATA lines. Deterministic for a seed, so tests know what to expect.
 */

/** Every VPC flow-log field (Transit Gateway fields belong to TGW flow logs, not VPC ones). */
export const FULL_FORMAT_FIELDS = (Object.keys(FIELDS) as KnownField[]).filter((f) => FIELDS[f].version !== 6);

export const SampleFormat = { default: 'default', full: 'full' } as const;
export type SampleFormat = (typeof SampleFormat)[keyof typeof SampleFormat];

/** Addresses the shared GeoIP test databases know, plus common public ones, so enrichment shows. */
export const PUBLIC_ADDRESSES = [
  '81.2.69.142', '2.125.160.216', '1.128.0.1', '8.8.8.8', '1.1.1.1', '52.94.236.248', '151.101.1.69', '185.199.108.153',
  '2001:218::1', '2a02:cf40::1',
] as const;
const PRIVATE_V4 = ['10.0.1.', '10.0.2.', '172.31.16.', '192.168.10.'] as const;
const PORTS = [22, 53, 80, 123, 443, 3306, 3389, 5432, 6379, 8080, 8443] as const;

/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same objects. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SampleOptions {
  readonly seed: number;
  /** Record lines (the header comes on top). */
  readonly records: number;
  readonly format: SampleFormat;
  /** Epoch seconds of the first window. */
  readonly start: number;
  readonly account?: string;
}

export const fieldsOf = (format: SampleFormat): readonly KnownField[] =>
  format === SampleFormat.full ? FULL_FORMAT_FIELDS : DEFAULT_FORMAT_FIELDS;

/** The header line and then `records` lines, one string each (no newline). */
export function* sampleLines(options: SampleOptions): Generator<string> {
  const fields = fieldsOf(options.format);
  const version = Math.max(...fields.map((f) => FIELDS[f].version));
  const random = rng(options.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  yield fields.join(' ');
  for (let i = 0; i < options.records; i++) {
    const kind = i % 97 === 5 ? 'NODATA' : i % 211 === 7 ? 'SKIPDATA' : 'OK';
    const start = options.start + Math.floor(i / Math.max(1, options.records / 10)) * 60;
    const values = recordValues({ kind, version, start, account: options.account ?? '123456789012', random, pick });
    yield fields.map((f) => values[f] ?? '-').join(' ');
  }
}

interface ValueContext {
  kind: 'OK' | 'NODATA' | 'SKIPDATA';
  version: number;
  start: number;
  account: string;
  random: () => number;
  pick: <T>(xs: readonly T[]) => T;
}

function recordValues(c: ValueContext): Partial<Record<KnownField, string>> {
  const eni = `eni-0${Math.floor(c.random() * 0xffffff).toString(16).padStart(6, '0')}abcdef01`;
  const base: Partial<Record<KnownField, string>> = {
    version: String(c.version), 'account-id': c.account, 'interface-id': eni,
    start: String(c.start), end: String(c.start + 60), 'log-status': c.kind,
  };
  if (c.kind !== 'OK') return base;
  const outbound = c.random() < 0.5;
  const local = `${c.pick(PRIVATE_V4)}${1 + Math.floor(c.random() * 250)}`;
  const remote = c.random() < 0.6 ? c.pick(PUBLIC_ADDRESSES) : `${c.pick(PRIVATE_V4)}${1 + Math.floor(c.random() * 250)}`;
  const v6 = remote.includes(':');
  const localAddr = v6 ? '2600:1f18:abcd:1200::10' : local;
  const service = c.pick(PORTS);
  const ephemeral = 32768 + Math.floor(c.random() * 28000);
  const protocol = service === 53 || service === 123 ? 17 : c.random() < 0.03 ? 1 : 6;
  const reject = c.random() < 0.15;
  const packets = 1 + Math.floor(c.random() * 500);
  return {
    ...base,
    srcaddr: outbound ? localAddr : remote, dstaddr: outbound ? remote : localAddr,
    srcport: String(protocol === 1 ? 0 : outbound ? ephemeral : service), dstport: String(protocol === 1 ? 0 : outbound ? service : ephemeral),
    protocol: String(protocol), packets: String(packets), bytes: String(packets * (40 + Math.floor(c.random() * 1400))),
    action: reject ? 'REJECT' : 'ACCEPT',
    'vpc-id': 'vpc-0a1b2c3d4e5f60718', 'subnet-id': 'subnet-0123456789abcdef0', 'instance-id': 'i-0123456789abcdef0',
    'tcp-flags': protocol === 6 ? c.pick(['2', '18', '3', '19', '1', '4']) : '0', type: v6 ? 'IPv6' : 'IPv4',
    'pkt-srcaddr': outbound ? localAddr : remote, 'pkt-dstaddr': outbound ? remote : localAddr,
    region: 'us-east-1', 'az-id': 'use1-az4', 'pkt-src-aws-service': c.random() < 0.1 ? 'S3' : '-', 'pkt-dst-aws-service': '-',
    'flow-direction': outbound ? 'egress' : 'ingress', 'traffic-path': outbound ? c.pick(['1', '2', '8']) : '-',
    'ecs-cluster-name': 'web', 'ecs-cluster-arn': 'arn:aws:ecs:us-east-1:123456789012:cluster/web',
    'ecs-service-name': 'frontend', 'ecs-task-id': '0123456789abcdef0123456789abcdef',
    'reject-reason': reject && c.random() < 0.2 ? 'BPA' : '-', 'encryption-status': c.pick(['0', '1']),
    'resource-id': eni,
  };
}

/** An S3 key exactly as AWS lays out flow-log files. */
export function flowLogKey(account: string, region: string, flowLogId: string, epochSeconds: number, suffix: string): string {
  const d = new Date(epochSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  const [y, m, day] = [d.getUTCFullYear(), p(d.getUTCMonth() + 1), p(d.getUTCDate())];
  const stamp = `${y}${m}${day}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}Z`;
  return `AWSLogs/${account}/vpcflowlogs/${region}/${y}/${m}/${day}/${account}_vpcflowlogs_${region}_${flowLogId}_${stamp}_${suffix}.log.gz`;
}

