/**
 * The CloudTrail record fields this indexer knows (AWS "CloudTrail record contents"), each with
 * how a document keeps it and how the index maps it. Derived fields use `_` (`source_ip_geo`,
 * `requestParameters_json`): AWS names are camelCase, so a future AWS field cannot collide.
 */
import { AS_MAPPING, AS_SUFFIX, GEO_MAPPING, GEO_SUFFIX } from '../vpc-flow/document.js';
import { JSON_SUFFIX } from './blob.js';

/** How the document builder treats a field's value. */
export const FieldKind = {
  /** A scalar kept as is; an object is stored as its JSON text (a keyword refuses objects). */
  scalar: 'scalar',
  /** `true`/`false` or their strings; anything else is left out (a boolean field refuses it). */
  boolean: 'boolean',
  /** An object (or array of objects) with mapped subfields; any other value goes to `<field>_json`. */
  object: 'object',
  /** Free-form per API: a `flat_object` under the size cap, else JSON text in `<field>_json`. */
  blob: 'blob',
} as const;
export type FieldKind = (typeof FieldKind)[keyof typeof FieldKind];

/**
 * Keywords longer than this are kept in `_source` but not indexed: a term over 32 766 bytes would
 * fail the document, and nobody filters on kilobytes of text.
 */
export const KEYWORD_IGNORE_ABOVE = 1024;

const KEYWORD = { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE } as const;
const BOOLEAN = { type: 'boolean' } as const;
/** AWS writes ISO times, but a malformed one must cost the field, not the document. */
const DATE = { type: 'date', ignore_malformed: true } as const;
const FLAT = { type: 'flat_object' } as const;

/** An object whose unknown subfields stay in `_source` unindexed: userIdentity grows over time. */
function closedObject(properties: Record<string, unknown>): Record<string, unknown> {
  return { dynamic: false, properties };
}

function keywords(...names: string[]): Record<string, typeof KEYWORD> {
  return Object.fromEntries(names.map((name) => [name, KEYWORD]));
}

const SESSION_ISSUER = closedObject(keywords('type', 'principalId', 'arn', 'accountId', 'userName'));

const USER_IDENTITY = closedObject({
  ...keywords('type', 'principalId', 'arn', 'accountId', 'accessKeyId', 'userName', 'invokedBy', 'identityProvider', 'credentialId'),
  sessionContext: closedObject({
    sessionIssuer: SESSION_ISSUER,
    attributes: closedObject({ creationDate: DATE, mfaAuthenticated: KEYWORD }),
    webIdFederationData: closedObject(keywords('federatedProvider')),
    ...keywords('sourceIdentity', 'ec2RoleDelivery'),
  }),
  onBehalfOf: closedObject(keywords('userId', 'identityStoreArn')),
});

interface FieldSpec {
  readonly kind: FieldKind;
  readonly mapping: Readonly<Record<string, unknown>>;
}

const scalar = (mapping: Record<string, unknown> = KEYWORD): FieldSpec => ({ kind: FieldKind.scalar, mapping });
const boolean: FieldSpec = { kind: FieldKind.boolean, mapping: BOOLEAN };
const object = (mapping: Record<string, unknown>): FieldSpec => ({ kind: FieldKind.object, mapping });
const blob: FieldSpec = { kind: FieldKind.blob, mapping: FLAT };

/** Every known top-level field. Fields not listed here are treated by `unknownFieldKind`. */
export const FIELDS: Readonly<Record<string, FieldSpec>> = {
  eventVersion: scalar(),
  eventTime: scalar(DATE),
  eventSource: scalar(),
  eventName: scalar(),
  awsRegion: scalar(),
  sourceIPAddress: scalar(),
  userAgent: scalar(),
  errorCode: scalar(),
  errorMessage: scalar({ type: 'text', fields: { keyword: KEYWORD } }),
  requestID: scalar(),
  eventID: scalar(),
  eventType: scalar(),
  apiVersion: scalar(),
  recipientAccountId: scalar(),
  sharedEventID: scalar(),
  vpcEndpointId: scalar(),
  vpcEndpointAccountId: scalar(),
  eventCategory: scalar(),
  readOnly: boolean,
  managementEvent: boolean,
  // AWS writes it as the string "true".
  sessionCredentialFromConsole: boolean,
  userIdentity: object(USER_IDENTITY),
  tlsDetails: object(closedObject(keywords('tlsVersion', 'cipherSuite', 'clientProvidedHostHeader'))),
  resources: object(closedObject(keywords('ARN', 'accountId', 'type'))),
  addendum: object(closedObject(keywords('reason', 'updatedFields', 'originalRequestID', 'originalEventID'))),
  requestParameters: blob,
  responseElements: blob,
  additionalEventData: blob,
  serviceEventDetails: blob,
  // Also free-form per device or insight type, so treated the same way.
  edgeDeviceDetails: blob,
  insightDetails: blob,
};

/** Kind by field name, as a Map so that `__proto__` or `constructor` keys find nothing. */
export const KIND_OF: ReadonlyMap<string, FieldKind> = new Map(Object.entries(FIELDS).map(([name, spec]) => [name, spec.kind]));

/**
 * Unknown top-level fields: objects and arrays are blobs (the template's dynamic templates map
 * them to `flat_object`), scalars are kept (mapped as keyword whatever their JSON type).
 */
export function unknownFieldKind(value: unknown): FieldKind {
  return value !== null && typeof value === 'object' ? FieldKind.blob : FieldKind.scalar;
}

/** The address field that gets `source_ip` and its enrichment when it holds an address. */
export const SOURCE_ADDRESS_FIELD = 'sourceIPAddress';
/** `sourceIPAddress` as an `ip` when it is one (it is often a service name instead). */
export const SOURCE_IP_FIELD = 'source_ip';
export const SOURCE_IP_GEO_FIELD = `${SOURCE_IP_FIELD}${GEO_SUFFIX}`;
export const SOURCE_IP_AS_FIELD = `${SOURCE_IP_FIELD}${AS_SUFFIX}`;
/** Names of the fields whose JSON text was cut to the size cap. */
export const TRUNCATED_FIELD = 'truncated';

/** The `properties` of a CloudTrail index template: known fields and derived ones. */
export function cloudTrailMappings(): Record<string, unknown> {
  const known = Object.entries(FIELDS).map(([name, spec]) => [name, spec.mapping] as const);
  // Every field that can fall back to JSON text gets its `_json` sibling mapped up front.
  const jsonSiblings = Object.entries(FIELDS)
    .filter(([, spec]) => spec.kind === FieldKind.blob || spec.kind === FieldKind.object)
    .map(([name]) => [`${name}${JSON_SUFFIX}`, { type: 'text' }] as const);
  return {
    '@timestamp': { type: 'date' },
    ...Object.fromEntries(known),
    ...Object.fromEntries(jsonSiblings),
    [SOURCE_IP_FIELD]: { type: 'ip' },
    [SOURCE_IP_GEO_FIELD]: GEO_MAPPING,
    [SOURCE_IP_AS_FIELD]: AS_MAPPING,
    [TRUNCATED_FIELD]: KEYWORD,
  };
}
