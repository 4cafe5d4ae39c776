/**
 * Random-access byte sources (hyparquet `AsyncBuffer`s) for formats whose index sits at the end of
 * the object, such as Parquet's footer. Each `slice` reads only the bytes asked for (a ranged S3
 * GetObject or a positioned file read), so memory follows what the reader asks for at a time, never
 * the object's size.
 */
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { open } from 'node:fs/promises';
import type { AsyncBuffer } from 'hyparquet';
import type { S3ObjectRef } from '../core/types.js';
import { ObjectError } from '../core/errors.js';
import { s3Failure } from './s3.js';

/** What a source has read so far: for logs, metrics and the tests that check reads stay bounded. */
export interface RangeStats {
  /** Slices served (ranged GETs or positioned reads; empty slices are not counted). */
  requests: number;
  /** Bytes read in total. */
  bytes: number;
  /** The largest single slice, in bytes. */
  largest: number;
}

/** An AsyncBuffer that counts what it reads. */
export type CountingAsyncBuffer = AsyncBuffer & { readonly stats: Readonly<RangeStats> };

/** Checks a slice request against the object's size, as ArrayBuffer.slice's callers expect it to hold. */
function bounds(start: number, end: number | undefined, size: number): { start: number; end: number } {
  const stop = end ?? size;
  if (!Number.isInteger(start) || !Number.isInteger(stop) || start < 0 || stop < start || stop > size) {
    throw new RangeError(`slice [${start}, ${stop}) is outside the object's ${size} bytes`);
  }
  return { start, end: stop };
}

function count(stats: RangeStats, bytes: number): void {
  stats.requests += 1;
  stats.bytes += bytes;
  stats.largest = Math.max(stats.largest, bytes);
}

/** A copy of exactly these bytes: a view may share a larger (pooled) ArrayBuffer. */
function ownArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer;
  }
  return new Uint8Array(bytes).buffer;
}

/**
 * An AsyncBuffer over an S3 object, one ranged GetObject per slice. The size comes from `size`,
 * else `ref.size` (the notification's), else a HeadObject. The first response's ETag is then sent
 * as If-Match with every later range, so an object replaced mid-read fails (412, retryable)
 * instead of mixing bytes of two versions.
 */
export async function s3AsyncBuffer(s3: S3Client, ref: S3ObjectRef, size?: number): Promise<CountingAsyncBuffer> {
  let etag: string | undefined;
  let byteLength = size ?? ref.size;
  if (byteLength === undefined) {
    try {
      const head = await s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      byteLength = head.ContentLength ?? 0;
      etag = head.ETag;
    } catch (err) {
      throw s3Failure(ref, 'HeadObject', err);
    }
  }
  const length = byteLength;
  const stats: RangeStats = { requests: 0, bytes: 0, largest: 0 };
  const slice = async (from: number, to?: number): Promise<ArrayBuffer> => {
    const { start, end } = bounds(from, to, length);
    if (start === end) return new ArrayBuffer(0);
    let bytes: Uint8Array;
    try {
      const range = `bytes=${start}-${end - 1}`;
      const out = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, Range: range, IfMatch: etag }));
      etag ??= out.ETag;
      if (!out.Body) throw new ObjectError(ref, `GetObject ${range} returned no body`, true);
      bytes = await out.Body.transformToByteArray();
    } catch (err) {
      throw s3Failure(ref, 'GetObject', err);
    }
    if (bytes.byteLength !== end - start) {
      throw new ObjectError(ref, `GetObject bytes=${start}-${end - 1} returned ${bytes.byteLength} bytes, not ${end - start}`, true);
    }
    count(stats, bytes.byteLength);
    return ownArrayBuffer(bytes);
  };
  return { byteLength: length, slice, stats };
}

/**
 * An AsyncBuffer over a local file, one positioned read per slice, for `parse` and for tests.
 * The file stays open until `close()`: call it when done (in a `finally`).
 */
export async function fileAsyncBuffer(path: string): Promise<CountingAsyncBuffer & { close(): Promise<void> }> {
  const handle = await open(path, 'r');
  let size: number;
  try {
    size = (await handle.stat()).size;
  } catch (err) {
    await handle.close();
    throw err;
  }
  const stats: RangeStats = { requests: 0, bytes: 0, largest: 0 };
  const slice = async (from: number, to?: number): Promise<ArrayBuffer> => {
    const { start, end } = bounds(from, to, size);
    const out = new Uint8Array(end - start);
    // read() may return fewer bytes than asked; loop until the slice is full.
    for (let done = 0; done < out.length; ) {
      const { bytesRead } = await handle.read(out, done, out.length - done, start + done);
      if (bytesRead === 0) throw new Error(`${path} ended at byte ${start + done}, before ${end} (file shrank while read)`);
      done += bytesRead;
    }
    if (out.length > 0) count(stats, out.length);
    return out.buffer;
  };
  return { byteLength: size, slice, stats, close: () => handle.close() };
}

/**
 * Reads the last `tailBytes` of `source` once, now, and serves them from memory afterwards. A
 * Parquet reader reads the footer first, then the row groups: in a small object (most flow-log
 * objects hold five minutes of a few interfaces) the footer read already holds every row group, so
 * the object costs one request instead of one per row group plus one, and a large object does not
 * read its last row group twice. Memory: the tail, for as long as the object is read.
 */
export async function withCachedTail(source: AsyncBuffer, tailBytes: number): Promise<AsyncBuffer> {
  const size = source.byteLength;
  const tailStart = Math.max(0, size - tailBytes);
  const tail = new Uint8Array(await source.slice(tailStart, size));
  const slice = async (from: number, to?: number): Promise<ArrayBuffer> => {
    const { start, end } = bounds(from, to, size);
    if (end <= tailStart) return source.slice(start, end);
    if (start >= tailStart) return tail.slice(start - tailStart, end - tailStart).buffer;
    // Straddles the tail: fetch only the part before it.
    const out = new Uint8Array(end - start);
    out.set(new Uint8Array(await source.slice(start, tailStart)));
    out.set(tail.subarray(0, end - tailStart), tailStart - start);
    return out.buffer;
  };
  return { byteLength: size, slice };
}
