/**
 * The start-up check gives up after 5 s of silence and says so (its own file: it waits those 5 s).
 * A loopback server that accepts the connection and never answers plays a hung node.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import { createOpenSearchClient, openSearchProblem } from '../../../src/sink/opensearch.js';

describe('openSearchProblem on a node that never answers', () => {
  const open: ServerResponse[] = [];
  const server = createServer((_req, res) => void open.push(res));
  let url: string;
  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('gives up after 5 s, naming OPENSEARCH_URL and the URL it tried', { timeout: 20_000 }, async () => {
    const client = createOpenSearchClient(loadConfig({ OPENSEARCH_URL: url }, {}));
    const problem = await openSearchProblem(client, url);
    assert.equal(problem, `OpenSearch does not answer at ${url} (OPENSEARCH_URL, or --opensearch-url; tried GET ${url}/: no answer within 5 s): start it (the local stack: npm run stack:up) or point OPENSEARCH_URL at it`);
    assert.equal(open.length, 1);
  });
});
