import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openEnricher } from '../../../../src/enrich/geoip.js';
import type { Enricher } from '../../../../src/enrich/types.js';
import { CLOUDTRAIL_BATCH_RECORDS, CloudTrailBodyError } from '../../../../src/formats/cloudtrail/reader.js';
import { keyId } from '../../../../src/core/id.js';
import { body, chunked, context, event, fixture, fixtureRecords, opFor, readAll } from './helpers.js';
import { fileURLToPath } from 'node:url';

const CITY_TEST_DB = fileURLToPath(new URL('../../../fixtures/geoip/GeoIP2-City-Test.mmdb', import.meta.url));

describe('readCloudTrail on the AWS example events', () => {
  it('makes one document per event, placed by eventTime and identified by eventID', async () => {
    const { ops, problems, error } = await readAll(chunked(fixture('ec2-iam-events.json')));
    assert.equal(error, undefined);
    assert.deepEqual(problems, []);
    assert.deepEqual(ops.map((o) => o.doc['eventName']), ['StartInstances', 'StopInstances', 'CreateUser', 'AssumeRole']);
    const start = opFor(ops, 'StartInstances');
    assert.equal(start.index, 'cloudtrail-2023.07.19');
    assert.equal(start.id, keyId('cloudtrail', 'e755e09c-42f9-4c5c-9064-EXAMPLE228c7'));
    assert.equal(opFor(ops, 'AssumeRole').index, 'cloudtrail-2023.07.20');
  });

  it('keeps the record fields, with @timestamp first and the booleans as booleans', async () => {
    const { ops } = await readAll(chunked(fixture('ec2-iam-events.json')));
    const [record] = fixtureRecords('ec2-iam-events.json');
    const doc = opFor(ops, 'StartInstances').doc;
    assert.equal(Object.keys(doc)[0], '@timestamp');
    assert.equal(doc['@timestamp'], '2023-07-19T21:14:20Z');
    for (const field of ['userIdentity', 'requestParameters', 'responseElements', 'tlsDetails', 'eventID', 'userAgent', 'recipientAccountId']) {
      assert.deepEqual(doc[field], record?.[field], field);
    }
    assert.equal(doc['readOnly'], false);
    assert.equal(doc['managementEvent'], true);
    assert.equal(doc['sessionCredentialFromConsole'], true, 'AWS writes "true"');
    assert.equal(doc['truncated'], undefined);
    assert.deepEqual(opFor(ops, 'AssumeRole').doc['resources'], [
      { accountId: '123456789012', type: 'AWS::IAM::Role', ARN: 'arn:aws:iam::123456789012:role/ExampleInstanceRole' },
    ]);
  });

  it('gives the same event delivered in two files the same _id, and other events other ids', async () => {
    const first = await readAll(chunked(fixture('ec2-iam-events.json')));
    const second = await readAll(chunked(fixture('redelivered.json')));
    assert.equal(opFor(first.ops, 'StopInstances').id, opFor(second.ops, 'StopInstances').id);
    assert.deepEqual(opFor(first.ops, 'StopInstances').doc, opFor(second.ops, 'StopInstances').doc);
    const ids = new Set([...first.ops, ...second.ops].map((o) => o.id));
    assert.equal(ids.size, 5, 'six documents, one of them twice');
  });

  it('gives the same documents when the body arrives in 7-byte chunks', async () => {
    const whole = await readAll(chunked(fixture('ec2-iam-events.json')));
    const tiny = await readAll(chunked(fixture('ec2-iam-events.json'), 7));
    assert.equal(tiny.error, undefined);
    assert.deepEqual(tiny.ops, whole.ops);
  });
});

describe('readCloudTrail and sourceIPAddress', () => {
  let enricher: Enricher;
  before(async () => {
    enricher = await openEnricher({ cityDbs: [CITY_TEST_DB] });
  });

  it('adds source_ip and GeoIP for a public address (81.2.69.142 is London in the test database)', async () => {
    const { ops } = await readAll(chunked(fixture('ec2-iam-events.json')), context({ enricher }));
    const doc = opFor(ops, 'StartInstances').doc;
    assert.equal(doc['sourceIPAddress'], '81.2.69.142');
    assert.equal(doc['source_ip'], '81.2.69.142');
    const geo = doc['source_ip_geo'] as Record<string, unknown>;
    assert.equal(geo['city_name'], 'London');
    assert.equal(geo['country_iso_code'], 'GB');
    assert.deepEqual(geo, enricher.lookup('81.2.69.142')?.geo, 'the same shape as flow logs');
  });

  it('keeps a service name as the keyword only', async () => {
    const { ops } = await readAll(chunked(fixture('ec2-iam-events.json')), context({ enricher }));
    const doc = opFor(ops, 'AssumeRole').doc;
    assert.equal(doc['sourceIPAddress'], 'ec2.amazonaws.com');
    for (const derived of ['source_ip', 'source_ip_geo', 'source_ip_as']) assert.equal(doc[derived], undefined, derived);
  });

  it('adds source_ip without GeoIP for non-public IPv4 and IPv6 addresses', async () => {
    const { ops } = await readAll(chunked(fixture('redelivered.json')), context({ enricher }));
    const login = opFor(ops, 'ConsoleLogin').doc;
    assert.equal(login['source_ip'], '2001:db8::42');
    assert.equal(login['source_ip_geo'], undefined);
    assert.equal(opFor(ops, 'StopInstances').doc['source_ip'], '192.0.2.0');
  });

  it('leaves out an address with a zone id, which an ip field refuses', async () => {
    const { ops } = await readAll(chunked(body([event(1, { sourceIPAddress: 'fe80::1%eth0' })])));
    assert.equal(ops[0]?.doc['sourceIPAddress'], 'fe80::1%eth0');
    assert.equal(ops[0]?.doc['source_ip'], undefined);
  });
});

describe('readCloudTrail and the blob size cap', () => {
  const CAP = 1024;

  it('replaces a blob over the cap by its JSON cut to the cap in <field>_json, and names it in truncated', async () => {
    const big = { policyDocument: JSON.stringify({ Statement: Array.from({ length: 100 }, (_, i) => ({ Sid: `s${i}`, Effect: 'Allow' })) }) };
    const small = { ok: true };
    const { ops } = await readAll(chunked(body([event(1, { requestParameters: big, responseElements: small, serviceEventDetails: { blob: 'z'.repeat(2000) } })])), context({ maxBlobBytes: CAP }));
    const doc = ops[0]?.doc ?? {};
    assert.equal(doc['requestParameters'], undefined);
    const text = doc['requestParameters_json'] as string;
    assert.equal(Buffer.byteLength(text), CAP);
    assert.ok(JSON.stringify(big).startsWith(text));
    assert.deepEqual(doc['responseElements'], small);
    assert.deepEqual(doc['truncated'], ['requestParameters', 'serviceEventDetails']);
  });

  it('does not mark a document whose blobs fit', async () => {
    const { ops } = await readAll(chunked(body([event(1)])), context({ maxBlobBytes: CAP }));
    assert.equal(ops[0]?.doc['truncated'], undefined);
    assert.equal(ops[0]?.doc['requestParameters_json'], undefined);
  });

  it('measures each record\'s blobs by its own size, small records among big ones, in any chunks', async () => {
    // A small event (~600 bytes, under 8 KiB even 5.25 times over) keeps its blobs unmeasured; each
    // big one between them must still be measured, and cut.
    const cap = 8 * 1024;
    const records = Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? event(i) : event(i, { requestParameters: { x: 'y'.repeat(cap) } })));
    for (const size of [7, 64 * 1024]) {
      const { ops } = await readAll(chunked(body(records), size), context({ maxBlobBytes: cap }));
      assert.deepEqual(ops.map((op) => op.doc['truncated']), [undefined, ['requestParameters'], undefined, ['requestParameters'], undefined, ['requestParameters']], `chunks of ${size}`);
    }
  });

  it('treats an unknown top-level object as a blob too', async () => {
    const { ops } = await readAll(chunked(body([event(1, { someNewField: { x: 'y'.repeat(CAP) }, someNewFlag: 'on' })])), context({ maxBlobBytes: CAP }));
    const doc = ops[0]?.doc ?? {};
    assert.equal(typeof doc['someNewField_json'], 'string');
    assert.deepEqual(doc['truncated'], ['someNewField']);
    assert.equal(doc['someNewFlag'], 'on');
  });
});

describe('readCloudTrail on records it cannot index', () => {
  it('reports an event without eventID as a problem naming its ordinal, and indexes the others', async () => {
    const { ops, problems } = await readAll(chunked(fixture('legacy-without-event-id.json')));
    assert.deepEqual(ops.map((o) => o.doc['eventName']), ['CreateUser']);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.lineNo, 1);
    assert.match(problems[0]?.reason ?? '', /no eventID/);
    assert.match(problems[0]?.text ?? '', /"eventName":"StartInstances"/);
  });

  it('reports missing, malformed and impossible eventTimes, and records that are not objects', async () => {
    const records = [
      event(1, { eventTime: undefined }),
      event(2, { eventTime: 'Jul 19, 2023 9:25:09 PM' }),
      event(3, { eventTime: '2023-02-30T00:00:00Z' }),
      event(4, { eventTime: 1689801117 }),
      'not an event',
      event(6, { eventID: '' }),
      event(7),
    ];
    const { ops, problems } = await readAll(chunked(body(records)));
    assert.deepEqual(ops.map((o) => o.doc['eventID']), ['event-7']);
    assert.deepEqual(problems.map((p) => p.lineNo), [1, 2, 3, 4, 5, 6]);
    assert.match(problems[0]?.reason ?? '', /no eventTime/);
    assert.match(problems[2]?.reason ?? '', /"2023-02-30T00:00:00Z" is not an ISO-8601 UTC time/);
    assert.match(problems[4]?.reason ?? '', /record is a string, not a JSON object/);
    assert.match(problems[5]?.reason ?? '', /eventID is a string "", expected a non-empty string/);
  });

  it('keeps odd values from failing the document: objects in keyword fields become JSON, odd booleans are left out', async () => {
    const { ops } = await readAll(chunked(body([event(1, { errorCode: { code: 'X' }, readOnly: 'maybe', userIdentity: 'root', truncated: ['forged'], source_ip: '1.2.3.4' })])));
    const doc = ops[0]?.doc ?? {};
    assert.equal(doc['errorCode'], '{"code":"X"}');
    assert.equal('readOnly' in doc, false);
    assert.equal(doc['userIdentity'], undefined);
    assert.equal(doc['userIdentity_json'], 'root');
    assert.equal(doc['truncated'], undefined, 'a record cannot forge the mark');
    assert.equal(doc['source_ip'], '192.0.2.0', 'nor the derived address (from sourceIPAddress)');
  });
});

describe('readCloudTrail batching and failures', () => {
  it(`yields batches of at most ${CLOUDTRAIL_BATCH_RECORDS} records, problems numbered across batches`, async () => {
    const records = Array.from({ length: 1201 }, (_, i) => (i === 1000 ? event(i, { eventID: undefined }) : event(i)));
    const { batches, ops, problems } = await readAll(chunked(body(records)));
    assert.deepEqual(batches.map((b) => b.ops.length + b.problems.length), [500, 500, 201]);
    assert.equal(ops.length, 1200);
    assert.deepEqual(problems.map((p) => p.lineNo), [1001]);
  });

  it('yields the records read before corrupt JSON, then throws naming where', async () => {
    const good = body(Array.from({ length: 300 }, (_, i) => event(i)));
    const corrupt = Buffer.concat([good.subarray(0, good.length - 2), Buffer.from(',{"eventID": oops}]}')]);
    const { ops, error } = await readAll(chunked(corrupt, 8 * 1024));
    assert.ok(error instanceof CloudTrailBodyError);
    // The corrupt entry starts after the comma that replaced the closing `]}`.
    const from = good.length - 1;
    assert.match(error.message, new RegExp(`^not a CloudTrail log body: invalid JSON in record 301: .+ \\(within bytes ${from}–${from + 17} of the body; 300 records read before it\\)$`));
    // Every record before the corrupt one is handed out, whatever chunk it ends in.
    assert.equal(ops.length, 300);
    assert.equal(error.recordsRead, 300);
  });

  it('throws for a digest file, naming the layout', async () => {
    const { ops, error } = await readAll(chunked(fixture('digest.json')));
    assert.deepEqual(ops, []);
    assert.match(error?.message ?? '', /no "Records" array in the body \(a digest file/);
  });

  it('throws for a truncated body after yielding the whole records before the cut', async () => {
    const whole = fixture('ec2-iam-events.json');
    const { ops, error } = await readAll(chunked(whole.subarray(0, whole.length - 40), 512));
    assert.match(error?.message ?? '', /the body ends early/);
    assert.deepEqual(ops.map((o) => o.doc['eventName']), ['StartInstances', 'StopInstances', 'CreateUser']);
  });
});

describe('readCloudTrail keeps every key as data', () => {
  it('keeps a top-level key named __proto__ as an own field of the document, in the bulk body too', async () => {
    const text = `{"Records":[${JSON.stringify(event(1)).slice(0, -1)},"__proto__":"polluted","constructor":"c"}]}`;
    const { ops, problems } = await readAll(chunked(Buffer.from(text)));
    assert.deepEqual(problems, []);
    const doc = ops[0]?.doc ?? {};
    assert.equal(Object.getPrototypeOf(doc), Object.prototype, 'the prototype is untouched');
    assert.equal(Object.getOwnPropertyDescriptor(doc, '__proto__')?.value, 'polluted');
    assert.equal((JSON.parse(JSON.stringify(doc)) as Record<string, unknown>)['constructor'], 'c');
    assert.match(JSON.stringify(doc), /"__proto__":"polluted"/);
  });
});

describe('readCloudTrail caps one record before it is assembled', () => {
  const CAP = 64 * 1024;
  it('passes over a record with one huge string, reporting it by its ordinal, and reads the records around it', async () => {
    const huge = event(2, { requestParameters: { policy: 'x'.repeat(4 * CAP) } });
    const { ops, problems, error } = await readAll(chunked(body([event(1), huge, event(3)]), 16 * 1024), context({ maxRecordBytes: CAP }));
    assert.equal(error, undefined);
    assert.equal(ops.length, 2);
    assert.deepEqual(problems.map((p) => p.lineNo), [2]);
    assert.match(problems[0]?.reason ?? '', /CLOUDTRAIL_MAX_RECORD_BYTES/);
    assert.equal(problems[0]?.text, undefined, 'nothing of it is kept');
  });
  it('passes over a record of many small fields, and an oversized string entry', async () => {
    const wide = event(2, Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 'v'.repeat(20)])));
    const { ops, problems, error } = await readAll(chunked(body([wide, 's'.repeat(2 * CAP), event(3)])), context({ maxRecordBytes: CAP }));
    assert.equal(error, undefined);
    assert.equal(ops.length, 1);
    assert.deepEqual(problems.map((p) => p.lineNo), [1, 2]);
  });
});
