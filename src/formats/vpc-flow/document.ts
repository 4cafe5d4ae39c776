/**
 * Flow record → OpenSearch document, plus the mappings for everything a document can hold.
 * Field names stay the AWS names exactly as the header spells them; derived fields use `_`
 * (`srcaddr_geo`, `protocol_name`), a character no AWS flow-log field uses, so a future AWS
 * field cannot collide.
 */
import type { Doc } from '../../core/types.js';
import type { Enricher, Enrichment } from '../../enrich/types.js';
import { FIELDS, fieldMapping, type FieldMapping } from './catalogue.js';
import { ADDRESS_FIELDS, DERIVED_MAPPINGS, deriveFields } from './derive.js';
import { MAX_EPOCH_SECONDS, type FlowRecord } from './parse.js';
import { boundedMemo } from '../../core/memo.js';

/** Address fields that get GeoIP/ASN siblings when the address is public. */
export const ENRICHED_ADDRESS_FIELDS = ADDRESS_FIELDS;

/** Suffixes of the sibling objects: `<field>_geo`, `<field>_as`. */
export const GEO_SUFFIX = '_geo';
export const AS_SUFFIX = '_as';

/** An OpenSearch mapping for a derived field (objects have `properties`). */
export type DerivedMapping =
  | { readonly type: 'date' | 'keyword' | 'long' | 'boolean' | 'geo_point' }
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
  ...Object.entries(DERIVED_MAPPINGS),
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

/**
 * `new Date(...).toISOString()` costs ~1 µs, more than parsing the rest of the line; an object's
 * records share a few hundred distinct start times, so remember them.
 */
export const isoTime = boundedMemo((seconds: number) => new Date(seconds * 1000).toISOString(), 4096);

/** The provenance field of every flow-log document: `{ object: 's3://bucket/key', line }` from S3, `{ group, stream, event_id }` from CloudWatch Logs. */
export const LOG_FIELD = 'log';
export const LOG_MAPPING = {
  properties: { object: { type: 'keyword' }, line: { type: 'long' }, group: { type: 'keyword' }, stream: { type: 'keyword' }, event_id: { type: 'keyword' } },
} as const;

/** What {@link toDocument} adds beyond the AWS fields and `@timestamp`. */
export interface DocumentOptions {
  /**
   * Add the derived fields of derive.ts (`protocol_name`, `tcp_flags_names`, `duration_s`,
   * `<address>_public`, `community_id`). Off unless asked, so documents keep their shape until
   * the pipeline turns it on.
   */
  readonly derived?: boolean;
}

/**
 * Builds the document for a record: AWS fields with typed values, `@timestamp` (ISO-8601 UTC
 * from `start`, when present), with `options.derived` the derived fields of derive.ts and, given
 * an enricher, `<addr>_geo` / `<addr>_as` siblings for public addresses. A NODATA/SKIPDATA record
 * gives a status document: its AWS fields, `@timestamp` and `duration_s`, nothing address-based.
 */
export function toDocument(record: FlowRecord, enrich?: Enricher, options?: DocumentOptions): Doc {
  const time = recordTime(record);
  // The parser bounds `start`; the range check keeps a hand-built record from throwing a RangeError.
  // One literal with a single spread: V8 copies that fast, while adding a key after a spread
  // (or spreading twice) costs several times the whole parse.
  const doc: Doc = time !== undefined && time >= 0 && time <= MAX_EPOCH_SECONDS
    ? { '@timestamp': isoTime(time), ...record.fields }
    : { ...record.fields };
  if (options?.derived === true) deriveFields(record.fields, doc);
  if (enrich !== undefined) addEnrichment(record.fields, doc, enrich);
  return doc;
}

/**
 * `<addr>_geo` / `<addr>_as` for the addresses the enricher knows. Literal keys on purpose: a
 * store with a computed key into an object this large makes V8 turn it into a dictionary, which
 * costs microseconds a document; literal keys keep its fast shape.
 */
function addEnrichment(fields: FlowRecord['fields'], doc: Doc, enrich: Enricher): void {
  const src = lookup(enrich, fields['srcaddr']);
  const dst = lookup(enrich, fields['dstaddr']);
  const pktSrc = lookup(enrich, fields['pkt-srcaddr']);
  const pktDst = lookup(enrich, fields['pkt-dstaddr']);
  if (src?.geo !== undefined) doc['srcaddr_geo'] = src.geo;
  if (src?.as !== undefined) doc['srcaddr_as'] = src.as;
  if (dst?.geo !== undefined) doc['dstaddr_geo'] = dst.geo;
  if (dst?.as !== undefined) doc['dstaddr_as'] = dst.as;
  if (pktSrc?.geo !== undefined) doc['pkt-srcaddr_geo'] = pktSrc.geo;
  if (pktSrc?.as !== undefined) doc['pkt-srcaddr_as'] = pktSrc.as;
  if (pktDst?.geo !== undefined) doc['pkt-dstaddr_geo'] = pktDst.geo;
  if (pktDst?.as !== undefined) doc['pkt-dstaddr_as'] = pktDst.as;
}

function lookup(enrich: Enricher, address: string | number | undefined): Enrichment | undefined {
  return typeof address === 'string' ? enrich.lookup(address) : undefined;
}
