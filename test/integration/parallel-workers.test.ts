import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { SampleFormat, flowLogKey, sampleLines } from '../../src/sample/flow-logs.js';
import type { WorkerStats } from '../../src/worker/stats.js';
import { countDocs, dropStack, newStack, putObject, queueDepth, type TestStack } from '../helpers/stack.js';

const OBJECTS = 30;
const RECORDS = 200;
const START = Date.UTC(2026, 10, 22, 9, 0) / 1000;

/** A real worker process, as ECS runs it: the compiled CLI. */
function workerProcess(stack: TestStack): Promise<WorkerStats> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/aws-log-indexer.js', 'worker', '--until-empty', '--pollers', '2'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env, QUEUE_URL: stack.queueUrl, INDEX_PREFIX: stack.config.indexPrefix, DEADLETTER_INDEX: stack.config.deadLetterIndex,
        ALLOWED_BUCKETS: stack.bucket, SQS_BATCH_SIZE: '2',
      },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as WorkerStats) : reject(new Error(`worker exited with ${code}`))));
  });
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
    assert.ok(a && b);
    assert.equal(a.objects + b.objects, OBJECTS, 'every object was read once in all');
    assert.ok(a.objects > 0 && b.objects > 0, `both workers took a share (${a.objects} + ${b.objects})`);
    assert.equal(a.created + b.created, OBJECTS * RECORDS);
    assert.equal(await countDocs(stack), OBJECTS * RECORDS);
    assert.equal(await queueDepth(stack, 'main'), 0);
    assert.equal(await queueDepth(stack, 'dlq'), 0);
  });
});
