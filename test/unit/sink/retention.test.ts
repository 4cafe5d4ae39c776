import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dailyIndexDay, hasIsmPlugin, indicesToPrune, ismPolicy } from '../../../src/sink/retention.js';

describe('indicesToPrune', () => {
  const prefixes = ['vpcflowlogs', 'cloudtrail'];
  it('takes only our daily indices whose whole day ends by the cutoff, oldest first', () => {
    const names = [
      'vpcflowlogs-2026.10.31', 'vpcflowlogs-2026.10.30', 'cloudtrail-2026.01.05', 'vpcflowlogs-2026.11.01',
      'vpcflowlogs-foo-2020.01.01', 'vpcflowlogsx-2020.01.01', 'vpcflowlogs-2020.02.31', 'other-2020.01.01', 'vpcflowlogs-2020.01.01-restored', 'aws-log-indexer-deadletter',
    ];
    assert.deepEqual(indicesToPrune(names, prefixes, Date.UTC(2026, 10, 1)), ['cloudtrail-2026.01.05', 'vpcflowlogs-2026.10.30', 'vpcflowlogs-2026.10.31']);
    assert.deepEqual(indicesToPrune(names, prefixes, Date.UTC(2026, 10, 1) - 1), ['cloudtrail-2026.01.05', 'vpcflowlogs-2026.10.30']);
  });
  it('reads the day of a daily index name', () => {
    assert.equal(dailyIndexDay('cloudtrail-2026.11.22', ['cloudtrail']), Date.UTC(2026, 10, 22));
    assert.equal(dailyIndexDay('cloudtrail-2026.11.22', ['vpcflowlogs']), undefined);
    assert.equal(dailyIndexDay('other-2026.11.22', ['flows']), undefined, 'a prefix of the same length is not ours');
    assert.equal(dailyIndexDay('flows-2026.11.22', ['trail', 'flows']), Date.UTC(2026, 10, 22), 'any of the prefixes');
  });
  it('orders indices of the same day by name, whatever order they come in', () => {
    const names = ['vpcflowlogs-2026.01.01', 'cloudtrail-2026.01.01', 'cloudtrail-2025.12.31'];
    const expected = ['cloudtrail-2025.12.31', 'cloudtrail-2026.01.01', 'vpcflowlogs-2026.01.01'];
    assert.deepEqual(indicesToPrune(names, prefixes, Date.UTC(2026, 0, 2)), expected);
    assert.deepEqual(indicesToPrune([...names].reverse(), prefixes, Date.UTC(2026, 0, 2)), expected);
  });
});

describe('ISM', () => {
  it('detects the plugin in _cat/plugins', () => {
    assert.equal(hasIsmPlugin([{ component: 'opensearch-index-management' }, { component: 'opensearch-job-scheduler' }]), true);
    assert.equal(hasIsmPlugin([]), false);
    assert.equal(hasIsmPlugin([{ component: 'opensearch-job-scheduler' }, {}]), false);
  });
  it('deletes after the retention, for our prefixes', () => {
    const p = ismPolicy(30, ['vpcflowlogs', 'cloudtrail']) as { policy: { states: { transitions: { conditions?: unknown }[] }[]; ism_template: unknown } };
    assert.deepEqual(p.policy.states[0]?.transitions[0]?.conditions, { min_index_age: '30d' });
    assert.deepEqual(p.policy.ism_template, [{ index_patterns: ['vpcflowlogs-*', 'cloudtrail-*'], priority: 100 }]);
  });
});
