/**
 * The shipped Dashboards saved objects, checked without a Dashboards (none runs here): every line
 * is a saved object the import API takes, every reference resolves to an object in the file, and
 * every field a visualisation aggregates on or queries exists in our index templates with an
 * aggregatable type. A planted bad field proves the check can fail.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DASHBOARDS_FILE, INDEX_PATTERN_IDS } from '../../../src/setup/dashboards.js';
import { flowLogTemplate } from '../../../src/sink/template.js';
import { cloudTrailTemplate } from '../../../src/formats/cloudtrail/reader.js';
import { deadLetterTemplate } from '../../../src/deadletter/opensearch-store.js';

interface SavedObject {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  references: Array<{ name: string; type: string; id: string }>;
}

/** Types OpenSearch aggregates on (doc values); text and flat_object are not among them. */
const AGGREGATABLE = new Set(['keyword', 'long', 'integer', 'short', 'byte', 'double', 'float', 'ip', 'date', 'boolean', 'geo_point']);

/** Dotted path → mapping type of every field a template maps, multi-fields (`reason.keyword`) included. */
function fieldTypes(template: Record<string, unknown>): Map<string, string> {
  const types = new Map<string, string>();
  const walk = (properties: Record<string, Record<string, unknown>>, prefix: string): void => {
    for (const [name, mapping] of Object.entries(properties)) {
      const path = `${prefix}${name}`;
      if (typeof mapping['type'] === 'string') types.set(path, mapping['type']);
      if (mapping['properties'] !== undefined) walk(mapping['properties'] as Record<string, Record<string, unknown>>, `${path}.`);
      for (const [sub, m] of Object.entries((mapping['fields'] ?? {}) as Record<string, { type: string }>)) types.set(`${path}.${sub}`, m.type);
    }
  };
  const mappings = (template['template'] as { mappings: { properties: Record<string, Record<string, unknown>> } }).mappings;
  walk(mappings.properties, '');
  return types;
}

const TEMPLATES: Record<string, Map<string, string>> = {
  [INDEX_PATTERN_IDS.flowLogs]: fieldTypes(flowLogTemplate('vpcflowlogs')),
  [INDEX_PATTERN_IDS.cloudtrail]: fieldTypes(cloudTrailTemplate('cloudtrail')),
  [INDEX_PATTERN_IDS.deadLetters]: fieldTypes(deadLetterTemplate('aws-log-indexer-deadletter')),
};

function load(): SavedObject[] {
  return readFileSync(DASHBOARDS_FILE, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as SavedObject);
}

/** Field names a KQL query names (`field:value`, `field:*`). */
function queryFields(query: string): string[] {
  return [...query.matchAll(/([A-Za-z@_][\w@.-]*)\s*:/g)].map((m) => m[1] as string);
}

/** Every problem with the objects' references and fields, as readable lines; empty when all is well. */
function problems(objects: SavedObject[]): string[] {
  const found: string[] = [];
  const ids = new Set(objects.map((o) => `${o.type}/${o.id}`));
  for (const o of objects) {
    for (const r of o.references) if (!ids.has(`${r.type}/${r.id}`)) found.push(`${o.id}: reference ${r.name} → ${r.type}/${r.id} is not in the file`);
    if (o.type === 'index-pattern') {
      const time = TEMPLATES[o.id]?.get(String(o.attributes['timeFieldName']));
      if (time !== 'date') found.push(`${o.id}: time field ${String(o.attributes['timeFieldName'])} is ${time ?? 'not mapped'}`);
    }
    if (o.type !== 'visualization') continue;
    const search = JSON.parse((o.attributes['kibanaSavedObjectMeta'] as { searchSourceJSON: string }).searchSourceJSON) as { indexRefName?: string; query: { query: string } };
    const pattern = o.references.find((r) => r.name === search.indexRefName);
    const types = pattern === undefined ? undefined : TEMPLATES[pattern.id];
    if (types === undefined) {
      found.push(`${o.id}: indexRefName ${String(search.indexRefName)} names no index pattern of ours`);
      continue;
    }
    const visState = JSON.parse(String(o.attributes['visState'])) as { aggs: Array<{ params: { field?: string } }> };
    const fields = [...visState.aggs.flatMap((a) => (a.params.field === undefined ? [] : [a.params.field])), ...queryFields(search.query.query)];
    for (const field of fields) {
      const type = types.get(field);
      if (type === undefined || !AGGREGATABLE.has(type)) found.push(`${o.id}: field ${field} is ${type ?? 'not in the index template'}`);
    }
  }
  return found;
}

/** A copy of the objects with one visualisation's first bucket aggregation on another field. */
function withField(objects: SavedObject[], visualisation: string, field: string): SavedObject[] {
  return objects.map((o) => {
    if (o.id !== visualisation) return o;
    const visState = JSON.parse(String(o.attributes['visState'])) as { aggs: Array<{ schema: string; params: { field?: string } }> };
    const bucket = visState.aggs.find((a) => a.schema !== 'metric');
    assert.ok(bucket);
    bucket.params.field = field;
    return { ...o, attributes: { ...o.attributes, visState: JSON.stringify(visState) } };
  });
}

describe('dashboards/aws-log-indexer.ndjson', () => {
  const objects = load();

  it('holds the three index patterns, the visualisations and one dashboard per kind, with unique ids', () => {
    const count = (type: string) => objects.filter((o) => o.type === type).length;
    assert.deepEqual([count('index-pattern'), count('visualization'), count('dashboard')], [3, 10, 3]);
    assert.equal(new Set(objects.map((o) => `${o.type}/${o.id}`)).size, objects.length);
    for (const o of objects) {
      assert.ok(typeof o.attributes['title'] === 'string' && Array.isArray(o.references), `${o.id}: needs a title and references`);
      if (o.type === 'dashboard') {
        const panels = JSON.parse(String(o.attributes['panelsJSON'])) as Array<{ panelRefName: string }>;
        assert.deepEqual(panels.map((p) => p.panelRefName), o.references.map((r) => r.name), `${o.id}: every panel has its reference`);
      }
    }
  });

  it('resolves every reference and uses only aggregatable fields of our index templates', () => {
    assert.deepEqual(problems(objects), []);
  });

  it('reports a planted missing field, a text field and a flat_object inner key', () => {
    const planted = withField(withField(withField(objects, 'aws-log-indexer-flow-top-talkers', 'srcaddress'), 'aws-log-indexer-dead-letters-by-reason', 'reason'), 'aws-log-indexer-cloudtrail-events', 'requestParameters.bucketName');
    assert.deepEqual(problems(planted), [
      'aws-log-indexer-flow-top-talkers: field srcaddress is not in the index template',
      'aws-log-indexer-cloudtrail-events: field requestParameters.bucketName is not in the index template',
      'aws-log-indexer-dead-letters-by-reason: field reason is text',
    ]);
  });

  it('reports a reference to an object the file lacks', () => {
    const broken = objects.filter((o) => o.id !== 'aws-log-indexer-flow-rejects-by-port');
    assert.deepEqual(problems(broken), ['aws-log-indexer-flow-logs: reference panel_2 → visualization/aws-log-indexer-flow-rejects-by-port is not in the file']);
  });
});
