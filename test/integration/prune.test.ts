/** Retention: `prune` deletes exactly our daily indices past the cutoff; `setup` says where ISM is missing. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { awsClients } from '../../src/context.js';
import { createOpenSearchClient } from '../../src/sink/opensearch.js';
import { removeNamed } from '../helpers/cleanup.js';
import { STACK_ENV } from '../helpers/stack.js';

describe('prune and retention', () => {
  const name = `t-${randomBytes(4).toString('hex')}`;
  const config = loadConfig(process.env, {});
  const client = createOpenSearchClient(config);
  const env = { INDEX_PREFIX: `${name}-flow`, CLOUDTRAIL_INDEX_PREFIX: `${name}-trail`, ...STACK_ENV };
  const cli = (...args: string[]) => {
    const run = spawnSync(process.execPath, ['bin/aws-log-indexer.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout;
  };
  const existing = async () => ((await client.cat.indices({ index: `${name}-*`, format: 'json', h: 'index' } as never)).body as { index: string }[]).map((i) => i.index).sort();
  // `setup` below also makes a bucket, a topic and queues in the emulator: remove them with the indices.
  after(() => removeNamed(awsClients(config), client, name));

  it('lists (dry run), then deletes exactly the daily indices older than the cutoff, and no other index', async () => {
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '.');
    // day(30) ends after the cutoff (now − 30 days), day(31) before it, whatever the time of day.
    const old = [`${name}-flow-${day(40)}`, `${name}-flow-${day(35)}`, `${name}-trail-${day(31)}`];
    const kept = [`${name}-flow-${day(30)}`, `${name}-flow-${day(29)}`, `${name}-flow-${day(0)}`, `${name}-flow-archive`, `${name}-flowx-${day(40)}`, `${name}-other-${day(40)}`];
    for (const index of [...old, ...kept]) await client.indices.create({ index });
    await client.indices.close({ index: `${name}-flow-${day(35)}` });
    const dry = JSON.parse(cli('prune', '--older-than', '30d', '--json')) as { wouldDelete: string[] };
    assert.deepEqual(dry.wouldDelete, old, 'oldest first, a closed index too');
    const run = spawnSync(process.execPath, ['bin/aws-log-indexer.js', 'prune', '--json'], { encoding: 'utf8', env: { ...process.env, ...env, RETENTION_DAYS: '30' } });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual((JSON.parse(run.stdout) as { wouldDelete: string[] }).wouldDelete, old, '--older-than defaults to RETENTION_DAYS');
    assert.deepEqual(await existing(), [...old, ...kept].sort(), 'a dry run deletes nothing');
    const done = JSON.parse(cli('prune', '--older-than', '30d', '--yes', '--json')) as { deleted: string[] };
    assert.deepEqual(done.deleted, old);
    assert.deepEqual(await existing(), [...kept].sort());
  });

  it('setup with RETENTION_DAYS says the local node has no ISM plugin, and what to do instead', () => {
    const out = JSON.parse(cli('setup', '--bucket', name, '--topic', name, '--queue', name, '--dead-letter-queue', `${name}-dlq`, '--dead-letter-index', `${name}-deadletter`)) as Record<string, unknown>;
    assert.equal(out['retention'], undefined, 'no retention without RETENTION_DAYS');
    env['RETENTION_DAYS' as keyof typeof env] = '30' as never;
    const withRetention = JSON.parse(cli('setup', '--bucket', name, '--topic', name, '--queue', name, '--dead-letter-queue', `${name}-dlq`, '--dead-letter-index', `${name}-deadletter`)) as { retention: { ism: string; advice: string } };
    assert.equal(withRetention.retention.ism, 'not available');
    assert.match(withRetention.retention.advice, /prune --older-than 30d --yes/);
  });
});
