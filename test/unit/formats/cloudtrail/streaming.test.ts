import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readCloudTrail } from '../../../../src/formats/cloudtrail/reader.js';
import { context, event } from './helpers.js';

const BODY_BYTES = 20 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
/** How far ahead of the records handed out the reader may have read: a few chunks, nowhere near the body. */
const MAX_LOOKAHEAD = 1024 * 1024;

/** Batches between heap samples: each sample runs a full garbage collection. */
const SAMPLE_EVERY = 8;

/**
 * Heap still reachable: garbage collected first, so what is left is what the reader holds (plain
 * heapUsed swings by tens of MB with uncollected garbage). `--expose-gc` set at run time.
 */
function retainedHeap(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

/** Records of one fixed JSON length (the ordinal is zero-padded), so bytes ↔ records is exact. */
function recordText(n: number): string {
  return JSON.stringify(event(n, { eventID: `e755e09c-42f9-4c5c-9064-${String(n).padStart(12, '0')}`, requestID: 'req' }));
}

/**
 * A ~20 MB body made while it is read, chunk by chunk, counting what it has produced: a reader
 * that waited for the end (or joined the text) would see all of it before its first batch.
 */
function generatedBody(): { readonly source: AsyncGenerator<Buffer>; readonly produced: () => number; readonly recordBytes: number; readonly records: number } {
  const recordBytes = Buffer.byteLength(recordText(0)) + 1;
  const records = Math.floor(BODY_BYTES / recordBytes);
  let produced = 0;
  async function* source(): AsyncGenerator<Buffer> {
    let pending: string[] = ['{"Records":['];
    let pendingBytes = 12;
    for (let n = 0; n < records; n += 1) {
      const text = (n === 0 ? '' : ',') + recordText(n);
      pending.push(text);
      pendingBytes += text.length;
      if (pendingBytes >= CHUNK_BYTES) {
        const chunk = Buffer.from(pending.join(''), 'utf8');
        produced += chunk.length;
        yield chunk;
        pending = [];
        pendingBytes = 0;
      }
    }
    pending.push(']}');
    const last = Buffer.from(pending.join(''), 'utf8');
    produced += last.length;
    yield last;
  }
  return { source: source(), produced: () => produced, recordBytes, records };
}

describe('readCloudTrail on a large body', () => {
  it('reads a 20 MB body as it arrives: every batch comes while at most 1 MB is read ahead, and heap stays far below the body size', async (t) => {
    const body = generatedBody();
    const heapBefore = retainedHeap();
    let heapPeak = heapBefore;
    let batches = 0;
    let handedOut = 0;
    let maxLookahead = 0;
    let firstBatchAt = -1;
    for await (const batch of readCloudTrail(body.source, context())) {
      assert.deepEqual(batch.problems, []);
      handedOut += batch.ops.length;
      if (firstBatchAt < 0) firstBatchAt = body.produced();
      maxLookahead = Math.max(maxLookahead, body.produced() - handedOut * body.recordBytes);
      if (++batches % SAMPLE_EVERY === 0) heapPeak = Math.max(heapPeak, retainedHeap());
    }
    assert.equal(handedOut, body.records);
    assert.ok(body.produced() > BODY_BYTES * 0.99, `the body was ${body.produced()} bytes`);
    assert.ok(firstBatchAt < MAX_LOOKAHEAD, `first batch after ${firstBatchAt} bytes`);
    assert.ok(maxLookahead < MAX_LOOKAHEAD, `read up to ${maxLookahead} bytes ahead`);
    // Holding the text read so far would add up to 20 MB; the parsed records several times that.
    const growth = heapPeak - heapBefore;
    assert.ok(growth < BODY_BYTES / 4, `retained heap grew by ${(growth / 1e6).toFixed(1)} MB`);
    t.diagnostic(`retained heap grew by at most ${(growth / 1e6).toFixed(2)} MB; read ahead at most ${maxLookahead} bytes`);
  });
});
