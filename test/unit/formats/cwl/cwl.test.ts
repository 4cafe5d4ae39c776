import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { noopEnricher } from '../../../../src/enrich/geoip.js';
import { isCwlEnvelopeHead } from '../../../../src/formats/detect.js';
import { cwlEventDocId, cwlEventsBatch } from '../../../../src/formats/cwl/events.js';
import { groupFormats } from '../../../../src/formats/cwl/groups.js';
import { headerlessFormat } from '../../../../src/formats/vpc-flow/headerless.js';
import { DEFAULT_FORMAT, type FlowFormat } from '../../../../src/formats/vpc-flow/parse.js';
import { batchReader } from '../../../../src/formats/vpc-flow/reader.js';
import { ObjectError } from '../../../../src/core/errors.js';
import type { OpBatch } from '../../../../src/core/records.js';
import { readObject } from '../../../../src/pipeline/read-object.js';

const LINE = '2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const ctx = { enricher: noopEnricher, indexPrefix: 'vpcflowlogs', formatOf: () => DEFAULT_FORMAT };
const options = { enricher: noopEnricher, indexPrefix: 'vpcflowlogs', maxLineBytes: 4096, maxObjectBytes: 1 << 20 };
const data = (group: string, stream: string, events: Array<{ id: string | number; message: string }>) =>
  ({ messageType: 'DATA_MESSAGE', owner: '1', logGroup: group, logStream: stream, subscriptionFilters: ['f'], logEvents: events.map((e, i) => ({ ...e, timestamp: 1418530010000 + i })) });

async function* body(buf: Buffer) {
  yield buf;
}
async function read(object: Buffer): Promise<OpBatch[]> {
  const result = await readObject({ bucket: 'b', key: 'firehose/2026/11/30/06/stream-1-2026-11-30-06-00-00-x' }, body(object), options);
  assert.equal(result.kind, 'read');
  const out: OpBatch[] = [];
  for await (const b of result.kind === 'read' ? result.batches : []) out.push(b);
  return out;
}

describe('CloudWatch Logs events', () => {
  it('gives an event the id of its group, stream and event id, and the document the S3 path gives its line', () => {
    const batch = cwlEventsBatch('/vpc/a', 'eni-1-all', [{ id: '3456', timestamp: 1418530010000, message: LINE }], ctx);
    const op = batch.ops[0];
    assert.equal(op?.id, cwlEventDocId('/vpc/a', 'eni-1-all', '3456'));
    assert.notEqual(cwlEventDocId('/vpc/a', 'eni-1-all', '3456'), cwlEventDocId('/vpc/a', 'eni-1-al', 'l3456'), 'length-prefixed');
    const s3 = batchReader(DEFAULT_FORMAT, { ...ctx, ref: { bucket: 'b', key: 'k' } })([{ lineNo: 2, bytes: Buffer.from(LINE) }]).ops[0];
    const { log, ...fields } = op?.doc ?? {};
    const { log: _s3Log, ...s3Fields } = s3?.doc ?? {};
    assert.deepEqual(log, { group: '/vpc/a', stream: 'eni-1-all', event_id: '3456' });
    assert.deepEqual(fields, s3Fields);
    assert.equal(op?.index, s3?.index);
  });
  it('reports an event that is no flow-log line with its event id, and keeps the others', () => {
    const batch = cwlEventsBatch('/vpc/a', 's', [{ id: '1', timestamp: 0, message: 'hello' }, { id: '2', timestamp: 0, message: LINE }], ctx);
    assert.equal(batch.ops.length, 1);
    assert.equal(batch.problems[0]?.lineNo, 1);
    assert.match(batch.problems[0]?.reason ?? '', /\/vpc\/a s event 1: /);
  });
  it('picks a group\'s format: exact name, then the longest prefix, else FLOW_FORMAT; refuses bad settings', () => {
    const formatOf = groupFormats(JSON.stringify({ '/vpc/*': '${version} ${srcaddr}', '/vpc/prod-*': '${version} ${dstaddr}', '/vpc/prod-x': '${version} ${bytes}' }), DEFAULT_FORMAT);
    assert.ok(typeof formatOf === 'function');
    const fields = (g: string) => (formatOf(g) as FlowFormat).fields.join(' ');
    assert.equal(fields('/vpc/prod-x'), 'version bytes');
    assert.equal(fields('/vpc/prod-y'), 'version dstaddr');
    assert.equal(fields('/vpc/dev'), 'version srcaddr');
    assert.equal(fields('/other'), DEFAULT_FORMAT.fields.join(' '));
    assert.match((groupFormats('[1]', DEFAULT_FORMAT) as { error: string }).error, /JSON object/);
    assert.match((groupFormats('{"/a": 5}', DEFAULT_FORMAT) as { error: string }).error, /the format of "\/a" is not a string/);
  });
});

describe('CloudWatch Logs subscription objects', () => {
  it('are recognised by their first bytes, whatever key comes first; CloudTrail is not', () => {
    assert.equal(isCwlEnvelopeHead(Buffer.from('{"messageType":"DATA_MESSAGE"')), true);
    assert.equal(isCwlEnvelopeHead(Buffer.from(' {\n "logEvents": [')), true);
    assert.equal(isCwlEnvelopeHead(Buffer.from('{"Records":[')), false);
  });
  it('index every DATA_MESSAGE event of concatenated gzip members, skip CONTROL_MESSAGEs, and take ids as strings or numbers', async () => {
    const control = { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [] };
    const object = Buffer.concat([control, data('/vpc/a', 's1', [{ id: '11', message: LINE }, { id: '12', message: LINE }]), data('/vpc/a', 's2', [{ id: 13, message: LINE }])]
      .map((e) => gzipSync(JSON.stringify(e))));
    const ops = (await read(object)).flatMap((b) => b.ops);
    assert.deepEqual(ops.map((o) => o.id), [cwlEventDocId('/vpc/a', 's1', '11'), cwlEventDocId('/vpc/a', 's1', '12'), cwlEventDocId('/vpc/a', 's2', '13')]);
  });
  it('make a malformed envelope a problem (kept whole) and go on; broken JSON fails the object for good', async () => {
    const bad = { messageType: 'DATA_MESSAGE', logGroup: '/vpc/a', logStream: 's', logEvents: [{ id: '1' }] };
    const batches = await read(gzipSync(JSON.stringify(bad) + JSON.stringify(data('/vpc/a', 's', [{ id: '2', message: LINE }]))));
    assert.equal(batches.flatMap((b) => b.ops).length, 1);
    const problem = batches.flatMap((b) => b.problems)[0];
    assert.match(problem?.reason ?? '', /envelope 1: logEvents\[0\] lacks/);
    assert.equal(problem?.text, JSON.stringify(bad));
    await assert.rejects(read(gzipSync('{"messageType":"DATA_MESSAGE","logEvents":[')), (err: unknown) => err instanceof ObjectError && !err.retryable);
  });
  it('use the per-group format when the worker has one', async () => {
    const formatOf = groupFormats(JSON.stringify({ '/custom': '${version} ${srcaddr} ${bytes}' }), headerlessFormat() as FlowFormat) as (g: string) => FlowFormat;
    const result = await readObject({ bucket: 'b', key: 'fh/x' }, body(gzipSync(JSON.stringify(data('/custom', 's', [{ id: '1', message: '2 10.0.0.1 99' }])))), { ...options, groupFormats: formatOf });
    const batches: OpBatch[] = [];
    for await (const b of result.kind === 'read' ? result.batches : []) batches.push(b);
    assert.equal(batches[0]?.ops[0]?.doc.bytes, 99);
  });
});
