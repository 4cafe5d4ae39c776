import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newCounts, type ObjectOutcome } from '../../../src/pipeline/process-object.js';
import { processAll } from '../../../src/pipeline/reprocess.js';
import type { S3ObjectRef } from '../../../src/core/types.js';

async function* listing(n: number): AsyncGenerator<S3ObjectRef> {
  for (let i = 0; i < n; i++) yield { bucket: 'b', key: `k${i}` };
}

describe('processAll', () => {
  it('reads every object once, never more than `concurrency` at a time', async () => {
    let running = 0;
    let peak = 0;
    const seen: string[] = [];
    await processAll(listing(25), async (ref): Promise<ObjectOutcome> => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 2));
      running -= 1;
      return { status: 'indexed', ref, counts: newCounts() };
    }, 4, (o) => seen.push(o.ref.key));
    assert.equal(seen.length, 25);
    assert.equal(new Set(seen).size, 25);
    assert.equal(peak, 4);
  });
});
