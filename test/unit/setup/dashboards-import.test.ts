/**
 * `importDashboards` against a tiny local HTTP server standing in for OpenSearch Dashboards (none
 * can run on these machines): the request's method, path, headers and multipart body, the index
 * patterns' titles following the configured names, and the errors when Dashboards does not answer
 * or refuses objects.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { INDEX_PATTERN_IDS, importDashboards } from '../../../src/setup/dashboards.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const NAMES = { flowLogPrefix: 'flows', cloudtrailPrefix: 'trail', deadLetterIndex: 'letters' };

describe('importDashboards', () => {
  let server: Server;
  let base: string;
  const received: Received[] = [];
  let answer: { status: number; body: unknown } = { status: 200, body: {} };

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  /** The file part of the last request's multipart body, parsed the way a server would. */
  async function uploaded(): Promise<{ name: string; objects: Array<{ type: string; id: string; attributes: { title: string } }> }> {
    const last = received.at(-1);
    assert.ok(last);
    const form = await new Response(last.body, { headers: { 'content-type': String(last.headers['content-type']) } }).formData();
    const file = form.get('file');
    assert.ok(file instanceof Blob && 'name' in file, 'the form has a file part named "file"');
    const text = await file.text();
    return { name: String(file.name), objects: text.trim().split('\n').map((l) => JSON.parse(l)) };
  }

  it('POSTs the saved objects as a multipart file to the import API with overwrite and osd-xsrf', async () => {
    answer = { status: 200, body: { success: true, successCount: 16 } };
    const result = await importDashboards(`${base}/dashboards`, NAMES);
    const last = received.at(-1);
    assert.ok(last);
    assert.equal(last.method, 'POST');
    assert.equal(last.url, '/dashboards/api/saved_objects/_import?overwrite=true');
    assert.equal(last.headers['osd-xsrf'], 'true');
    assert.match(String(last.headers['content-type']), /^multipart\/form-data; boundary=/);
    assert.equal(last.headers['authorization'], undefined);
    const { name, objects } = await uploaded();
    assert.equal(name, 'aws-log-indexer.ndjson');
    assert.equal(objects.length, 16);
    const titles = Object.fromEntries(objects.filter((o) => o.type === 'index-pattern').map((o) => [o.id, o.attributes.title]));
    assert.deepEqual(titles, { [INDEX_PATTERN_IDS.flowLogs]: 'flows-*', [INDEX_PATTERN_IDS.cloudtrail]: 'trail-*', [INDEX_PATTERN_IDS.deadLetters]: 'letters' });
    assert.deepEqual(result, { url: `${base}/dashboards/`, imported: 16 });
  });

  it('sends credentials from the URL as a Basic header and never shows them', async () => {
    answer = { status: 401, body: { message: 'no' } };
    const withUser = base.replace('http://', 'http://admin:s%40cret@');
    await assert.rejects(importDashboards(withUser, NAMES), (err: Error) => {
      assert.equal(err.message, `OpenSearch Dashboards at ${base}/ (--dashboards-url) refused the saved objects: HTTP 401 {"message":"no"}`);
      return true;
    });
    assert.equal(received.at(-1)?.headers['authorization'], `Basic ${Buffer.from('admin:s@cret').toString('base64')}`);
  });

  it('names the objects Dashboards refused', async () => {
    answer = { status: 200, body: { success: false, successCount: 15, errors: [{ type: 'visualization', id: 'v1', error: { type: 'missing_references' } }] } };
    await assert.rejects(importDashboards(base, NAMES), { message: `OpenSearch Dashboards at ${base}/ (--dashboards-url) refused some saved objects: visualization v1: missing_references` });
  });

  it('names the URL when Dashboards does not answer', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    closed.close();
    await once(closed, 'close');
    await assert.rejects(importDashboards(url, NAMES), (err: Error) => err.message.startsWith(`OpenSearch Dashboards does not answer at ${url}/ (--dashboards-url): `));
  });
});
