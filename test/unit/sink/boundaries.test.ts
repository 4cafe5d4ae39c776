/**
 * The sink's pure parts at their edges: status ranges at both ends, error texts exactly, the
 * cause chain's depth, the cut of long texts. (A mutation run showed these edges untested.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serializeOp } from '../../../src/sink/bulk-body.js';
import { classifyBulkResponse, classifyItem, configHint, describeTransportError, tlsProblem } from '../../../src/sink/bulk-result.js';

const item = (status: number) => ({ create: { status } });

describe('classifyItem at the edges of each status range', () => {
  const cases: Array<[number, string]> = [
    [199, 'retry'], [200, 'created'], [299, 'created'], [300, 'retry'],
    [400, 'rejected'], [401, 'retry'], [403, 'retry'], [404, 'retry'], [408, 'retry'], [429, 'retry'], [499, 'rejected'],
    [500, 'retry'], [599, 'retry'], [600, 'retry'],
  ];
  for (const [status, verdict] of cases) it(`${status} is ${verdict}`, () => assert.equal(classifyItem(item(status)).status, verdict));
  it('names the status when the error has no type', () => {
    assert.deepEqual(classifyItem({ create: { status: 400, error: { reason: 'bad' } } }), { status: 'rejected', error: 'HTTP 400: bad' });
    assert.deepEqual(classifyItem({ create: { status: 400, error: {} } }), { status: 'rejected', error: 'HTTP 400: ' });
    assert.deepEqual(classifyItem({ create: { status: 400 } }), { status: 'rejected', error: 'HTTP 400' });
  });
});

describe('classifyBulkResponse at the edges of 2xx', () => {
  const body = JSON.stringify({ errors: false, items: [item(201)] });
  it('299 reads the items; 300 and 199 do not', () => {
    assert.equal(classifyBulkResponse({ statusCode: 299, body }, 1).kind, 'items');
    assert.equal(classifyBulkResponse({ statusCode: 300, body }, 1).kind, 'fatal');
    assert.equal(classifyBulkResponse({ statusCode: 199, body }, 1).kind, 'fatal');
  });
  it('retries 408, 429 and 500 to 599 on the request; other statuses outside 2xx are fatal', () => {
    const kinds = [399, 404, 408, 429, 499, 500, 599, 600].map((statusCode) => classifyBulkResponse({ statusCode, body: undefined }, 1).kind);
    assert.deepEqual(kinds, ['fatal', 'fatal', 'retry', 'retry', 'fatal', 'retry', 'retry', 'fatal']);
  });
  it('retries a 2xx whose body holds no items, quoting what came', () => {
    const malformed = (body: unknown) => classifyBulkResponse({ statusCode: 200, body }, 1);
    assert.deepEqual(malformed('<html>oops'), { kind: 'retry', error: 'malformed _bulk response: expected 1 items, got "<html>oops"' });
    assert.deepEqual(malformed(null), { kind: 'retry', error: 'malformed _bulk response: expected 1 items, got null' });
    assert.deepEqual(malformed('null'), { kind: 'retry', error: 'malformed _bulk response: expected 1 items, got null' });
    assert.deepEqual(malformed(undefined), { kind: 'retry', error: 'malformed _bulk response: expected 1 items, got undefined' });
    assert.deepEqual(malformed({ items: [] }), { kind: 'retry', error: 'malformed _bulk response: expected 1 items, got 0 items' });
  });
  it('quotes a plain-text error body, trimmed, and says nothing of an empty one', () => {
    assert.deepEqual(classifyBulkResponse({ statusCode: 502, body: '  Bad Gateway\n' }, 1), { kind: 'retry', error: 'OpenSearch answered the _bulk request with HTTP 502 (Bad Gateway)' });
    assert.deepEqual(classifyBulkResponse({ statusCode: 502, body: '  \n' }, 1), { kind: 'retry', error: 'OpenSearch answered the _bulk request with HTTP 502' });
    assert.deepEqual(classifyBulkResponse({ statusCode: 502, body: undefined }, 1), { kind: 'retry', error: 'OpenSearch answered the _bulk request with HTTP 502' });
  });
  it("quotes AWS front ends' message and Message", () => {
    for (const key of ['message', 'Message']) {
      assert.deepEqual(classifyBulkResponse({ statusCode: 403, body: JSON.stringify({ [key]: 'User: x is not authorized' }) }, 1), {
        kind: 'retry', error: `OpenSearch refused the _bulk request with HTTP 403 (User: x is not authorized): ${configHint(403)}`,
      });
    }
  });
  it('cuts a long body at 300 characters, and keeps one of exactly 300', () => {
    const exact = 'x'.repeat(300);
    assert.deepEqual(classifyBulkResponse({ statusCode: 503, body: exact }, 1), { kind: 'retry', error: `OpenSearch answered the _bulk request with HTTP 503 (${exact})` });
    assert.deepEqual(classifyBulkResponse({ statusCode: 503, body: `${exact}y` }, 1), { kind: 'retry', error: `OpenSearch answered the _bulk request with HTTP 503 (${exact}…)` });
  });
});

describe('configHint', () => {
  it('names what to check for each refusal', () => {
    assert.equal(configHint(401), 'check the credentials (OPENSEARCH_USERNAME, OPENSEARCH_PASSWORD or OPENSEARCH_PASSWORD_FILE)');
    assert.equal(configHint(403), 'check the permissions of the user or IAM role on the indices');
    assert.equal(configHint(400), 'the endpoint rejected the request format: is it OpenSearch?');
    assert.equal(configHint(405), 'check the endpoint URL');
  });
});

describe('describeTransportError', () => {
  const chain = (depth: number): Error => {
    let err = new Error(`level ${depth}`);
    for (let d = depth - 1; d >= 0; d--) err = new Error(`level ${d}`, { cause: err });
    return err;
  };
  it('follows causes four deep, no further', () => {
    assert.equal(describeTransportError(chain(6)), 'Error: level 0 <- Error: level 1 <- Error: level 2 <- Error: level 3');
  });
  it('ends the chain at a cause of null or undefined', () => {
    assert.equal(describeTransportError(new Error('x', { cause: null })), 'Error: x');
    assert.equal(describeTransportError(new Error('x', { cause: undefined })), 'Error: x');
  });
  it('names codes, and a thrown value that is no Error', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    assert.equal(describeTransportError(err), 'Error: connect ECONNREFUSED 127.0.0.1:9 [ECONNREFUSED]');
    assert.equal(describeTransportError(new Error('fetch failed', { cause: 'socket closed' })), 'Error: fetch failed <- socket closed');
  });
  it('knows OpenSSL words for a self-signed certificate, hyphen or space, and nothing like them', () => {
    assert.match(tlsProblem(new Error('self-signed certificate in certificate chain')) ?? '', /^TLS certificate of OpenSearch not trusted/);
    assert.match(tlsProblem(new Error('self signed certificate')) ?? '', /^TLS certificate of OpenSearch not trusted/);
    assert.equal(tlsProblem(new Error('selfXsigned certificate')), undefined);
    assert.equal(tlsProblem(new Error('self-signed cert')), undefined);
  });
});

describe('serializeOp', () => {
  it('leaves _id out for an empty id (OpenSearch chooses one)', () => {
    assert.equal(serializeOp({ index: 'i', id: '', doc: { a: 1 } }), '{"create":{"_index":"i"}}\n{"a":1}\n');
    assert.equal(serializeOp({ index: 'i', id: 'x', doc: { a: 1 } }), '{"create":{"_index":"i","_id":"x"}}\n{"a":1}\n');
  });
});
