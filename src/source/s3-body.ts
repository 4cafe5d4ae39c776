/**
 * An S3 object's body that cannot hang the worker: S3 may stop sending mid-object while the
 * connection stays open, and nothing else would ever end the read (the heartbeat keeps the message
 * hidden for hours, the poller takes nothing else). While the reader waits for bytes, an idle timer
 * runs; when it fires the body is dropped and the rest is asked for again with a ranged GetObject
 * (`bytes=<read so far>-`, If-Match the first ETag, so a replaced object fails instead of mixing),
 * up to `retries` times; then the read fails as retryable and the message is released. The time
 * a slow consumer takes between chunks is never counted: only waiting for S3 is.
 */
import { Readable } from 'node:stream';
import { ObjectError } from '../core/errors.js';
import type { S3ObjectRef } from '../core/types.js';

/** How long a body may keep the reader waiting, and how often a stalled read is resumed. */
export interface StallPolicy {
  /** Milliseconds without a byte while the reader waits, before the read counts as stalled. */
  readonly idleMs: number;
  /** Ranged re-reads after stalls, before the object fails (retryable). */
  readonly retries: number;
  /** Told of each stall that is retried. */
  readonly onStall?: (info: { ref: S3ObjectRef; offset: number; attempt: number }) => void;
}

class Stalled extends Error {}

/** Asks S3 for the object's bytes from `offset` on (a ranged GetObject of the same version). */
export type Reopen = (offset: number) => Promise<Readable>;

/**
 * `first` (a GetObject body) as a stream that resumes after stalls through `reopen` (see above).
 * Destroying the stream destroys the body in work and stops any resume.
 */
export function stallSafeBody(ref: S3ObjectRef, first: Readable, reopen: Reopen, policy: StallPolicy): Readable {
  let current: Readable | undefined;
  let closed = false;
  async function* bytes(): AsyncGenerator<Buffer> {
    let body = first;
    let offset = 0;
    for (let attempt = 0; ; attempt++) {
      const reading = (current = body);
      const arm = () => setTimeout(() => reading.destroy(new Stalled()), policy.idleMs);
      let timer = arm();
      try {
        for await (const chunk of reading) {
          clearTimeout(timer);
          offset += (chunk as Buffer).length;
          yield chunk as Buffer;
          timer = arm();
        }
        return;
      } catch (err) {
        if (!(err instanceof Stalled) || closed) throw err;
        if (attempt >= policy.retries) {
          throw new ObjectError(ref, `S3 read stalled: no byte for ${policy.idleMs} ms at byte ${offset}, ${policy.retries} ranged re-reads stalled too`, true);
        }
      } finally {
        clearTimeout(timer);
        reading.destroy();
      }
      if (closed) return;
      policy.onStall?.({ ref, offset, attempt: attempt + 1 });
      body = await reopen(offset);
    }
  }
  const stream = Readable.from(bytes(), { objectMode: false });
  // Readable.from ends its generator only once the generator's pending read settles, which for a
  // stalled body is the idle timer: destroy the body in work at once instead.
  const destroy = stream._destroy.bind(stream);
  stream._destroy = (err, callback) => {
    closed = true;
    current?.destroy();
    destroy(err, callback);
  };
  return stream;
}
