/**
 * Header-driven VPC flow-log parsing. Pure and allocation-light: it runs on every line of
 * every object (a 75 MB gzip object is ~8M lines), so fields are scanned by char code, not regex.
 * Failures are returned as values (`{ error }`), never thrown.
 */
import { isAddress } from '../../enrich/ip.js';
import { quoted } from '../../core/text.js';
import { DEFAULT_FORMAT_FIELDS, FieldType, fieldSpec } from './catalogue.js';

/** Why a header, format string or line could not be used. */
export interface ParseError {
  readonly error: string;
}

/** The field layout of one object (or one flow log's format string). */
export interface FlowFormat {
  /** Field names in line order, exactly as given. */
  readonly fields: readonly string[];
  /** Type of each field, parallel to `fields`; unknown names are keywords. */
  readonly types: readonly FieldType[];
  /** Highest catalogue version among the fields (what AWS writes into `version`). */
  readonly version: number;
  /** Names the catalogue does not know (kept as strings); worth a log line, not an error. */
  readonly unknownFields: readonly string[];
}

/** One parsed line: typed values by field name; fields written as `-` are absent. */
export interface FlowRecord {
  readonly fields: Record<string, string | number>;
}

/** Narrows a parse result to its error case. */
export function isParseError(value: object): value is ParseError {
  return 'error' in value;
}

/** Largest value OpenSearch's `integer` type accepts. */
const INT32_MAX = 2_147_483_647;
/**
 * Latest accepted `start`/`end`: 9999-12-31T23:59:59Z. Later times have no 4-digit-year ISO form
 * (and past 8.64e12 s no JavaScript Date), so `@timestamp` could not be written for them.
 */
export const MAX_EPOCH_SECONDS = 253_402_300_799;

/** Largest value each numeric field type accepts (0 for types that are not numbers). */
export const LIMITS: Readonly<Record<FieldType, number>> = {
  int: INT32_MAX,
  long: Number.MAX_SAFE_INTEGER,
  epoch_seconds: MAX_EPOCH_SECONDS,
  ip: 0,
  keyword: 0,
};
/** Longest name we believe is a field name; AWS's longest is ~26 characters. */
const MAX_NAME_LENGTH = 64;
/** Values quoted in error messages are cut here so a garbage line cannot bloat logs. */
const MAX_QUOTED = 60;

/** Whitespace between fields: space, tab, and the line-break characters. */
export function isSpace(c: number): boolean {
  // Stryker disable next-line ConditionalExpression: the first test only answers most bytes (those above space) sooner
  return c <= 32 && (c === 32 || (c >= 9 && c <= 13));
}

function quote(s: string): string {
  return quoted(s, MAX_QUOTED);
}

function splitWhitespace(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && isSpace(s.charCodeAt(i))) i++;
    const start = i;
    while (i < s.length && !isSpace(s.charCodeAt(i))) i++;
    if (i > start) out.push(s.slice(start, i));
  }
  return out;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Letters, digits, `-`, `_`, starting with a letter: rejects data lines mistaken for headers. */
function isPlausibleName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || !isLetter(name.charCodeAt(0))) return false;
  for (let i = 1; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!isLetter(c) && !(c >= 48 && c <= 57) && c !== 45 && c !== 95) return false;
  }
  return true;
}

/**
 * Builds a format from field names in line order. Rejects an empty list, a duplicate or an
 * implausible name; accepts names the catalogue does not know.
 */
export function formatFromFields(names: readonly string[], source = 'header'): FlowFormat | ParseError {
  if (names.length === 0) return { error: `empty ${source}: no field names` };
  const seen = new Map<string, number>();
  const types: FieldType[] = [];
  const unknownFields: string[] = [];
  let version = 0;
  for (const [i, name] of names.entries()) {
    if (!isPlausibleName(name)) {
      return { error: `${source} token ${i + 1} ${quote(name)} is not a field name (letters, digits, "-", "_")` };
    }
    const first = seen.get(name);
    if (first !== undefined) return { error: `${source} names field "${name}" twice (tokens ${first + 1} and ${i + 1})` };
    seen.set(name, i);
    const spec = fieldSpec(name);
    if (spec === undefined) unknownFields.push(name);
    types.push(spec?.type ?? FieldType.keyword);
    version = Math.max(version, spec?.version ?? 0);
  }
  return { fields: [...names], types, version, unknownFields };
}

/** Parses the first line of an S3 flow-log object: field names separated by whitespace. */
export function parseHeader(line: string): FlowFormat | ParseError {
  // AWS writes no byte-order mark, but a file re-saved by an editor may carry one.
  const text = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  return formatFromFields(splitWhitespace(text), 'header');
}

/**
 * Parses an AWS format string (`${version} ${srcaddr} …`), as configured on the flow log,
 * for input that has no header line (CloudWatch Logs, Firehose).
 */
export function parseFormatString(s: string): FlowFormat | ParseError {
  const names: string[] = [];
  for (const token of splitWhitespace(s)) {
    if (!token.startsWith('${') || !token.endsWith('}') || token.length < 4) {
      return { error: `format string token ${quote(token)} is not of the form \${field}` };
    }
    names.push(token.slice(2, -1));
  }
  return formatFromFields(names, 'format string');
}

/** The default format (14 v2 fields); built once. */
export const DEFAULT_FORMAT = formatFromFields(DEFAULT_FORMAT_FIELDS) as FlowFormat;

/**
 * Reads an unsigned base-10 integer from line[start, end), or returns -1. Digits only:
 * every numeric flow-log field is a count, port, flag set or timestamp, never negative.
 */
function readUnsigned(line: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    // Past 2^53 the sum rounds, but it stays above MAX_SAFE_INTEGER, so the caller's check holds.
    value = value * 10 + d;
  }
  return value;
}

function numberError(name: string, raw: string, value: number, type: FieldType): ParseError {
  if (value < 0) return { error: `field "${name}": ${quote(raw)} is not an unsigned integer` };
  if (type === FieldType.int) return { error: `field "${name}": ${quote(raw)} exceeds the 32-bit integer range` };
  if (type === FieldType.epochSeconds) return { error: `field "${name}": ${quote(raw)} is not a Unix time before year 10000` };
  return { error: `field "${name}": ${quote(raw)} exceeds 2^53 and cannot be kept exactly` };
}

/**
 * Converts one token and stores it in `out`; returns an error instead when it is invalid.
 *
 * Long policy: values above 2^53 are rejected, not kept as strings. Real counters never get
 * there (2^53 bytes is 9 PB in one aggregation window; 100 Gbit/s for 10 min is 7.5 TB), so such a
 * value means a corrupt line, and a string in a `long` field would be silently rounded by JSON clients.
 */
function storeField(
  out: Record<string, string | number>, name: string, type: FieldType, line: string, start: number, end: number,
): ParseError | undefined {
  // `-` means "not applicable or not computed": the field is absent from the record.
  if (end - start === 1 && line.charCodeAt(start) === 45) return undefined;
  if (type === FieldType.keyword) {
    out[name] = line.slice(start, end);
    return undefined;
  }
  if (type === FieldType.ip) {
    const raw = line.slice(start, end);
    // Zone ids (fe80::1%eth0) pass isIP but never occur in flow logs and OpenSearch `ip` refuses them.
    if (!isAddress(raw)) {
      return { error: `field "${name}": ${quote(raw)} is not an IPv4 or IPv6 address` };
    }
    out[name] = raw;
    return undefined;
  }
  const value = readUnsigned(line, start, end);
  if (value < 0 || value > LIMITS[type]) return numberError(name, line.slice(start, end), value, type);
  out[name] = value;
  return undefined;
}

/**
 * Parses one record line against its object's format. Fields are separated by runs of
 * whitespace (AWS's own examples contain double spaces); a trailing `\r` is tolerated.
 * A wrong field count is reported in preference to a bad value, since a missing field shifts
 * every later value into the wrong column.
 */
export function parseRecord(format: FlowFormat, line: string): FlowRecord | ParseError {
  const { fields: names, types } = format;
  const expected = names.length;
  const out: Record<string, string | number> = {};
  let firstError: ParseError | undefined;
  let count = 0;
  let i = 0;
  const len = line.length;
  for (;;) {
    while (i < len && isSpace(line.charCodeAt(i))) i++;
    if (i >= len) break;
    const start = i;
    while (i < len && !isSpace(line.charCodeAt(i))) i++;
    if (count < expected && firstError === undefined) {
      firstError = storeField(out, names[count] as string, types[count] as FieldType, line, start, i);
    }
    count++;
  }
  if (count !== expected) {
    return { error: count === 0 ? 'empty line' : `expected ${expected} fields (per the format), got ${count}` };
  }
  return firstError ?? { fields: out };
}
