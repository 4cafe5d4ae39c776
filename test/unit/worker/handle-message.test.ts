import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeadLetter } from '../../../src/deadletter/types.js';
import { createLogger } from '../../../src/observability/logger.js';
import { newCounts, type ObjectOutcome } from '../../../src/pipeline/process-object.js';
import { ObjectError } from '../../../src/core/errors.js';
import type { S3ObjectRef } from '../../../src/core/types.js';
import { bucketPolicy, handleMessage, Verdict } from '../../../src/worker/handle-message.js';
import { newStats } from '../../../src/worker/stats.js';

const event = (...refs: S3ObjectRef[]) =>
  JSON.stringify({ Records: refs.map((r) => ({ eventVersion: '2.1', eventName: 'ObjectCreated:Put', s3: { bucket: { name: r.bucket }, object: { key: r.key } } })) });
const indexed = (ref: S3ObjectRef, over: Partial<ReturnType<typeof newCounts>> = {}): ObjectOutcome => ({ status: 'indexed', ref, counts: { ...newCounts(), ...over } });

function deps(outcome: (ref: S3ObjectRef) => ObjectOutcome, allowed = ['logs']) {
  const letters: DeadLetter[] = [];
  const read: S3ObjectRef[] = [];
  return {
    letters, read, stats: newStats(), logger: createLogger('silent'), bucketAllowed: bucketPolicy(allowed),
    deadLetters: { record: async (l: readonly DeadLetter[]) => void letters.push(...l) },
    processObject: async (ref: S3ObjectRef) => (read.push(ref), outcome(ref)),
  };
}

describe('handleMessage', () => {
  it('deletes a message once every object is acknowledged', async () => {
    const d = deps((ref) => indexed(ref, { created: 3 }));
    assert.equal(await handleMessage('m', event({ bucket: 'logs', key: 'a' }, { bucket: 'logs', key: 'b' }), d), Verdict.delete);
    assert.equal(d.stats.created, 6);
  });
  it('keeps a message when one document failed (OpenSearch away)', async () => {
    const d = deps((ref) => indexed(ref, { created: 2, failed: ref.key === 'b' ? 1 : 0 }));
    assert.equal(await handleMessage('m', event({ bucket: 'logs', key: 'a' }, { bucket: 'logs', key: 'b' }), d), Verdict.retry);
  });
  it('deletes after refused documents, since they are in the dead-letter store', async () => {
    const d = deps((ref) => indexed(ref, { created: 2, rejected: 1, deadLetters: 1 }));
    assert.equal(await handleMessage('m', event({ bucket: 'logs', key: 'a' }), d), Verdict.delete);
  });
  it('keeps a message whose object failed in a way a retry may mend, deletes one that cannot', async () => {
    const failing = (retryable: boolean) => deps((ref) => ({ status: 'failed', ref, counts: newCounts(), error: new ObjectError(ref, 'x', retryable) }));
    assert.equal(await handleMessage('m', event({ bucket: 'logs', key: 'a' }), failing(true)), Verdict.retry);
    assert.equal(await handleMessage('m', event({ bucket: 'logs', key: 'a' }), failing(false)), Verdict.delete);
  });
  it('records a body that is no notification as a dead letter and deletes it', async () => {
    const d = deps((ref) => indexed(ref));
    assert.equal(await handleMessage('m-1', 'garbage', d), Verdict.delete);
    assert.equal(d.letters[0]?.kind, 'message');
    assert.equal(d.letters[0]?.messageId, 'm-1');
    assert.equal(d.letters[0]?.body, 'garbage');
    assert.equal(d.stats.messagesInvalid, 1);
  });
  it('never reads a bucket outside the allow-list, and records the attempt', async () => {
    const d = deps((ref) => indexed(ref, { created: 1 }));
    const verdict = await handleMessage('m', event({ bucket: 'logs', key: 'a' }, { bucket: 'secrets', key: 'b' }), d);
    assert.equal(verdict, Verdict.delete);
    assert.deepEqual(d.read.map((r) => r.bucket), ['logs']);
    assert.match(d.letters[0]?.reason ?? '', /"secrets" is not in ALLOWED_BUCKETS/);
    assert.equal(d.stats.objectsRefused, 1);
  });
  it('counts and deletes the s3:TestEvent', async () => {
    const d = deps((ref) => indexed(ref));
    assert.equal(await handleMessage('m', JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'logs' }), d), Verdict.delete);
    assert.equal(d.stats.testEvents, 1);
    assert.equal(d.read.length, 0);
  });
});

describe('bucketPolicy', () => {
  it('admits listed buckets only', () => {
    const allowed = bucketPolicy(['a', 'b']);
    assert.deepEqual(['a', 'b', 'c'].map(allowed), [true, true, false]);
  });
  it('admits any bucket only when * is given', () => assert.equal(bucketPolicy(['*'])('anything'), true));
  it('admits nothing when the list is empty', () => assert.equal(bucketPolicy([])('a'), false));
  it('admits the exact name only: no prefix, suffix, case or whitespace near-miss', () => {
    const allowed = bucketPolicy(['logs', 'flow.logs-1']);
    const nearMisses = ['logs-secrets', 'logsx', 'log', 'xlogs', 'my-logs', 'LOGS', 'Logs', 'logs ', ' logs', 'logs/', 'logs*', 'flow.logs-12', 'flow.logs', 'flowXlogs-1', ''];
    assert.deepEqual(nearMisses.filter(allowed), []);
    assert.deepEqual(['logs', 'flow.logs-1'].map(allowed), [true, true]);
  });
  it('treats * as the wildcard only when it is a whole entry', () => {
    assert.equal(bucketPolicy(['logs-*'])('logs-secrets'), false);
    assert.equal(bucketPolicy(['logs-*'])('logs-*'), true);
  });
});

describe('handleMessage on the last receive before the DLQ', () => {
  const failing = () => ({
    ...deps((ref) => ({ status: 'failed', ref, counts: newCounts(), error: new ObjectError(ref, 'GetObject failed: AccessDenied', true) })),
    maxReceiveCount: 3,
  });
  it('records why the message is about to go to the dead-letter queue', async () => {
    const d = failing();
    assert.equal(await handleMessage('m-9', event({ bucket: 'logs', key: 'a' }), d, 3), Verdict.retry);
    assert.equal(d.letters.length, 1);
    assert.match(d.letters[0]?.reason ?? '', /dead-letter queue after 3 receives: GetObject failed: AccessDenied/);
    assert.equal(d.letters[0]?.key, 'a');
  });
  it('records nothing on earlier receives', async () => {
    const d = failing();
    await handleMessage('m-9', event({ bucket: 'logs', key: 'a' }), d, 2);
    assert.equal(d.letters.length, 0);
  });
});
