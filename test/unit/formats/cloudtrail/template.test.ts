import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FIELDS, FieldKind } from '../../../../src/formats/cloudtrail/fields.js';
import { cloudTrailTemplate } from '../../../../src/formats/cloudtrail/reader.js';
import { GEO_MAPPING } from '../../../../src/formats/vpc-flow/document.js';
import { chunked, fixture, readAll } from './helpers.js';

type Mapping = Record<string, unknown> & { properties?: Record<string, Mapping> };

const template = cloudTrailTemplate('cloudtrail') as { index_patterns: string[]; template: { mappings: Mapping & { dynamic_templates: unknown[] } } };
const { mappings } = template.template;
const properties = mappings.properties ?? {};

/** Every leaf mapping with its dotted path. */
function leaves(props: Record<string, Mapping>, prefix = ''): [string, Mapping][] {
  return Object.entries(props).flatMap(([name, m]) => (m.properties ? leaves(m.properties, `${prefix}${name}.`) : [[`${prefix}${name}`, m]]));
}

describe('cloudTrailTemplate', () => {
  it('applies to <prefix>-* indices', () => {
    assert.deepEqual(template.index_patterns, ['cloudtrail-*']);
    assert.deepEqual((cloudTrailTemplate('audit') as { index_patterns: string[] }).index_patterns, ['audit-*']);
  });

  it('maps every known field, the blobs as flat_object with a text sibling', () => {
    for (const [name, spec] of Object.entries(FIELDS)) {
      assert.ok(properties[name], name);
      if (spec.kind === FieldKind.blob) {
        assert.deepEqual(properties[name], { type: 'flat_object' }, name);
        assert.deepEqual(properties[`${name}_json`], { type: 'text' }, `${name}_json`);
      }
    }
  });

  it('maps the derived fields: @timestamp, source_ip as ip, its geo like flow logs, truncated', () => {
    assert.deepEqual(properties['@timestamp'], { type: 'date' });
    assert.deepEqual(properties['source_ip'], { type: 'ip' });
    assert.deepEqual(properties['source_ip_geo'], GEO_MAPPING);
    assert.equal(properties['truncated']?.['type'], 'keyword');
  });

  it('maps the known userIdentity subfields and keeps unknown ones out of the mapping', () => {
    const identity = properties['userIdentity'] as Mapping;
    assert.equal(identity['dynamic'], false);
    const paths = leaves(identity.properties ?? {}).map(([path]) => path);
    for (const path of ['type', 'principalId', 'arn', 'accountId', 'accessKeyId', 'userName', 'sessionContext.sessionIssuer.arn', 'sessionContext.sessionIssuer.userName']) {
      assert.ok(paths.includes(path), path);
    }
  });

  it('gives every keyword holding record text an ignore_above, so no long value can fail a document', () => {
    // The GeoIP siblings hold database names, shared with flow logs, not record text.
    const keywords = leaves(properties).filter(([path, m]) => m['type'] === 'keyword' && !path.startsWith('source_ip_'));
    assert.ok(keywords.length > 20);
    for (const [path, m] of keywords) assert.equal(typeof m['ignore_above'], 'number', path);
  });

  it('maps unknown top-level objects to flat_object and unknown scalars of any JSON type to keyword, detecting nothing', () => {
    assert.equal(mappings['dynamic'], true);
    assert.equal(mappings['date_detection'], false);
    assert.equal(mappings['numeric_detection'], false);
    const rules = mappings.dynamic_templates.map((t) => Object.values(t as object)[0] as { match_mapping_type?: string; mapping: { type: string } });
    const typeFor = (jsonType: string): string | undefined => rules.find((r) => r.match_mapping_type === jsonType && !('match' in r))?.mapping.type;
    assert.equal(typeFor('object'), 'flat_object');
    for (const scalar of ['string', 'long', 'double', 'boolean']) assert.equal(typeFor(scalar), 'keyword', scalar);
  });

  it('maps every top-level field of the AWS example documents explicitly', async () => {
    const docs = [...(await readAll(chunked(fixture('ec2-iam-events.json')))).ops, ...(await readAll(chunked(fixture('redelivered.json')))).ops];
    const unmapped = new Set(docs.flatMap((o) => Object.keys(o.doc)).filter((key) => !(key in properties)));
    assert.deepEqual([...unmapped], []);
  });
});
