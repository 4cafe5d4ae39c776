import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noopEnricher } from '../../../../src/enrich/geoip.js';
import { keyId } from '../../../../src/core/id.js';
import { cwlEventDocId, cwlEventsBatch } from '../../../../src/formats/cwl/events.js';
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
    const plain = cwlEventsBatch('g', 's', [{ id: '1', timestamp: 0, message: LINE }], ctx).ops;
    assert.deepEqual(cwlEventsBatch('g', 's', [{ id: '1', timestamp: 0, message: `${LINE}\n` }], ctx).ops, plain);
    assert.deepEqual(cwlEventsBatch('g', 's', [{ id: '1', timestamp: 0, message: `${LINE}\r\n` }], ctx).ops, plain);
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
