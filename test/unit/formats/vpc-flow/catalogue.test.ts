import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_FORMAT_FIELDS, DEFAULT_FORMAT_STRING, FIELDS, FieldType, fieldMapping, fieldSpec,
} from '../../../../src/formats/vpc-flow/catalogue.js';

/** Every field of the reference table (AWS VPC user guide, flow log records), with its version. */
const REFERENCE_TABLE: Record<number, string[]> = {
  2: ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status'],
  3: ['vpc-id', 'subnet-id', 'instance-id', 'tcp-flags', 'type', 'pkt-srcaddr', 'pkt-dstaddr'],
  4: ['region', 'az-id', 'sublocation-type', 'sublocation-id'],
  5: ['pkt-src-aws-service', 'pkt-dst-aws-service', 'flow-direction', 'traffic-path'],
  7: ['ecs-cluster-arn', 'ecs-cluster-name', 'ecs-container-instance-arn', 'ecs-container-instance-id', 'ecs-container-id',
    'ecs-second-container-id', 'ecs-service-name', 'ecs-task-definition-arn', 'ecs-task-arn', 'ecs-task-id'],
  8: ['reject-reason'],
};

describe('the field catalogue', () => {
  it('lists every field of the reference table with its version', () => {
    for (const [version, names] of Object.entries(REFERENCE_TABLE)) {
      for (const name of names) assert.equal(fieldSpec(name)?.version, Number(version), name);
    }
    assert.ok(fieldSpec('resource-id'));
    assert.equal(fieldSpec('encryption-status')?.type, FieldType.int);
  });

  it('lists the Transit Gateway fields as version 6', () => {
    for (const name of ['resource-type', 'tgw-id', 'tgw-attachment-id', 'tgw-src-vpc-account-id', 'tgw-pair-attachment-id', 'packets-lost-ttl-expired']) {
      assert.equal(fieldSpec(name)?.version, 6, name);
    }
    assert.equal(fieldSpec('packets-lost-no-route')?.type, FieldType.long);
  });

  it('types fields as the reference says', () => {
    const types = Object.fromEntries(Object.entries(FIELDS).map(([n, s]) => [n, s.type]));
    assert.deepEqual(
      [types['srcport'], types['protocol'], types['packets'], types['bytes'], types['start'], types['end'], types['pkt-dstaddr'], types['tcp-flags'], types['traffic-path'], types['account-id']],
      ['int', 'int', 'long', 'long', 'epoch_seconds', 'epoch_seconds', 'ip', 'int', 'int', 'keyword'],
    );
  });

  it('does not mistake Object.prototype members for fields', () => {
    assert.equal(fieldSpec('constructor'), undefined);
    assert.equal(fieldSpec('toString'), undefined);
  });

  it('gives every field a description', () => {
    for (const [name, spec] of Object.entries(FIELDS)) assert.ok(spec.description.length > 5, name);
  });
});

describe('the default format', () => {
  it('is the 14 v2 fields in AWS order', () => {
    assert.deepEqual(DEFAULT_FORMAT_FIELDS, REFERENCE_TABLE[2]);
  });

  it('renders as AWS writes it', () => {
    assert.equal(DEFAULT_FORMAT_STRING,
      '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}');
  });
});

describe('fieldMapping', () => {
  it('maps each type to its OpenSearch mapping', () => {
    assert.deepEqual(fieldMapping('int'), { type: 'integer' });
    assert.deepEqual(fieldMapping('long'), { type: 'long' });
    assert.deepEqual(fieldMapping('ip'), { type: 'ip' });
    assert.deepEqual(fieldMapping('keyword'), { type: 'keyword' });
    assert.deepEqual(fieldMapping('epoch_seconds'), { type: 'date', format: 'epoch_second' });
  });
});
