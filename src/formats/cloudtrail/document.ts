/**
 * One CloudTrail record → one index operation (or the reason it cannot be one). Pure.
 */
import { isAddress } from '../../enrich/ip.js';
import type { Enricher, Enrichment } from '../../enrich/types.js';
import { problemText, type LineProblem } from '../../core/records.js';
import type { Doc, IndexOp } from '../../core/types.js';
import { OpWriter } from '../../core/bulk-op.js';
import { keyId } from '../../core/id.js';
import { dailyIndexFor } from '../../core/index-name.js';
import { boundedMemo } from '../../core/memo.js';
import { JSON_SUFFIX, fitBlob } from './blob.js';
import { OversizedRecord } from './body.js';
import {
  FieldKind, KIND_OF, SOURCE_ADDRESS_FIELD, SOURCE_IP_AS_FIELD, SOURCE_IP_FIELD, SOURCE_IP_GEO_FIELD, TRUNCATED_FIELD,
  unknownFieldKind,
} from './fields.js';

/** Namespace of CloudTrail ids: `keyId('cloudtrail', eventID)`, so a redelivered event is one document. */
export const ID_NAMESPACE = 'cloudtrail';

/** What building a document needs besides the record. */
export interface DocumentOptions {
  readonly enricher: Enricher;
  readonly indexPrefix: string;
  /** Cap on a blob's JSON, in UTF-8 bytes (see blob.ts). */
  readonly maxBlobBytes: number;
}

/** Where one record ends: an operation, or a problem naming the record by its 1-based ordinal. */
export type RecordOutcome = { readonly op: IndexOp } | { readonly problem: LineProblem };

/** eventTime as AWS writes it: ISO-8601 UTC, seconds (milliseconds tolerated). */
const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

/**
 * Midnight of a day (`YYYY-MM-DD`) in epoch ms, NaN for no such day; remembered, as an object's
 * events share a day or two.
 */
const midnightOf = boundedMemo((day: string): number => {
  const ms = Date.parse(`${day}T00:00:00Z`);
  // Date.parse rolls 2023-02-30 over to March 2nd: a real date prints back the same.
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === day ? ms : Number.NaN;
}, 64);

function twoDigits(s: string, at: number): number {
  return (s.charCodeAt(at) - 48) * 10 + s.charCodeAt(at + 1) - 48;
}

/**
 * Epoch milliseconds of a valid eventTime, or undefined. The day is checked by `Date.parse` once
 * per day; the time of day is counted here (what `Date.parse` of the whole text gives: the tests
 * hold the two equal).
 */
export function parseEventTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || !EVENT_TIME.test(value)) return undefined;
  const midnight = midnightOf(value.slice(0, 10));
  const hours = twoDigits(value, 11);
  const minutes = twoDigits(value, 14);
  const seconds = twoDigits(value, 17);
  if (Number.isNaN(midnight) || hours > 23 || minutes > 59 || seconds > 59) return undefined;
  // A fraction's digits count from tenths of a second: .5 is 500 ms, .05 is 50.
  let ms = 0;
  for (let i = 20, unit = 100; i < value.length - 1; i++, unit /= 10) ms += (value.charCodeAt(i) - 48) * unit;
  return midnight + ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms;
}

function isRecordObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** What a record must carry to become a document: its id key and its time. */
interface Identity {
  readonly eventID: string;
  readonly epochMs: number;
}

/** The record's identity, or the reason it cannot be indexed. */
function identify(record: unknown): Identity | string {
  if (!isRecordObject(record)) return `record is ${describe(record)}, not a JSON object`;
  const { eventID, eventTime } = record;
  if (eventID === undefined) return 'record has no eventID (the document id is made from it)';
  if (typeof eventID !== 'string' || eventID === '') return `eventID is ${describe(eventID)} ${JSON.stringify(eventID)}, expected a non-empty string`;
  if (eventTime === undefined) return 'record has no eventTime';
  const epochMs = parseEventTime(eventTime);
  if (epochMs === undefined) return `eventTime ${JSON.stringify(eventTime)} is not an ISO-8601 UTC time`;
  return { eventID, epochMs };
}

function toBoolean(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}

function isObjectOrObjects(value: unknown): boolean {
  return isRecordObject(value) || (Array.isArray(value) && value.every(isRecordObject));
}

/**
 * Sets a field as an own property whatever its name: keys are data, and `doc['__proto__'] = v`
 * would replace the document's prototype instead (the field then vanishes from the bulk body).
 */
function put(doc: Doc, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(doc, key, { value, enumerable: true, writable: true, configurable: true });
  else doc[key] = value;
}

const KEEP = 'keep';
const DROP = 'drop';
/** What becomes of one field: kept as it is, given another value, left out, or moved as text to `<field>_json`. */
type FieldFate = typeof KEEP | typeof DROP | { readonly value: unknown } | { readonly json: string; readonly cut: boolean };

/** The fate of one field by its kind; `recordBytes`, the bytes of the record's JSON, bounds its blobs' (see fitBlob). */
function fateOf(key: string, value: unknown, maxBlobBytes: number, recordBytes: number): FieldFate {
  switch (KIND_OF.get(key) ?? unknownFieldKind(value)) {
    case FieldKind.scalar:
      return value !== null && typeof value === 'object' ? { value: JSON.stringify(value) } : KEEP;
    case FieldKind.boolean: {
      // A value that is neither is left out: a boolean field would refuse the whole document.
      const b = toBoolean(value);
      return b === undefined ? DROP : b === value ? KEEP : { value: b };
    }
    case FieldKind.object:
      if (value === null || isObjectOrObjects(value)) return KEEP;
      return { json: typeof value === 'string' ? value : JSON.stringify(value), cut: false };
    default: {
      const fit = fitBlob(key, value, maxBlobBytes, recordBytes);
      return fit.kind === 'object' ? KEEP : { json: fit.text, cut: fit.cut };
    }
  }
}

const DERIVED_NAMES: ReadonlySet<string> = new Set(['@timestamp', SOURCE_IP_FIELD, SOURCE_IP_GEO_FIELD, SOURCE_IP_AS_FIELD, TRUNCATED_FIELD]);

function isDerivedName(key: string): boolean {
  return DERIVED_NAMES.has(key) || key.endsWith(JSON_SUFFIX);
}

/** `source_ip` and its GeoIP/ASN siblings when `sourceIPAddress` is an address, not a service name. */
function addSourceIp(doc: Doc, address: unknown, enricher: Enricher): void {
  // A zone id (fe80::1%eth0) passes isIP but an `ip` field refuses it: isAddress refuses it too.
  if (typeof address !== 'string' || !isAddress(address)) return;
  doc[SOURCE_IP_FIELD] = address;
  const found = enricher.lookup(address);
  if (found?.geo !== undefined) doc[SOURCE_IP_GEO_FIELD] = found.geo;
  if (found?.as !== undefined) doc[SOURCE_IP_AS_FIELD] = found.as;
}

/**
 * The record copied whole, `@timestamp` first, its fields mended where they stand; undefined when a
 * field has to move to `<field>_json`, which only {@link fieldByField} puts where the field stood.
 * Copying the record at once is cheaper than adding its fields one by one.
 */
function mendedCopy(record: Record<string, unknown>, maxBlobBytes: number, recordBytes: number): Doc | undefined {
  const doc: Doc = { '@timestamp': record['eventTime'], ...record };
  for (const key in record) {
    if (isDerivedName(key)) {
      // A record's own key named like a derived field must not stand in for it (AWS names never are).
      if (key === '@timestamp') doc[key] = record['eventTime'];
      else delete doc[key];
      continue;
    }
    const fate = fateOf(key, record[key], maxBlobBytes, recordBytes);
    if (fate === KEEP) continue;
    if (fate === DROP) delete doc[key];
    else if ('value' in fate) put(doc, key, fate.value);
    else return undefined;
  }
  return doc;
}

/**
 * The document built field by field, `@timestamp` first; blobs cut to fit are named in `truncated`.
 * Exported for the test that holds {@link toDocument}'s copy equal to it.
 */
export function fieldByField(record: Record<string, unknown>, maxBlobBytes: number, recordBytes: number, truncated: string[]): Doc {
  const doc: Doc = { '@timestamp': record['eventTime'] };
  for (const key in record) {
    if (isDerivedName(key)) continue;
    const value = record[key];
    const fate = fateOf(key, value, maxBlobBytes, recordBytes);
    if (fate === KEEP) put(doc, key, value);
    else if (fate === DROP) continue;
    else if ('value' in fate) put(doc, key, fate.value);
    else {
      doc[`${key}${JSON_SUFFIX}`] = fate.json;
      if (fate.cut) truncated.push(key);
    }
  }
  return doc;
}

/**
 * The document for a record that has an identity (see `identify`); `recordBytes` is the length of
 * the JSON it was parsed from, when known. Both ways of building it give the same document (a
 * property test holds them equal, key order included).
 */
export function toDocument(record: Record<string, unknown>, options: DocumentOptions, recordBytes = Number.POSITIVE_INFINITY): Doc {
  const truncated: string[] = [];
  return completed(recordFields(record, options, recordBytes, truncated), record, options.enricher, truncated);
}

/** The document's `@timestamp` and the record's fields, mended; blobs cut to fit are named in `truncated`. */
function recordFields(record: Record<string, unknown>, options: DocumentOptions, recordBytes: number, truncated: string[]): Doc {
  return mendedCopy(record, options.maxBlobBytes, recordBytes) ?? fieldByField(record, options.maxBlobBytes, recordBytes, truncated);
}

/** `doc` with `source_ip` and its siblings, then `truncated` when a blob was cut. */
function completed(doc: Doc, record: Record<string, unknown>, enricher: Enricher, truncated: readonly string[]): Doc {
  addSourceIp(doc, record[SOURCE_ADDRESS_FIELD], enricher);
  if (truncated.length > 0) doc[TRUNCATED_FIELD] = truncated;
  return doc;
}

/**
 * A function from (record, ordinal, bytes of the record's JSON when known) to its outcome, for one
 * object: it remembers the index name of the last day seen, since an object's events share a day or two.
 * The operation is encoded at once, into `opWriter`'s chunks as a flow reader's are, so that the
 * record, its document and their JSON die young: held as objects until their batch was sent (or
 * answered, in the worker), documents and the parts of the record they share outlived
 * young-generation collections, and V8 at times took to allocating them straight in the old
 * generation (allocation-site pretenuring): `parse` then peaked ~60 MiB higher with five times as
 * many full collections; held as strings, a batch's ~1 MB of JSON outlived them in a young
 * generation of a few MiB, as the image's heap cap makes it (BENCHMARKS.md).
 */
export function recordOutcomes(options: DocumentOptions, opWriter = new OpWriter()): (record: unknown, ordinal: number, recordBytes?: number) => RecordOutcome {
  const indexOf = dailyIndexFor(options.indexPrefix);
  return (record, ordinal, recordBytes) => {
    if (record instanceof OversizedRecord) {
      const reason = `record of ${record.bytes} bytes of JSON is over CLOUDTRAIL_MAX_RECORD_BYTES (${record.cap}): passed over, not parsed`;
      return { problem: { lineNo: ordinal, reason } };
    }
    const identity = identify(record);
    if (typeof identity === 'string') {
      // Serialised only here, for the problem's text: good records are never re-serialised whole.
      return { problem: { lineNo: ordinal, reason: identity, text: problemText(JSON.stringify(record)) } };
    }
    const index = indexOf(Math.floor(identity.epochMs / 1000));
    return { op: opWriter.text(index, keyId(ID_NAMESPACE, identity.eventID), documentJson(record as Record<string, unknown>, options, recordBytes)) };
  };
}

/**
 * `JSON.stringify(toDocument(…))` of a record with an identity, its `source_ip` fields written
 * after the rest as text rather than added to the document first: properties added to a copy of
 * a record of a dozen keys cost more than the copy, and an address's GeoIP and ASN are
 * serialised once per answer ({@link enrichmentJson}), not once per event. A document with
 * `truncated`, which goes after them, takes {@link toDocument}'s way.
 */
function documentJson(record: Record<string, unknown>, options: DocumentOptions, recordBytes = Number.POSITIVE_INFINITY): string {
  const truncated: string[] = [];
  const doc = recordFields(record, options, recordBytes, truncated);
  const address = record[SOURCE_ADDRESS_FIELD];
  // Stryker disable next-line EqualityOperator: every document built toDocument's way gives the same JSON, only slower
  if (truncated.length > 0 || typeof address !== 'string' || !isAddress(address)) return JSON.stringify(completed(doc, record, options.enricher, truncated));
  // The document has `@timestamp` (the record's identity has a time), so a comma goes before `source_ip`.
  const json = JSON.stringify(doc);
  return `${json.slice(0, -1)},${SOURCE_IP_KEY}${JSON.stringify(address)}${enrichmentJson(options.enricher.lookup(address))}}`;
}

const SOURCE_IP_KEY = `${JSON.stringify(SOURCE_IP_FIELD)}:`;
/** `,"source_ip_geo":…,"source_ip_as":…` of each answer the enricher gave (its answers are remembered objects). */
const ENRICHMENT_JSON = new WeakMap<Enrichment, string>();

function enrichmentJson(found: Enrichment | undefined): string {
  if (found === undefined) return '';
  let json = ENRICHMENT_JSON.get(found);
  // Stryker disable next-line ConditionalExpression: an answer's JSON made again each time is the same text, only slower
  if (json === undefined) {
    json = `${found.geo === undefined ? '' : `,${JSON.stringify(SOURCE_IP_GEO_FIELD)}:${JSON.stringify(found.geo)}`}${found.as === undefined ? '' : `,${JSON.stringify(SOURCE_IP_AS_FIELD)}:${JSON.stringify(found.as)}`}`;
    ENRICHMENT_JSON.set(found, json);
  }
  return json;
}
