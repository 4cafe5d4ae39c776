import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config/load.js';

describe('loadConfig', () => {
  it('gives typed defaults from an empty environment', () => {
    const c = loadConfig({});
    assert.equal(c.opensearchUrl, 'http://127.0.0.1:9200');
    assert.equal(c.pollers, 2);
    assert.equal(c.opensearchTlsInsecure, false);
    assert.deepEqual(c.geoipCityDb, []);
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
    assert.throws(() => loadConfig({ SQS_VISIBILITY_TIMEOUT: '30', SQS_HEARTBEAT_INTERVAL: '30' }), /SQS_HEARTBEAT_INTERVAL.*below the visibility timeout/);
  });
  it('never prints the OpenSearch password, even when refusing it', () => {
    assert.throws(() => loadConfig({ OPENSEARCH_PASSWORD: 's3cr3t-value' }), (err: Error) => {
      assert.doesNotMatch(err.message, /s3cr3t-value/);
      assert.match(err.message, /needs both a username and a password/);
      return true;
    });
  });
  it('never echoes the userinfo of a URL it refuses (OPENSEARCH_URL, AWS_ENDPOINT_URL, QUEUE_URL)', () => {
    const env = {
      OPENSEARCH_URL: 'https://admin:S3cr3t@search.example:9200',
      AWS_ENDPOINT_URL: 'ftp://key:S3cr3t2@emulator',
      QUEUE_URL: 'sqs://user:S3cr3t3@queue',
    };
    assert.throws(() => loadConfig(env), (err: ConfigError) => {
      assert.doesNotMatch(err.message, /S3cr3t|admin:/);
      assert.match(err.message, /environment OPENSEARCH_URL = "https:\/\/\[redacted\]@search\.example:9200": must not carry credentials/);
      assert.match(err.message, /environment AWS_ENDPOINT_URL = "ftp:\/\/\[redacted\]@emulator"/);
      return true;
    });
  });
  it('takes the password from OPENSEARCH_PASSWORD_FILE, but not from both places', () => {
    assert.equal(loadConfig({ OPENSEARCH_USERNAME: 'u', OPENSEARCH_PASSWORD_FILE: '/run/secrets/os' }).opensearchPasswordFile, '/run/secrets/os');
    assert.throws(() => loadConfig({ OPENSEARCH_USERNAME: 'u', OPENSEARCH_PASSWORD_FILE: '/f', OPENSEARCH_PASSWORD: 'p' }), /OPENSEARCH_PASSWORD_FILE.*not both/);
    assert.throws(() => loadConfig({ OPENSEARCH_PASSWORD_FILE: '/f' }), /needs both a username and a password/);
  });
});
