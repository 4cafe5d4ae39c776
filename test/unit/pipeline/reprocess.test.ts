import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SendMessageBatchCommand, SendMessageBatchCommandOutput, SQSClient } from '@aws-sdk/client-sqs';
import { s3EventBody } from '../../../src/notification/encode.js';
import { newCounts, type ObjectOutcome } from '../../../src/pipeline/process-object.js';
import { enqueueAll, processAll, untilAborted } from '../../../src/pipeline/reprocess.js';
import type { S3ObjectRef } from '../../../src/core/types.js';

async function* listing(n: number): AsyncGenerator<S3ObjectRef> {
  for (let i = 0; i < n; i++) yield { bucket: 'b', key: `k${i}`, time: 1_700_000_000 + i };
}
async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
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

/** An SQS client that keeps each SendMessageBatch input and answers with `failed` (none by default). */
function fakeSqs(failed?: SendMessageBatchCommandOutput['Failed']) {
  const calls: SendMessageBatchCommand['input'][] = [];
  const sqs = { send: async (command: SendMessageBatchCommand) => (calls.push(command.input), { Successful: [], Failed: failed }) } as unknown as SQSClient;
  return { sqs, calls };
}

describe('enqueueAll', () => {
  it('sends one S3 event per object, ten to a call, the rest in a last call, and says what it sent', async () => {
    const { sqs, calls } = fakeSqs([]);
    const told: string[][] = [];
    const sent = await enqueueAll(listing(23), sqs, 'https://q/1', (refs) => told.push(refs.map((r) => r.key)));
    assert.equal(sent, 23);
    assert.deepEqual(calls.map((c) => c.Entries?.length), [10, 10, 3]);
    assert.deepEqual(calls.map((c) => c.QueueUrl), ['https://q/1', 'https://q/1', 'https://q/1']);
    const refs = await all(listing(23));
    assert.deepEqual(calls[2]?.Entries, refs.slice(20).map((ref, i) => ({ Id: String(i), MessageBody: s3EventBody([ref]) })));
    assert.deepEqual(calls[0]?.Entries?.map((e) => e.Id), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.deepEqual(told, [refs.slice(0, 10), refs.slice(10, 20), refs.slice(20)].map((b) => b.map((r) => r.key)));
  });

  it('makes no empty call: twenty objects are two calls, none is none', async () => {
    const twenty = fakeSqs();
    assert.equal(await enqueueAll(listing(20), twenty.sqs, 'q'), 20);
    assert.deepEqual(twenty.calls.map((c) => c.Entries?.length), [10, 10]);
    const none = fakeSqs();
    assert.equal(await enqueueAll(listing(0), none.sqs, 'q'), 0);
    assert.deepEqual(none.calls, []);
  });

  it('fails with how many messages the queue refused and the first reason', async () => {
    const { sqs } = fakeSqs([{ Id: '3', SenderFault: true, Code: 'X', Message: 'message too long' }, { Id: '4', SenderFault: true, Code: 'X' }]);
    await assert.rejects(enqueueAll(listing(5), sqs, 'q'), { message: 'queue refused 2 message(s): message too long' });
    const { sqs: silent } = fakeSqs([{ Id: '0', SenderFault: false, Code: 'X' }]);
    await assert.rejects(enqueueAll(listing(5), silent, 'q'), { message: 'queue refused 1 message(s): ?' });
  });
});

describe('untilAborted', () => {
  it('passes items on until the signal is raised, then ends', async () => {
    const stop = new AbortController();
    const seen: string[] = [];
    for await (const ref of untilAborted(listing(5), stop.signal)) {
      seen.push(ref.key);
      if (seen.length === 2) stop.abort();
    }
    assert.deepEqual(seen, ['k0', 'k1']);
    assert.deepEqual(await all(untilAborted(listing(3), new AbortController().signal)), await all(listing(3)));
    assert.deepEqual(await all(untilAborted(listing(3), AbortSignal.abort())), []);
  });
});
