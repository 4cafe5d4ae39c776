import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deadLetterId } from '../../../src/deadletter/opensearch-store.js';
import { toOp } from '../../../src/deadletter/replay.js';
import { noopEnricher } from '../../../src/enrich/geoip.js';
import { lineIdFactory } from '../../helpers/line-id.js';

const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const LINE = '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const deps = { indexPrefix: 'vpcflowlogs', enricher: noopEnricher };

describe('toOp', () => {
  it('parses a dead-lettered line with its header, under the id the worker would have used', () => {
    const replay = toOp({ kind: 'line', reason: 'x', bucket: 'b', key: 'k', lineNo: 5, line: LINE, format: HEADER }, deps);
    assert.ok('op' in replay, JSON.stringify(replay));
    const { op } = replay;
    assert.equal(op.id, lineIdFactory('b', 'k')(5, Buffer.from(LINE)));
    assert.equal(op.index, 'vpcflowlogs-2014.12.14');
    assert.equal(op.doc.dstport, 22);
  });
  it('says why a line still cannot be read, as still failing', () => {
    const replay = toOp({ kind: 'line', reason: 'x', bucket: 'b', key: 'k', lineNo: 5, line: LINE.replace(' 22 ', ' 2x '), format: HEADER }, deps);
    assert.match('stillFailing' in replay ? replay.stillFailing : '', /dstport/);
  });
  it('cannot replay a line that was over the cap (its text was never kept)', () => {
    const replay = toOp({ kind: 'line', reason: 'too long', bucket: 'b', key: 'k', lineNo: 5, format: HEADER }, deps);
    assert.match('notReplayable' in replay ? replay.notReplayable : '', /without its line/);
  });
  it('sends a refused document again as it was', () => {
    const replay = toOp({ kind: 'document', reason: 'mapper_parsing_exception', index: 'i', id: 'abc', document: '{"a":1}' }, deps);
    assert.deepEqual(replay, { op: { index: 'i', id: 'abc', doc: { a: 1 } } });
  });
});

describe('deadLetterId', () => {
  it('is the same for the same failure recorded twice (a redelivery), different for another line', () => {
    const a = { kind: 'line' as const, reason: 'r1', bucket: 'b', key: 'k', lineNo: 3 };
    assert.equal(deadLetterId(a), deadLetterId({ ...a, reason: 'r2' }));
    assert.notEqual(deadLetterId(a), deadLetterId({ ...a, lineNo: 4 }));
  });
});
