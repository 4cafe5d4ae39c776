/**
 * assemblePipeline's wiring, against one loopback HTTP server that plays OpenSearch (`_bulk`) and
 * S3 (path-style GetObject): document ids kept or left out, the one explanation when OpenSearch
 * refuses ids, the warnings for retries and stalled bodies, and what the metrics hear.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { loadConfig } from '../../../src/config/load.js';
import { ItemStatus, type ItemOutcome } from '../../../src/core/types.js';
import { createLogger } from '../../../src/observability/logger.js';
import { assemblePipeline, type Pipeline } from '../../../src/pipeline/assemble.js';
import type { RetryInfo } from '../../../src/sink/bulk-indexer.js';

Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_EC2_METADATA_DISABLED: 'true' });

const REFUSED = { type: 'illegal_argument_exception', reason: 'Document ID is not supported in create/index operation request' };
const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const LINE = '2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const KEY = 'AWSLogs/1/vpcflowlogs/us-east-1/2014/12/14/x.log';
const OBJECT = Buffer.from(`${HEADER}\n${`${LINE}\n`.repeat(200)}`);

interface Logged { level: number; msg: string; [field: string]: unknown }

describe('assemblePipeline', () => {
  let server: Server;
  let url: string;
  /** Action lines of every `_bulk` request, and the documents after them. */
  let actions: unknown[][] = [];
  let documents: unknown[] = [];
  /** How the next `_bulk` requests are answered (HTTP status or per-document item); then 201 each. */
  let bulkAnswers: (number | ((doc: Record<string, unknown>) => object))[] = [];
  /** When set, the first GetObject sends this many bytes and then nothing. */
  let stallAfter: number | undefined;
  let logged: Logged[] = [];
  const pipelines: Pipeline[] = [];

  const bulk = (raw: Buffer, res: ServerResponse) => {
    const lines = raw.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const docs = lines.filter((_, i) => i % 2 === 1);
    actions.push(lines.filter((_, i) => i % 2 === 0));
    documents.push(...docs);
    const answer = bulkAnswers.shift();
    if (typeof answer === 'number') return void res.writeHead(answer, { 'content-type': 'application/json' }).end('{"error":"busy"}');
    const items = docs.map((doc) => ({ create: answer ? answer(doc) : { status: 201 } }));
    // As OpenSearch says: `errors` when any item failed.
    const errors = items.some((item) => 'error' in item.create);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errors, items }));
  };
  const getObject = (req: IncomingMessage, res: ServerResponse) => {
    const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    const part = OBJECT.subarray(from);
    res.writeHead(from > 0 ? 206 : 200, { 'content-length': String(part.length), etag: '"e"', 'last-modified': new Date(0).toUTCString() });
    if (stallAfter === undefined || from > 0) return void res.end(part);
    res.write(part.subarray(0, stallAfter));
  };

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = req.headers['content-encoding'] === 'gzip' ? gunzipSync(Buffer.concat(chunks)) : Buffer.concat(chunks);
        if (req.url?.startsWith('/_bulk')) bulk(raw, res);
        else if (req.method === 'GET' && req.url?.startsWith('/b/')) getObject(req, res);
        else res.writeHead(404).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    actions = [];
    documents = [];
    bulkAnswers = [];
    stallAfter = undefined;
    logged = [];
  });
  after(async () => {
    await Promise.all(pipelines.map((p) => p.close()));
    server.closeAllConnections();
    server.close();
  });

  async function pipeline(env: Record<string, string> = {}, onRetry?: (info: RetryInfo) => void, metrics?: { bulk: number[]; s3: number[] }) {
    const config = loadConfig({ OPENSEARCH_URL: url, AWS_ENDPOINT_URL: url, AWS_REGION: 'us-east-1', PARSE_THREADS: '0', ...env });
    const logger = createLogger('warn', 'test', { write: (s: string) => void logged.push(JSON.parse(s) as Logged) });
    const made = await assemblePipeline(config, logger, onRetry, metrics && { bulkRequest: (s) => metrics.bulk.push(s), s3Read: (n) => metrics.s3.push(n) });
    pipelines.push(made);
    return made;
  }
  /** Adds documents through the pipeline's sink, then waits for every answer. */
  async function index(p: Pipeline, ids: string[]): Promise<ItemOutcome[]> {
    const outcomes: ItemOutcome[] = [];
    for (const id of ids) await p.sink.add({ index: 'logs', id, doc: { id } }, (o) => outcomes.push(o));
    await p.close();
    return outcomes;
  }

  it('sends document ids, and explains once that OpenSearch refuses them, past other rejections', async () => {
    bulkAnswers = [(doc) => (doc.id === 'a' ? { status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad' } } : doc.id === 'd' ? { status: 201 } : { status: 400, error: REFUSED })];
    const outcomes = await index(await pipeline(), ['a', 'b', 'c', 'd']);
    assert.deepEqual(actions, [['a', 'b', 'c', 'd'].map((id) => ({ create: { _index: 'logs', _id: id } }))]);
    assert.deepEqual(outcomes.map((o) => o.status), [ItemStatus.rejected, ItemStatus.rejected, ItemStatus.rejected, ItemStatus.created]);
    const errors = logged.filter((l) => l.level === 50);
    assert.equal(errors.length, 1, JSON.stringify(logged));
    assert.equal(errors[0]?.error, outcomes[1]?.error);
    assert.match(errors[0]?.msg ?? '', /^OpenSearch refuses document ids \(an OpenSearch Serverless time-series collection\): documents go to the dead-letter store\. Set OPENSEARCH_DOCUMENT_IDS=false/);
    assert.deepEqual(logged.filter((l) => l.level !== 50), []);
  });

  it('leaves ids to OpenSearch when told, and warns of duplicates at start', async () => {
    const p = await pipeline({ OPENSEARCH_DOCUMENT_IDS: 'false' });
    assert.deepEqual(logged.map((l) => l.msg), [
      'OPENSEARCH_DOCUMENT_IDS=false: OpenSearch chooses document ids, so a redelivered or re-read object is indexed again (duplicates)',
    ]);
    assert.deepEqual(await index(p, ['a']), [{ status: ItemStatus.created }]);
    assert.deepEqual(actions, [[{ create: { _index: 'logs' } }]]);
  });

  it('leaves ids out of the documents it reads from an object when told, the parse threads\' too', async () => {
    const ref = { bucket: 'b', key: KEY, region: 'us-east-1' };
    const withIds = await pipeline();
    assert.equal((await withIds.processObject(ref)).status, 'indexed');
    const expected = documents;
    assert.equal(expected.length, 200);
    for (const threads of ['0', '2']) {
      actions = [];
      documents = [];
      const p = await pipeline({ OPENSEARCH_DOCUMENT_IDS: 'false', PARSE_THREADS: threads });
      const outcome = await p.processObject(ref);
      assert.equal(outcome.status === 'indexed' && outcome.counts.created, 200, `${threads} parse threads`);
      const keys = new Set(actions.flat().map((a) => JSON.stringify(Object.keys((a as { create: object }).create))));
      assert.deepEqual([...keys], ['["_index"]'], `${threads} parse threads`);
      assert.deepEqual(documents, expected, `${threads} parse threads`);
    }
  });

  it('warns of each bulk retry and tells onRetry', async () => {
    bulkAnswers = [503];
    const heard: RetryInfo[] = [];
    const outcomes = await index(await pipeline({}, (info) => heard.push(info)), ['a']);
    assert.deepEqual(outcomes, [{ status: ItemStatus.created }]);
    assert.equal(actions.length, 2);
    assert.deepEqual(heard.map((h) => [h.attempt, h.docs]), [[1, 1]]);
    assert.deepEqual(logged.map((l) => [l.msg, l.attempt, l.docs]), [['bulk request retried', 1, 1]]);
  });

  it('reads an object from S3 into the index, telling the metrics of bytes and round trips', async () => {
    const metrics = { bulk: [] as number[], s3: [] as number[] };
    const p = await pipeline({}, undefined, metrics);
    const outcome = await p.processObject({ bucket: 'b', key: KEY, region: 'us-east-1' });
    assert.equal(outcome.status === 'indexed' && outcome.counts.created, 200);
    assert.deepEqual(metrics.s3, [OBJECT.length]);
    assert.ok(metrics.bulk.length >= 1 && metrics.bulk.every((s) => s > 0 && s < 30), JSON.stringify(metrics.bulk));
  });

  it('reads on from where a stalled body stopped, warning of it', async () => {
    stallAfter = 1000;
    const p = await pipeline({ S3_READ_TIMEOUT_MS: '100' });
    const outcome = await p.processObject({ bucket: 'b', key: KEY });
    assert.equal(outcome.status === 'indexed' && outcome.counts.created, 200);
    assert.deepEqual(logged.map((l) => [l.msg, l.object, l.offset, l.attempt]), [['S3 read stalled; reading on from where it stopped', `s3://b/${KEY}`, 1000, 1]]);
  });
});
