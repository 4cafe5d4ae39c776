import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SampleFormat, flowLogKey, sampleLines } from '../../src/sample/flow-logs.js';
import { countDocs, dropStack, newStack, purgeQueue, putObject, queueDepth, runWorkerUntilEmpty, spawnCli, type TestStack } from '../helpers/stack.js';

const START = Date.UTC(2026, 10, 22, 11, 0) / 1000;

/** Runs the compiled CLI on the stack (its log in a file); what it printed. */
async function cli(stack: TestStack, ...args: string[]): Promise<Record<string, number>> {
  const run = await spawnCli(args, { QUEUE_URL: stack.queueUrl, INDEX_PREFIX: stack.config.indexPrefix, DEADLETTER_INDEX: stack.config.deadLetterIndex }, `${stack.name}-${args[0]}`).exited;
  assert.equal(run.code, 0, `${args[0]} exited with ${run.code ?? run.signal}; its log: ${run.logFile}`);
  return JSON.parse(run.stdout) as Record<string, number>;
}

describe('reprocess an S3 prefix', () => {
  let stack: TestStack;
  after(() => dropStack(stack));

  it('indexes every object under the prefix here, then again without a duplicate', async () => {
    stack = await newStack();
    for (let i = 0; i < 5; i++) {
      const text = [...sampleLines({ seed: i, records: 30, format: SampleFormat.default, start: START })];
      await putObject(stack, flowLogKey('123456789012', 'us-east-1', 'fl-re', START + i * 60, `r${i}`), `${text.join('\n')}\n`);
    }
    await purgeQueue(stack);
    const first = await cli(stack, 'reprocess', `s3://${stack.bucket}/AWSLogs/`);
    assert.equal(first.objects, 5);
    assert.equal(first.created, 150);
    const second = await cli(stack, 'reprocess', `s3://${stack.bucket}/AWSLogs/`);
    assert.equal(second.exists, 150);
    assert.equal(await countDocs(stack), 150);
  });

  it('with --enqueue puts one event per object on the queue for the workers', async () => {
    assert.equal(await queueDepth(stack, 'main'), 0, 'the first test left the queue empty');
    assert.equal((await cli(stack, 'reprocess', '--enqueue', `s3://${stack.bucket}/AWSLogs/`)).enqueued, 5);
    const stats = await runWorkerUntilEmpty(stack);
    assert.equal(stats.objects, 5);
    assert.equal(stats.exists, 150);
    assert.equal(await countDocs(stack), 150);
    assert.equal(await queueDepth(stack, 'main'), 0);
  });
});
