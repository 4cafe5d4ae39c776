import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messageOf } from '../../../src/core/errors.js';
import { redactDeep, redactUrls } from '../../../src/core/redact.js';

describe('redactUrls', () => {
  const cases: Array<[string, string]> = [
    ['OPENSEARCH_URL = "https://admin:S3cr3t@os.example:9200"', 'OPENSEARCH_URL = "https://[redacted]@os.example:9200"'],
    ['http://user@host/path', 'http://[redacted]@host/path'],
    // An unescaped @ in the password: everything up to the authority's last @ goes.
    ['https://a:b@c@host/x and mail me@example.com', 'https://[redacted]@host/x and mail me@example.com'],
    ['two: http://a:b@h1 https://c:d@h2/', 'two: http://[redacted]@h1 https://[redacted]@h2/'],
    ['no userinfo: https://host/p@th?q=a@b s3://bucket/key@x', 'no userinfo: https://host/p@th?q=a@b s3://bucket/key@x'],
  ];
  for (const [input, output] of cases) it(JSON.stringify(input), () => assert.equal(redactUrls(input), output));
});

describe('redactDeep and messageOf', () => {
  it('cut userinfo from every string of a log object and from error messages', () => {
    const err = new Error('connect to https://admin:pw@os:9200 failed');
    assert.equal(messageOf(err), 'connect to https://[redacted]@os:9200 failed');
    const out = redactDeep({ url: 'https://u:p@h', nested: [{ e: err }], n: 1 }) as { url: string; nested: Array<{ e: Error }>; n: number };
    assert.equal(out.url, 'https://[redacted]@h');
    assert.equal(out.nested[0]?.e.message, 'connect to https://[redacted]@os:9200 failed');
    assert.doesNotMatch(out.nested[0]?.e.stack ?? '', /admin:pw/);
    assert.equal(out.n, 1);
  });
});
