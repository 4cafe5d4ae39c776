import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SampleFormat, sampleLines } from '../../src/sample/flow-logs.js';
import { countDocs, dropStack, newStack, putObject, queueDepth, runWorkerUntilEmpty, sendMessage, storedDeadLetters, type TestStack } from '../helpers/stack.js';

const START = Date.UTC(2026, 10, 22, 8, 0) / 1000;
const text = (seed: number, records: number) =>
  `${[...sampleLines({ seed, records, format: SampleFormat.default, start: START })].join('\n')}\n`;

describe('delivery forms', () => {
  const stacks: TestStack[] = [];
  after(() => Promise.all(stacks.map(dropStack)));

  it('indexes objects announced with SNS raw message delivery (bare S3 events)', async () => {
    const stack = await newStack({ rawDelivery: true });
    stacks.push(stack);
    await putObject(stack, 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/raw.log.gz', text(1, 40));
    const stats = await runWorkerUntilEmpty(stack);
    assert.equal(stats.created, 40);
    assert.equal(stats.testEvents, 1, 'the raw s3:TestEvent leaves the queue too');
    assert.equal(await countDocs(stack), 40);
    assert.equal(await queueDepth(stack, 'main'), 0);
    assert.equal(await queueDepth(stack, 'dlq'), 0);
    assert.deepEqual(await storedDeadLetters(stack), []);
  });

  it('reads keys with spaces, +, = and non-ASCII characters', async () => {
    const stack = await newStack();
    stacks.push(stack);
    const keys = [
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/with space.log.gz',
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/with+plus.log.gz',
      'AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/year=2026/equals.log.gz',
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/café-日本.log.gz',
    ];
    for (const [i, key] of keys.entries()) await putObject(stack, key, text(10 + i, 25));
    const stats = await runWorkerUntilEmpty(stack);
    assert.equal(stats.objectsFailed, 0);
    assert.equal(stats.created, 100);
    assert.equal(await countDocs(stack), 100);
    assert.equal(await queueDepth(stack, 'main'), 0);
    assert.equal(await queueDepth(stack, 'dlq'), 0);
    assert.deepEqual(await storedDeadLetters(stack), []);
  });

  it('removes a message that is no notification, and goes on with the others', async () => {
    const stack = await newStack();
    stacks.push(stack);
    await sendMessage(stack, 'not json at all');
    await sendMessage(stack, '{"hello":"world"}');
    await putObject(stack, 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/ok.log.gz', text(3, 10));
    const stats = await runWorkerUntilEmpty(stack);
    assert.equal(stats.messagesInvalid, 2);
    assert.equal(stats.created, 10);
    assert.equal(await countDocs(stack), 10);
    assert.equal(await queueDepth(stack, 'main'), 0);
    assert.equal(await queueDepth(stack, 'dlq'), 0, 'a body that is no notification is recorded, not left to the DLQ');
    const letters = await storedDeadLetters(stack);
    assert.deepEqual(letters.map((l) => [l.kind, l.body]).sort(), [['message', 'not json at all'], ['message', '{"hello":"world"}']]);
  });
});
