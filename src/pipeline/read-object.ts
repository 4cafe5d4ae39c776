import type { S3Client } from '@aws-sdk/client-s3';
import type { AsyncBuffer } from 'hyparquet';
import type { Readable } from 'node:stream';
import type { Enricher } from '../enrich/types.js';
import { ObjectKind, isCwlEnvelopeHead, kindFromKey } from '../formats/detect.js';
import { CwlEnvelopeError, readCwlEnvelopes } from '../formats/cwl/envelope.js';
import type { CwlParser, FormatOf } from '../formats/cwl/events.js';
import { CloudTrailBodyError, readCloudTrail, type CloudTrailParser } from '../formats/cloudtrail/reader.js';
import { headerlessFormat, readHeaderlessFlow } from '../formats/vpc-flow/headerless.js';
import { openParquetFlow } from '../formats/vpc-flow/parquet.js';
import { isParseError, type FlowFormat } from '../formats/vpc-flow/parse.js';
import { readVpcFlow, type BatchParser } from '../formats/vpc-flow/reader.js';
import { decompress, peek } from '../source/decompress.js';
import { s3AsyncBuffer } from '../source/range-reader.js';
import { openObject } from '../source/s3.js';
import type { StallPolicy } from '../source/s3-body.js';
import { splitLines } from '../source/lines.js';
import { ObjectError, messageOf } from '../core/errors.js';
import type { OpBatch } from '../core/records.js';
import type { S3ObjectRef } from '../core/types.js';

/** What reading needs besides the bytes: settings and the enrichment databases. */
export interface ReadOptions {
  readonly enricher: Enricher;
  readonly indexPrefix: string;
  readonly maxLineBytes: number;
  /** Decompressed bytes one object may have: past this it is a gzip bomb, and reading stops. */
  readonly maxObjectBytes: number;
  /** Key prefixes whose objects are header-less flow-log lines, read with `flowFormat`. */
  readonly headerlessPrefixes?: readonly string[];
  /** The format of header-less lines (`${version} ${account-id} …`); the v2 default when absent. */
  readonly flowFormat?: string;
  /** The format of each log group's flow-log events (CloudWatch Logs subscription objects); `flowFormat` when absent. */
  readonly groupFormats?: FormatOf;
  /** Leave NODATA/SKIPDATA flow records out of the index (counted either way). */
  readonly dropStatusRecords?: boolean;
  /** Parses flow-log lines on other threads (the pool of parse-pool.ts); on this one when absent. */
  readonly parser?: BatchParser;
  /** Parses CloudTrail records on other threads (the same pool); on this one when absent. */
  readonly cloudTrailParser?: CloudTrailParser;
  /** Parses the events of CloudWatch Logs subscription objects on other threads (the same pool); on this one when absent. */
  readonly cwlParser?: CwlParser;
  /** CloudTrail indices are `<prefix>-YYYY.MM.DD`; the default prefix is `cloudtrail`. */
  readonly cloudtrailIndexPrefix?: string;
  /** Cap on each CloudTrail blob (requestParameters …) before it is cut and marked. */
  readonly cloudtrailMaxBlobBytes?: number;
  /** Cap on one CloudTrail record's JSON before it is assembled; past it the record is dead-lettered by its ordinal. */
  readonly cloudtrailMaxRecordBytes?: number;
}

/** Parquet needs random access (its footer is at the end), so it is recognised from the key before reading. */
export const isParquetKey = (key: string): boolean => key.endsWith('.parquet');

export type ReadResult =
  /** `notALog`: the content is no log of any kind we read (rather than one we skip by design, such as a digest). */
  | { readonly kind: 'skip'; readonly reason: string; readonly notALog?: true }
  | { readonly kind: 'read'; readonly batches: AsyncIterable<OpBatch>; /** The header, for replaying a line alone. */ readonly format?: string };

/**
 * Turns an object's raw bytes into batches of index operations, choosing the reader from the
 * key layout. Objects that are not logs are skipped with a reason, never failed: a message about
 * them must leave the queue, not cycle through it. The caller owns `body`: it destroys it when done
 * with the result, whatever happened (a skip, a failure or the end), so its socket goes back.
 */
export async function readObject(ref: S3ObjectRef, body: AsyncIterable<Buffer>, options: ReadOptions): Promise<ReadResult> {
  const kind = kindFromKey(ref.key);
  if (kind === ObjectKind.cloudTrailDigest) return { kind: 'skip', reason: 'CloudTrail digest file (not events)' };
  const decompressed = await guard(ref, () => decompress(body));
  // The user's word comes before any sniffing: a CloudWatch Logs dump starts with `{` too.
  if (options.headerlessPrefixes?.some((prefix) => ref.key.startsWith(prefix))) {
    const format = flowFormatOf(options);
    const lines = splitLines(capped(ref, decompressed, options.maxObjectBytes), options.maxLineBytes);
    const ctx = { ref, enricher: options.enricher, indexPrefix: options.indexPrefix, dropStatusRecords: options.dropStatusRecords, parser: options.parser };
    return { kind: 'read', batches: guarded(ref, readHeaderlessFlow(lines, format, ctx)), format: format.fields.join(' ') };
  }
  // A key that says nothing: the first bytes decide (CloudWatch Logs envelopes from a subscription
  // through Firehose, other JSON is CloudTrail, text may be a flow log).
  const peeked = kind === ObjectKind.unknown ? await guard(ref, () => peek(decompressed)) : { head: undefined, stream: decompressed };
  const head = peeked.head;
  const bytes = capped(ref, peeked.stream, options.maxObjectBytes);
  if (head !== undefined && isCwlEnvelopeHead(head)) {
    const fallback = flowFormatOf(options);
    const formatOf = options.groupFormats ?? (() => fallback);
    const ctx = { enricher: options.enricher, indexPrefix: options.indexPrefix, dropStatusRecords: options.dropStatusRecords, formatOf, parser: options.cwlParser };
    return { kind: 'read', batches: guarded(ref, readCwlEnvelopes(bytes, ctx)) };
  }
  if (kind === ObjectKind.cloudTrail || (head !== undefined && looksLikeJsonObject(head))) {
    const ctx = {
      ref, enricher: options.enricher, indexPrefix: options.cloudtrailIndexPrefix ?? 'cloudtrail',
      maxBlobBytes: options.cloudtrailMaxBlobBytes ?? 32 * 1024, maxRecordBytes: options.cloudtrailMaxRecordBytes, parser: options.cloudTrailParser,
    };
    return { kind: 'read', batches: guarded(ref, readCloudTrail(bytes, ctx)) };
  }
  const lines = splitLines(bytes, options.maxLineBytes);
  const read = await guard(ref, () =>
    readVpcFlow(lines, { ref, enricher: options.enricher, indexPrefix: options.indexPrefix, dropStatusRecords: options.dropStatusRecords, strict: kind === ObjectKind.vpcFlow, parser: options.parser }),
  );
  if (read.kind === 'skip') return read;
  if (read.kind === 'invalid') throw new ObjectError(ref, read.reason, false, 1);
  return { kind: 'read', batches: guarded(ref, read.batches), format: read.format.fields.join(' ') };
}

/** Reads a Parquet flow-log object, row group by row group, through a random-access source. */
export async function readParquetObject(ref: S3ObjectRef, source: AsyncBuffer, options: ReadOptions): Promise<ReadResult> {
  const ctx = {
    ref, enricher: options.enricher, indexPrefix: options.indexPrefix, dropStatusRecords: options.dropStatusRecords, maxObjectBytes: options.maxObjectBytes,
    parser: options.parser,
  };
  const { format, batches } = await guard(ref, () => openParquetFlow(source, ctx));
  return { kind: 'read', batches: guarded(ref, batches), format: format.fields.join(' ') };
}

/** An S3 object being read: what it holds, and the body of a streamed object, which the caller destroys when done. */
export interface S3Read {
  readonly result: ReadResult;
  readonly body?: Readable;
}

/**
 * Reads an S3 object: Parquet through ranged reads, everything else as one stream, dated by its
 * LastModified when nothing better dates it. The caller must destroy `body` on every path (a body
 * left open holds one of the S3 client's pooled sockets for good); it is destroyed here already
 * when reading cannot even start.
 */
export async function readS3Object(s3: S3Client, ref: S3ObjectRef, options: ReadOptions, stall?: StallPolicy): Promise<S3Read> {
  if (isParquetKey(ref.key)) return { result: await readParquetObject(ref, await s3AsyncBuffer(s3, ref, ref.size), options) };
  const opened = await openObject(s3, ref, stall);
  const dated = ref.time === undefined ? { ...ref, time: opened.modified } : ref;
  try {
    return { result: await readObject(dated, opened.body, options), body: opened.body };
  } catch (err) {
    opened.body.destroy();
    throw err;
  }
}

/** The header-less format; validated with the settings, so a bad one cannot reach here. */
export function flowFormatOf(options: Pick<ReadOptions, 'flowFormat'>): FlowFormat {
  const format = headerlessFormat(options.flowFormat);
  if (isParseError(format)) throw new Error(`FLOW_FORMAT: ${format.error}`);
  return format;
}

function looksLikeJsonObject(head: Buffer): boolean {
  for (const byte of head) {
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0xef || byte === 0xbb || byte === 0xbf) continue;
    return byte === 0x7b;
  }
  return false;
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

/** Errors while reading become ObjectErrors: corrupt compressed data or JSON is permanent, I/O is not. */
function toObjectError(ref: S3ObjectRef, err: unknown): ObjectError {
  if (err instanceof ObjectError) return err;
  if (err instanceof CloudTrailBodyError || err instanceof CwlEnvelopeError) return new ObjectError(ref, err.message, false, undefined, { cause: err });
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
