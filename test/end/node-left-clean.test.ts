/**
 * The suite's last check (scripts/test.sh runs it after the integration tests, passed or not):
 * the node holds nothing a test made, and what a test left in the emulator is named. Tests name everything `t-<hex>…` (newStack)
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
  it('the node holds no test index or template; emulator leftovers are named', async (t) => {
    const config = loadConfig(process.env);
    const found = await findNamed(awsClients(config), createOpenSearchClient(config), TEST_PREFIXES);
    const { indices, templates, ...emulator } = found;
    assert.deepEqual({ indices, templates }, { indices: [], templates: [] },
      `a test left these on the node (names starting ${TEST_PREFIXES.join(' or ')}); a test must remove what it makes, also when it fails`);
    // Known open defect: one stack of the secured-node file leaves its bucket, topic and queues in
    // the emulator on some runs (not yet found). Named here, on every run, until it is fixed.
    const left = Object.entries(emulator).filter(([, names]) => names.length > 0);
    if (left.length > 0) t.diagnostic(`the emulator still holds test resources: ${JSON.stringify(Object.fromEntries(left))}`);
  });
});
