/**
 * The README's table of document fields, generated so that it cannot drift from the code: AWS
 * fields from the catalogue, then the derived and enrichment fields, each with the OpenSearch
 * mapping the index template installs (read from `flowLogMappings()` itself).
 *
 *   node --import tsx scripts/field-table.ts           prints the table
 *   node --import tsx scripts/field-table.ts --write   replaces the table between the markers in README.md
 */
import { fileURLToPath } from 'node:url';
import { FIELDS } from '../src/formats/vpc-flow/catalogue.js';
import { ADDRESS_FIELDS, DERIVED, derivedKeys, type DerivedFieldSpec } from '../src/formats/vpc-flow/derive.js';
import { printOrWrite } from './lib/readme-section.js';
import { AS_MAPPING, AS_SUFFIX, GEO_MAPPING, GEO_SUFFIX, flowLogMappings } from '../src/formats/vpc-flow/document.js';

/** Name of the generated section in README.md. */
export const FIELD_TABLE = 'field-table';

/** Stands for each of the address fields in per-address rows. */
const ADDRESS = '<address>';

/** What the enrichment sub-fields hold (the objects' mappings live in document.ts). */
const ENRICHMENT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  country_iso_code: 'ISO 3166-1 alpha-2 country code (GeoIP)',
  country_name: 'Country name in English (GeoIP)',
  region_name: 'First subdivision (state, region) in English (GeoIP)',
  city_name: 'City name in English (GeoIP)',
  location: 'Latitude and longitude (GeoIP)',
  number: 'Autonomous system number (ASN database)',
  organization: 'Autonomous system organisation (ASN database)',
};

interface Row {
  readonly field: string;
  readonly version: string;
  readonly type: string;
  readonly mapping: string;
  readonly description: string;
}

type Mapping = { readonly type: string; readonly format?: string } | { readonly properties: unknown };

function renderMapping(mapping: Mapping | undefined, field: string): string {
  if (mapping === undefined) throw new Error(`no mapping for ${field}: flowLogMappings() and the table disagree`);
  if ('properties' in mapping) return 'object';
  return mapping.format === undefined ? mapping.type : `${mapping.type} (${mapping.format})`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function catalogueRows(mappings: Readonly<Record<string, Mapping>>): Row[] {
  return Object.entries(FIELDS).map(([name, spec]) => ({
    field: name, version: String(spec.version), type: spec.type, mapping: renderMapping(mappings[name], name), description: spec.description,
  }));
}

function derivedRows(mappings: Readonly<Record<string, Mapping>>): Row[] {
  const specs: DerivedFieldSpec[] = Object.values(DERIVED).flatMap((concern): DerivedFieldSpec[] => [...concern.fields]);
  const timestamp: Row = {
    field: '@timestamp', version: 'derived', type: 'date', mapping: renderMapping(mappings['@timestamp'], '@timestamp'),
    description: '`start` as ISO-8601 UTC (absent when the format has no `start`)',
  };
  return [timestamp, ...specs.map((spec) => ({
    field: spec.perAddress === true ? `${ADDRESS}${spec.name}` : spec.name,
    version: 'derived',
    type: spec.type,
    mapping: renderMapping(mappings[derivedKeys(spec)[0] as string], spec.name),
    description: spec.description,
  }))];
}

function enrichmentRows(): Row[] {
  const objects = [[GEO_SUFFIX, GEO_MAPPING], [AS_SUFFIX, AS_MAPPING]] as const;
  return objects.flatMap(([suffix, object]) => Object.entries(object.properties).map(([name, mapping]) => {
    const description = ENRICHMENT_DESCRIPTIONS[name];
    if (description === undefined) throw new Error(`no description for ${suffix}.${name}`);
    return { field: `${ADDRESS}${suffix}.${name}`, version: 'enrichment', type: mapping.type, mapping: mapping.type, description };
  }));
}

/**
 * The Markdown table: one row per AWS field (catalogue order), then `@timestamp`, the derived
 * fields and the enrichment sub-fields; `<address>` stands for each of srcaddr, dstaddr,
 * pkt-srcaddr and pkt-dstaddr.
 */
export function fieldTable(): string {
  const mappings = flowLogMappings() as Readonly<Record<string, Mapping>>;
  const rows = [...catalogueRows(mappings), ...derivedRows(mappings), ...enrichmentRows()];
  const lines = rows.map((r) => `| \`${cell(r.field)}\` | ${r.version} | ${cell(r.type)} | ${cell(r.mapping)} | ${cell(r.description)} |`);
  const note = `\`${ADDRESS}\` is each of ${ADDRESS_FIELDS.map((f) => `\`${f}\``).join(', ')}.`;
  return ['| field | version | type | OpenSearch mapping | description |', '|---|---|---|---|---|', ...lines, '', note].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) printOrWrite(process.argv.slice(2), FIELD_TABLE, fieldTable());
