import type { Enricher } from '../enrich/types.js';
import { ObjectKind, kindFromKey } from '../formats/detect.js';
import { readVpcFlow } from '../formats/vpc-flow/reader.js';
import { decompress } from '../source/decompress.js';
import { splitLines } from '../source/lines.js';
import { ObjectError, messageOf } from './errors.js';
import type { OpBatch } from './records.js';
import type { S3ObjectRef } from './types.js';

/** What reading needs besides the bytes: settings and the enrichment databases. */
export interface ReadOptions {
  readonly enricher: Enricher;
  readonly indexPrefix: string;
  readonly maxLineBytes: number;
  /** Decompressed bytes one object may have: past this it is a gzip bomb, and reading stops. */
  readonly maxObjectBytes: number;
}

export type ReadResult =
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'read'; readonly batches: AsyncIterable<OpBatch>; /** The header, for replaying a line alone. */ readonly format?: string };

/**
 * Turns an object's raw bytes into batches of index operations, choosing the reader from the
 * key layout. Objects that are not logs are skipped with a reason, never failed: a message about
 * them must leave the queue, not cycle through it.
 */
export async function readObject(ref: S3ObjectRef, body: AsyncIterable<Buffer>, options: ReadOptions): Promise<ReadResult> {
  const kind = kindFromKey(ref.key);
  if (kind === ObjectKind.cloudTrailDigest) return { kind: 'skip', reason: 'CloudTrail digest file (not events)' };
  if (kind === ObjectKind.cloudTrail) return { kind: 'skip', reason: 'CloudTrail objects are not read yet' };
  const bytes = capped(ref, await guard(ref, () => decompress(body)), options.maxObjectBytes);
  const lines = splitLines(bytes, options.maxLineBytes);
  const read = await guard(ref, () =>
    readVpcFlow(lines, { ref, enricher: options.enricher, indexPrefix: options.indexPrefix, strict: kind === ObjectKind.vpcFlow }),
  );
  if (read.kind === 'skip') return read;
  if (read.kind === 'invalid') throw new ObjectError(ref, read.reason, false, 1);
  return { kind: 'read', batches: guarded(ref, read.batches), format: read.format.fields.join(' ') };
}

/** Passes bytes through until `max`, then fails for good: a gzip bomb must not take the worker down. */
async function* capped(ref: S3ObjectRef, source: AsyncIterable<Buffer>, max: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > max) throw new ObjectError(ref, `decompressed size passed MAX_OBJECT_BYTES (${max} bytes): reading stopped`, false);
    yield chunk;
  }
}

/** Errors while reading become ObjectErrors: corrupt compressed data is permanent, I/O is not. */
function toObjectError(ref: S3ObjectRef, err: unknown): ObjectError {
  if (err instanceof ObjectError) return err;
  const code = (err as { code?: unknown }).code;
  const corrupt = typeof code === 'string' && code.startsWith('Z_');
  const detail = corrupt ? `corrupt or truncated compressed data: ${messageOf(err)}` : `read failed: ${messageOf(err)}`;
  return new ObjectError(ref, detail, !corrupt, undefined, { cause: err });
}

async function guard<T>(ref: S3ObjectRef, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toObjectError(ref, err);
  }
}

async function* guarded(ref: S3ObjectRef, batches: AsyncIterable<OpBatch>): AsyncGenerator<OpBatch> {
  try {
    yield* batches;
  } catch (err) {
    throw toObjectError(ref, err);
  }
}
