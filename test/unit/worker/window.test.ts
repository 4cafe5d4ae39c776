/**
 * The window of startWorker (src/worker/worker.ts): with the default settings a large object in
 * work does not stop the worker from receiving more messages, and MAX_IN_FLIGHT_BYTES holds back a
 * message until its bytes fit. sqs-consumer runs for real; the SQS client is a scripted queue.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { S3ObjectRef } from '../../../src/core/types.js';
import { newCounts, type ObjectOutcome } from '../../../src/pipeline/process-object.js';
import { scriptedWorker, until } from '../../helpers/scripted-worker.js';

const MiB = 1024 * 1024;

interface Call { command: string; input: Record<string, unknown> }

/** A queue: each receive takes up to MaxNumberOfMessages from the front; other calls are recorded. */
function scriptedQueue(messages: Message[]): { sqs: SQSClient; calls: Call[] } {
  const calls: Call[] = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const name = command.constructor.name;
    if (name === 'ReceiveMessageCommand') {
      const taken = messages.splice(0, Number(command.input.MaxNumberOfMessages));
      if (taken.length === 0) await sleep(20);
      return { Messages: taken };
    }
    calls.push({ command: name, input: command.input });
    return {};
  };
  return { sqs: { send } as unknown as SQSClient, calls };
}

const message = (key: string, size: number): Message => ({
  MessageId: key, ReceiptHandle: `rh-${key}`, Attributes: { ApproximateReceiveCount: '1' },
  Body: JSON.stringify({ Records: [{ eventVersion: '2.1', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'logs' }, object: { key, size } } }] }),
});

/** Objects whose keys start with `big` stay in work until `finish` is called; the others finish at once. */
function reads(): { processObject: (ref: S3ObjectRef) => Promise<ObjectOutcome>; started: string[]; finish: () => void } {
  const started: string[] = [];
  let finish: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (finish = resolve));
  const processObject = async (ref: S3ObjectRef): Promise<ObjectOutcome> => {
    started.push(ref.key);
    if (ref.key.startsWith('big')) await held;
    return { status: 'indexed', ref, counts: { ...newCounts(), created: 1 } };
  };
  return { processObject, started, finish: () => finish() };
}

describe('startWorker window', { timeout: 20_000 }, () => {
  it('with the default settings, goes on receiving and finishing small objects while two large ones are in work', async () => {
    // Old defaults (2 pollers × 10 per receive) put one large object in each batch and stop receiving.
    const smalls = Array.from({ length: 20 }, (_, i) => message(`small-${i}`, 1000));
    const queue = [message('big-1', 1000), ...smalls.slice(0, 9), message('big-2', 1000), ...smalls.slice(9)];
    const { sqs } = scriptedQueue(queue);
    const read = reads();
    const w = scriptedWorker(sqs, read.processObject);
    try {
      await until('every small object deleted', () => w.stats.messagesDeleted === 20);
      assert.equal(w.inFlight(), 2, 'only the two large objects are still in work');
    } finally {
      read.finish();
      w.stop();
      await w.stopped;
    }
  });

  it('holds a message back until its bytes fit in MAX_IN_FLIGHT_BYTES, then starts it', async () => {
    const { sqs } = scriptedQueue([message('big-a', 8 * MiB), message('small-b', 8 * MiB)]);
    const read = reads();
    const w = scriptedWorker(sqs, read.processObject, { maxInFlightBytes: 10 * MiB });
    try {
      await until('the large object started', () => read.started.includes('big-a'));
      await sleep(200);
      assert.deepEqual(read.started, ['big-a'], '8 + 8 MiB do not fit in 10 MiB');
      assert.equal(w.inFlightBytes(), 8 * MiB);
      read.finish();
      await until('both deleted', () => w.stats.messagesDeleted === 2);
      assert.deepEqual(read.started, ['big-a', 'small-b']);
    } finally {
      w.stop();
      await w.stopped;
    }
  });

  it('hands a message still waiting for room straight back when the worker stops, without reading it', async () => {
    const { sqs, calls } = scriptedQueue([message('big-a', 8 * MiB), message('big-b', 8 * MiB)]);
    const read = reads();
    const w = scriptedWorker(sqs, read.processObject, { maxInFlightBytes: 10 * MiB, shutdownGraceSeconds: 0, pollers: 2 });
    await until('the second message received', () => w.inFlight() === 2);
    w.stop();
    await w.stopped;
    read.finish();
    const handedBack = calls.filter((c) => c.command === 'ChangeMessageVisibilityBatchCommand')
      .flatMap((c) => (c.input.Entries as Array<{ ReceiptHandle: string; VisibilityTimeout: number }>).map((e) => [e.ReceiptHandle, e.VisibilityTimeout]));
    assert.deepEqual(handedBack.filter(([h]) => h === 'rh-big-b'), [['rh-big-b', 0]]);
    assert.deepEqual(read.started, ['big-a'], 'the waiting message was never read');
    assert.equal(calls.filter((c) => c.command.startsWith('DeleteMessage')).length, 0);
  });
});
