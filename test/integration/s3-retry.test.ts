/**
 * S3 throttling and server errors (SlowDown, 503) are retried, never dead-lettered: a short burst
 * is absorbed by the SDK's own retries, a longer one leaves the message for redelivery, and either
 * way every record is indexed once. moto never throttles, so the S3 fault proxy answers them.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SampleFormat, flowLogKey, sampleLines } from '../../src/sample/flow-logs.js';
import { S3Errors, S3FaultProxy } from '../helpers/fault-proxy.js';
import { countDocs, dropStack, newStack, putObject, queueDepth, spawnWorker, storedDeadLetters, type TestStack } from '../helpers/stack.js';

const START = Date.UTC(2026, 10, 22, 12, 0) / 1000;
const RECORDS = 50;
/** The SDK's standard retry mode makes 3 attempts per call. */
const SDK_ATTEMPTS = 3;

describe('retryable S3 errors', () => {
  let stack: TestStack | undefined;
  let proxy: S3FaultProxy | undefined;
  after(async () => {
    await proxy?.close();
    await dropStack(stack);
  });

  it('are retried until the object reads: each record indexed once, no dead letter, both queues empty', { timeout: 120_000 }, async () => {
    stack = await newStack();
    proxy = await S3FaultProxy.start();
    const key = (name: string) => flowLogKey('123456789012', 'us-east-1', `fl-${name}`, START, name);
    const text = (seed: number) => `${[...sampleLines({ seed, records: RECORDS, format: SampleFormat.default, start: START })].join('\n')}\n`;
    // Within the SDK's attempts: absorbed by its own retries. Beyond them: the message is tried again.
    proxy.fail(stack.bucket, key('slowdown'), S3Errors.slowDown, SDK_ATTEMPTS - 1);
    proxy.fail(stack.bucket, key('unavailable'), S3Errors.serviceUnavailable, SDK_ATTEMPTS);
    await putObject(stack, key('slowdown'), text(1));
    await putObject(stack, key('unavailable'), text(2));

    const exit = await spawnWorker(stack, { AWS_ENDPOINT_URL: proxy.url, RETRY_DELAY_SECONDS: '1' }).exited;
    assert.equal(exit.code, 0, `worker exited with ${exit.code ?? exit.signal}; its log: ${exit.logFile}`);
    // The failures come first and in full; then the object reads. On a loaded machine SQS may deliver
    // a message once more after it was read (ids make that a no-op), so reads after the first may follow.
    const readsAfter = (name: string, failures: string[]) => {
      const gets = proxy?.gets.filter((g) => g.key === key(name)).map((g) => g.error ?? 'ok') ?? [];
      assert.deepEqual(gets.slice(0, failures.length + 1), [...failures, 'ok'], `reads of ${name}: ${gets.join(', ')}`);
      assert.ok(gets.slice(failures.length).every((g) => g === 'ok'), `reads of ${name}: ${gets.join(', ')}`);
    };
    readsAfter('slowdown', ['SlowDown', 'SlowDown']);
    readsAfter('unavailable', ['ServiceUnavailable', 'ServiceUnavailable', 'ServiceUnavailable']);
    assert.equal(exit.stats?.messagesRetried, 1, `the message whose reads ran out of SDK attempts was left for redelivery; log: ${exit.logFile}`);
    assert.equal(exit.stats?.objectsFailed, 1);
    assert.equal(exit.stats?.created, 2 * RECORDS);
    assert.equal(await countDocs(stack), 2 * RECORDS);
    assert.deepEqual(await storedDeadLetters(stack), []);
    assert.equal(await queueDepth(stack, 'main'), 0);
    assert.equal(await queueDepth(stack, 'dlq'), 0);
  });
});
