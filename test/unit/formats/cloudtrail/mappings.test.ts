import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldKind, KEYWORD_IGNORE_ABOVE, KIND_OF, SOURCE_ADDRESS_FIELD, cloudTrailMappings, unknownFieldKind } from '../../../../src/formats/cloudtrail/fields.js';
import { CLOUDTRAIL_DYNAMIC_TEMPLATES, cloudTrailTemplate } from '../../../../src/formats/cloudtrail/template.js';
import { AS_MAPPING, GEO_MAPPING } from '../../../../src/formats/vpc-flow/document.js';

const KEYWORD = { type: 'keyword', ignore_above: 1024 };
const DATE = { type: 'date', ignore_malformed: true };
const TEXT = { type: 'text' };
const closed = (properties: Record<string, unknown>): Record<string, unknown> => ({ dynamic: false, properties });
const keywords = (...names: string[]): Record<string, unknown> => Object.fromEntries(names.map((n) => [n, KEYWORD]));

/** The mapping every CloudTrail index gets, written out: what OpenSearch was shown to accept. */
const EXPECTED: Record<string, unknown> = {
  '@timestamp': { type: 'date' },
  ...keywords('eventVersion'),
  eventTime: DATE,
  ...keywords('eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'errorCode'),
  errorMessage: { type: 'text', fields: { keyword: KEYWORD } },
  ...keywords('requestID', 'eventID', 'eventType', 'apiVersion', 'recipientAccountId', 'sharedEventID', 'vpcEndpointId', 'vpcEndpointAccountId', 'eventCategory'),
  readOnly: { type: 'boolean' },
  managementEvent: { type: 'boolean' },
  sessionCredentialFromConsole: { type: 'boolean' },
  userIdentity: closed({
    ...keywords('type', 'principalId', 'arn', 'accountId', 'accessKeyId', 'userName', 'invokedBy', 'identityProvider', 'credentialId'),
    sessionContext: closed({
      sessionIssuer: closed(keywords('type', 'principalId', 'arn', 'accountId', 'userName')),
      attributes: closed({ creationDate: DATE, mfaAuthenticated: KEYWORD }),
      webIdFederationData: closed(keywords('federatedProvider')),
      ...keywords('sourceIdentity', 'ec2RoleDelivery'),
    }),
    onBehalfOf: closed(keywords('userId', 'identityStoreArn')),
  }),
  tlsDetails: closed(keywords('tlsVersion', 'cipherSuite', 'clientProvidedHostHeader')),
  resources: closed(keywords('ARN', 'accountId', 'type')),
  addendum: closed(keywords('reason', 'updatedFields', 'originalRequestID', 'originalEventID')),
  requestParameters: { type: 'flat_object' },
  responseElements: { type: 'flat_object' },
  additionalEventData: { type: 'flat_object' },
  serviceEventDetails: { type: 'flat_object' },
  edgeDeviceDetails: { type: 'flat_object' },
  insightDetails: { type: 'flat_object' },
  userIdentity_json: TEXT,
  tlsDetails_json: TEXT,
  resources_json: TEXT,
  addendum_json: TEXT,
  requestParameters_json: TEXT,
  responseElements_json: TEXT,
  additionalEventData_json: TEXT,
  serviceEventDetails_json: TEXT,
  edgeDeviceDetails_json: TEXT,
  insightDetails_json: TEXT,
  source_ip: { type: 'ip' },
  source_ip_geo: GEO_MAPPING,
  source_ip_as: AS_MAPPING,
  truncated: KEYWORD,
};

describe('cloudTrailMappings', () => {
  it('maps every known and derived field exactly', () => {
    assert.equal(KEYWORD_IGNORE_ABOVE, 1024);
    assert.deepEqual(cloudTrailMappings(), EXPECTED);
  });

  it('knows each field\'s kind by name only, never by a prototype key', () => {
    const kinds = Object.fromEntries(KIND_OF);
    assert.equal(kinds['eventName'], FieldKind.scalar);
    assert.equal(kinds['readOnly'], FieldKind.boolean);
    assert.equal(kinds['userIdentity'], FieldKind.object);
    assert.equal(kinds['requestParameters'], FieldKind.blob);
    assert.equal(KIND_OF.size, 31);
    for (const key of ['__proto__', 'constructor', 'toString']) assert.equal(KIND_OF.get(key), undefined, key);
    assert.deepEqual(FieldKind, { scalar: 'scalar', boolean: 'boolean', object: 'object', blob: 'blob' });
    assert.equal(SOURCE_ADDRESS_FIELD, 'sourceIPAddress');
  });

  it('treats an unknown field as a blob when it is an object or array, else as a scalar', () => {
    assert.equal(unknownFieldKind({}), FieldKind.blob);
    assert.equal(unknownFieldKind([]), FieldKind.blob);
    for (const value of [null, 'x', 5, true]) assert.equal(unknownFieldKind(value), FieldKind.scalar, String(value));
  });
});

describe('cloudTrailTemplate', () => {
  it('is the shared frame around the mapping, with room for 2000 fields', () => {
    assert.deepEqual(cloudTrailTemplate('audit'), {
      index_patterns: ['audit-*'],
      priority: 100,
      template: {
        settings: { number_of_shards: 1, auto_expand_replicas: '0-1', refresh_interval: '5s', 'mapping.total_fields.limit': 2000 },
        mappings: { dynamic: true, date_detection: false, numeric_detection: false, dynamic_templates: CLOUDTRAIL_DYNAMIC_TEMPLATES, properties: EXPECTED },
      },
      _meta: { managed_by: 'aws-log-indexer' },
    });
  });

  it('gives unknown fields safe types, first match wins', () => {
    assert.deepEqual(CLOUDTRAIL_DYNAMIC_TEMPLATES, [
      { blob_text: { match: '*_json', match_mapping_type: 'string', mapping: { type: 'text' } } },
      { unknown_objects: { match_mapping_type: 'object', path_unmatch: '*.*', mapping: { type: 'flat_object' } } },
      { unknown_strings: { match_mapping_type: 'string', mapping: KEYWORD } },
      { unknown_longs: { match_mapping_type: 'long', mapping: KEYWORD } },
      { unknown_doubles: { match_mapping_type: 'double', mapping: KEYWORD } },
      { unknown_booleans: { match_mapping_type: 'boolean', mapping: KEYWORD } },
    ]);
  });
});
