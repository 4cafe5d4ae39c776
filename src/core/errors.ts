import { pathToFileURL } from 'node:url';
import { redactUrls } from './redact.js';
import type { S3ObjectRef } from './types.js';

/**
 * A failure while reading or indexing one object, with the place it happened and whether a later
 * attempt can succeed. `retryable` decides the message's fate: a retryable failure leaves the
 * message in the queue (SQS redelivers it, then its redrive policy dead-letters it); a permanent
 * one is recorded and the message is removed, because redelivery would fail the same way.
 */
export class ObjectError extends Error {
  override readonly name = 'ObjectError';
  constructor(
    readonly ref: S3ObjectRef,
    readonly detail: string,
    readonly retryable: boolean,
    readonly lineNo?: number,
    options?: { cause?: unknown },
  ) {
    super(`${where(ref, lineNo)}: ${detail}`, options);
  }
}

/** A local file read under its own name (`parse` without `--as`): see S3ObjectRef. */
export function localRef(path: string): S3ObjectRef {
  return { bucket: '', key: path };
}

const isLocal = (ref: S3ObjectRef): boolean => ref.bucket === '';

/** Where a document came from, as documents record it (`log.object`): `s3://bucket/key`, or a `file://` URI for a local file. */
export function objectUri(ref: S3ObjectRef): string {
  return isLocal(ref) ? pathToFileURL(ref.key).href : `s3://${ref.bucket}/${ref.key}`;
}

/** `s3://bucket/key line N` (a local file: its path): how every error names its place. */
export function where(ref: S3ObjectRef, lineNo?: number): string {
  return `${isLocal(ref) ? ref.key : objectUri(ref)}${lineNo === undefined ? '' : ` line ${lineNo}`}`;
}

/** The message of any thrown value, for error texts; credentials in URLs are cut out. */
export function messageOf(err: unknown): string {
  return redactUrls(err instanceof Error ? err.message : String(err));
}
