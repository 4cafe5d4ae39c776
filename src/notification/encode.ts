import type { S3ObjectRef } from '../core/types.js';

/** S3 event keys are form-encoded: `%XX` UTF-8 escapes, a space as `+` (what decodeS3Key undoes). */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/**
 * An S3 "ObjectCreated" event naming these objects, as S3 would send it: what `reprocess
 * --enqueue` puts on the queue so that the whole fleet of workers shares a backfill.
 */
export function s3EventBody(refs: readonly S3ObjectRef[], now = new Date()): string {
  return JSON.stringify({
    Records: refs.map((ref) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      // The object's own time when the listing gave it: records without a time are dated by it.
      eventTime: (ref.time === undefined ? now : new Date(ref.time * 1000)).toISOString(),
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: ref.bucket, arn: `arn:aws:s3:::${ref.bucket}` },
        object: { key: encodeS3Key(ref.key), ...(ref.size === undefined ? {} : { size: ref.size }) },
      },
    })),
  });
}
