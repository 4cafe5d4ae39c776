/**
 * The index templates `setup` installs: the flow-log template's exact frame (pattern, unknown
 * strings as keywords, field limit, provenance field, typed catalogue fields), the index names a
 * Config sets, and the exact `POST _index_template/<name>` requests (the client's verb for put-index-template) against a loopback stand-in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import { deadLetterTemplate } from '../../../src/deadletter/opensearch-store.js';
import { cloudTrailTemplate } from '../../../src/formats/cloudtrail/reader.js';
import { createOpenSearchClient } from '../../../src/sink/opensearch.js';
import { flowLogTemplate, indexNamesOf, installTemplates } from '../../../src/sink/template.js';
import { loopbackOpenSearch, type LoopbackOpenSearch } from '../../helpers/loopback-opensearch.js';

interface Template {
  index_patterns: string[];
  priority: number;
  template: { settings: Record<string, unknown>; mappings: { dynamic_templates: unknown[]; properties: Record<string, unknown> } };
  _meta: unknown;
}

describe('flowLogTemplate', () => {
  const t = flowLogTemplate('flows') as unknown as Template;

  it('covers the daily indices of the prefix, in the shared frame, with room for 2000 fields', () => {
    assert.deepEqual(t.index_patterns, ['flows-*']);
    assert.equal(t.priority, 100);
    assert.deepEqual(t.template.settings, { number_of_shards: 1, auto_expand_replicas: '0-1', refresh_interval: '5s', 'mapping.total_fields.limit': 2000 });
    assert.deepEqual(t._meta, { managed_by: 'aws-log-indexer' });
  });

  it('maps a string field it does not know as a keyword (cut at 1024), never as analysed text', () => {
    assert.deepEqual(t.template.mappings.dynamic_templates, [
      { unknown_strings_as_keywords: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } },
    ]);
  });

  it('types the catalogue fields and the provenance field before the first document', () => {
    const p = t.template.mappings.properties;
    assert.deepEqual(p['log'], {
      properties: { object: { type: 'keyword' }, line: { type: 'long' }, group: { type: 'keyword' }, stream: { type: 'keyword' }, event_id: { type: 'keyword' } },
    });
    assert.deepEqual(p['srcaddr'], { type: 'ip' });
    assert.deepEqual(p['bytes'], { type: 'long' });
    assert.deepEqual(p['action'], { type: 'keyword' });
  });
});

describe('indexNamesOf', () => {
  it('takes the three names from the Config', () => {
    const config = loadConfig({ INDEX_PREFIX: 'flows', CLOUDTRAIL_INDEX_PREFIX: 'trail', DEADLETTER_INDEX: 'dead' }, {});
    assert.deepEqual(indexNamesOf(config), { flowLogPrefix: 'flows', cloudtrailPrefix: 'trail', deadLetterIndex: 'dead' });
  });
});

describe('installTemplates', () => {
  let node: LoopbackOpenSearch;
  before(async () => {
    node = await loopbackOpenSearch();
  });
  after(() => node.close());

  it('installs one index template per kind of document, named after its prefix, and returns the names', async () => {
    node.answers = Object.fromEntries(['flows', 'trail', 'dead'].map((n) => [`POST /_index_template/${n}-template`, { status: 200, body: { acknowledged: true } }]));
    const client = createOpenSearchClient(loadConfig({ OPENSEARCH_URL: node.url }, {}));
    const names = await installTemplates(client, { flowLogPrefix: 'flows', cloudtrailPrefix: 'trail', deadLetterIndex: 'dead' });
    assert.deepEqual(names, ['flows-template', 'trail-template', 'dead-template']);
    assert.deepEqual(node.received.map((r) => [r.method, r.url, r.body]), [
      ['POST', '/_index_template/flows-template', flowLogTemplate('flows')],
      ['POST', '/_index_template/trail-template', cloudTrailTemplate('trail')],
      ['POST', '/_index_template/dead-template', deadLetterTemplate('dead')],
    ]);
  });

  it('fails with the cluster\'s refusal', async () => {
    node.answers = { 'POST /_index_template/flows-template': { status: 400, body: { error: { type: 'illegal_argument_exception', reason: 'bad template' }, status: 400 } } };
    const client = createOpenSearchClient(loadConfig({ OPENSEARCH_URL: node.url }, {}));
    await assert.rejects(installTemplates(client, { flowLogPrefix: 'flows', cloudtrailPrefix: 'trail', deadLetterIndex: 'dead' }), /illegal_argument_exception/);
  });
});
