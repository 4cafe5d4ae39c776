/**
 * How readObject tells what an object holds (key layout first, then its first bytes), and how
 * reading errors become ObjectErrors: permanent for bytes that can never be read, retryable for I/O.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ObjectError } from '../../../src/core/errors.js';
import type { OpBatch } from '../../../src/core/records.js';
import { noopEnricher } from '../../../src/enrich/geoip.js';
import { CloudTrailBodyError } from '../../../src/formats/cloudtrail/reader.js';
import { CwlEnvelopeError } from '../../../src/formats/cwl/envelope.js';
import { flowFormatOf, isParquetKey, readObject, type ReadOptions, type ReadResult } from '../../../src/pipeline/read-object.js';

const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const LINE = '2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const FLOW_KEY = 'AWSLogs/1/vpcflowlogs/us-east-1/2014/12/14/x.log.gz';
const TRAIL_KEY = 'AWSLogs/1/CloudTrail/us-east-1/2026/11/30/x.json.gz';
const options = { enricher: noopEnricher, indexPrefix: 'vpcflowlogs', maxLineBytes: 4096, maxObjectBytes: 1 << 20 };
const TRAIL = JSON.stringify({ Records: [{ eventVersion: '1.08', eventTime: '2026-11-30T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: 'e1' }] });
const ENVELOPE = JSON.stringify({
  messageType: 'DATA_MESSAGE', owner: '1', logGroup: 'flows', logStream: 'eni-1-all', subscriptionFilters: [], logEvents: [{ id: '1', timestamp: 1418530010000, message: LINE }],
});

async function* body(...chunks: (Buffer | Error)[]) {
  for (const chunk of chunks) {
    if (chunk instanceof Error) throw chunk;
    yield chunk;
  }
}
async function batchesOf(read: ReadResult): Promise<OpBatch[]> {
  assert.equal(read.kind, 'read', JSON.stringify(read));
  const out: OpBatch[] = [];
  for await (const b of read.kind === 'read' ? read.batches : []) out.push(b);
  return out;
}
/** Index of each document read from `text` under `key`, and the problems' reasons. */
async function readAs(key: string, text: string | Buffer, extra: Partial<ReadOptions> = {}) {
  const batches = await batchesOf(await readObject({ bucket: 'b', key }, body(Buffer.from(text)), { ...options, ...extra }));
  return { indices: batches.flatMap((b) => b.ops.map((o) => o.index)), problems: batches.flatMap((b) => b.problems.map((p) => p.reason)), batches };
}
const permanent = (detail: RegExp | string, cause?: new (...a: never[]) => Error) => (e: unknown) => {
  assert.ok(e instanceof ObjectError, String(e));
  assert.equal(e.retryable, false);
  if (typeof detail === 'string') assert.equal(e.detail, detail);
  else assert.match(e.detail, detail);
  if (cause) assert.ok(e.cause instanceof cause, `cause ${String(e.cause)}`);
  return true;
};

describe('readObject chooses the reader', () => {
  it('knows Parquet by the key ending alone', () => {
    assert.equal(isParquetKey('AWSLogs/1/vpcflowlogs/x.log.parquet'), true);
    assert.equal(isParquetKey('.parquet/x.log.gz'), false);
  });

  it('reads CloudTrail by its key, and JSON under a key that says nothing, into CloudTrail indices', async () => {
    assert.deepEqual((await readAs(TRAIL_KEY, TRAIL)).indices, ['cloudtrail-2026.11.30']);
    assert.deepEqual((await readAs('exports/trail.json', TRAIL)).indices, ['cloudtrail-2026.11.30']);
    assert.deepEqual((await readAs(TRAIL_KEY, TRAIL, { cloudtrailIndexPrefix: 'audit' })).indices, ['audit-2026.11.30']);
  });

  it('sees a JSON object past leading white space and a byte order mark', async () => {
    for (const lead of [' ', '\n', '\r\n', '\t', '\uFEFF', '\uFEFF \t']) {
      assert.deepEqual((await readAs('exports/trail.json', `${lead}${TRAIL}`)).indices, ['cloudtrail-2026.11.30'], JSON.stringify(lead));
    }
  });

  it('skips an object of white space, or of JSON that is no object, under a key that says nothing', async () => {
    for (const text of ['  \n\t\r\n', '["Records"]\n']) {
      const read = await readObject({ bucket: 'b', key: 'exports/blank' }, body(Buffer.from(text)), options);
      assert.equal(read.kind, 'skip', JSON.stringify(text));
    }
  });

  it('keeps CloudTrail blobs whole up to 32 KiB by default', async () => {
    const params = { bucketName: 'x'.repeat(30 * 1024) };
    const trail = JSON.stringify({ Records: [{ ...JSON.parse(TRAIL).Records[0], requestParameters: params }] });
    const [batch] = (await readAs(TRAIL_KEY, trail)).batches;
    assert.deepEqual(batch?.ops[0]?.doc.requestParameters, params);
  });

  it('does not sniff an object whose key says flow log: JSON there is a bad header', async () => {
    await assert.rejects(readObject({ bucket: 'b', key: FLOW_KEY }, body(Buffer.from(TRAIL)), options), permanent(/^not a flow-log header/));
  });

  it('reads CloudWatch Logs envelopes under a key that says nothing, with the header-less format', async () => {
    const { indices, problems, batches } = await readAs('firehose/2014/12/14/x', `${ENVELOPE}${ENVELOPE.replace('"1"', '"2"')}`);
    assert.deepEqual([indices, problems], [['vpcflowlogs-2014.12.14', 'vpcflowlogs-2014.12.14'], []]);
    assert.equal(batches[0]?.ops[0]?.doc['interface-id'], 'eni-1');
  });

  it('reads a header-less prefix (any of them) with the configured format, and says which', async () => {
    const read = await readObject({ bucket: 'b', key: 'second/x.txt' }, body(Buffer.from(`${LINE}\n`)), { ...options, headerlessPrefixes: ['first/', 'second/'] });
    assert.equal(read.kind === 'read' && read.format, 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status');
    assert.deepEqual((await batchesOf(read)).flatMap((b) => b.ops.map((o) => o.index)), ['vpcflowlogs-2014.12.14']);
  });

  it('gives the header of a flow log as its format', async () => {
    const read = await readObject({ bucket: 'b', key: FLOW_KEY }, body(gzipSync(`${HEADER}\n${LINE}\n`)), options);
    assert.equal(read.kind === 'read' && read.format, HEADER);
  });

  it('refuses a bad header-less format by its setting name', () => {
    assert.throws(() => flowFormatOf({ flowFormat: 'version' }), { message: /^FLOW_FORMAT: format string token "version" is not of the form \$\{field\}$/ });
    assert.deepEqual(flowFormatOf({}).fields.join(' '), HEADER);
  });
});

describe('readObject errors', () => {
  it('passes an object of exactly MAX_OBJECT_BYTES, and stops one byte more', async () => {
    const text = `${HEADER}\n${LINE}\n`;
    const size = Buffer.byteLength(text);
    assert.equal((await readAs(FLOW_KEY, text, { maxObjectBytes: size })).indices.length, 1);
    const over = async () => batchesOf(await readObject({ bucket: 'b', key: FLOW_KEY }, body(Buffer.from(text)), { ...options, maxObjectBytes: size - 1 }));
    await assert.rejects(over, permanent(`decompressed size passed MAX_OBJECT_BYTES (${size - 1} bytes): reading stopped`));
  });

  it('fails for good on corrupt compressed data, naming it', async () => {
    const gz = gzipSync(`${HEADER}\n${LINE}\n`);
    gz.fill(0x41, 10, 20);
    await assert.rejects(async () => batchesOf(await readObject({ bucket: 'b', key: FLOW_KEY }, body(gz), options)), permanent(/^corrupt or truncated compressed data: \S/));
  });

  it('fails for good on broken CloudTrail JSON and broken envelopes, keeping the reader\'s error as cause', async () => {
    const trail = await readObject({ bucket: 'b', key: TRAIL_KEY }, body(Buffer.from('{"Records": [{"a": ')), options);
    await assert.rejects(batchesOf(trail), permanent(/^not a CloudTrail log body: /, CloudTrailBodyError));
    const cwl = await readObject({ bucket: 'b', key: 'firehose/x' }, body(Buffer.from(`${ENVELOPE}{"messageType": "DATA_`)), options);
    await assert.rejects(batchesOf(cwl), permanent(/^not CloudWatch Logs envelopes after envelope 1: /, CwlEnvelopeError));
  });

  it('fails retryably when the body breaks off, before or after the first bytes', async () => {
    const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const retryable = (e: unknown) => e instanceof ObjectError && e.retryable && e.detail === 'read failed: socket hang up' && (e.cause as { code?: string }).code === 'ECONNRESET';
    await assert.rejects(readObject({ bucket: 'b', key: FLOW_KEY }, body(reset()), options), retryable);
    const later = async () => batchesOf(await readObject({ bucket: 'b', key: TRAIL_KEY }, body(Buffer.from(TRAIL.slice(0, 30)), reset()), options));
    await assert.rejects(later, retryable);
  });
});
