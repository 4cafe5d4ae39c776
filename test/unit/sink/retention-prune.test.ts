/**
 * `prune`'s requests, checked exactly against a loopback stand-in: the listing of our indices
 * (open and closed, names only) and their deletion by exact name, at most 50 per request.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import { createOpenSearchClient } from '../../../src/sink/opensearch.js';
import { deleteIndices, listIndices } from '../../../src/sink/retention.js';
import { loopbackForSuite } from '../../helpers/loopback-opensearch.js';

describe('prune requests (loopback stand-in)', () => {
  const node = loopbackForSuite();
  const client = () => createOpenSearchClient(loadConfig({ OPENSEARCH_URL: node.url }, {}));
  const requests = () => node.received.map((r) => `${r.method} ${decodeURIComponent(r.url)}`);

  it('lists the open and closed indices under every prefix', async () => {
    node.answers = { 'GET /_cat/indices/flows-*,trail-*': { status: 200, body: [{ index: 'flows-2026.01.01' }, { index: 'trail-2026.01.02' }] } };
    assert.deepEqual(await listIndices(client(), ['flows', 'trail']), ['flows-2026.01.01', 'trail-2026.01.02']);
    assert.deepEqual(requests(), ['GET /_cat/indices/flows-*,trail-*?format=json&h=index&expand_wildcards=open,closed']);
  });

  it('deletes by exact name, 50 per request', async () => {
    const names = Array.from({ length: 101 }, (_, i) => `flows-${String(i).padStart(3, '0')}`);
    node.answers = Object.fromEntries([names.slice(0, 50), names.slice(50, 100), names.slice(100)].map((part) => [`DELETE /${part.join(',')}`, { status: 200, body: { acknowledged: true } }]));
    await deleteIndices(client(), names);
    assert.deepEqual(requests(), [`DELETE /${names.slice(0, 50).join(',')}`, `DELETE /${names.slice(50, 100).join(',')}`, 'DELETE /flows-100']);
  });

  it('sends nothing when there is nothing to delete', async () => {
    await deleteIndices(client(), []);
    assert.deepEqual(requests(), []);
  });

  it('fails with the cluster\'s refusal', async () => {
    node.answers = { 'DELETE /flows-1': { status: 403, body: { error: { type: 'security_exception', reason: 'no permissions for [indices:admin/delete]' }, status: 403 } } };
    await assert.rejects(deleteIndices(client(), ['flows-1']), /security_exception/);
  });
});
