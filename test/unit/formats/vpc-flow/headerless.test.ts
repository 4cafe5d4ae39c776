import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { DEFAULT_FORMAT_STRING } from '../../../../src/formats/vpc-flow/catalogue.js';
import { headerlessFormat, readHeaderlessFlow, recordBytes } from '../../../../src/formats/vpc-flow/headerless.js';
import { DEFAULT_FORMAT, isParseError, type FlowFormat } from '../../../../src/formats/vpc-flow/parse.js';
import { readVpcFlow } from '../../../../src/formats/vpc-flow/reader.js';
import type { LineProblem } from '../../../../src/core/records.js';
import type { IndexOp, S3ObjectRef } from '../../../../src/core/types.js';
import { lineIdFactory } from '../../../helpers/line-id.js';
import { splitLines } from '../../../../src/source/lines.js';
import { recordContent } from '../../../helpers/documents.js';

const REF: S3ObjectRef = { bucket: 'cwl-exports', key: 'exportedlogs/vpc-flow/eni-1235b8ca123456789/000000.gz' };
const ctx = { ref: REF, enricher: { lookup: () => undefined }, indexPrefix: 'vpcflowlogs' };
const idOf = lineIdFactory(REF.bucket, REF.key);

const ACCEPT = '2 123456789010 eni-1235b8ca123456789 81.2.69.142 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const REJECT = '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';
const NODATA = '2 123456789010 eni-1a2b3c4d - - - - - - - 1431280876 1431280934 - NODATA';


function format(formatString?: string): FlowFormat {
  const f = headerlessFormat(formatString);
  return isParseError(f) ? assert.fail(f.error) : f;
}

async function read(text: string, f: FlowFormat = DEFAULT_FORMAT): Promise<{ ops: IndexOp[]; problems: LineProblem[] }> {
  const out = { ops: [] as IndexOp[], problems: [] as LineProblem[] };
  for await (const batch of readHeaderlessFlow(splitLines(Readable.from([Buffer.from(text)]), 1 << 16), f, ctx)) {
    out.ops.push(...batch.ops);
    out.problems.push(...batch.problems);
  }
  return out;
}

describe('readHeaderlessFlow', () => {
  it('reads every line as a record, line 1 included, with ids over line number and bytes', async () => {
    const { ops, problems } = await read(`${ACCEPT}\n${REJECT}\n`);
    assert.deepEqual(problems, []);
    assert.deepEqual(ops.map((op) => op.doc['action']), ['ACCEPT', 'REJECT']);
    assert.deepEqual(ops.map((op) => op.id), [idOf(1, Buffer.from(ACCEPT)), idOf(2, Buffer.from(REJECT))]);
    assert.equal(ops[0]?.index, 'vpcflowlogs-2014.12.14');
  });

  it('makes the documents the header-first reader makes of the same lines', async () => {
    const lines = [ACCEPT, NODATA, REJECT];
    const headerless = await read(`${lines.join('\n')}\n`);
    const withHeader = await readVpcFlow(splitLines(Readable.from([Buffer.from(`${DEFAULT_FORMAT.fields.join(' ')}\n${lines.join('\n')}\n`)]), 1 << 16), { ...ctx, strict: true });
    if (withHeader.kind !== 'read') assert.fail(withHeader.kind);
    const expected: IndexOp[] = [];
    for await (const batch of withHeader.batches) expected.push(...batch.ops);
    assert.deepEqual(headerless.ops.map((op) => [op.index, recordContent(op.doc)]), expected.map((op) => [op.index, recordContent(op.doc)]));
  });

  it('reads a custom format given as AWS writes it', async () => {
    const f = format('${version} ${srcaddr} ${dstaddr} ${flow-direction} ${traffic-path} ${start}');
    const { ops } = await read('5 10.0.1.5 52.95.128.179 egress 8 1700000000\n', f);
    assert.deepEqual(recordContent(ops[0]?.doc), {
      '@timestamp': '2023-11-14T22:13:20.000Z', version: 5, srcaddr: '10.0.1.5', dstaddr: '52.95.128.179',
      'flow-direction': 'egress', 'traffic-path': 8, start: 1700000000,
    });
  });

  it('takes the record from the `message` of a JSON-wrapped event, and hashes the record, not the wrapper', async () => {
    const wrapped = JSON.stringify({ id: '36119847384473234908462872961349874095048391702061875200', timestamp: 1418530010000, message: ACCEPT });
    const [plain, fromJson] = [await read(`${ACCEPT}\n`), await read(`${wrapped}\n`)];
    assert.deepEqual(fromJson.problems, []);
    assert.deepEqual(fromJson.ops, plain.ops);
  });

  it('strips the timestamp a CloudWatch Logs export puts before each event', async () => {
    const { ops, problems } = await read(`2014-12-14T04:06:50.000Z ${ACCEPT}\n`);
    assert.deepEqual(problems, []);
    assert.deepEqual(ops, (await read(`${ACCEPT}\n`)).ops);
  });

  it('reports bad lines with their line numbers and goes on', async () => {
    const header = DEFAULT_FORMAT.fields.join(' ');
    const text = [header, '{"id":"1","message":', '{"id":"2","timestamp":1}', ACCEPT, JSON.stringify({ message: '2 123 eni-1 OK' })].join('\n');
    const { ops, problems } = await read(`${text}\n`);
    assert.deepEqual(problems.map((p) => p.lineNo), [1, 2, 3, 5]);
    assert.match(problems[0]?.reason ?? '', /field "version": "version" is not an unsigned integer/, 'a header is no record here');
    assert.match(problems[1]?.reason ?? '', /line starts with "\{" but is not JSON/);
    assert.equal(problems[2]?.reason, 'JSON line has no string "message" field');
    assert.match(problems[3]?.reason ?? '', /expected 14 fields/);
    assert.equal(problems[1]?.text, '{"id":"1","message":');
    assert.deepEqual(ops.map((op) => op.id), [idOf(4, Buffer.from(ACCEPT))]);
  });
});

describe('recordBytes', () => {
  it('leaves a plain line, and a first token that only looks like a date, as they are', () => {
    const plain = Buffer.from(ACCEPT);
    assert.equal(recordBytes(plain), plain);
    const notTime = Buffer.from('2014-12-14 2 123');
    assert.equal(recordBytes(notTime), notTime);
  });

  it('accepts timestamps with an offset or without fractions', () => {
    for (const stamp of ['2014-12-14T04:06:50Z', '2014-12-14T04:06:50.123456+01:00', '2014-12-14T04:06+0000', '2014-12-14T08:10Z']) {
      assert.equal(String(recordBytes(Buffer.from(`${stamp} ${ACCEPT}`))), ACCEPT, stamp);
    }
  });
});

describe('headerlessFormat', () => {
  it('is the default format when none or a blank one is given', () => {
    assert.equal(headerlessFormat(), DEFAULT_FORMAT);
    assert.equal(headerlessFormat('  '), DEFAULT_FORMAT);
    assert.deepEqual(headerlessFormat(DEFAULT_FORMAT_STRING), DEFAULT_FORMAT);
  });

  it('says why a format string cannot be used', () => {
    const f = headerlessFormat('version srcaddr');
    assert.ok(isParseError(f));
    assert.match(f.error, /is not of the form \$\{field\}/);
  });
});
