import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LineProblem, OpBatch } from '../../../../src/core/records.js';
import type { IndexOp, S3ObjectRef } from '../../../../src/core/types.js';
import { OpWriter } from '../../../../src/core/bulk-op.js';
import { lineIdFactory } from '../../../helpers/line-id.js';
import type { LineItem } from '../../../../src/source/lines.js';
import { DEFAULT_FORMAT, formatFromFields, type FlowFormat } from '../../../../src/formats/vpc-flow/parse.js';
import {
  batchReader, readVpcFlow, recordDocumenter, type BatchParser, type VpcFlowContext, type VpcFlowRead,
} from '../../../../src/formats/vpc-flow/reader.js';

/**
 * The header-first reader and the per-line work every flow-log reader shares: what an object's
 * first line makes of it (read, skip, invalid), and each line's fate (document with id, index and
 * provenance, problem with its exact reason, status record counted or dropped).
 */
const REF: S3ObjectRef = { bucket: 'b', key: 'AWSLogs/1/vpcflowlogs/eu-west-1/2014/12/14/1_vpcflowlogs_eu-west-1_fl-1_20141214T0405Z_h.log.gz' };
const ACCEPT = '2 123456789010 eni-1 81.2.69.142 10.0.0.1 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const NODATA = '2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - NODATA';
const SKIPDATA = '2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - SKIPDATA';
const ctx: VpcFlowContext = { ref: REF, enricher: { lookup: () => undefined }, indexPrefix: 'flows', strict: true };

const items = (...lines: (string | number)[]): LineItem[] =>
  lines.map((l, i) => (typeof l === 'number' ? { lineNo: i + 1, overlongBytes: l } : { lineNo: i + 1, bytes: Buffer.from(l) }));

async function* batchesOf(...batches: LineItem[][]): AsyncGenerator<LineItem[]> {
  yield* batches;
}

async function all(read: VpcFlowRead): Promise<OpBatch[]> {
  if (read.kind !== 'read') assert.fail(`${read.kind}: ${read.reason}`);
  const out: OpBatch[] = [];
  for await (const batch of read.batches) out.push(batch);
  return out;
}

describe('readVpcFlow: the first line', () => {
  it('skips an empty object, and an object whose first batch is empty', async () => {
    assert.deepEqual(await readVpcFlow(batchesOf(), ctx), { kind: 'skip', reason: 'empty object' });
    assert.deepEqual(await readVpcFlow(batchesOf([]), ctx), { kind: 'skip', reason: 'empty object' });
  });

  it('calls a bad first line invalid when the key says flow log, and no flow log otherwise', async () => {
    assert.deepEqual(await readVpcFlow(batchesOf(items('version 2x')), ctx), {
      kind: 'invalid', reason: 'not a flow-log header: header token 2 "2x" is not a field name (letters, digits, "-", "_")',
    });
    assert.deepEqual(await readVpcFlow(batchesOf(items('version 2x')), { ...ctx, strict: false }), {
      kind: 'skip', reason: 'not a flow log (first line: header token 2 "2x" is not a field name (letters, digits, "-", "_"))', notALog: true,
    });
  });

  it('takes unknown field names when the key says flow log, and takes them for no flow log otherwise', async () => {
    const read = await readVpcFlow(batchesOf(items('version future-a future-b', '2 x y')), ctx);
    assert.equal(read.kind, 'read');
    assert.deepEqual(read.kind === 'read' ? read.format.unknownFields : [], ['future-a', 'future-b']);
    assert.deepEqual(await readVpcFlow(batchesOf(items('version future-a future-b')), { ...ctx, strict: false }), {
      kind: 'skip', reason: 'not a flow log (first line: unknown fields future-a, future-b)', notALog: true,
    });
    assert.equal((await readVpcFlow(batchesOf(items('version srcaddr')), { ...ctx, strict: false })).kind, 'read');
  });

  it('shows a binary first line as escaped bytes, cut at 24, and an overlong one by its size', async () => {
    const binary = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('abcdefghijklmnopqrstuvwxyz')]);
    assert.deepEqual(await readVpcFlow(batchesOf([{ lineNo: 1, bytes: binary }]), ctx), {
      kind: 'invalid', reason: 'not a flow-log header: binary data, not text: "\\x1f\\x8b\\x08\\x00abcdefghijklmnopqrst…"',
    });
    assert.deepEqual(await readVpcFlow(batchesOf(items(70000)), ctx), { kind: 'invalid', reason: 'not a flow-log header: header line of 70000 bytes' });
  });

  it('reads the rest of the first batch, then every later batch, in order', async () => {
    const [header, ...rest] = items(DEFAULT_FORMAT.fields.join(' '), ACCEPT, ACCEPT, ACCEPT);
    const batches = await all(await readVpcFlow(batchesOf([header as LineItem, rest[0] as LineItem], [], rest.slice(1)), ctx));
    assert.deepEqual(batches.map((b) => b.ops.map((op) => op.doc['log'])), [
      [{ object: `s3://b/${REF.key}`, line: 2 }], [], [{ object: `s3://b/${REF.key}`, line: 3 }, { object: `s3://b/${REF.key}`, line: 4 }],
    ]);
  });

  it('yields nothing more for a header alone', async () => {
    assert.deepEqual(await all(await readVpcFlow(batchesOf(items('version start')), ctx)), []);
  });

  it('hands the lines after the header to the parser it is given, with the format and context', async () => {
    const seen: unknown[] = [];
    const parser: BatchParser = async function* (format, given, batches) {
      for await (const batch of batches) seen.push([format.fields, given.indexPrefix, batch.map((i) => i.lineNo)]);
      yield { ops: [], problems: [], dropped: 7, statusRecords: 0 };
    };
    const read = await readVpcFlow(batchesOf(items('version start', '2 1'), [{ lineNo: 3, bytes: Buffer.from('2 2') }]), { ...ctx, parser });
    assert.deepEqual((await all(read)).map((b) => b.dropped), [7]);
    assert.deepEqual(seen, [[['version', 'start'], 'flows', [2]], [['version', 'start'], 'flows', [3]]]);
  });
});

describe('batchReader', () => {
  const reader = (format: FlowFormat = DEFAULT_FORMAT, more: Partial<VpcFlowContext> = {}) => batchReader(format, { ...ctx, ...more });
  const idOf = lineIdFactory(REF.bucket, REF.key);

  it('writes each line as a document with its id, daily index and provenance', () => {
    const batch = reader()(items(ACCEPT));
    assert.deepEqual(batch.problems, []);
    assert.equal(batch.ops.length, 1);
    const [op] = batch.ops;
    assert.equal(op?.index, 'flows-2014.12.14');
    assert.equal(op?.id, idOf(1, Buffer.from(ACCEPT)));
    assert.deepEqual(op?.doc['log'], { object: `s3://b/${REF.key}`, line: 1 });
    // sha1(seed 0, 10.0.0.1, 81.2.69.142, tcp, 0, 22, 20641), computed apart from the code (Python hashlib).
    assert.equal(op?.doc['community_id'], '1:qd43TyFr9x5h4aZTTqs2vqTUoy8=');
  });

  it('writes into the writer it is given, the same bytes as into its own', () => {
    const lines = (port: number) => items(...Array.from({ length: 20 }, (_, i) => ACCEPT.replace('20641', String(port + i))));
    const bytes = (ops: readonly IndexOp[]) => ops.map((op) => Buffer.from(op.bulk as Uint8Array).toString());
    const opWriter = new OpWriter({ rewinds: true });
    const read = batchReader(DEFAULT_FORMAT, ctx, { opWriter });
    const first = read(lines(30000)).ops;
    assert.equal(first[0]?.bulk?.buffer, opWriter.buffer.buffer);
    assert.deepEqual(bytes(first), bytes(reader()(lines(30000)).ops));
    opWriter.rewind();
    const second = read(lines(40000)).ops;
    assert.equal(second[0]?.bulk?.buffer, first[0]?.bulk?.buffer);
    assert.deepEqual(bytes(second), bytes(reader()(lines(40000)).ops));
  });

  it('reports a bad line with the parser\'s reason and its text, an overlong one by its size, and skips empty lines', () => {
    const bad = ACCEPT.replace(' 22 ', ' 2x ');
    const batch = reader()(items(bad, '', 5000, ACCEPT));
    assert.deepEqual(batch.problems, [
      { lineNo: 1, reason: 'field "dstport": "2x" is not an unsigned integer', text: bad },
      { lineNo: 3, reason: 'line of 5000 bytes is over the line cap' },
    ] satisfies LineProblem[]);
    assert.deepEqual(batch.ops.map((op) => op.doc['log']), [{ object: `s3://b/${REF.key}`, line: 4 }]);
  });

  it('counts NODATA and SKIPDATA records, and drops them only when told', () => {
    const kept = reader()(items(NODATA, SKIPDATA, ACCEPT));
    assert.deepEqual([kept.ops.length, kept.statusRecords, kept.dropped], [3, 2, 0]);
    const dropped = reader(DEFAULT_FORMAT, { dropStatusRecords: true })(items(NODATA, ACCEPT, SKIPDATA));
    assert.deepEqual([dropped.ops.map((op) => op.doc['log-status']), dropped.statusRecords, dropped.dropped], [['OK'], 2, 2]);
  });

  it('dates a record without start by the key, then by the object, and reports it when neither says', () => {
    const format = formatFromFields(['version', 'action']) as FlowFormat;
    assert.equal(reader(format)(items('2 ACCEPT')).ops[0]?.index, 'flows-2014.12.14');
    const undated = { bucket: 'b', key: 'plain.log' };
    assert.equal(batchReader(format, { ...ctx, ref: { ...undated, time: 1700000000 } })(items('2 ACCEPT')).ops[0]?.index, 'flows-2023.11.14');
    assert.deepEqual(batchReader(format, { ...ctx, ref: undated })(items('2 ACCEPT')), {
      ops: [], dropped: 0, statusRecords: 0,
      problems: [{ lineNo: 1, reason: 'record has no start time, and neither the key nor the object says when it was written', text: '2 ACCEPT' }],
    });
  });

  it('takes the reference path for a format naming a generated key, with the same reasons, counts and provenance', () => {
    const format = formatFromFields(['start', 'log-status', 'community_id']) as FlowFormat;
    const batch = reader(format, { dropStatusRecords: true })(items('1418530010 OK mine', '1418530010 NODATA x', 'x OK y', '- OK z'));
    assert.deepEqual(batch.problems, [{ lineNo: 3, reason: 'field "start": "x" is not an unsigned integer', text: 'x OK y' }]);
    assert.deepEqual([batch.statusRecords, batch.dropped], [1, 1]);
    assert.deepEqual(batch.ops.map((op) => [op.index, op.doc]), [
      ['flows-2014.12.14', { '@timestamp': '2014-12-14T04:06:50.000Z', start: 1418530010, 'log-status': 'OK', community_id: 'mine', log: { object: `s3://b/${REF.key}`, line: 1 } }],
      ['flows-2014.12.14', { 'log-status': 'OK', community_id: 'z', log: { object: `s3://b/${REF.key}`, line: 4 } }],
    ]);
  });
});

describe('recordDocumenter', () => {
  it('gives a document and its daily index by start, else by the fallback time', () => {
    const toDoc = recordDocumenter(formatFromFields(['start', 'srcaddr']) as FlowFormat, ctx);
    const tally = { statusRecords: 0, dropped: 0 };
    assert.deepEqual(toDoc('1418530010 10.0.0.1', 0, tally), {
      index: 'flows-2014.12.14', doc: { '@timestamp': '2014-12-14T04:06:50.000Z', start: 1418530010, srcaddr: '10.0.0.1', srcaddr_public: false },
    });
    assert.deepEqual(toDoc('- 10.0.0.1', 1700000000, tally), { index: 'flows-2023.11.14', doc: { srcaddr: '10.0.0.1', srcaddr_public: false } });
    assert.deepEqual(toDoc('1 2 3', 0, tally), { error: 'expected 2 fields (per the format), got 3' });
    assert.deepEqual(tally, { statusRecords: 0, dropped: 0 });
  });

  it('counts status records, and drops them when told', () => {
    const tally = { statusRecords: 0, dropped: 0 };
    assert.equal(typeof recordDocumenter(DEFAULT_FORMAT, ctx)(NODATA, 0, tally), 'object');
    assert.deepEqual(tally, { statusRecords: 1, dropped: 0 });
    assert.equal(recordDocumenter(DEFAULT_FORMAT, { ...ctx, dropStatusRecords: true })(SKIPDATA, 0, tally), 'dropped');
    assert.deepEqual(tally, { statusRecords: 2, dropped: 1 });
  });
});
