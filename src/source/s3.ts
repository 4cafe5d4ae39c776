import { GetObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { BucketRoutedS3, type S3Pluggable } from './bucket-access.js';
import { ObjectError, messageOf } from '../core/errors.js';
import type { S3ObjectRef } from '../core/types.js';
import { listingPrefixes, selectByKeyTime, type KeySelection, type TimeRange } from './key-time.js';
import { stallSafeBody, type StallPolicy } from './s3-body.js';

/**
 * S3 errors that a retry cannot mend: the object or bucket is gone (NotFound is HeadObject's
 * NoSuchKey: a HEAD answer has no body to name it), or a ranged read asks for bytes the object does
 * not have. AccessDenied is not among them: it is mended by a permission change, so its message
 * goes through the queue's redrive policy to the DLQ and can be moved back (`redrive`).
 */
const PERMANENT_S3_ERRORS = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'InvalidObjectState', 'InvalidRange']);

/** Wraps an S3 failure with the object's place and whether a retry can help. */
export function s3Failure(ref: S3ObjectRef, operation: string, err: unknown): ObjectError {
  if (err instanceof ObjectError) return err;
  const name = err instanceof S3ServiceException ? err.name : undefined;
  const permanent = name !== undefined && PERMANENT_S3_ERRORS.has(name);
  return new ObjectError(ref, `${operation} failed: ${name ?? ''} ${messageOf(err)}`.trim(), !permanent, undefined, { cause: err });
}

/** An object opened for reading: its body, which the caller must destroy when done, and when it was written. */
export interface OpenedObject {
  readonly body: Readable;
  /** LastModified, epoch seconds. */
  readonly modified?: number;
}

/**
 * Opens an object's body as a byte stream. Fails with an ObjectError that says whether retrying
 * helps. With a stall policy, a body that stops sending is resumed where it stopped (s3-body.ts).
 */
export async function openObject(s3: S3Client, ref: S3ObjectRef, stall?: StallPolicy): Promise<OpenedObject> {
  const get = async (range?: string, ifMatch?: string) => {
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, Range: range, IfMatch: ifMatch }));
      if (!out.Body) throw new ObjectError(ref, `GetObject${range ? ` ${range}` : ''} returned no body`, true);
      return { ...out, Body: out.Body as Readable };
    } catch (err) {
      throw s3Failure(ref, `GetObject${range ? ` ${range}` : ''}`, err);
    }
  };
  const out = await get();
  const modified = out.LastModified === undefined ? undefined : Math.floor(out.LastModified.getTime() / 1000);
  const reopen = async (offset: number) => (await get(`bytes=${offset}-`, out.ETag)).Body;
  const body = stall === undefined ? out.Body : stallSafeBody(ref, out.Body, reopen, stall);
  return { body, ...(modified === undefined ? {} : { modified }) };
}

/**
 * Tells `onBytes` the size of every GetObject answer this client receives (whole objects and
 * ranges): the bytes fetched from S3, counted without touching the body stream. A bucket-routed
 * client counts what each of its per-bucket clients receives.
 */
export function countFetchedBytes(s3: S3Client, onBytes: (bytes: number) => void): void {
  const pluggable: S3Pluggable = {
    applyToStack: (stack) => stack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const length = (result.output as { ContentLength?: number }).ContentLength;
        if (context.commandName === 'GetObjectCommand' && typeof length === 'number') onBytes(length);
        return result;
      },
      { step: 'initialize', name: 'countFetchedBytes' },
    ),
  };
  if (s3 instanceof BucketRoutedS3) s3.useEverywhere(pluggable);
  else s3.middlewareStack.use(pluggable);
}

/** Every object under a prefix (after `startAfter`, when given), page by page in key order, as refs. */
export async function* listObjects(s3: S3Client, bucket: string, prefix: string, startAfter?: string): AsyncGenerator<S3ObjectRef> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, ...(startAfter ? { StartAfter: startAfter } : {}) }));
    for (const object of page.Contents ?? []) {
      if (!object.Key) continue;
      const time = object.LastModified === undefined ? undefined : Math.floor(object.LastModified.getTime() / 1000);
      yield { bucket, key: object.Key, ...(object.Size === undefined ? {} : { size: object.Size }), ...(time === undefined ? {} : { time }) };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** Splits `s3://bucket/key-or-prefix`. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return m ? { bucket: m[1] as string, key: m[2] as string } : undefined;
}

/** What to list: a prefix, a time range read from keys, and where a previous run stopped. */
export interface KeyTimeListing {
  readonly bucket: string;
  readonly prefix: string;
  readonly range: TimeRange;
  /** How far a key's delivery time may lie from its records. */
  readonly lagMs: number;
  /** List only keys after this one (`--start-after`, to resume). */
  readonly startAfter?: string;
  /** Counts of what the selection left out. */
  readonly skipped?: KeySelection;
}

/** The objects under a prefix whose key times fall in the range, in key order, listing only the day folders needed. */
export async function* listByKeyTime(s3: S3Client, l: KeyTimeListing): AsyncGenerator<S3ObjectRef> {
  for (const prefix of listingPrefixes(l.prefix, l.range, l.lagMs)) {
    yield* selectByKeyTime(listObjects(s3, l.bucket, prefix, l.startAfter), l.range, l.lagMs, l.skipped);
  }
}
