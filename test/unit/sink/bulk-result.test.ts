import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  classifyBulkResponse,
  classifyItem,
  classifyTransportError,
  ItemVerdictStatus,
  RequestVerdictKind,
  type ItemVerdict,
} from '../../../src/sink/bulk-result.js';

const item = (status: number, type?: string, reason = 'some reason', extra: Record<string, unknown> = {}) => ({
  create: { _index: 'i', _id: 'x', status, ...(type === undefined ? {} : { error: { type, reason, ...extra } }) },
});

describe('classifyItem', () => {
  const table: Array<[string, unknown, ItemVerdict]> = [
    ['201 is created', item(201), { status: 'created' }],
    ['200 is created', item(200), { status: 'created' }],
    ['409 version conflict is exists: an earlier delivery wrote it', item(409, 'version_conflict_engine_exception'), { status: 'exists' }],
    ['429 is retried', item(429, 'es_rejected_execution_exception', 'queue full'), { status: 'retry', error: 'es_rejected_execution_exception: queue full' }],
    ['503 is retried', item(503, 'unavailable_shards_exception', 'primary shard is not active'), { status: 'retry', error: 'unavailable_shards_exception: primary shard is not active' }],
    ['500 without an error object is retried', item(500), { status: 'retry', error: 'HTTP 500' }],
    ['400 mapper_parsing is rejected', item(400, 'mapper_parsing_exception', 'failed to parse field [port]'), { status: 'rejected', error: 'mapper_parsing_exception: failed to parse field [port]' }],
    ['400 illegal_argument is rejected', item(400, 'illegal_argument_exception', 'id is too long'), { status: 'rejected', error: 'illegal_argument_exception: id is too long' }],
    ['413 document too large is rejected', item(413, 'document_too_large', 'too big'), { status: 'rejected', error: 'document_too_large: too big' }],
    // Mended by an operator (the index, the role, the block), never by changing the document: retried, not dead-lettered.
    ['404 index not found is retried', item(404, 'index_not_found_exception', 'no such index'), { status: 'retry', error: 'index_not_found_exception: no such index' }],
    ['403 security_exception is retried', item(403, 'security_exception', 'no permissions for [indices:admin/create]'), { status: 'retry', error: 'security_exception: no permissions for [indices:admin/create]' }],
    ['403 write block is retried', item(403, 'cluster_block_exception', 'index [x] blocked by: [FORBIDDEN/8/index write (api)];'), { status: 'retry', error: 'cluster_block_exception: index [x] blocked by: [FORBIDDEN/8/index write (api)];' }],
    ['401 is retried', item(401, 'security_exception', 'missing authentication credentials'), { status: 'retry', error: 'security_exception: missing authentication credentials' }],
    ['any other 409 is rejected', item(409, 'something_else', 'conflict'), { status: 'rejected', error: 'something_else: conflict' }],
    ['an item without a status is retried', { create: {} }, { status: 'retry', error: 'malformed _bulk item: {"create":{}}' }],
    ['a non-object item is retried', null, { status: 'retry', error: 'malformed _bulk item: null' }],
  ];
  for (const [name, input, expected] of table) {
    it(name, () => assert.deepEqual(classifyItem(input), expected));
  }

  it('adds caused_by to the reason', () => {
    const verdict = classifyItem(item(400, 'mapper_parsing_exception', 'failed to parse field [port]', {
      caused_by: { type: 'number_format_exception', reason: 'For input string: "x"' },
    }));
    assert.deepEqual(verdict, {
      status: 'rejected',
      error: 'mapper_parsing_exception: failed to parse field [port] (caused by number_format_exception: For input string: "x")',
    });
  });

  it('reads items trimmed by filter_path (no _index/_id) and other action keys', () => {
    assert.deepEqual(classifyItem({ create: { status: 201 } }), { status: 'created' });
    assert.deepEqual(classifyItem({ index: { status: 429 } }), { status: 'retry', error: 'HTTP 429' });
  });
});

describe('classifyBulkResponse', () => {
  it('matches items to operations by position', () => {
    const body = { errors: true, items: [item(201), item(409, 'version_conflict_engine_exception'), item(400, 'mapper_parsing_exception', 'bad')] };
    assert.deepEqual(classifyBulkResponse({ statusCode: 200, body }, 3), {
      kind: RequestVerdictKind.items,
      items: [{ status: 'created' }, { status: 'exists' }, { status: 'rejected', error: 'mapper_parsing_exception: bad' }],
    });
  });

  it('parses a body that arrives as a JSON string', () => {
    const verdict = classifyBulkResponse({ statusCode: 200, body: JSON.stringify({ errors: false, items: [item(201)] }) }, 1);
    assert.deepEqual(verdict, { kind: RequestVerdictKind.items, items: [{ status: ItemVerdictStatus.created }] });
  });

  it('reads an answer without failures from its text, without parsing it', () => {
    const text = JSON.stringify({ errors: false, items: [{ create: { status: 201 } }, { create: { status: 201 } }] });
    const parse = mock.method(JSON, 'parse');
    try {
      assert.deepEqual(classifyBulkResponse({ statusCode: 200, body: text }, 2), { kind: RequestVerdictKind.items, items: [{ status: 'created' }, { status: 'created' }] });
      assert.equal(parse.mock.callCount(), 0);
    } finally {
      parse.mock.restore();
    }
  });

  it('classifies any answer as text as it classifies the answer parsed', () => {
    // Items as OpenSearch writes them, trimmed by filter_path or not; reasons that quote "status": too.
    const reason = fc.constantFrom('queue full', 'field "status": bad', '{"status":409}', 'a \\"status\\": b');
    const failed = fc.record({ status: fc.constantFrom(400, 404, 409, 429, 500, 503), type: fc.constantFrom('version_conflict_engine_exception', 'mapper_parsing_exception', 'x'), reason })
      .map(({ status, type, reason: r }) => ({ create: { status, error: { type, reason: r } } }));
    const succeeded = fc.record({ action: fc.constantFrom('create', 'index'), status: fc.constantFrom(200, 201), full: fc.boolean() })
      .map(({ action, status, full }) => ({ [action]: full ? { _index: 'vpcflowlogs-2026.11.22', _id: 'a"status":b', _version: 1, result: 'created', _shards: { total: 1, successful: 1, failed: 0 }, status } : { status } }));
    fc.assert(
      fc.property(fc.array(fc.oneof(succeeded, failed), { maxLength: 12 }), fc.boolean(), fc.integer({ min: -1, max: 1 }), (items, took, off) => {
        const errors = items.some((i) => 'error' in (Object.values(i)[0] as object));
        const answer = took ? { took: 3, errors, items } : { errors, items };
        const expected = Math.max(0, items.length + off);
        assert.deepEqual(classifyBulkResponse({ statusCode: 200, body: JSON.stringify(answer) }, expected), classifyBulkResponse({ statusCode: 200, body: answer }, expected));
      }),
    );
  });

  it('retries a 2xx whose items do not match the operations sent', () => {
    const verdict = classifyBulkResponse({ statusCode: 200, body: { errors: false, items: [item(201)] } }, 2);
    assert.equal(verdict.kind, RequestVerdictKind.retry);
    assert.match('error' in verdict ? verdict.error : '', /expected 2 items, got 1 items/);
    assert.equal(classifyBulkResponse({ statusCode: 200, body: 'not json' }, 1).kind, RequestVerdictKind.retry);
  });

  for (const statusCode of [429, 500, 502, 503, 504, 408]) {
    it(`retries the whole request on HTTP ${statusCode}`, () => {
      const verdict = classifyBulkResponse({ statusCode, body: { error: { type: 't', reason: 'r' }, status: statusCode } }, 5);
      assert.deepEqual(verdict, { kind: RequestVerdictKind.retry, error: `OpenSearch answered the _bulk request with HTTP ${statusCode} (t: r)` });
    });
  }

  it('quotes the start of a proxy HTML error page', () => {
    const verdict = classifyBulkResponse({ statusCode: 502, body: `<html>Bad Gateway${'x'.repeat(1000)}</html>` }, 1);
    assert.ok('error' in verdict && verdict.error.includes('<html>Bad Gateway') && verdict.error.length < 400, JSON.stringify(verdict));
  });

  it('asks to split on HTTP 413', () => {
    const verdict = classifyBulkResponse({ statusCode: 413, body: '' }, 4);
    assert.equal(verdict.kind, RequestVerdictKind.split);
    assert.match('error' in verdict ? verdict.error : '', /HTTP 413.*http\.max_content_length/);
  });

  for (const [statusCode, hint] of [[401, /OPENSEARCH_PASSWORD_FILE/], [403, /permissions/]] as const) {
    it(`retries HTTP ${statusCode} as a whole request (the worker pauses until an operator mends it), saying what to check`, () => {
      const body = { error: { type: 'security_exception', reason: 'no permissions for [indices:data/write/bulk]' }, status: statusCode };
      const verdict = classifyBulkResponse({ statusCode, body }, 3);
      assert.equal(verdict.kind, RequestVerdictKind.retry);
      const error = 'error' in verdict ? verdict.error : '';
      assert.match(error, new RegExp(`HTTP ${statusCode} \\(security_exception: no permissions`));
      assert.match(error, hint);
    });
  }

  for (const [statusCode, hint] of [[400, /request format/], [404, /endpoint URL/]] as const) {
    it(`does not retry HTTP ${statusCode}: a configuration problem`, () => {
      const body = { error: { type: 'security_exception', reason: 'no permissions for [indices:data/write/bulk]' }, status: statusCode };
      const verdict = classifyBulkResponse({ statusCode, body }, 3);
      assert.equal(verdict.kind, RequestVerdictKind.fatal);
      const error = 'error' in verdict ? verdict.error : '';
      assert.match(error, new RegExp(`HTTP ${statusCode} \\(security_exception: no permissions`));
      assert.match(error, /configuration problem/);
      assert.match(error, hint);
    });
  }

  it('quotes AWS front-end messages', () => {
    const verdict = classifyBulkResponse({ statusCode: 403, body: { Message: 'User: anonymous is not authorized' } }, 1);
    assert.match('error' in verdict ? verdict.error : '', /HTTP 403 \(User: anonymous is not authorized\)/);
  });
});

const withCode = (message: string, code: string, name = 'Error'): Error => Object.assign(new Error(message), { code, name });

describe('classifyTransportError', () => {
  it('retries connection errors and names the code', () => {
    for (const err of [
      withCode('connect ECONNREFUSED 127.0.0.1:9200', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      withCode('socket hang up', 'ECONNRESET'),
      Object.assign(new Error('Request timed out'), { name: 'TimeoutError' }),
      withCode('getaddrinfo EAI_AGAIN search.local', 'EAI_AGAIN'),
    ]) {
      const verdict = classifyTransportError(err);
      assert.equal(verdict.kind, RequestVerdictKind.retry);
      assert.ok('error' in verdict && verdict.error.includes(err.message), JSON.stringify(verdict));
    }
  });

  it('finds the socket error in a fetch-style cause chain', () => {
    const err = new TypeError('fetch failed', { cause: withCode('connect ECONNREFUSED ::1:9200', 'ECONNREFUSED') });
    const verdict = classifyTransportError(err);
    assert.equal(verdict.kind, RequestVerdictKind.retry);
    assert.match('error' in verdict ? verdict.error : '', /TypeError: fetch failed <- Error: connect ECONNREFUSED ::1:9200 \[ECONNREFUSED\]/);
  });

  it('retries whatever non-Error was thrown', () => {
    assert.deepEqual(classifyTransportError('boom'), { kind: RequestVerdictKind.retry, error: 'no answer to the _bulk request: boom' });
  });

  it('retries certificate errors as a whole request (the worker pauses), naming the CA setting; never goes insecure', () => {
    for (const code of ['CERT_HAS_EXPIRED', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']) {
      const verdict = classifyTransportError(withCode('certificate problem', code));
      assert.equal(verdict.kind, RequestVerdictKind.retry);
      assert.match('error' in verdict ? verdict.error : '', new RegExp(`TLS certificate of OpenSearch not trusted: .*${code}.*OPENSEARCH_CA_FILE`));
    }
  });

  it('recognises a certificate failure by its OpenSSL text when the client dropped the code', () => {
    const verdict = classifyTransportError(Object.assign(new Error('unable to verify the first certificate'), { name: 'ConnectionError' }));
    assert.match('error' in verdict ? verdict.error : '', /TLS certificate of OpenSearch not trusted: ConnectionError: unable to verify the first certificate: set OPENSEARCH_CA_FILE/);
  });
});
