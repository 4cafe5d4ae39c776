import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SampleFormat, flowLogKey, sampleLines } from '../../src/sample/flow-logs.js';
import type { WorkerStats } from '../../src/worker/stats.js';
import { countDocs, dropStack, newStack, putObject, queueDepth, spawnWorker, type TestStack } from '../helpers/stack.js';

const OBJECTS = 30;
const RECORDS = 200;
const START = Date.UTC(2026, 10, 22, 9, 0) / 1000;

/** A real worker process, as ECS runs it: the compiled CLI, two pollers, its log in a file. */
async function workerProcess(stack: TestStack): Promise<WorkerStats> {
  const exit = await spawnWorker(stack, { SQS_BATCH_SIZE: '2' }, ['--until-empty', '--pollers', '2']).exited;
  assert.equal(exit.code, 0, `worker exited with ${exit.code ?? exit.signal}; its log: ${exit.logFile}`);
  assert.ok(exit.stats, `worker printed no totals; its log: ${exit.logFile}`);
  return exit.stats;
}

describe('two worker processes on one queue', () => {
  let stack: TestStack;
  after(() => dropStack(stack));

  it(`index ${OBJECTS} objects exactly once between them`, async () => {
    stack = await newStack();
    await Promise.all(
      Array.from({ length: OBJECTS }, (_, i) => {
        const key = flowLogKey('123456789012', 'us-east-1', 'fl-par', START + i * 60, `p${i}`);
        return putObject(stack, key, `${[...sampleLines({ seed: i, records: RECORDS, format: SampleFormat.full, start: START })].join('\n')}\n`);
      }),
    );
    const [a, b] = await Promise.all([workerProcess(stack), workerProcess(stack)]);
    // SQS delivers at least once (moto too: a message now and then reaches both workers), so an
    // object may be read twice; its documents must then be "already there", never created again.
    const reads = a.objects + b.objects;
    assert.ok(reads >= OBJECTS && reads <= OBJECTS + 2, `every object was read, a redelivery at most twice (${reads} reads)`);
    assert.ok(a.objects > 0 && b.objects > 0, `both workers took a share (${a.objects} + ${b.objects})`);
    assert.equal(a.created + b.created, OBJECTS * RECORDS, 'each document created once');
    assert.ok(a.exists + b.exists <= (reads - OBJECTS) * RECORDS, 'only a second read finds documents already there');
    assert.equal(await countDocs(stack), OBJECTS * RECORDS);
    assert.equal(await queueDepth(stack, 'main'), 0);
    assert.equal(await queueDepth(stack, 'dlq'), 0);
  });
});
