/**
 * A backfill an operator can steer: `reprocess` by key time, resumed with --start-after, and an
 * interrupted run that names the key to go on from (nothing lost, nothing twice).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { SampleFormat, flowLogKey, sampleLines } from '../../src/sample/flow-logs.js';
import { BulkFaultProxy } from '../helpers/fault-proxy.js';
import { countDocs, dropStack, newStack, purgeQueue, putObject, queueDepth, spawnCli, type TestStack } from '../helpers/stack.js';

const START = Date.UTC(2026, 10, 22, 11, 0) / 1000;
const OBJECTS = 5;
const RECORDS = 30;

describe('reprocess steering', () => {
  let stack: TestStack;
  let keys: string[];
  let env: Record<string, string>;
  const cli = (...args: string[]) => {
    const run = spawnSync(process.execPath, ['bin/aws-log-indexer.js', 'reprocess', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout) as Record<string, number>;
  };

  before(async () => {
    stack = await newStack();
    env = { QUEUE_URL: stack.queueUrl, INDEX_PREFIX: stack.config.indexPrefix, DEADLETTER_INDEX: stack.config.deadLetterIndex };
    keys = [];
    for (let i = 0; i < OBJECTS; i++) {
      const key = flowLogKey('123456789012', 'us-east-1', 'fl-st', START + i * 60, `s${i}`);
      keys.push(key);
      await putObject(stack, key, `${[...sampleLines({ seed: i, records: RECORDS, format: SampleFormat.default, start: START + i * 60 })].join('\n')}\n`);
    }
    await purgeQueue(stack);
  });
  after(() => dropStack(stack));

  it('--since/--until select objects by the time in their keys (11:02 and 11:03 of 11:00…11:04)', async () => {
    const out = cli(`s3://${stack.bucket}/AWSLogs/123456789012/vpcflowlogs/us-east-1/`, '--since', '2026-11-22T11:02Z', '--until', '2026-11-22T11:04Z', '--key-lag', '0s');
    assert.deepEqual([out['objects'], out['created'], out['outOfRange'], out['noTime']], [2, 2 * RECORDS, 3, 0]);
  });

  it('--start-after KEY goes on after that key; --enqueue too', async () => {
    const out = cli(`s3://${stack.bucket}/AWSLogs/`, '--start-after', keys[2] as string);
    assert.deepEqual([out['objects'], out['created'], out['exists']], [2, RECORDS, RECORDS], 'objects 4 and 5: 11:04 is new, 11:03 was indexed above');
    assert.equal(cli(`s3://${stack.bucket}/AWSLogs/`, '--enqueue', '--start-after', keys[3] as string)['enqueued'], 1);
    assert.equal(await queueDepth(stack, 'main'), 1);
  });

  it('interrupted, it names the last key before which everything is finished; going on from it indexes the rest once', async () => {
    // A clean index for this case; the bucket and queue stay (dropStack would remove them too).
    await stack.opensearch.indices.delete({ index: `${stack.config.indexPrefix}-*`, ignore_unavailable: true }, { ignore: [404] });
    for (let i = 0; i < 40; i++) {
      await putObject(stack, flowLogKey('123456789012', 'us-east-1', 'fl-int', START + i * 60, `i${i}`), `${[...sampleLines({ seed: i, records: 50, format: SampleFormat.default, start: START + i * 60 })].join('\n')}\n`);
    }
    const uri = `s3://${stack.bucket}/AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/22/123456789012_vpcflowlogs_us-east-1_fl-int`;
    // Each object's _bulk is held 300 ms, so that the signal lands mid-run.
    const proxy = await BulkFaultProxy.start();
    proxy.setDelay(300);
    const run = spawnCli(['reprocess', uri, '--concurrency', '2'], { ...env, OPENSEARCH_URL: proxy.url });
    try {
      const deadline = Date.now() + 60_000;
      while (proxy.requests.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      run.child.kill('SIGINT');
    } finally {
      await run.exited;
      await proxy.close();
    }
    const exit = await run.exited;
    assert.equal(exit.code, 130, exit.log);
    const stopped = JSON.parse(exit.stdout) as { objects: number; resumeAfter: string | null };
    assert.ok(stopped.objects < 40, `the signal came after all ${stopped.objects} objects were read`);
    assert.ok(stopped.resumeAfter, exit.log);
    assert.match(exit.log, new RegExp(`--start-after '${stopped.resumeAfter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`));
    const rest = cli(uri, '--start-after', stopped.resumeAfter);
    assert.equal(await countDocs(stack), 40 * 50, 'every record indexed once');
    // The objects after the key were read by the second run; those up to it were finished by the first.
    const done = Number(/_i(\d+)\.log\.gz$/.exec(stopped.resumeAfter)?.[1]);
    assert.equal(rest['objects'], 39 - done, JSON.stringify(rest));
  });
});
