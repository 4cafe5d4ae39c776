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

describe('decodeNotification names exactly what is wrong', () => {
  const reason = (body: string) => {
    const n = decodeNotification(body);
    return n.kind === 'invalid' ? n.reason : `not invalid: ${JSON.stringify(n)}`;
  };
  it('JSON that is not an object: an array, null, a string, a number', () => {
    for (const body of ['[]', '[{"Records":[]}]', 'null', '"x"', '3']) {
      assert.equal(reason(body), `body is JSON but not an object: ${JSON.stringify(body)}`, body);
    }
  });
  it('an SNS Message that is not JSON, or JSON but not an object', () => {
    assert.equal(reason(sns('plain text')), 'SNS Message is not JSON: "plain text"');
    for (const message of ['[1]', 'null', '"s"']) assert.equal(reason(sns(message)), `SNS Message is not a JSON object: ${JSON.stringify(message)}`, message);
  });
  it('reads the SNS form only when Type is Notification and Message a string', () => {
    assert.equal(reason(JSON.stringify({ Type: 'SubscriptionConfirmation', Message: s3Event('k') })), 'no known envelope (keys: Type, Message)');
    assert.equal(reason(JSON.stringify({ Type: 'Notification', Message: { Records: [] } })), 'no known envelope (keys: Type, Message)');
  });
  it('lists at most eight keys of an unknown envelope', () => {
    const body = JSON.stringify(Object.fromEntries('abcdefghij'.split('').map((k) => [k, 1])));
    assert.equal(reason(body), 'no known envelope (keys: a, b, c, d, e, f, g, h)');
  });
  it('takes EventBridge only from source aws.s3 with a detail object', () => {
    const detail = { bucket: { name: 'logs' }, object: { key: 'k' } };
    assert.equal(reason(JSON.stringify({ source: 'aws.ec2', 'detail-type': 'Object Created', detail })), 'no known envelope (keys: source, detail-type, detail)');
    assert.equal(reason(JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: [detail] })), 'no known envelope (keys: source, detail-type, detail)');
    assert.equal(reason(JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: null })), 'no known envelope (keys: source, detail-type, detail)');
  });
  it("takes CloudTrail's notice only with a bucket name and a list of keys", () => {
    assert.equal(reason(JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: 'a.json.gz' })), 'no known envelope (keys: s3Bucket, s3ObjectKey)');
    assert.equal(reason(JSON.stringify({ s3Bucket: 7, s3ObjectKey: ['a.json.gz'] })), 'no known envelope (keys: s3Bucket, s3ObjectKey)');
  });
  it('names the record that is not an object', () => {
    for (const record of [null, [], 'x']) {
      assert.equal(reason(JSON.stringify({ Records: [s3Record('ok'), record] })), 'S3 event Records[1]: not an object', JSON.stringify(record));
    }
  });
  it('names a missing or foreign eventVersion; a bare 2 is major 2', () => {
    const version = (eventVersion: unknown) => JSON.stringify({ Records: [s3Record('k', { eventVersion })] });
    assert.equal(reason(version(undefined)), 'S3 event Records[0]: unsupported eventVersion "" (major version 2 expected)');
    assert.equal(reason(version('12.0')), 'S3 event Records[0]: unsupported eventVersion "12.0" (major version 2 expected)');
    assert.equal(reason(version('20')), 'S3 event Records[0]: unsupported eventVersion "20" (major version 2 expected)');
    assert.equal(decodeNotification(version('2')).kind, 'objects');
  });
  it('says why a test event or an event creating nothing is skipped', () => {
    const bare = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' });
    assert.deepEqual(decodeNotification(bare), { kind: 'skip', envelope: 's3-test-event', reason: 's3:TestEvent for bucket ?' });
    assert.deepEqual(decodeNotification(sns(testEvent)), { kind: 'skip', envelope: 'sns:s3-test-event', reason: 's3:TestEvent for bucket logs' });
    const removed = JSON.stringify({ Records: [s3Record('k', { eventName: 'ObjectRemoved:Delete' })] });
    assert.deepEqual(decodeNotification(removed), { kind: 'skip', envelope: 's3-event', reason: 'S3 event names no created object' });
  });
});
