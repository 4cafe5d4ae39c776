/**
 * The OpenSearch client as configured: what goes over the wire (exact requests, authentication
 * headers, no compression of its own, no retries), TLS verification on by default with a private CA accepted through
 * OPENSEARCH_CA_FILE, and errors that name the setting. A loopback stand-in plays the node.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createOpenSearchClient, openSearchProblem, probeOpenSearch } from '../../../src/sink/opensearch.js';
import { loopbackForSuite, loopbackOpenSearch, selfSignedCertificate, type LoopbackOpenSearch, type TestCertificate } from '../../helpers/loopback-opensearch.js';

const dir = mkdtempSync(join(tmpdir(), 'opensearch-client-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A client for the stand-in from settings as the environment gives them, and the log lines it wrote. */
function clientFor(node: LoopbackOpenSearch, env: Record<string, string> = {}) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', 'test', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const client = createOpenSearchClient(loadConfig({ OPENSEARCH_URL: node.url, ...env }, {}), logger);
  return { client, lines };
}

describe('createOpenSearchClient over HTTP', () => {
  const node = loopbackForSuite();
  beforeEach(() => {
    node.answers = { 'GET /': { status: 200, body: { version: { number: '2.19.3' } } }, 'HEAD /logs': { status: 200 } };
  });

  it('sends no credentials without a username, and logs nothing', async () => {
    const { client, lines } = clientFor(node);
    await client.info();
    assert.equal(node.received.length, 1);
    assert.equal(node.received[0]?.headers.authorization, undefined);
    assert.deepEqual(lines, []);
  });

  it('sends basic credentials with every request, never in a log line', async () => {
    const { client, lines } = clientFor(node, { OPENSEARCH_USERNAME: 'worker', OPENSEARCH_PASSWORD: 's3cret' });
    await client.info();
    assert.equal(await probeOpenSearch(client, 'logs'), undefined);
    assert.deepEqual(node.received.map((r) => [r.method, r.url, r.headers.authorization]), [
      ['GET', '/', basic('worker', 's3cret')],
      ['HEAD', '/logs', basic('worker', 's3cret')],
    ]);
    assert.deepEqual(lines, []);
  });

  it('reads a password file again when probing, so a rotated password is sent from then on', async () => {
    const file = join(dir, 'password');
    writeFileSync(file, 'first\n');
    const { client } = clientFor(node, { OPENSEARCH_USERNAME: 'worker', OPENSEARCH_PASSWORD_FILE: file });
    await client.info();
    writeFileSync(file, 'second\n');
    await client.info();
    assert.equal(await probeOpenSearch(client, 'logs'), undefined);
    await client.info();
    assert.deepEqual(node.received.map((r) => r.headers.authorization), [basic('worker', 'first'), basic('worker', 'first'), basic('worker', 'second'), basic('worker', 'second')]);
  });

  it('a password file gone since the start makes the probe fail, naming the setting, without a request', async () => {
    const file = join(dir, 'vanishing');
    writeFileSync(file, 'first\n');
    const { client } = clientFor(node, { OPENSEARCH_USERNAME: 'worker', OPENSEARCH_PASSWORD_FILE: file });
    rmSync(file);
    assert.equal(await probeOpenSearch(client, 'logs'), `Error: OPENSEARCH_PASSWORD_FILE ${file} cannot be read (ENOENT)`);
    assert.deepEqual(node.received, []);
  });

  it('a missing password file fails at once, naming the setting', () => {
    assert.throws(() => clientFor(node, { OPENSEARCH_USERNAME: 'worker', OPENSEARCH_PASSWORD_FILE: join(dir, 'absent') }), /^Error: OPENSEARCH_PASSWORD_FILE .*absent cannot be read \(ENOENT\)$/);
  });

  it('signs with SigV4 for the configured region and service, from the default credential chain', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_EC2_METADATA_DISABLED: 'true' });
    delete process.env['AWS_SESSION_TOKEN'];
    delete process.env['AWS_PROFILE'];
    try {
      for (const service of ['es', 'aoss']) {
        node.received.length = 0;
        const { client } = clientFor(node, { OPENSEARCH_AUTH: 'sigv4', AWS_REGION: 'eu-west-3', OPENSEARCH_SIGV4_SERVICE: service });
        await client.info();
        const auth = String(node.received[0]?.headers.authorization);
        assert.match(auth, new RegExp(`^AWS4-HMAC-SHA256 Credential=test/\\d{8}/eu-west-3/${service}/aws4_request, SignedHeaders=`));
        assert.match(String(node.received[0]?.headers['x-amz-date']), /^\d{8}T\d{6}Z$/);
      }
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it('never retries by itself: one request per call, even for a 502', async () => {
    node.answers = { 'GET /': { status: 502, body: { message: 'bad gateway' } } };
    const { client } = clientFor(node);
    await assert.rejects(client.info(), { name: 'ResponseError' });
    assert.equal(node.received.length, 1);
  });

  it('sends request bodies as they are, whatever OPENSEARCH_COMPRESSION says (it is for `_bulk` bodies)', async () => {
    node.answers = { 'POST /logs/_search': { status: 200, body: { hits: { hits: [] } } } };
    for (const env of [{}, { OPENSEARCH_COMPRESSION: 'gzip' }] as Record<string, string>[]) await clientFor(node, env).client.search({ index: 'logs', body: { size: 0 } });
    assert.deepEqual(node.received.map((r) => [r.headers['content-encoding'], r.wire.toString()]), [[undefined, '{"size":0}'], [undefined, '{"size":0}']]);
  });
});

describe('createOpenSearchClient over HTTPS', () => {
  let certificate: TestCertificate;
  let node: LoopbackOpenSearch;
  before(async () => {
    certificate = await selfSignedCertificate();
    node = await loopbackOpenSearch(certificate);
  });
  after(async () => {
    await node.close();
    await certificate.remove();
  });
  beforeEach(() => {
    node.answers = { 'GET /': { status: 200, body: { version: { number: '2.19.3' } } } };
  });
  afterEach(() => {
    node.received.length = 0;
  });

  it('verifies the certificate by default: a private CA is refused, naming OPENSEARCH_CA_FILE', async () => {
    const { client, lines } = clientFor(node);
    const problem = await openSearchProblem(client, node.url);
    assert.match(problem ?? '', /^OpenSearch does not answer at https:\/\/127\.0\.0\.1:\d+ \(OPENSEARCH_URL, or --opensearch-url; tried GET https:\/\/127\.0\.0\.1:\d+\/: TLS certificate of OpenSearch not trusted: .*self[- ]signed certificate.*: set OPENSEARCH_CA_FILE to the CA that signed it, or fix the endpoint's name\)/);
    assert.deepEqual(node.received, [], 'nothing reached the server');
    assert.deepEqual(lines, []);
  });

  it('trusts the CA bundle of OPENSEARCH_CA_FILE, with verification still on', async () => {
    const { client, lines } = clientFor(node, { OPENSEARCH_CA_FILE: certificate.certFile });
    assert.equal(await openSearchProblem(client, node.url), undefined);
    assert.equal(node.received.length, 1);
    assert.deepEqual(lines, []);
  });

  it('an unreadable CA file fails at once, naming the setting, the file and the reason', () => {
    const missing = join(dir, 'no-ca.pem');
    assert.throws(() => clientFor(node, { OPENSEARCH_CA_FILE: missing }), { message: `OPENSEARCH_CA_FILE ${missing} cannot be read (ENOENT)` });
    assert.throws(() => clientFor(node, { OPENSEARCH_CA_FILE: dir }), { message: `OPENSEARCH_CA_FILE ${dir} cannot be read (EISDIR)` });
  });

  it('OPENSEARCH_TLS_INSECURE turns verification off, with a warning naming the URL', async () => {
    const { client, lines } = clientFor(node, { OPENSEARCH_TLS_INSECURE: 'true' });
    assert.equal(await openSearchProblem(client, node.url), undefined);
    assert.equal(node.received.length, 1);
    assert.deepEqual(lines.map((l) => [l['level'], l['url'], l['msg']]), [[40, node.url, 'TLS certificate verification is OFF for OpenSearch (OPENSEARCH_TLS_INSECURE)']]);
  });
});
