import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ObjectError } from '../../../src/core/errors.js';
import { stallSafeBody } from '../../../src/source/s3-body.js';

const REF = { bucket: 'b', key: 'k' };
const BYTES = Buffer.from('0123456789abcdefghij');

/** A body that sends `bytes[from..to)` and then, when `stall`, sends nothing more while staying open. */
function body(from: number, to: number, stall: boolean): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (sent) return void (stall ? undefined : this.push(null));
      sent = true;
      this.push(BYTES.subarray(from, to));
    },
  });
}

async function text(stream: Readable, pauseMs = 0): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) {
    parts.push(chunk as Buffer);
    if (pauseMs) await sleep(pauseMs);
  }
  return Buffer.concat(parts).toString();
}

describe('stallSafeBody', () => {
  it('reads on from where a stalled body stopped, with a ranged re-read', async () => {
    const offsets: number[] = [];
    const reopen = async (offset: number) => (offsets.push(offset), body(offset, BYTES.length, false));
    const stream = stallSafeBody(REF, body(0, 7, true), reopen, { idleMs: 50, retries: 3 });
    assert.equal(await text(stream), BYTES.toString());
    assert.deepEqual(offsets, [7]);
  });
  it('fails as retryable once every re-read stalled too, and releases each body', async () => {
    const bodies: Readable[] = [];
    const first = body(0, 4, true);
    const reopen = async (offset: number) => (bodies.push(body(offset, offset + 1, true)), bodies.at(-1) as Readable);
    const stream = stallSafeBody(REF, first, reopen, { idleMs: 30, retries: 2 });
    await assert.rejects(text(stream), (err: unknown) => err instanceof ObjectError && err.retryable && /stalled.*at byte 6/.test(err.message));
    assert.equal(bodies.length, 2);
    assert.ok([first, ...bodies].every((b) => b.destroyed), 'no body left open');
  });
  it('does not count the time a slow reader takes between chunks', async () => {
    let reopened = 0;
    const chunks = Readable.from([BYTES.subarray(0, 5), BYTES.subarray(5, 10), BYTES.subarray(10)], { objectMode: false });
    const stream = stallSafeBody(REF, chunks, async () => (reopened++, body(0, 0, false)), { idleMs: 30, retries: 3 });
    assert.equal(await text(stream, 100), BYTES.toString());
    assert.equal(reopened, 0);
  });
  it('destroying the stream destroys the body in work', async () => {
    const first = body(0, 4, true);
    const stream = stallSafeBody(REF, first, async () => body(0, 0, false), { idleMs: 10_000, retries: 3 });
    for await (const chunk of stream) {
      assert.equal((chunk as Buffer).length, 4);
      break;
    }
    await sleep(10);
    assert.equal(first.destroyed, true);
  });
});
