/**
 * The sink's calls to OpenSearch: the `_bulk` transport (body sent as is or gzipped, statuses returned as
 * values, no answer thrown), the health probe and the start-up check, with their exact texts for
 * each answer. A loopback stand-in plays the node; a closed port plays a node that is down.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Client } from '@opensearch-project/opensearch';
import { loadConfig } from '../../../src/config/load.js';
import { configHint } from '../../../src/sink/bulk-result.js';
import { bulkTransport, createOpenSearchClient, openSearchProblem, OpenSearchUnavailable, probeOpenSearch, requireOpenSearch } from '../../../src/sink/opensearch.js';
import { loopbackOpenSearch, type LoopbackOpenSearch } from '../../helpers/loopback-opensearch.js';
import { freePort } from '../../helpers/net.js';

const clientAt = (url: string): Client => createOpenSearchClient(loadConfig({ OPENSEARCH_URL: url }, {}));

let node: LoopbackOpenSearch;
let client: Client;
/** A URL where nothing listens, and a client for it. */
let downUrl: string;
let down: Client;
before(async () => {
  node = await loopbackOpenSearch();
  client = clientAt(node.url);
  downUrl = `http://127.0.0.1:${await freePort()}`;
  down = clientAt(downUrl);
});
after(() => node.close());
beforeEach(() => {
  node.received.length = 0;
  node.answers = {};
});

describe('bulkTransport', () => {
  const text = '{"create":{"_index":"logs","_id":"a"}}\n{"n":1}\n';
  const body = Buffer.from(text);

  const answer = { errors: false, items: [{ create: { status: 201 } }] };

  it('POSTs the NDJSON body as is to /_bulk, asking only for what the classification reads, and returns the answer\'s text', async () => {
    node.answers = { 'POST /_bulk': { status: 200, body: answer } };
    assert.deepEqual(await bulkTransport(client)(body), { statusCode: 200, body: JSON.stringify(answer) });
    assert.deepEqual(node.received.map((r) => [r.method, r.url, r.body]), [['POST', '/_bulk?filter_path=errors%2Citems.*.status%2Citems.*.error', text]]);
  });

  it('gzips the body at the fastest level with OPENSEARCH_COMPRESSION=gzip, and sends it as it is by default', async () => {
    node.answers = { 'POST /_bulk': { status: 200, body: answer } };
    await bulkTransport(client, 'gzip')(body);
    await bulkTransport(client)(body);
    const [gzipped, plain] = node.received;
    assert.deepEqual([gzipped?.headers['content-encoding'], gzipped?.body, gzipped?.wire.subarray(0, 2)], ['gzip', text, Buffer.from([0x1f, 0x8b])]);
    // The gzip header's XFL byte: 4 when zlib used its fastest level.
    assert.equal(gzipped?.wire[8], 4);
    assert.deepEqual([plain?.headers['content-encoding'], plain?.wire], [undefined, body]);
  });

  it('returns an HTTP error status with its body instead of throwing', async () => {
    const error = { error: { type: 'es_rejected_execution_exception' }, status: 429 };
    node.answers = { 'POST /_bulk': { status: 429, body: error } };
    assert.deepEqual(await bulkTransport(client)(body), { statusCode: 429, body: JSON.stringify(error) });
  });

  for (const encoding of ['gzip', 'deflate'] as const) {
    it(`inflates an answer a server sent with content-encoding ${encoding}`, async () => {
      node.answers = { 'POST /_bulk': { status: 200, body: answer, encoding } };
      assert.deepEqual(await bulkTransport(client)(body), { statusCode: 200, body: JSON.stringify(answer) });
    });
  }

  it('gives up on an answer whose body stops short, naming it, and closes that connection', { timeout: 5000 }, async () => {
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    node.answers = { 'POST /_bulk': { status: 200, body: answer, stall: true, onClose: closed } };
    await assert.rejects(bulkTransport(client, 'none', 200)(body), { message: "the _bulk answer's body did not end within 0.2 s of its headers" });
    await connectionClosed;
  });

  it('throws when there is no answer at all', async () => {
    await assert.rejects(bulkTransport(down)(body), { name: 'ConnectionError', message: new RegExp(`ECONNREFUSED ${downUrl.slice('http://'.length)}`) });
  });
});

describe('probeOpenSearch', () => {
  it('is healthy when the index exists, and when it does not exist yet', async () => {
    node.answers = { 'HEAD /logs-a': { status: 200 }, 'HEAD /logs-b': { status: 404 } };
    assert.equal(await probeOpenSearch(client, 'logs-a'), undefined);
    assert.equal(await probeOpenSearch(client, 'logs-b'), undefined);
    assert.deepEqual(node.received.map((r) => `${r.method} ${r.url}`), ['HEAD /logs-a', 'HEAD /logs-b']);
  });

  it('says what to check when the credentials or permissions are refused', async () => {
    node.answers = { 'HEAD /logs-a': { status: 401 }, 'HEAD /logs-b': { status: 403 } };
    assert.equal(await probeOpenSearch(client, 'logs-a'), `OpenSearch answered HEAD /logs-a with HTTP 401: ${configHint(401)}`);
    assert.equal(await probeOpenSearch(client, 'logs-b'), `OpenSearch answered HEAD /logs-b with HTTP 403: ${configHint(403)}`);
  });

  it('names any other error status alone', async () => {
    node.answers = { 'HEAD /logs': { status: 503 } };
    assert.equal(await probeOpenSearch(client, 'logs'), 'OpenSearch answered HEAD /logs with HTTP 503');
  });

  it('describes a node that does not answer', async () => {
    assert.match(await probeOpenSearch(down, 'logs') ?? '', new RegExp(`^ConnectionError: connect ECONNREFUSED ${downUrl.slice('http://'.length)}`));
  });
});

describe('openSearchProblem and requireOpenSearch', () => {
  it('any HTTP answer but 401 counts as an answer', async () => {
    for (const status of [200, 403, 404, 500]) {
      node.answers = { 'GET /': { status, body: {} } };
      assert.equal(await openSearchProblem(client, node.url), undefined, `HTTP ${status}`);
      await requireOpenSearch(client, node.url);
    }
    assert.deepEqual([...new Set(node.received.map((r) => `${r.method} ${r.url}`))], ['GET /']);
  });

  it('401: the credentials were refused, naming every setting that could mend it', async () => {
    node.answers = { 'GET /': { status: 401, body: {} } };
    const expected = `OpenSearch at ${node.url} (OPENSEARCH_URL) refused our credentials (GET ${node.url}/: HTTP 401): check OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD (or OPENSEARCH_PASSWORD_FILE), or OPENSEARCH_AUTH`;
    assert.equal(await openSearchProblem(client, node.url), expected);
    await assert.rejects(requireOpenSearch(client, node.url), (err) => {
      assert.ok(err instanceof OpenSearchUnavailable);
      assert.equal(err.name, 'OpenSearchUnavailable');
      assert.equal(err.message, expected);
      return true;
    });
  });

  it('no answer: names OPENSEARCH_URL, the URL tried and how to start the local stack', async () => {
    const problem = (await openSearchProblem(down, downUrl)) ?? '';
    const prefix = `OpenSearch does not answer at ${downUrl} (OPENSEARCH_URL, or --opensearch-url; tried GET ${downUrl}/: `;
    const suffix = '): start it (the local stack: npm run stack:up) or point OPENSEARCH_URL at it';
    assert.ok(problem.startsWith(prefix), problem);
    assert.ok(problem.endsWith(suffix), problem);
    assert.match(problem.slice(prefix.length, -suffix.length), new RegExp(`^connect ECONNREFUSED ${downUrl.slice('http://'.length)}$`));
    await assert.rejects(requireOpenSearch(down, downUrl), { name: 'OpenSearchUnavailable', message: problem });
  });
});
