import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ConfigError, loadConfig, shownValue } from '../../../src/config/load.js';
import { ENV, defaultParseThreads } from '../../../src/config/schema.js';
import { availableParallelism } from 'node:os';

/** Values people type by mistake, and values no one types: empty, blank, half URLs, unicode, numbers, controls. */
const oddValue = fc.oneof(
  fc.constantFrom('', ' ', '   ', 'not-a-url', 'http://', 'https://', 'http://:0', 'ftp://example.com', '0', '-1', '1e309', 'NaN', '9'.repeat(400),
    'http://ü.例え/', '\u202ehttp://evil', 'http://[::1', 'http://user:pw@', '${x', 'true', 'yes'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.integer().map(String),
);
const settingName = fc.constantFrom(...(Object.keys(ENV) as (keyof typeof ENV)[]));

describe('loadConfig', () => {
  it('gives typed defaults from an empty environment', () => {
    const c = loadConfig({});
    assert.equal(c.opensearchUrl, 'http://127.0.0.1:9200');
    assert.equal(c.pollers, 16);
    assert.equal(c.opensearchTlsInsecure, false);
    assert.deepEqual(c.geoipCityDb, []);
    assert.equal(c.parseThreads, defaultParseThreads(availableParallelism()));
  });
  it('parses on one thread per core by default, and on the main thread alone on a single core', () => {
    assert.deepEqual([1, 2, 4, 16].map(defaultParseThreads), [0, 2, 4, 16]);
  });
  it('reads the environment and lets flags win', () => {
    const c = loadConfig({ WORKER_POLLERS: '4', GEOIP_CITY_DB: 'a.mmdb, b.mmdb' }, { pollers: '6' });
    assert.equal(c.pollers, 6);
    assert.deepEqual(c.geoipCityDb, ['a.mmdb', 'b.mmdb']);
  });
  it('names every bad value and where it came from', () => {
    assert.throws(() => loadConfig({ QUEUE_URL: 'nope', INDEX_PREFIX: 'Bad Name' }, { pollers: '0' }), (err: ConfigError) => {
      assert.match(err.message, /environment QUEUE_URL = "nope": must be an http/);
      assert.match(err.message, /environment INDEX_PREFIX = "Bad Name"/);
      assert.match(err.message, /flag --pollers = "0"/);
      return true;
    });
  });
  it('refuses a heartbeat that is not shorter than the visibility timeout', () => {
    assert.throws(() => loadConfig({ SQS_VISIBILITY_TIMEOUT: '30', SQS_HEARTBEAT_INTERVAL: '30' }), /SQS_HEARTBEAT_INTERVAL.*below SQS_VISIBILITY_TIMEOUT/);
  });
  it('never prints the OpenSearch password, even when refusing it', () => {
    assert.throws(() => loadConfig({ OPENSEARCH_PASSWORD: 's3cr3t-value' }), (err: Error) => {
      assert.doesNotMatch(err.message, /s3cr3t-value/);
      assert.match(err.message, /needs both OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD/);
      return true;
    });
  });
  it('refuses a URL that is no URL with an error naming the variable, not a TypeError', () => {
    for (const value of ['not-a-url', 'http://', ' ', 'http://[::1', '12345']) {
      assert.throws(() => loadConfig({ OPENSEARCH_URL: value }), (err: Error) => {
        assert.ok(err instanceof ConfigError, `${JSON.stringify(value)}: ${err.name}: ${err.message}`);
        assert.match(err.message, /environment OPENSEARCH_URL = .*: must be an http:\/\/ or https:\/\/ URL/);
        return true;
      });
    }
  });
  it('answers any value of any setting with a Config or a ConfigError that names the variable or flag', () => {
    fc.assert(fc.property(settingName, oddValue, fc.boolean(), (name, value, asFlag) => {
      try {
        loadConfig(asFlag ? {} : { [ENV[name]]: value }, asFlag ? { [name]: value } : {});
      } catch (err) {
        assert.ok(err instanceof ConfigError, `${ENV[name]}=${JSON.stringify(value)} threw ${String(err)}`);
        const named = asFlag ? `flag --${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : `environment ${ENV[name]}`;
        for (const line of err.message.split('\n').slice(1)) assert.match(line, /^ {2}(environment [A-Z0-9_]+|flag --[a-z0-9-]+|[A-Z0-9_]+ \(not set\))[ :]/);
        // A rule about two settings may be reported at the other one, which then names this one.
        assert.ok(err.message.includes(named) || err.message.includes(ENV[name]), `${err.message} names ${named}`);
        const controls = [...err.message].filter((c) => c !== '\n' && (c < ' ' || (c >= '\u007f' && c <= '\u009f') || c === '\u202e'));
        assert.deepEqual(controls, [], 'no control character reaches the terminal');
      }
    }), { numRuns: 1000 });
  });
  it('never prints what sits before an @ in a URL (userinfo), for URL settings and any other', () => {
    for (const [name, value] of [
      ['OPENSEARCH_URL', 'http://admin:hunter2@search.example:9200'],
      ['OPENSEARCH_URL', 'htp://admin:hunter2@search.example'],
      ['OPENSEARCH_URL', 'admin:hunter2@search.example'],
      ['AWS_ENDPOINT_URL', 'http://AKIA:hunter2@localhost:4566'],
      ['QUEUE_URL', 'https://u:hun@ter2@sqs.example/1/q'],
      ['INDEX_PREFIX', 'x:hunter2@y'],
    ] as const) {
      assert.throws(() => loadConfig({ [name]: value }), (err: Error) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, new RegExp(`environment ${name} = "`));
        assert.doesNotMatch(err.message, /hunter2|hun@|admin|AKIA/);
        return true;
      });
    }
  });
  it('shows values escaped and cut', () => {
    assert.equal(shownValue('a\u001b[2Jb'), '"a\\u001b[2Jb"');
    assert.equal(shownValue('\u202etxt'), '"\\u202etxt"');
    assert.equal(shownValue('x'.repeat(200)), `"${'x'.repeat(80)}…"`);
    assert.equal(shownValue('https://u:p@host/path'), '"https://***@host/path"');
  });
  it('takes the password from OPENSEARCH_PASSWORD_FILE, but not from both places', () => {
    assert.equal(loadConfig({ OPENSEARCH_USERNAME: 'u', OPENSEARCH_PASSWORD_FILE: '/run/secrets/os' }).opensearchPasswordFile, '/run/secrets/os');
    assert.throws(() => loadConfig({ OPENSEARCH_USERNAME: 'u', OPENSEARCH_PASSWORD_FILE: '/f', OPENSEARCH_PASSWORD: 'p' }), /OPENSEARCH_PASSWORD_FILE.*not both/);
    assert.throws(() => loadConfig({ OPENSEARCH_PASSWORD_FILE: '/f' }), /needs both OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD or OPENSEARCH_PASSWORD_FILE/);
  });
  it('reads per-bucket owners and roles: one value for all, or bucket=value with *= for the rest', () => {
    const c = loadConfig({ S3_EXPECTED_BUCKET_OWNER: '111122223333', S3_ROLE_ARN: 'central=arn:aws:iam::111122223333:role/reader, *=arn:aws:iam::444455556666:role/r' });
    assert.deepEqual(c.s3ExpectedBucketOwner, { buckets: {}, fallback: '111122223333' });
    assert.deepEqual(c.s3RoleArn, { buckets: { central: 'arn:aws:iam::111122223333:role/reader' }, fallback: 'arn:aws:iam::444455556666:role/r' });
    assert.throws(() => loadConfig({ S3_EXPECTED_BUCKET_OWNER: 'logs=12345' }), /environment S3_EXPECTED_BUCKET_OWNER = .*"12345" is not a 12-digit account id/);
  });
});
