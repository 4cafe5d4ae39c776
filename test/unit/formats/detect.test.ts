import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ObjectKind, isCwlEnvelopeHead, kindFromKey } from '../../../src/formats/detect.js';

describe('kindFromKey', () => {
  const cases: [string, string][] = [
    ['AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20261122T0705Z_abcd1234.log.gz', 'vpc-flow'],
    ['prefix/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/07/x.log.gz', 'vpc-flow'],
    ['AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=11/day=22/x.log.gz', 'vpc-flow'],
    ['AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/22/123456789012_CloudTrail_us-east-1_20261122T0705Z_abcdefghijklmnop.json.gz', 'cloudtrail'],
    ['AWSLogs/o-abc/123456789012/CloudTrail/us-east-1/2026/11/22/x.json.gz', 'cloudtrail'],
    ['AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/22/x.json.gz', 'cloudtrail-digest'],
    ['uploads/random.txt', 'unknown'],
    // The folder name at the very start of the key, or right after a slash; not inside another name.
    ['CloudTrail-Digest/x.json.gz', 'cloudtrail-digest'],
    ['AWSLogs/1/MyCloudTrail-Digest/x.json.gz', 'unknown'],
    ['CloudTrail/x.json.gz', 'cloudtrail'],
    ['AWSLogs/1/MyCloudTrail/x.json.gz', 'unknown'],
    ['vpcflowlogs/x.log.gz', 'vpc-flow'],
    ['aws-service=vpcflowlogs/x.log.gz', 'vpc-flow'],
    ['AWSLogs/1/myvpcflowlogs/x.log.gz', 'unknown'],
    ['AWSLogs/1/aws-service=vpcflowlogsX/x.log.gz', 'unknown'],
    // The AWS file name alone, anywhere, compressed or not; not a folder, not another extension.
    ['copied/123456789012_CloudTrail_us-east-1_20261122T0705Z_abc.json', 'cloudtrail'],
    ['copied/123456789012_CloudTrail_us-east-1_20261122T0705Z_abc.json.gz', 'cloudtrail'],
    ['copied/123456789012_CloudTrail_us-east-1.json.bak', 'unknown'],
    ['copied/123456789012_CloudTrail_us-east-1/x.json', 'unknown'],
    ['copied/123456789012_CloudTrail_.json', 'cloudtrail'],
    ['copied/123456789012_vpcflowlogs_us-east-1_fl-1_20261122T0705Z_abcd.log', 'vpc-flow'],
    ['copied/123456789012_vpcflowlogs_us-east-1_fl-1_20261122T0705Z_abcd.log.gz', 'vpc-flow'],
    ['copied/123456789012_vpcflowlogs_us-east-1.log.bak', 'unknown'],
    ['copied/123456789012_vpcflowlogs_us-east-1/x.log', 'unknown'],
    ['copied/123456789012_vpcflowlogs_.log', 'vpc-flow'],
  ];
  for (const [key, kind] of cases) it(`${kind}: ${key.slice(0, 60)}`, () => assert.equal(kindFromKey(key), kind));

  it('names the kinds as the rest of the indexer spells them', () => {
    assert.deepEqual(ObjectKind, { vpcFlow: 'vpc-flow', cloudTrail: 'cloudtrail', cloudTrailDigest: 'cloudtrail-digest', unknown: 'unknown' });
  });
});

describe('isCwlEnvelopeHead', () => {
  const head = (s: string): Buffer => Buffer.from(s, 'utf8');

  it('recognises each key a writer may put first, with any whitespace around it', () => {
    for (const key of ['messageType', 'owner', 'logGroup', 'logStream', 'subscriptionFilters', 'logEvents']) {
      assert.equal(isCwlEnvelopeHead(head(`{"${key}":`)), true, key);
      assert.equal(isCwlEnvelopeHead(head(` \n\t{ \r\n "${key}" \t: "x"`)), true, `${key} with whitespace`);
    }
  });

  it('recognises a head after a byte-order mark', () => {
    assert.equal(isCwlEnvelopeHead(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), head('{"messageType":"DATA_MESSAGE"')])), true);
  });

  it('refuses other first keys, keys that only start like one, and anything before the brace', () => {
    for (const text of ['{"Records":[', '{"messageTypes":1', '{"xlogEvents":[', '{messageType:1', '{"messageType"}', 'x{"messageType":', '[{"messageType":', '"messageType":', '']) {
      assert.equal(isCwlEnvelopeHead(head(text)), false, JSON.stringify(text));
    }
  });

  it('looks at the first 256 bytes only: the key must end within them', () => {
    const key = '{"owner":';
    assert.equal(isCwlEnvelopeHead(head(' '.repeat(256 - key.length) + key)), true);
    assert.equal(isCwlEnvelopeHead(head(' '.repeat(257 - key.length) + key)), false);
  });
});
