import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeNotification, decodeS3Key } from '../../../src/notification/decode.js';

const s3Record = (key: string, overrides: Record<string, unknown> = {}) => ({
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  awsRegion: 'us-east-1',
  eventTime: '2026-11-22T07:00:00.000Z',
  eventName: 'ObjectCreated:Put',
  s3: { bucket: { name: 'logs', arn: 'arn:aws:s3:::logs' }, object: { key, size: 1234, eTag: 'abc', sequencer: '01' } },
  ...overrides,
});
/** The records' eventTime, epoch seconds. */
const T = Date.UTC(2026, 10, 22, 7) / 1000;
const s3Event = (...keys: string[]) => JSON.stringify({ Records: keys.map((k) => s3Record(k)) });
const sns = (message: string) =>
  JSON.stringify({ Type: 'Notification', MessageId: 'm-1', TopicArn: 'arn:aws:sns:us-east-1:1:t', Subject: 'Amazon S3 Notification', Message: message, Timestamp: '2026-11-22T07:00:00.000Z', SignatureVersion: '1' });
const testEvent = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-11-22T07:00:00.000Z', Bucket: 'logs', RequestId: 'r', HostId: 'h' });

describe('decodeS3Key', () => {
  it('turns + into a space before percent-decoding', () => assert.equal(decodeS3Key('a+b%2Bc'), 'a b+c'));
  it('decodes = and non-ASCII UTF-8 escapes', () => assert.equal(decodeS3Key('day%3D01/caf%C3%A9.log.gz'), 'day=01/café.log.gz'));
  it('keeps a key with a stray % as it is', () => assert.equal(decodeS3Key('100%/x'), '100%/x'));
});

describe('decodeNotification', () => {
  it('reads every record of an S3 event, with decoded keys, sizes and the bucket\'s region', () => {
    const n = decodeNotification(s3Event('AWSLogs/a+b.log.gz', 'AWSLogs/c%3D1.log.gz'));
    assert.deepEqual(n, {
      kind: 'objects', envelope: 's3-event',
      objects: [{ bucket: 'logs', key: 'AWSLogs/a b.log.gz', size: 1234, time: T, region: 'us-east-1' }, { bucket: 'logs', key: 'AWSLogs/c=1.log.gz', size: 1234, time: T, region: 'us-east-1' }],
    });
  });
  it('leaves out a region that is not one', () => {
    const n = decodeNotification(JSON.stringify({ Records: [s3Record('k', { awsRegion: '../evil' })] }));
    assert.deepEqual(n.kind === 'objects' && n.objects, [{ bucket: 'logs', key: 'k', size: 1234, time: T }]);
  });
  it('unwraps an SNS notification around an S3 event', () => {
    const n = decodeNotification(sns(s3Event('k.log.gz')));
    assert.equal(n.kind, 'objects');
    assert.equal(n.kind === 'objects' && n.envelope, 'sns:s3-event');
    assert.deepEqual(n.kind === 'objects' && n.objects.map((o) => o.key), ['k.log.gz']);
  });
  it('accepts every eventVersion of major 2', () => {
    for (const eventVersion of ['2.0', '2.1', '2.2', '2.3']) {
      const n = decodeNotification(JSON.stringify({ Records: [s3Record('k', { eventVersion })] }));
      assert.equal(n.kind, 'objects', eventVersion);
    }
  });
  it('refuses an unknown major eventVersion, naming it', () => {
    const n = decodeNotification(JSON.stringify({ Records: [s3Record('k', { eventVersion: '3.0' })] }));
    assert.equal(n.kind, 'invalid');
    assert.match(n.kind === 'invalid' ? n.reason : '', /Records\[0\].*"3\.0"/);
  });
  it('skips the s3:TestEvent, bare or SNS-wrapped', () => {
    assert.deepEqual(decodeNotification(testEvent), { kind: 'skip', envelope: 's3-test-event', reason: 's3:TestEvent for bucket logs' });
    assert.equal(decodeNotification(sns(testEvent)).kind, 'skip');
  });
  it('skips S3 events that create nothing', () => {
    const n = decodeNotification(JSON.stringify({ Records: [s3Record('k', { eventName: 'ObjectRemoved:Delete' })] }));
    assert.equal(n.kind, 'skip');
  });
  it('reads an EventBridge Object Created event', () => {
    const n = decodeNotification(JSON.stringify({
      version: '0', 'detail-type': 'Object Created', source: 'aws.s3', time: 't', region: 'us-east-1',
      detail: { bucket: { name: 'logs' }, object: { key: 'x+y.log.gz', size: 7, etag: 'e' }, reason: 'PutObject' },
    }));
    assert.deepEqual(n, { kind: 'objects', envelope: 'eventbridge', objects: [{ bucket: 'logs', key: 'x y.log.gz', size: 7, region: 'us-east-1' }] });
  });
  it("reads CloudTrail's own SNS notice", () => {
    const n = decodeNotification(sns(JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: ['AWSLogs/1/CloudTrail/a.json.gz'] })));
    assert.deepEqual(n, { kind: 'objects', envelope: 'sns:cloudtrail-notice', objects: [{ bucket: 'trail', key: 'AWSLogs/1/CloudTrail/a.json.gz' }] });
  });
  it('names what is wrong with a body that is not JSON', () => {
    const n = decodeNotification('hello');
    assert.equal(n.kind, 'invalid');
    assert.match(n.kind === 'invalid' ? n.reason : '', /not JSON.*"hello"/);
  });
  it('names the keys of JSON that is no known envelope', () => {
    const n = decodeNotification('{"foo":1}');
    assert.match(n.kind === 'invalid' ? n.reason : '', /no known envelope \(keys: foo\)/);
  });
  it('refuses an SNS Message that is not JSON', () => {
    assert.equal(decodeNotification(sns('plain text')).kind, 'invalid');
  });
});

describe('decodeNotification dates objects', () => {
  it('takes the S3 event time, so records without their own time are dated by it', () => {
    const body = JSON.stringify({ Records: [{ eventVersion: '2.1', eventName: 'ObjectCreated:Put', eventTime: '2020-01-02T23:59:00.000Z', s3: { bucket: { name: 'b' }, object: { key: 'k' } } }] });
    const n = decodeNotification(body);
    assert.deepEqual(n.kind === 'objects' ? n.objects : n, [{ bucket: 'b', key: 'k', time: Date.UTC(2020, 0, 2, 23, 59) / 1000 }]);
  });
});
