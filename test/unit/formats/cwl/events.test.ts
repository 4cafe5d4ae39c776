import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { noopEnricher, openEnricher } from '../../../../src/enrich/geoip.js';
import type { Enricher } from '../../../../src/enrich/types.js';
import { EncodedOp } from '../../../../src/core/types.js';
import { keyId } from '../../../../src/core/id.js';
import { cwlEventDocId, cwlEventsBatch, referenceEventsBatch } from '../../../../src/formats/cwl/events.js';
import { headerlessFormat } from '../../../../src/formats/vpc-flow/headerless.js';
import { DEFAULT_FORMAT, type FlowFormat } from '../../../../src/formats/vpc-flow/parse.js';

const LINE = '2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const NODATA = '2 123456789010 eni-1 - - - - - - - 1418530010 1418530070 - NODATA';
const ctx = { enricher: noopEnricher, indexPrefix: 'vpcflowlogs', formatOf: (): FlowFormat => DEFAULT_FORMAT };

describe('cwlEventDocId', () => {
  it('hashes the group and stream with their lengths, then the event id, under the cloudwatch-logs namespace', () => {
    assert.equal(cwlEventDocId('/vpc/a', 'eni-1-all', '3456'), keyId('cloudwatch-logs', '6:/vpc/a9:eni-1-all3456'));
    assert.equal(cwlEventDocId('/vpc/a', 'eni-1-all', '3456'), '6f8875e713527e7fb5f416b85835ee31');
    assert.equal(cwlEventDocId('', '', '1'), keyId('cloudwatch-logs', '0:0:1'));
  });
});

describe('cwlEventsBatch', () => {
  it('makes each event the document of its line, with the log group, stream and event id, filed by the record\'s start', () => {
    const batch = cwlEventsBatch('/vpc/a', 's', [{ id: '1', timestamp: 1700000000000, message: LINE }], ctx);
    assert.equal(batch.ops.length, 1);
    const [op] = batch.ops;
    assert.equal(op?.id, cwlEventDocId('/vpc/a', 's', '1'));
    assert.equal(op?.index, 'vpcflowlogs-2014.12.14', 'the start field, not the event time');
    assert.deepEqual(op?.doc['log'], { group: '/vpc/a', stream: 's', event_id: '1' });
    assert.equal(op?.doc['bytes'], 4249);
    assert.deepEqual({ ...batch, ops: [] }, { ops: [], problems: [], statusRecords: 0, dropped: 0 });
  });

  it('files the record of a format without start under the event\'s own day (timestamp in milliseconds)', () => {
    const format = headerlessFormat('${version} ${srcaddr} ${bytes}') as FlowFormat;
    const batch = cwlEventsBatch('/custom', 's', [{ id: '1', timestamp: 1700000000999, message: '2 10.0.0.1 99' }], { ...ctx, formatOf: () => format });
    assert.equal(batch.ops[0]?.index, 'vpcflowlogs-2023.11.14');
  });

  it('asks for the format of its own group', () => {
    const asked: string[] = [];
    cwlEventsBatch('/vpc/b', 's', [], { ...ctx, formatOf: (group) => (asked.push(group), DEFAULT_FORMAT) });
    assert.deepEqual(asked, ['/vpc/b']);
  });

  it('drops one line break at the end of a message, LF or CRLF, as the same document', () => {
    const written = (message: string) => cwlEventsBatch('g', 's', [{ id: '1', timestamp: 0, message }], ctx).ops.map((op) => [op.index, op.id, op.json]);
    const plain = written(LINE);
    assert.equal(plain.length, 1);
    assert.deepEqual(written(`${LINE}\n`), plain);
    assert.deepEqual(written(`${LINE}\r\n`), plain);
  });

  it('keeps a line break inside a message: the event is one record, reported whole', () => {
    assert.deepEqual(cwlEventsBatch('g', 's', [{ id: '1', timestamp: 0, message: `${LINE}\n${LINE}` }], ctx).problems, [
      { lineNo: 1, reason: 'g s event 1: expected 14 fields (per the format), got 28', text: `${LINE}\n${LINE}` },
    ]);
  });

  it('reports a bad event by its ordinal from firstOrdinal, naming group, stream and event id, with the message as text', () => {
    const events = [
      { id: '1', timestamp: 0, message: 'hello' },
      { id: '2', timestamp: 0, message: LINE },
      { id: '3', timestamp: 0, message: '{"message":5}' },
    ];
    assert.deepEqual(cwlEventsBatch('/vpc/a', 's', events, ctx, 5).problems, [
      { lineNo: 5, reason: '/vpc/a s event 1: expected 14 fields (per the format), got 1', text: 'hello' },
      { lineNo: 7, reason: '/vpc/a s event 3: JSON line has no string "message" field', text: '{"message":5}' },
    ]);
    assert.deepEqual(cwlEventsBatch('/vpc/a', 's', events, ctx).problems.map((p) => p.lineNo), [1, 3]);
  });

  it('counts status records, and drops them when told, counting those too', () => {
    const events = [{ id: '1', timestamp: 0, message: NODATA }, { id: '2', timestamp: 0, message: LINE }];
    const kept = cwlEventsBatch('g', 's', events, ctx);
    assert.deepEqual([kept.ops.length, kept.statusRecords, kept.dropped], [2, 1, 0]);
    const dropped = cwlEventsBatch('g', 's', events, { ...ctx, dropStatusRecords: true });
    assert.deepEqual(dropped.ops.map((o) => o.doc['log']), [{ group: 'g', stream: 's', event_id: '2' }]);
    assert.deepEqual([dropped.problems, dropped.statusRecords, dropped.dropped], [[], 1, 1]);
  });
});

describe('cwlEventsBatch against the reference way', () => {
  const GEO = new URL('../../../fixtures/geoip/', import.meta.url);
  let enricher: Enricher;
  before(async () => {
    enricher = await openEnricher({ cityDbs: [fileURLToPath(new URL('GeoIP2-City-Test.mmdb', GEO))], asnDb: fileURLToPath(new URL('GeoLite2-ASN-Test.mmdb', GEO)) });
  });
  const formats = [
    DEFAULT_FORMAT,
    headerlessFormat('${version} ${vpc-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} ${start} ${end} ${log-status}') as FlowFormat,
    headerlessFormat('${version} ${srcaddr} ${bytes} ${action}') as FlowFormat,
  ];
  const address = fc.constantFrom('81.2.69.142', '10.0.0.1', '2001:db8::1', '216.160.83.56', '-', 'nowhere');
  const number = fc.oneof(fc.integer({ min: 0, max: 70_000 }).map(String), fc.constantFrom('-', '007', 'x'));
  /** A value for each field of `format`, by the field's name. */
  const value = (field: string) => (field.endsWith('addr') ? address : field === 'action' ? fc.constantFrom('ACCEPT', 'REJECT', '-') : field === 'log-status' ? fc.constantFrom('OK', 'NODATA', 'SKIPDATA') : field === 'vpc-id' ? fc.constantFrom('vpc-1', 'v"q\\') : field === 'start' || field === 'end' ? fc.constantFrom('1418530010', '1418530070', '-') : number);
  const event = (format: FlowFormat) => fc.record({
    id: fc.oneof(fc.integer({ min: 0 }).map(String), fc.string({ maxLength: 6 })),
    timestamp: fc.integer({ min: 0, max: 2_000_000_000_000 }),
    message: fc.tuple(fc.tuple(...format.fields.map(value)), fc.constantFrom('', '', '\n', '\r\n', ' extra', '\r', '\n\n', '\r\r\n', ' \ud800\n', ' é\n'), fc.constantFrom('plain', 'plain', 'json', 'stamped'))
      .map(([values, end, wrap]) => {
        const line = `${values.join(' ')}${end}`;
        return wrap === 'json' ? JSON.stringify({ id: 'x', message: line }) : wrap === 'stamped' ? `2014-12-14T04:06:50.000Z ${line}` : line;
      }),
  });
  const scenario = fc.integer({ min: 0, max: formats.length - 1 }).chain((f) => fc.record({
    f: fc.constant(f),
    events: fc.array(event(formats[f] as FlowFormat), { maxLength: 8 }),
    group: fc.constantFrom('/vpc/a', 'g"roup', '/vpc/é'),
    drop: fc.boolean(),
    first: fc.integer({ min: 1, max: 100 }),
  }));

  it('gives the documents, indices, ids, problems and counts the reference way gives, on random events of several formats', () => {
    fc.assert(
      fc.property(scenario, ({ f, events, group, drop, first }) => {
        const c = { enricher, indexPrefix: 'vpcflowlogs', dropStatusRecords: drop, formatOf: () => formats[f] as FlowFormat };
        const got = cwlEventsBatch(group, 'eni-1-all', events, c, first);
        const expected = referenceEventsBatch(group, 'eni-1-all', events, c, first);
        assert.deepEqual(got.ops.map((op) => [op.index, op.id, op.json]), expected.ops.map((op) => [op.index, op.id, JSON.stringify(op.doc)]));
        assert.deepEqual({ ...got, ops: [] }, { ...expected, ops: [] });
        assert.ok(got.ops.every((op) => op instanceof EncodedOp), 'written by the flow writer');
      }),
      { numRuns: 500 },
    );
  });

  it('writes event ids of any length into the room it makes for them: CloudWatch\'s 56 digits, and longer ids to escape', () => {
    const events = ['36000000000000000000000000000000000000000000000000000000', `"${'é\\'.repeat(150)}"`].map((id) => ({ id, timestamp: 0, message: LINE }));
    const got = cwlEventsBatch('g', 's', events, ctx);
    assert.deepEqual(got.ops.map((op) => op.json), referenceEventsBatch('g', 's', events, ctx).ops.map((op) => JSON.stringify(op.doc)));
    assert.deepEqual(got.ops.map((op) => op.doc['log']), events.map((e) => ({ group: 'g', stream: 's', event_id: e.id })));
  });

  it('reads messages longer than the buffer it encodes them into, and longer than any it keeps, as the reference way does', () => {
    const messages = [LINE, `${' '.repeat(70_000)}${LINE}\n`, `${LINE} ${'x'.repeat(300_000)}`, LINE.replace('ACCEPT', 'ACC\u00c9PT'), `${LINE}\r\n`];
    const events = messages.map((message, i) => ({ id: String(i), timestamp: 0, message }));
    const got = cwlEventsBatch('g', 's', events, ctx);
    const expected = referenceEventsBatch('g', 's', events, ctx);
    assert.deepEqual(got.ops.map((op) => op.json), expected.ops.map((op) => JSON.stringify(op.doc)));
    assert.deepEqual(got.problems, expected.problems);
    assert.deepEqual([got.ops.length, got.problems.map((p) => p.lineNo)], [4, [3]]);
  });

  it('leaves a format naming a generated key to the reference way', () => {
    const format = headerlessFormat('${version} ${srcaddr} ${community_id}') as FlowFormat;
    const batch = cwlEventsBatch('g', 's', [{ id: '1', timestamp: 0, message: '2 10.0.0.1 mine' }], { ...ctx, formatOf: () => format });
    assert.equal(batch.ops[0] instanceof EncodedOp, false);
    assert.equal(batch.ops[0]?.doc['community_id'], 'mine');
  });
});

