/**
 * The free-form parts of a CloudTrail record (`requestParameters`, `responseElements` …): kept as
 * objects for OpenSearch `flat_object` fields when they fit, as JSON text otherwise. See the
 * module comment in reader.ts for why `flat_object` and what was tried on a real node.
 */

/** Suffix of the text sibling that holds a blob that could not stay an object: `<field>_json`. */
export const JSON_SUFFIX = '_json';

/**
 * Lucene's hard limit for one indexed term, in UTF-8 bytes. A `flat_object` field indexes every
 * leaf as one term `<field>.<field>.<path>=<value>` (seen on OpenSearch 2.19: a 32 759-byte value
 * under `rp.k` was refused, 32 758 accepted), and a longer term fails the whole document.
 */
export const MAX_TERM_BYTES = 32_766;

/** How a blob goes into the document. */
export type BlobFit =
  /** Index the value as it is (an object or array within the caps, or null). */
  | { readonly kind: 'object' }
  /** Put `text` in `<field>_json` instead; `cut` when bytes were dropped to honour the size cap. */
  | { readonly kind: 'json'; readonly text: string; readonly cut: boolean };

const AS_OBJECT: BlobFit = Object.freeze({ kind: 'object' });

/** UTF-8 length of a string. */
function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * The first at most `maxBytes` UTF-8 bytes of `s`, cut at a character boundary (never half a
 * character, never half a surrogate pair).
 */
export function cutUtf8(s: string, maxBytes: number): string {
  if (s.length <= maxBytes / 3) return s;
  // Every UTF-16 unit is at least one byte, so the cut lies within the first maxBytes units. A
  // surrogate pair split at the edge needs no care: its lone half encodes as 3 bytes that pass
  // the cap (the units before it are maxBytes - 1 bytes at least), so the walk below drops it.
  const bytes = Buffer.from(s.slice(0, maxBytes), 'utf8');
  if (bytes.length <= maxBytes) return bytes.toString('utf8');
  let end = maxBytes;
  // A continuation byte (10xxxxxx) at the cut means a character starts before it: drop it whole.
  // The walk ends at the latest at byte 0, which starts a character.
  while (((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.toString('utf8', 0, end);
}

/**
 * The longest term a `flat_object` field named `field` would index for `value`: the field name
 * twice, the dotted path, `=`, the value (see MAX_TERM_BYTES). Arrays add nothing to the path.
 */
export function longestFlatTerm(field: string, value: unknown): number {
  const prefix = 2 * utf8Bytes(field) + 1;
  return longestBelow(value, prefix);
}

function longestBelow(value: unknown, pathBytes: number): number {
  if (value === null || value === undefined) return 0;
  if (Array.isArray(value)) {
    let longest = 0;
    for (const item of value) longest = Math.max(longest, longestBelow(item, pathBytes));
    return longest;
  }
  if (typeof value === 'object') {
    let longest = 0;
    for (const [key, inner] of Object.entries(value)) longest = Math.max(longest, longestBelow(inner, pathBytes + 1 + utf8Bytes(key)));
    return longest;
  }
  return pathBytes + 1 + utf8Bytes(String(value));
}

/** A scalar blob (some services log a string): its text, cut to the cap. */
function scalarFit(value: string | number | boolean, maxBytes: number): BlobFit {
  const text = String(value);
  const cut = text.length > maxBytes / 3 && utf8Bytes(text) > maxBytes;
  return { kind: 'json', text: cut ? cutUtf8(text, maxBytes) : text, cut };
}

/**
 * How many times longer JSON.stringify of a parsed value can be, in UTF-8 bytes, than the JSON text
 * it was parsed from: 21/4, for a number written `1e20` (4 bytes) that prints as 21 digits. Nothing
 * else grows more: a string at most 3 times (an invalid UTF-8 byte becomes U+FFFD, 3 bytes; every
 * escape prints no longer than it was written), blanks and repeated keys drop out, and `true`,
 * `false`, `null` and brackets stay as they are.
 */
export const MAX_GROWTH = 21 / 4;

/**
 * Decides how a blob is stored. Objects and arrays stay objects when their JSON is at most
 * `maxBytes` (UTF-8) and no leaf would make a term over Lucene's limit; otherwise their JSON goes
 * to `<field>_json`, cut to `maxBytes` when longer. Scalars always go to `<field>_json` as text
 * (a `flat_object` field refuses a string). The JSON is serialised once, only to measure it, and
 * not at all when `sourceBytes`, the length of JSON text the value was parsed from (or a text that
 * holds it, such as its record), bounds it within both limits (see {@link MAX_GROWTH}).
 */
export function fitBlob(field: string, value: unknown, maxBytes: number, sourceBytes = Number.POSITIVE_INFINITY): BlobFit {
  if (value === null || value === undefined) return AS_OBJECT;
  if (typeof value !== 'object') return scalarFit(value as string | number | boolean, maxBytes);
  // A term is never longer than the JSON plus the doubled field name (below); a UTF-16 unit is at most 3 bytes.
  const grown = sourceBytes * MAX_GROWTH;
  // Stryker disable next-line EqualityOperator,ArithmeticOperator: the 2 is slack (a term is shorter than the JSON by its braces and quotes), which either mutant only uses up
  if (grown <= maxBytes && grown + 6 * field.length + 2 <= MAX_TERM_BYTES) return AS_OBJECT;
  const json = JSON.stringify(value);
  // At most 3 UTF-8 bytes per UTF-16 unit: small blobs skip the exact count (`bytes` is then a bound).
  const bound = json.length * 3;
  const bytes = bound <= maxBytes ? bound : utf8Bytes(json);
  if (bytes > maxBytes) return { kind: 'json', text: cutUtf8(json, maxBytes), cut: true };
  // Each path key and the value appear in the JSON with quotes and a colon, so a term is never
  // longer than the JSON plus the doubled field name: only big blobs need the walk.
  if (bytes + 2 * utf8Bytes(field) + 2 > MAX_TERM_BYTES && longestFlatTerm(field, value) > MAX_TERM_BYTES) {
    return { kind: 'json', text: json, cut: false };
  }
  return AS_OBJECT;
}
