/**
 * The acknowledgement path of startWorker (src/worker/worker.ts) against a scripted SQS: a
 * message is deleted only once everything it names is acknowledged, a failed one is made visible
 * again after RETRY_DELAY_SECONDS, and one still in work when the grace period ends is handed back
 * (visibility 0), never deleted. sqs-consumer runs for real; only the SQS client is scripted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { S3ObjectRef } from '../../../src/core/types.js';
import { newCounts, type ObjectOutcome } from '../../../src/pipeline/process-object.js';
import type { RunningWorker } from '../../../src/worker/worker.js';
import { scriptedWorker, until } from '../../helpers/scripted-worker.js';

const RETRY_DELAY = 7;

/** An SQS client that hands out `messages` once, then answers empty long polls; records every call. */
function scriptedSqs(messages: Message[]): { sqs: SQSClient; calls: Array<{ command: string; input: Record<string, unknown> }> } {
  const calls: Array<{ command: string; input: Record<string, unknown> }> = [];
  let handedOut = false;
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const name = command.constructor.name;
    if (name === 'ReceiveMessageCommand') {
      calls.push({ command: name, input: command.input });
      if (!handedOut) {
        handedOut = true;
        return { Messages: messages };
      }
      await sleep(20);
      return { Messages: [] };
    }
    calls.push({ command: name, input: command.input });
    if (name === 'GetQueueAttributesCommand') return { Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } };
    return {};
  };
  return { sqs: { send } as unknown as SQSClient, calls };
}

const message = (id: string, key: string): Message => ({
  MessageId: id, ReceiptHandle: `rh-${id}`, Attributes: { ApproximateReceiveCount: '1' },
  Body: JSON.stringify({ Records: [{ eventVersion: '2.1', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'logs' }, object: { key } } }] }),
});

/** An object read whose outcome (the bulk answers) the test gives when it wants. */
function pendingRead(): { processObject: (ref: S3ObjectRef) => Promise<ObjectOutcome>; started: Promise<S3ObjectRef>; answer: (o: Partial<ReturnType<typeof newCounts>>) => void } {
  let answer: (o: Partial<ReturnType<typeof newCounts>>) => void = () => undefined;
  let begin: (ref: S3ObjectRef) => void = () => undefined;
  const started = new Promise<S3ObjectRef>((resolve) => (begin = resolve));
  const processObject = (ref: S3ObjectRef) => {
    begin(ref);
    return new Promise<ObjectOutcome>((resolve) => (answer = (counts) => resolve({ status: 'indexed', ref, counts: { ...newCounts(), ...counts } })));
  };
  return { processObject, started, answer: (counts) => answer(counts) };
}

function worker(sqs: SQSClient, processObject: (ref: S3ObjectRef) => Promise<ObjectOutcome>, graceSeconds = 30, signal?: AbortSignal): RunningWorker {
  return scriptedWorker(sqs, processObject, {
    pollers: 1, batchSize: 1, visibilityTimeout: 30, heartbeatInterval: 10, retryDelaySeconds: RETRY_DELAY, shutdownGraceSeconds: graceSeconds,
  }, signal);
}

/** Waits for the worker to stop by itself; if it does not within `ms`, stops it and fails. */
async function stopsWithin(w: RunningWorker, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, ms, 'late')));
  const outcome = await Promise.race([w.stopped, late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    w.stop();
    await w.stopped;
    assert.fail(`still running ${ms} ms after its signal aborted`);
  }
}

const deletes = (calls: Array<{ command: string; input: Record<string, unknown> }>) => calls.filter((c) => c.command.startsWith('DeleteMessage'));

describe('startWorker acknowledgement', { timeout: 20_000 }, () => {
  it('deletes a message only after the bulk answers for its object arrived', async () => {
    const { sqs, calls } = scriptedSqs([message('m1', 'a.log.gz')]);
    const read = pendingRead();
    const w = worker(sqs, read.processObject);
    try {
      assert.equal((await read.started).key, 'a.log.gz');
      await sleep(200);
      assert.deepEqual(deletes(calls), [], 'nothing deleted while the object waits for its bulk answers');
      read.answer({ created: 3 });
      await until('the delete', () => deletes(calls).length > 0);
      assert.deepEqual(deletes(calls).map((c) => c.input.ReceiptHandle ?? (c.input.Entries as Array<{ ReceiptHandle: string }>)[0]?.ReceiptHandle), ['rh-m1']);
      await until('the tally', () => w.stats.messagesDeleted === 1);
      assert.equal(w.stats.created, 3);
    } finally {
      w.stop();
      await w.stopped;
    }
  });

  it('keeps a message whose documents were not all acknowledged, visible again after RETRY_DELAY_SECONDS', async () => {
    const { sqs, calls } = scriptedSqs([message('m2', 'b.log.gz')]);
    const read = pendingRead();
    const w = worker(sqs, read.processObject);
    try {
      await read.started;
      read.answer({ created: 2, failed: 1 });
      await until('the retry', () => w.stats.messagesRetried === 1);
      const visibility = calls.filter((c) => c.command === 'ChangeMessageVisibilityCommand');
      assert.deepEqual(visibility.map((c) => [c.input.ReceiptHandle, c.input.VisibilityTimeout]), [['rh-m2', RETRY_DELAY]]);
      assert.deepEqual(deletes(calls), []);
    } finally {
      w.stop();
      await w.stopped;
    }
  });

  it('hands back a message still in work when the grace period ends, and never deletes it', async () => {
    const { sqs, calls } = scriptedSqs([message('m3', 'c.log.gz')]);
    const read = pendingRead();
    const w = worker(sqs, read.processObject, 0);
    await read.started;
    w.stop();
    await w.stopped;
    const released = calls.filter((c) => c.command === 'ChangeMessageVisibilityBatchCommand');
    assert.deepEqual(released.flatMap((c) => (c.input.Entries as Array<{ ReceiptHandle: string; VisibilityTimeout: number }>).map((e) => [e.ReceiptHandle, e.VisibilityTimeout])), [['rh-m3', 0]]);
    // The work goes on unobserved; when its answers come, the message is still not deleted.
    read.answer({ created: 5 });
    await sleep(100);
    assert.deepEqual(deletes(calls), []);
    assert.equal(w.stats.messagesDeleted, 0);
  });

  it('stops when its signal aborts, handing back what is in work, as stop() does', async () => {
    const { sqs, calls } = scriptedSqs([message('m4', 'd.log.gz')]);
    const read = pendingRead();
    const abort = new AbortController();
    const w = worker(sqs, read.processObject, 0, abort.signal);
    await read.started;
    abort.abort();
    await stopsWithin(w, 2000);
    const released = calls.filter((c) => c.command === 'ChangeMessageVisibilityBatchCommand');
    assert.deepEqual(released.flatMap((c) => (c.input.Entries as Array<{ ReceiptHandle: string }>).map((e) => e.ReceiptHandle)), ['rh-m4']);
    assert.equal(w.polling(), false);
  });

  it('with its signal aborted before the start (a task stopped while starting), receives nothing and stops', async () => {
    const { sqs, calls } = scriptedSqs([message('m5', 'e.log.gz')]);
    const abort = new AbortController();
    abort.abort();
    const w = worker(sqs, () => assert.fail('no object is read'), 30, abort.signal);
    await stopsWithin(w, 2000);
    await sleep(100);
    assert.deepEqual(calls, [], 'no receive, no other call');
    assert.equal(w.polling(), false);
  });
});
