import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { SampleFormat, flowLogKey, sampleLines } from '../../src/sample/flow-logs.js';
import type { WorkerStats } from '../../src/worker/stats.js';
import { dropStack, newStack, putBytes, putObject, queueDepth, runWorkerUntilEmpty, type TestStack } from '../helpers/stack.js';

const START = Date.UTC(2026, 10, 22, 10, 0) / 1000;
const PARQUET = 'test/fixtures/vpc-flow/parquet/default.log.parquet';
const TRAIL = (name: string) => readFileSync(`test/fixtures/cloudtrail/${name}`);
const trailKey = (n: number) => `AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/22/123456789012_CloudTrail_us-east-1_20261122T100${n}Z_abcdefghijklmno${n}.json.gz`;

/**
 * The Parquet fixture's rows (its twin default.txt shows them): 8 records, of which row 5
 * (srcaddr "not-an-ip") and row 6 (bytes over 2^53) are bad lines; the NODATA and SKIPDATA
 * records are documents too.
 */
const PARQUET_DOCS = 6;
const PARQUET_BAD_LINES = 2;

async function count(stack: TestStack, index: string, query?: Record<string, unknown>): Promise<number> {
  await stack.opensearch.indices.refresh({ index });
  return ((await stack.opensearch.count({ index, body: query ? { query } : {} } as never)).body as { count: number }).count;
}

describe('one object of each kind through the real stack', () => {
  let stack: TestStack;
  let stats: WorkerStats;
  before(async () => {
    stack = await newStack();
    const text = [...sampleLines({ seed: 3, records: 50, format: SampleFormat.default, start: START })];
    await putObject(stack, flowLogKey('123456789012', 'us-east-1', 'fl-text', START, 'a'), `${text.join('\n')}\n`);
    await putBytes(stack, flowLogKey('123456789012', 'us-east-1', 'fl-pq', START, 'b').replace('.log.gz', '.log.parquet'), readFileSync(PARQUET));
    // CloudWatch Logs export: no header, ISO timestamp before each record.
    await putObject(stack, 'AWSLogs/exports/flow/000000.log.gz', `${text.slice(1, 21).map((l) => `2026-11-22T10:00:00.000Z ${l}`).join('\n')}\n`);
    await putBytes(stack, trailKey(1), gzipSync(TRAIL('ec2-iam-events.json')));
    await putBytes(stack, trailKey(2), gzipSync(TRAIL('redelivered.json')));
    await putBytes(stack, 'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/22/digest.json.gz', gzipSync(TRAIL('digest.json')));
    await putObject(stack, 'AWSLogs/misc/notes.log.gz', 'just some words\nnothing else\n');
    stats = await runWorkerUntilEmpty(stack, { headerlessPrefixes: ['AWSLogs/exports/'] });
  });
  after(() => dropStack(stack));

  it('indexes a gzip text flow log, a Parquet flow log and header-less lines as flow documents', async () => {
    const flow = `${stack.config.indexPrefix}-*`;
    assert.equal(await count(stack, flow, { prefix: { 'log.object': `s3://${stack.bucket}/AWSLogs/123456789012/vpcflowlogs/` } }), 50 + PARQUET_DOCS);
    assert.equal(await count(stack, flow, { prefix: { 'log.object': `s3://${stack.bucket}/AWSLogs/exports/` } }), 20);
  });

  it('indexes CloudTrail events once per eventID, even when a second file repeats one', async () => {
    // 4 events, then 2 of which one is a repeat: 5 distinct eventIDs.
    assert.equal(await count(stack, `${stack.config.cloudtrailIndexPrefix}-*`), 5);
    assert.equal(await count(stack, `${stack.config.cloudtrailIndexPrefix}-*`, { term: { eventName: 'StartInstances' } }), 1);
  });

  it('skips the digest and the object that is no log, and leaves both queues empty', async () => {
    assert.equal(stats.objectsSkipped, 2, 'the CloudTrail digest and the notes');
    assert.equal(stats.objectsFailed, 0);
    assert.equal(stats.badLines, PARQUET_BAD_LINES);
    assert.equal(await queueDepth(stack, 'main'), 0);
    assert.equal(await queueDepth(stack, 'dlq'), 0);
  });
});
