import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyInRange, keySpan, listingPrefixes, selectByKeyTime, timeFromKey } from '../../../src/source/key-time.js';

const T = (h: number, mi = 0, d = 22) => Date.UTC(2026, 10, d, h, mi);
const STAMPED = 'AWSLogs/1/vpcflowlogs/us-east-1/2026/11/22/1_vpcflowlogs_us-east-1_fl-1_20261122T0705Z_ab.log.gz';

describe('timeFromKey', () => {
  it('reads the delivery time from an AWS file name', () => assert.equal(timeFromKey(STAMPED), T(7, 5) / 1000));
  it('is undefined when the name has none, or names no real date', () => {
    assert.equal(timeFromKey('a/b.log.gz'), undefined);
    assert.equal(timeFromKey('a/1_CloudTrail_us-east-1_20260231T0705Z_x.json.gz'), undefined);
  });
});

describe('keySpan', () => {
  it('is the stamp when the file name has one', () => assert.deepEqual(keySpan(STAMPED), { from: T(7, 5), to: T(7, 5) + 1 }));
  it('is the hour of Hive-style folders with an hour', () => {
    assert.deepEqual(keySpan('AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/aws-region=us-east-1/year=2026/month=11/day=22/hour=07/x.parquet'), { from: T(7), to: T(8) });
  });
  it('is the day of plain day folders', () => assert.deepEqual(keySpan('x/2026/11/22/y.log.gz'), { from: T(0), to: T(0, 0, 23) }));
  it('is undefined for a key without time', () => assert.equal(keySpan('uploads/x.log.gz'), undefined));
});

describe('keyInRange', () => {
  it('keeps a stamp inside the range widened by the lag, either side', () => {
    assert.equal(keyInRange(STAMPED, { since: T(7, 10), until: T(8) }, 10 * 60_000), true);
    assert.equal(keyInRange(STAMPED, { since: T(7, 10), until: T(8) }, 4 * 60_000), false);
    assert.equal(keyInRange(STAMPED, { since: T(6), until: T(7) }, 5 * 60_000), false);
    assert.equal(keyInRange(STAMPED, { since: T(6), until: T(7) }, 6 * 60_000), true);
    assert.equal(keyInRange(STAMPED, {}, 0), true);
  });
});

describe('selectByKeyTime', () => {
  it('counts what it leaves out: out of range, and keys without time when the range is bounded', async () => {
    async function* refs() {
      for (const key of [STAMPED, 'uploads/x.log.gz', STAMPED.replace('T0705Z', 'T0905Z')]) yield { bucket: 'b', key };
    }
    const skipped = { outOfRange: 0, noTime: 0 };
    const kept = [];
    for await (const ref of selectByKeyTime(refs(), { since: T(7), until: T(8) }, 0, skipped)) kept.push(ref.key);
    assert.deepEqual(kept, [STAMPED]);
    assert.deepEqual(skipped, { outOfRange: 1, noTime: 1 });
    const all = [];
    for await (const ref of selectByKeyTime(refs(), {}, 0)) all.push(ref.key);
    assert.equal(all.length, 3);
  });
});

describe('listingPrefixes', () => {
  it('lists only the day folders of the range under a region folder', () => {
    assert.deepEqual(listingPrefixes('AWSLogs/1/vpcflowlogs/us-east-1/', { since: T(23, 50, 21), until: T(1, 0, 22) }, 15 * 60_000), [
      'AWSLogs/1/vpcflowlogs/us-east-1/2026/11/21/', 'AWSLogs/1/vpcflowlogs/us-east-1/2026/11/22/',
    ]);
    assert.deepEqual(listingPrefixes('AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/aws-region=eu-west-1/', { since: T(1), until: T(2) }, 0), [
      'AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/month=11/day=22/',
    ]);
  });
  it('keeps any other prefix whole, and an unbounded start', () => {
    assert.deepEqual(listingPrefixes('AWSLogs/', { since: T(1) }, 0), ['AWSLogs/']);
    assert.deepEqual(listingPrefixes('AWSLogs/1/vpcflowlogs/us-east-1/', { until: T(1) }, 0), ['AWSLogs/1/vpcflowlogs/us-east-1/']);
  });
});
