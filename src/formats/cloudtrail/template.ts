/**
 * The index template for CloudTrail indices. Known fields are mapped explicitly (fields.ts).
 *
 * Unknown top-level fields (AWS adds some every year) must neither fail a document nor grow the
 * mapping without bound, so the root stays `dynamic: true` with templates that give them safe types:
 * - an object or array of objects → `flat_object` (one field however many keys; the document
 *   builder already treats such values as blobs, so they honour the size cap and term limit);
 * - a string, number or boolean → keyword (`ignore_above` 1024). Numbers are keywords too: a
 *   field that is `5` in one event and `"five"` in the next must not make the second a mapping
 *   conflict;
 * - a string under a name ending `_json` (the text form of a blob) → text.
 * Date and numeric detection are off, so a date-like string never fixes a field's type. What stays
 * possible: an unknown field that is a scalar in one event and an object in another (AWS keeps a
 * field's shape, so this is not expected). Known objects (`userIdentity`, `tlsDetails`, …) are
 * `dynamic: false`: their unmapped subfields stay in `_source`, unindexed.
 */
import { KEYWORD_IGNORE_ABOVE, cloudTrailMappings } from './fields.js';
import { JSON_SUFFIX } from './blob.js';
import { indexTemplate } from '../../core/index-template.js';

const DYNAMIC_KEYWORD = { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE } as const;

/** Dynamic templates, first match wins. */
export const CLOUDTRAIL_DYNAMIC_TEMPLATES = [
  { blob_text: { match: `*${JSON_SUFFIX}`, match_mapping_type: 'string', mapping: { type: 'text' } } },
  // path_unmatch '*.*': only top-level objects; known objects are closed (dynamic: false).
  { unknown_objects: { match_mapping_type: 'object', path_unmatch: '*.*', mapping: { type: 'flat_object' } } },
  { unknown_strings: { match_mapping_type: 'string', mapping: DYNAMIC_KEYWORD } },
  { unknown_longs: { match_mapping_type: 'long', mapping: DYNAMIC_KEYWORD } },
  { unknown_doubles: { match_mapping_type: 'double', mapping: DYNAMIC_KEYWORD } },
  { unknown_booleans: { match_mapping_type: 'boolean', mapping: DYNAMIC_KEYWORD } },
] as const;

/** The index template body for `<prefix>-*` indices, installed like `flowLogTemplate`. */
export function cloudTrailTemplate(prefix: string): Record<string, unknown> {
  return indexTemplate(
    `${prefix}-*`,
    {
      dynamic: true,
      date_detection: false,
      numeric_detection: false,
      dynamic_templates: CLOUDTRAIL_DYNAMIC_TEMPLATES,
      properties: cloudTrailMappings(),
    },
    // Known fields are ~80; the rest are one field per unknown top-level key.
    { 'mapping.total_fields.limit': 2000 },
  );
}
