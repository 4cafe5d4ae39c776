/**
 * What `query` may filter, aggregate and print, per kind of log: the fields of our own index
 * templates (so a name the index cannot know is refused before a request is sent), the time
 * field, the address fields `findip` searches and the columns of the `lines` format.
 */
import { ConfigError } from '../config/load.js';
import { DEFAULT_FORMAT_FIELDS } from '../formats/vpc-flow/catalogue.js';
import { ADDRESS_FIELDS } from '../formats/vpc-flow/derive.js';
import { SOURCE_IP_FIELD } from '../formats/cloudtrail/fields.js';
import { cloudTrailTemplate } from '../formats/cloudtrail/template.js';
import { flowLogTemplate } from '../sink/template.js';

export const QueryKind = { flows: 'flows', cloudtrail: 'cloudtrail' } as const;
export type QueryKind = (typeof QueryKind)[keyof typeof QueryKind];

/** Mapping types a terms aggregation (and a dashboard's bucket) can use. */
export const AGGREGATABLE = new Set(['keyword', 'ip', 'integer', 'long', 'short', 'byte', 'double', 'float', 'boolean', 'date']);

/** Every leaf of a mapping's `properties`, by dotted path, with its type (`object` for a bare object). */
export function flattenMappings(properties: Record<string, unknown>, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(properties)) {
    const mapping = value as { type?: string; properties?: Record<string, unknown>; fields?: Record<string, unknown> };
    const path = `${prefix}${name}`;
    if (mapping.properties) for (const [p, t] of flattenMappings(mapping.properties, `${path}.`)) out.set(p, t);
    else out.set(path, mapping.type ?? 'object');
    if (mapping.fields) for (const [p, t] of flattenMappings(mapping.fields, `${path}.`)) out.set(p, t);
  }
  return out;
}

/** The template `properties` of a kind of index. */
export function templateProperties(kind: QueryKind): Record<string, unknown> {
  const template = (kind === QueryKind.flows ? flowLogTemplate('x') : cloudTrailTemplate('x')) as {
    template: { mappings: { properties: Record<string, unknown> } };
  };
  return template.template.mappings.properties;
}

/** How one kind of log is queried. */
export interface KindSpec {
  readonly kind: QueryKind;
  /** Every known field path and its mapping type. */
  readonly fields: ReadonlyMap<string, string>;
  /** Fields `findip` looks in. */
  readonly addressFields: readonly string[];
  /** The columns of `--format lines` (and csv, table) when `--fields` is not given. */
  readonly defaultColumns: readonly string[];
  /** Sort after the time, so that every document has one place: the same in the index and in S3. */
  readonly tiebreak: readonly string[];
}

const SPECS: Record<QueryKind, KindSpec> = {
  flows: {
    kind: QueryKind.flows, fields: flattenMappings(templateProperties(QueryKind.flows)), addressFields: ADDRESS_FIELDS,
    defaultColumns: DEFAULT_FORMAT_FIELDS, tiebreak: ['log.object', 'log.line'],
  },
  cloudtrail: {
    kind: QueryKind.cloudtrail, fields: flattenMappings(templateProperties(QueryKind.cloudtrail)), addressFields: [SOURCE_IP_FIELD],
    defaultColumns: ['eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userIdentity.arn', 'errorCode'],
    tiebreak: ['eventID'],
  },
};

/** The spec of a kind. */
export const kindSpec = (kind: QueryKind): KindSpec => SPECS[kind];

/**
 * The mapping type of a field path, or a ConfigError naming the option and the field. A path below
 * a `flat_object` (CloudTrail's `requestParameters.bucketName`) is a keyword.
 */
export function fieldType(spec: KindSpec, option: string, path: string): string {
  const type = spec.fields.get(path);
  if (type !== undefined && type !== 'object') return type;
  for (const [p, t] of spec.fields) if (t === 'flat_object' && path.startsWith(`${p}.`)) return 'keyword';
  throw new ConfigError(`${option}: ${JSON.stringify(path)} is not a field of the ${spec.kind} index (see the field table in the README)`);
}
