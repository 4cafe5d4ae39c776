/**
 * Flow record → OpenSearch document, plus the mappings for everything a document can hold.
 * Field names stay the AWS names exactly as the header spells them; derived fields use `_`
 * (`srcaddr_geo`), a character no AWS flow-log field uses, so a future AWS field cannot collide.
 */
import type { Doc } from '../../pipeline/types.js';
import type { Enricher } from '../../enrich/types.js';
import { FIELDS, fieldMapping, type FieldMapping, type KnownField } from './catalogue.js';
import { MAX_EPOCH_SECONDS, type FlowRecord } from './parse.js';

/** Address fields that get GeoIP/ASN siblings when the address is public. */
export const ENRICHED_ADDRESS_FIELDS = ['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr'] as const satisfies readonly KnownField[];

/** Suffixes of the sibling objects: `<field>_geo`, `<field>_as`. */
export const GEO_SUFFIX = '_geo';
export const AS_SUFFIX = '_as';

/** An OpenSearch mapping for a derived field (objects have `properties`). */
export type DerivedMapping =
  | { readonly type: 'date' | 'keyword' | 'long' | 'geo_point' }
  | { readonly properties: Readonly<Record<string, DerivedMapping>> };

/** Mapping of a `<field>_geo` object. */
export const GEO_MAPPING = {
  properties: {
    country_iso_code: { type: 'keyword' },
    country_name: { type: 'keyword' },
    region_name: { type: 'keyword' },
    city_name: { type: 'keyword' },
    location: { type: 'geo_point' },
  },
} as const satisfies DerivedMapping;

/** Mapping of a `<field>_as` object. */
export const AS_MAPPING = {
  properties: { number: { type: 'long' }, organization: { type: 'keyword' } },
} as const satisfies DerivedMapping;

/** Every field this module adds to documents besides the AWS fields, with its mapping. */
export const DERIVED_FIELD_MAPPINGS: Readonly<Record<string, DerivedMapping>> = Object.fromEntries([
  ['@timestamp', { type: 'date' }],
  ...ENRICHED_ADDRESS_FIELDS.flatMap((f) => [
    [`${f}${GEO_SUFFIX}`, GEO_MAPPING],
    [`${f}${AS_SUFFIX}`, AS_MAPPING],
  ]),
]);

/**
 * The `properties` of a flow-log index template: every catalogue field plus the derived ones.
 * Fields outside the catalogue arrive as strings; map them with a dynamic template
 * (string → keyword) in the index template.
 */
export function flowLogMappings(): Record<string, FieldMapping | DerivedMapping> {
  const catalogue = Object.entries(FIELDS).map(([name, spec]) => [name, fieldMapping(spec.type)] as const);
  return { ...Object.fromEntries(catalogue), ...DERIVED_FIELD_MAPPINGS };
}

/**
 * The record's event time in epoch seconds (its `start`), or undefined when the format has
 * no `start` or the line had `-`: the caller then places the document by the object's time.
 */
export function recordTime(record: FlowRecord): number | undefined {
  const start = record.fields['start'];
  return typeof start === 'number' ? start : undefined;
}

/** ISO strings by epoch second. An object's records share a few hundred distinct start times. */
const isoCache = new Map<number, string>();
const ISO_CACHE_MAX = 4096;

/** `new Date(...).toISOString()` costs ~1 µs, more than parsing the rest of the line; cache it. */
function isoTime(seconds: number): string {
  let iso = isoCache.get(seconds);
  if (iso === undefined) {
    if (isoCache.size >= ISO_CACHE_MAX) isoCache.clear();
    iso = new Date(seconds * 1000).toISOString();
    isoCache.set(seconds, iso);
  }
  return iso;
}

/**
 * Builds the document for a record: AWS fields with typed values, `@timestamp` (ISO-8601 UTC
 * from `start`, when present) and, given an enricher, `<addr>_geo` / `<addr>_as` siblings for
 * public addresses.
 */
export function toDocument(record: FlowRecord, enrich?: Enricher): Doc {
  const time = recordTime(record);
  // The parser bounds `start`; the range check keeps a hand-built record from throwing a RangeError.
  // One literal with a single spread: V8 copies that fast, while adding a key after a spread
  // (or spreading twice) costs several times the whole parse.
  const doc: Doc = time !== undefined && time >= 0 && time <= MAX_EPOCH_SECONDS
    ? { '@timestamp': isoTime(time), ...record.fields }
    : { ...record.fields };
  if (enrich === undefined) return doc;
  for (const field of ENRICHED_ADDRESS_FIELDS) {
    const address = record.fields[field];
    if (typeof address !== 'string') continue;
    const found = enrich.lookup(address);
    if (found?.geo !== undefined) doc[`${field}${GEO_SUFFIX}`] = found.geo;
    if (found?.as !== undefined) doc[`${field}${AS_SUFFIX}`] = found.as;
  }
  return doc;
}
