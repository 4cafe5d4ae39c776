import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kindFromKey } from '../../../src/formats/detect.js';

describe('kindFromKey', () => {
  const cases: [string, string][] = [
    ['AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20261122T0705Z_abcd1234.log.gz', 'vpc-flow'],
    ['prefix/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/07/x.log.gz', 'vpc-flow'],
    ['AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=11/day=22/x.log.gz', 'vpc-flow'],
    ['AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/22/123456789012_CloudTrail_us-east-1_20261122T0705Z_abcdefghijklmnop.json.gz', 'cloudtrail'],
    ['AWSLogs/o-abc/123456789012/CloudTrail/us-east-1/2026/11/22/x.json.gz', 'cloudtrail'],
    ['AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/22/x.json.gz', 'cloudtrail-digest'],
    ['uploads/random.txt', 'unknown'],
  ];
  for (const [key, kind] of cases) it(`${kind}: ${key.slice(0, 60)}`, () => assert.equal(kindFromKey(key), kind));
});
