/**
 * One filter, two evaluations: as an OpenSearch query (`query` over the index) and as a predicate
 * on documents read from S3 (`query s3://…`). Both follow OpenSearch's term semantics, so the two
 * ways give the same answer: an address field matches an address or a CIDR block, a multi-valued
 * field matches when any value does, and `!=` also matches documents without the field.
 */
import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../config/load.js';
import type { Doc } from '../core/types.js';
import type { TimeRange } from '../source/key-time.js';
import { fieldType, type KindSpec } from './fields.js';

/** `field=value` or `field!=value`, with the value typed by the field's mapping. */
export interface Condition {
  readonly field: string;
  readonly negate: boolean;
  readonly value: string | number | boolean;
  /** For address fields: the address or block the value names. */
  readonly block?: BlockList;
}

/** Everything `query` narrows by. */
export interface QueryFilter {
  readonly range: TimeRange;
  /** `findip ADDR`: the address or CIDR block, on any address field of the kind. */
  readonly findip?: { readonly text: string; readonly block: BlockList };
  readonly where: readonly Condition[];
}

const NUMERIC = new Set(['integer', 'long', 'short', 'byte', 'double', 'float']);

/** An address (`10.0.0.5`, `2001:db8::1`) or CIDR block (`10.0.0.0/8`) as a BlockList; undefined when it is neither. */
export function addressBlock(text: string): BlockList | undefined {
  const [addr = '', bits, extra] = text.split('/');
  const family = isIP(addr);
  if (family === 0 || extra !== undefined) return undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  if (bits === undefined) {
    list.addAddress(addr, type);
    return list;
  }
  const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
  if (!(prefix >= 0 && prefix <= (family === 4 ? 32 : 128))) return undefined;
  list.addSubnet(addr, prefix, type);
  return list;
}

/** Parses `findip ADDR`. */
export function parseFindip(text: string): NonNullable<QueryFilter['findip']> {
  const block = addressBlock(text);
  if (!block) throw new ConfigError(`findip ${JSON.stringify(text)}: an IPv4 or IPv6 address or CIDR block (10.0.0.0/8) expected`);
  return { text, block };
}

/** Parses one `--where field=value` / `field!=value`, checking the field and the value's type. */
export function parseCondition(spec: KindSpec, text: string): Condition {
  const m = /^([^=!]+?)(!?=)(.*)$/.exec(text);
  if (!m) throw new ConfigError(`--where ${JSON.stringify(text)}: field=value or field!=value expected`);
  const [, field = '', op, raw = ''] = m;
  const type = fieldType(spec, '--where', field.trim());
  const base = { field: field.trim(), negate: op === '!=' };
  const bad = (what: string) => new ConfigError(`--where ${JSON.stringify(text)}: ${field.trim()} holds ${what}`);
  if (type === 'text' || type === 'geo_point' || type === 'flat_object') throw bad(`${type}, which --where cannot compare whole; name a keyword field or a path below it`);
  if (type === 'ip') {
    const block = addressBlock(raw);
    if (!block) throw bad('an address; an address or CIDR block expected');
    return { ...base, value: raw, block };
  }
  if (NUMERIC.has(type)) {
    if (raw.trim() === '' || !Number.isFinite(Number(raw))) throw bad('numbers');
    return { ...base, value: Number(raw) };
  }
  if (type === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw bad('true or false');
    return { ...base, value: raw === 'true' };
  }
  return { ...base, value: raw };
}

/** The OpenSearch `bool` query for a filter. */
export function toOpenSearchQuery(spec: KindSpec, filter: QueryFilter): Record<string, unknown> {
  const must: unknown[] = [];
  const mustNot: unknown[] = [];
  const { since, until } = filter.range;
  if (since !== undefined || until !== undefined) {
    must.push({ range: { '@timestamp': { ...(since === undefined ? {} : { gte: since }), ...(until === undefined ? {} : { lt: until }), format: 'epoch_millis' } } });
  }
  if (filter.findip) {
    const text = filter.findip.text;
    must.push({ bool: { should: spec.addressFields.map((f) => ({ term: { [f]: text } })), minimum_should_match: 1 } });
  }
  for (const c of filter.where) (c.negate ? mustNot : must).push({ term: { [c.field]: c.value } });
  return { bool: { filter: must, must_not: mustNot } };
}

/** The values at a dotted path: a key that holds the dots itself first, then nested objects; arrays spread. */
export function valuesAt(doc: Doc, path: string): unknown[] {
  if (Object.hasOwn(doc, path)) return spread(doc[path]);
  let current: unknown[] = [doc];
  for (const part of path.split('.')) {
    current = current.flatMap((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? spread((v as Record<string, unknown>)[part]) : []));
  }
  return current;
}

const spread = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.flatMap(spread) : [v]);

function blockHas(block: BlockList, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const family = isIP(value);
  return family !== 0 && block.check(value, family === 4 ? 'ipv4' : 'ipv6');
}

function conditionHolds(doc: Doc, c: Condition): boolean {
  const values = valuesAt(doc, c.field);
  if (c.block) return values.some((v) => blockHas(c.block as BlockList, v));
  if (typeof c.value === 'number') return values.some((v) => Number(v) === c.value);
  if (typeof c.value === 'boolean') return values.some((v) => v === c.value || v === String(c.value));
  return values.some((v) => String(v) === c.value);
}

/** Epoch ms of a document's `@timestamp`, or undefined. */
export function docTime(doc: Doc): number | undefined {
  const t = doc['@timestamp'];
  const ms = typeof t === 'string' ? Date.parse(t) : typeof t === 'number' ? t : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

/** The same filter as `toOpenSearchQuery`, on one document. */
export function matches(spec: KindSpec, filter: QueryFilter, doc: Doc): boolean {
  const { since, until } = filter.range;
  if (since !== undefined || until !== undefined) {
    const t = docTime(doc);
    if (t === undefined || (since !== undefined && t < since) || (until !== undefined && t >= until)) return false;
  }
  const found = filter.findip;
  if (found && !spec.addressFields.some((f) => valuesAt(doc, f).some((v) => blockHas(found.block, v)))) return false;
  return filter.where.every((c) => conditionHolds(doc, c) !== c.negate);
}
