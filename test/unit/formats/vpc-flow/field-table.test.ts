import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FIELD_TABLE, fieldTable } from '../../../../scripts/field-table.js';
import { markers, readSection } from '../../../../scripts/lib/readme-section.js';
import { FIELDS } from '../../../../src/formats/vpc-flow/catalogue.js';
import { ENRICHED_ADDRESS_FIELDS, flowLogMappings } from '../../../../src/formats/vpc-flow/document.js';

const REGENERATE = 'node --import tsx scripts/field-table.ts --write';

/** The document keys a table row stands for (`<address>` rows for each address field). */
function keysOfRow(field: string): string[] {
  const top = field.split('.')[0] as string;
  return top.startsWith('<address>') ? ENRICHED_ADDRESS_FIELDS.map((a) => top.replace('<address>', a)) : [top];
}

describe('the README field table', () => {
  it('is the generated one', () => {
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
    const inReadme = readSection(readme, FIELD_TABLE);
    assert.ok(inReadme !== undefined, `README.md has no ${markers(FIELD_TABLE).join(' … ')} markers`);
    assert.equal(inReadme, fieldTable(), `README.md's field table is out of date: run \`${REGENERATE}\``);
  });
});

describe('fieldTable', () => {
  const rows = fieldTable().split('\n').filter((l) => l.startsWith('| `'));
  const fields = rows.map((r) => (r.split('`')[1] as string));

  it('lists the catalogue in order, with version, type and OpenSearch mapping', () => {
    assert.deepEqual(fields.slice(0, Object.keys(FIELDS).length), Object.keys(FIELDS));
    assert.ok(rows.includes('| `start` | 2 | epoch_seconds | date (epoch_second) | Window start (first packet), Unix seconds |'));
    assert.ok(rows.includes('| `srcaddr` | 2 | ip | ip | Source address (IPv4 or IPv6) |'));
  });

  it('has a row for every field the index template maps', () => {
    const covered = new Set(fields.flatMap(keysOfRow));
    for (const key of Object.keys(flowLogMappings())) assert.ok(covered.has(key), key);
  });

  it('describes derived and enrichment fields', () => {
    assert.ok(rows.some((r) => r.startsWith('| `community_id` | derived | keyword | keyword |')));
    assert.ok(rows.some((r) => r.startsWith('| `<address>_public` | derived | boolean | boolean |')));
    assert.ok(rows.some((r) => r.startsWith('| `<address>_geo.location` | enrichment | geo_point | geo_point |')));
  });
});
