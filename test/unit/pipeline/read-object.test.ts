import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { noopEnricher } from '../../../src/enrich/geoip.js';
import { ObjectError } from '../../../src/core/errors.js';
import { readObject } from '../../../src/pipeline/read-object.js';
import type { OpBatch } from '../../../src/core/records.js';

const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const LINE = '2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const FLOW_KEY = 'AWSLogs/1/vpcflowlogs/us-east-1/2014/12/14/x.log.gz';
const options = { enricher: noopEnricher, indexPrefix: 'vpcflowlogs', maxLineBytes: 4096, maxObjectBytes: 1 << 20 };

async function* body(buf: Buffer) {
  yield buf;
}
async function all(batches: Iterable<OpBatch> | AsyncIterable<OpBatch>): Promise<OpBatch[]> {
  const out: OpBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

describe('readObject', () => {
  it('turns a gzip flow-log object into one operation per record, with provenance', async () => {
    const read = await readObject({ bucket: 'b', key: FLOW_KEY }, body(gzipSync(`${HEADER}\n${LINE}\n${LINE}\n`)), options);
    assert.equal(read.kind, 'read');
    const ops = (await all(read.kind === 'read' ? read.batches : [])).flatMap((b) => b.ops);
    assert.equal(ops.length, 2);
    assert.deepEqual(ops.map((o) => o.doc.log), [{ object: `s3://b/${FLOW_KEY}`, line: 2 }, { object: `s3://b/${FLOW_KEY}`, line: 3 }]);
    assert.notEqual(ops[0]?.id, ops[1]?.id, 'identical lines at different places stay two documents');
  });
  it('indexes NODATA records as status documents by default and drops them when told, counting them either way', async () => {
    const nodata = '2 123456789010 eni-1a2b3c4d - - - - - - - 1431280876 1431280934 - NODATA';
    const text = gzipSync(`${HEADER}\n${LINE}\n${nodata}\n`);
    for (const drop of [false, true]) {
      const read = await readObject({ bucket: 'b', key: FLOW_KEY }, body(text), { ...options, dropStatusRecords: drop });
      const batches = await all(read.kind === 'read' ? read.batches : []);
      const docs = batches.flatMap((b) => b.ops.map((o) => o.doc));
      assert.equal(batches.reduce((n, b) => n + (b.statusRecords ?? 0), 0), 1, 'counted');
      assert.equal(batches.reduce((n, b) => n + (b.dropped ?? 0), 0), drop ? 1 : 0);
      assert.deepEqual(docs.map((d) => d['log-status']), drop ? ['OK'] : ['OK', 'NODATA']);
      if (!drop) assert.equal(docs[1]?.srcaddr, undefined, 'a status document has no address');
    }
  });
  it('skips CloudTrail digest files', async () => {
    const read = await readObject({ bucket: 'b', key: 'AWSLogs/1/CloudTrail-Digest/us-east-1/x.json.gz' }, body(gzipSync('{}')), options);
    assert.deepEqual(read, { kind: 'skip', reason: 'CloudTrail digest file (not events)' });
  });
  it('skips an object whose key and first line say it is no flow log', async () => {
    const read = await readObject({ bucket: 'b', key: 'notes/readme.txt' }, body(Buffer.from('hello world\n')), options);
    assert.equal(read.kind, 'skip');
  });
  it('fails for good when the key says flow log but the first line is no header', async () => {
    await assert.rejects(readObject({ bucket: 'b', key: FLOW_KEY }, body(gzipSync('1 2 3\n')), options), (e: ObjectError) => !e.retryable && /line 1/.test(e.message));
  });
  it('stops a gzip bomb at MAX_OBJECT_BYTES with a permanent error', async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.alloc(4 << 20, 0x20)]));
    const read = await readObject({ bucket: 'b', key: FLOW_KEY }, body(bomb), options);
    await assert.rejects(all(read.kind === 'read' ? read.batches : []), (e: ObjectError) => !e.retryable && /MAX_OBJECT_BYTES/.test(e.message));
  });
  it('fails for good, naming the object, on a truncated gzip', async () => {
    const gz = gzipSync(`${HEADER}\n${`${LINE}\n`.repeat(2000)}`);
    const read = await readObject({ bucket: 'b', key: FLOW_KEY }, body(gz.subarray(0, gz.length - 20)), options);
    await assert.rejects(all(read.kind === 'read' ? read.batches : []), (e: ObjectError) => !e.retryable && e.message.startsWith(`s3://b/${FLOW_KEY}`));
  });
  it('reads JSON-wrapped lines under a header-less prefix as flow records, not as CloudTrail', async () => {
    const v2 = '2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
    const dump = [1, 2].map((i) => JSON.stringify({ id: String(i), timestamp: 1418530010000, message: v2 })).join('\n');
    const read = await readObject({ bucket: 'b', key: 'exports/cwl/dump.gz' }, body(gzipSync(`${dump}\n`)), { ...options, headerlessPrefixes: ['exports/'] });
    assert.equal(read.kind, 'read');
    const batches = await all(read.kind === 'read' ? read.batches : []);
    assert.deepEqual(batches.flatMap((b) => b.problems), []);
    assert.deepEqual(batches.flatMap((b) => b.ops.map((o) => o.doc['interface-id'])), ['eni-1', 'eni-1']);
  });
  it('dates records without a start time by the object time, never by the clock', async () => {
    const format = 'version account-id interface-id srcaddr dstaddr action';
    const line = '2 123456789010 eni-1 172.31.16.139 172.31.16.21 ACCEPT';
    const headerless = { ...options, headerlessPrefixes: ['exports/'], flowFormat: format.split(' ').map((f) => `\${${f}}`).join(' ') };
    const written = Date.UTC(2020, 0, 2, 23, 59) / 1000;
    const read = await readObject({ bucket: 'b', key: 'exports/dump.txt', time: written }, body(Buffer.from(`${line}\n`)), headerless);
    const batches = await all(read.kind === 'read' ? read.batches : []);
    assert.deepEqual(batches.flatMap((b) => b.ops.map((o) => o.index)), ['vpcflowlogs-2020.01.02']);
    const undated = await readObject({ bucket: 'b', key: 'exports/dump.txt' }, body(Buffer.from(`${line}\n`)), headerless);
    const left = await all(undated.kind === 'read' ? undated.batches : []);
    assert.deepEqual(left.flatMap((b) => b.ops), [], 'no index from the clock');
    assert.match(left[0]?.problems[0]?.reason ?? '', /no start time/);
  });
});
