/**
 * The suite's last check (scripts/test.sh runs it after the integration tests, passed or not):
 * neither the node nor the emulator holds anything a test made. Tests name everything `t-<hex>…` (newStack)
 * or `cttest-…` (the CloudTrail mapping test), so anything by those names is a leftover; the
 * user's own data (the demo's `demo-…`) is never looked at.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { awsClients } from '../../src/context.js';
import { loadConfig } from '../../src/config/load.js';
import { createOpenSearchClient } from '../../src/sink/opensearch.js';
import { findNamed } from '../helpers/cleanup.js';
import '../helpers/stack.js';

const TEST_PREFIXES = ['t-', 'cttest-'];

describe('after the integration tests', () => {
  it('the node and the emulator hold no test index, template, bucket, topic or queue', async () => {
    const config = loadConfig(process.env);
    const found = await findNamed(awsClients(config), createOpenSearchClient(config), TEST_PREFIXES);
    const empty = { indices: [], templates: [], buckets: [], topics: [], queues: [] };
    assert.deepEqual(found, empty,
      `a test left these behind (names starting ${TEST_PREFIXES.join(' or ')}); a test must remove what it makes, also when it fails`);
  });
});
