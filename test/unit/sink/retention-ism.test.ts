/**
 * `setup`'s ISM install where the cluster has the Index State Management plugin (Amazon OpenSearch
 * Service): the plugin is not on Maven Central, so the local node cannot run it, and a small
 * loopback HTTP server stands in for such a cluster. The test checks the exact requests against the
 * documented ISM API: create with `PUT _plugins/_ism/policies/<id>`, update with `if_seq_no` and
 * `if_primary_term`, an `ism_template` for our index patterns. The branch without the plugin runs
 * against the real node in test/integration/prune.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import { createOpenSearchClient } from '../../../src/sink/opensearch.js';
import { installRetention } from '../../../src/sink/retention.js';
import { loopbackForSuite } from '../../helpers/loopback-opensearch.js';

const PATH = '/_plugins/_ism/policies/aws-log-indexer-retention';
const WITH_ISM = [{ name: 'n1', component: 'opensearch-index-management', version: '2.19.0.0' }, { name: 'n1', component: 'opensearch-job-scheduler', version: '2.19.0.0' }];

/** The policy body as the ISM documentation spells it, written out here so that a drift in ismPolicy shows. */
const POLICY = {
  policy: {
    description: 'aws-log-indexer: delete daily indices after 30 days',
    default_state: 'keep',
    states: [
      { name: 'keep', actions: [], transitions: [{ state_name: 'delete', conditions: { min_index_age: '30d' } }] },
      { name: 'delete', actions: [{ delete: {} }], transitions: [] },
    ],
    ism_template: [{ index_patterns: ['vpcflowlogs-*', 'cloudtrail-*'], priority: 100 }],
  },
};

describe('installRetention on a cluster with ISM (loopback stand-in)', () => {
  const node = loopbackForSuite();
  /** The requests so far, without their headers. */
  const received = () => node.received.map(({ method, url, body }) => ({ method, url, body }));

  const client = () => createOpenSearchClient(loadConfig({ OPENSEARCH_URL: node.url }, {}));

  it('creates the policy with a plain PUT when there is none', async () => {
    node.answers = {
      'GET /_cat/plugins': { status: 200, body: WITH_ISM },
      [`GET ${PATH}`]: { status: 404, body: { error: { type: 'status_exception', reason: 'Policy not found' }, status: 404 } },
      [`PUT ${PATH}`]: { status: 201, body: { _id: 'aws-log-indexer-retention', _version: 1, _primary_term: 1, _seq_no: 0, policy: POLICY } },
    };
    assert.deepEqual(await installRetention(client(), 30, ['vpcflowlogs', 'cloudtrail']), { ism: 'installed', policy: 'aws-log-indexer-retention' });
    assert.deepEqual(received(), [
      { method: 'GET', url: '/_cat/plugins?format=json', body: undefined },
      { method: 'GET', url: PATH, body: undefined },
      { method: 'PUT', url: PATH, body: POLICY },
    ]);
  });

  it('updates an existing policy naming the version it replaces (if_seq_no, if_primary_term)', async () => {
    node.answers = {
      'GET /_cat/plugins': { status: 200, body: WITH_ISM },
      [`GET ${PATH}`]: { status: 200, body: { _id: 'aws-log-indexer-retention', _version: 3, _seq_no: 7, _primary_term: 2, policy: { policy_id: 'aws-log-indexer-retention' } } },
      [`PUT ${PATH}`]: { status: 200, body: { _id: 'aws-log-indexer-retention', _version: 4, _primary_term: 2, _seq_no: 8, policy: POLICY } },
    };
    assert.deepEqual(await installRetention(client(), 30, ['vpcflowlogs', 'cloudtrail']), { ism: 'updated', policy: 'aws-log-indexer-retention' });
    assert.deepEqual(received().map((r) => `${r.method} ${r.url}`), ['GET /_cat/plugins?format=json', `GET ${PATH}`, `PUT ${PATH}?if_seq_no=7&if_primary_term=2`]);
    assert.deepEqual(received()[2]?.body, POLICY);
  });

  it('creates the policy when the answer to GET names no version', async () => {
    node.answers = {
      'GET /_cat/plugins': { status: 200, body: WITH_ISM },
      [`GET ${PATH}`]: { status: 200, body: {} },
      [`PUT ${PATH}`]: { status: 201, body: { _id: 'aws-log-indexer-retention' } },
    };
    assert.deepEqual(await installRetention(client(), 30, ['vpcflowlogs', 'cloudtrail']), { ism: 'installed', policy: 'aws-log-indexer-retention' });
    assert.deepEqual(received().map((r) => `${r.method} ${r.url}`), ['GET /_cat/plugins?format=json', `GET ${PATH}`, `PUT ${PATH}`]);
  });

  it('fails when ISM refuses the update (another writer changed the policy in between)', async () => {
    node.answers = {
      'GET /_cat/plugins': { status: 200, body: WITH_ISM },
      [`GET ${PATH}`]: { status: 200, body: { _id: 'aws-log-indexer-retention', _seq_no: 7, _primary_term: 2 } },
      [`PUT ${PATH}`]: { status: 409, body: { error: { type: 'version_conflict_engine_exception', reason: 'version conflict' }, status: 409 } },
    };
    await assert.rejects(installRetention(client(), 30, ['vpcflowlogs', 'cloudtrail']), /version_conflict_engine_exception/);
  });

  it('sends nothing to ISM where the plugin is missing', async () => {
    node.answers = { 'GET /_cat/plugins': { status: 200, body: [{ name: 'n1', component: 'opensearch-job-scheduler', version: '2.19.0.0' }] } };
    assert.deepEqual(await installRetention(client(), 30, ['vpcflowlogs', 'cloudtrail']), {
      ism: 'not available',
      advice: 'this cluster has no Index State Management plugin: run `aws-log-indexer prune --older-than 30d --yes` on a schedule instead',
    });
    assert.deepEqual(received().map((r) => r.url), ['/_cat/plugins?format=json']);
  });
});
