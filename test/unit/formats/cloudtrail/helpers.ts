/** Factories for the CloudTrail reader tests: bodies, chunked byte streams, contexts, results. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { noopEnricher } from '../../../../src/enrich/geoip.js';
import type { Enricher } from '../../../../src/enrich/types.js';
import { CloudTrailBodyReader, type BodyChunkResult } from '../../../../src/formats/cloudtrail/body.js';
import { readCloudTrail, type CloudTrailContext } from '../../../../src/formats/cloudtrail/reader.js';
import type { LineProblem, OpBatch } from '../../../../src/core/records.js';
import type { IndexOp } from '../../../../src/core/types.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/cloudtrail/', import.meta.url));

/** A fixture body's bytes. */
export function fixture(name: string): Buffer {
  return readFileSync(`${FIXTURES}${name}`);
}

/** The events of a fixture, parsed in one go (the expected values). */
export function fixtureRecords(name: string): Record<string, unknown>[] {
  return (JSON.parse(fixture(name).toString('utf8')) as { Records: Record<string, unknown>[] }).Records;
}

/** What a CloudTrailBodyReader gave for a whole body: its entries, and the error it ended with. */
export interface BodyRead {
  readonly records: unknown[];
  readonly error?: string;
}

/**
 * Feeds a body to a CloudTrailBodyReader (record cap `cap`, default its own) in chunks of `size`
 * bytes (default: one chunk): what each chunk and the end gave, up to the first error.
 */
function feedBody(bytes: Buffer | string, size?: number, cap?: number): BodyChunkResult[] {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  const step = size ?? Math.max(buffer.length, 1);
  const reader = new CloudTrailBodyReader(cap);
  const results: BodyChunkResult[] = [];
  for (let at = 0; at < buffer.length; at += step) {
    const result = reader.write(buffer.subarray(at, at + step));
    results.push(result);
    if (result.error !== undefined) return results;
  }
  results.push(reader.end());
  return results;
}

/** The entries a body gave (see {@link feedBody}), and the error it ended with. */
export function readBody(bytes: Buffer | string, size?: number, cap?: number): BodyRead {
  const results = feedBody(bytes, size, cap);
  const records = results.flatMap((r) => r.records);
  const error = results.at(-1)?.error;
  return error === undefined ? { records } : { records, error };
}

/** The bytes of each entry a body gave (see {@link feedBody}); each result gives a size for every record. */
export function readSizes(bytes: Buffer | string, size?: number, cap?: number): number[] {
  return feedBody(bytes, size, cap).flatMap((result) => {
    if (result.sizes.length !== result.records.length) throw new Error(`${result.records.length} records, ${result.sizes.length} sizes`);
    return result.sizes;
  });
}

/** A body from records. */
export function body(records: readonly unknown[]): Buffer {
  return Buffer.from(JSON.stringify({ Records: records }), 'utf8');
}

/** The bytes in chunks of `size`, as an S3 body stream delivers them. */
export async function* chunked(bytes: Buffer, size = 64 * 1024): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** A minimal valid event; `overrides` replace or add fields (undefined removes one). */
export function event(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'EXAMPLE6E4XEGITWATV6R', arn: 'arn:aws:iam::123456789012:user/Mateo', accountId: '123456789012', userName: 'Mateo' },
    eventTime: '2023-07-19T21:14:20Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'us-east-1',
    sourceIPAddress: '192.0.2.0',
    userAgent: 'aws-cli/2.13.5',
    requestParameters: { instancesSet: { items: [{ instanceId: `i-${n.toString(16).padStart(17, '0')}` }] } },
    responseElements: null,
    requestID: `req-${n}`,
    eventID: `event-${n}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '123456789012',
    eventCategory: 'Management',
  };
  const merged = { ...base, ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete merged[key];
  return merged;
}

export const DEFAULT_MAX_BLOB_BYTES = 32 * 1024;

export function context(overrides: Partial<CloudTrailContext> & { enricher?: Enricher } = {}): CloudTrailContext {
  return {
    ref: { bucket: 'trail-bucket', key: 'AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/19/123456789012_CloudTrail_us-east-1_20230719T2120Z_EXAMPLE0123456789.json.gz' },
    enricher: noopEnricher,
    indexPrefix: 'cloudtrail',
    maxBlobBytes: DEFAULT_MAX_BLOB_BYTES,
    ...overrides,
  };
}

/** Everything a read gave: batches, ops and problems in order, and the error it ended with. */
export interface ReadOutcome {
  readonly batches: OpBatch[];
  readonly ops: IndexOp[];
  readonly problems: LineProblem[];
  readonly error?: Error;
}

export async function readAll(bytes: AsyncIterable<Buffer>, ctx: CloudTrailContext = context()): Promise<ReadOutcome> {
  const batches: OpBatch[] = [];
  try {
    for await (const batch of readCloudTrail(bytes, ctx)) batches.push(batch);
  } catch (err) {
    return { ...flatten(batches), error: err as Error };
  }
  return flatten(batches);
}

function flatten(batches: OpBatch[]): ReadOutcome {
  return { batches, ops: batches.flatMap((b) => b.ops), problems: batches.flatMap((b) => b.problems) };
}

/** The op whose document has this eventName (fails loudly when there is none). */
export function opFor(ops: readonly IndexOp[], eventName: string): IndexOp {
  const op = ops.find((o) => o.doc['eventName'] === eventName);
  if (op === undefined) throw new Error(`no document for ${eventName}`);
  return op;
}
