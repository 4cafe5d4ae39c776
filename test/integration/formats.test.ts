import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { noopEnricher } from '../../src/enrich/geoip.js';
import { readParquetObject } from '../../src/pipeline/read-object.js';
import { SampleFormat, flowLogKey, sampleLines } from '../../src/sample/flow-logs.js';
import { fileAsyncBuffer } from '../../src/source/range-reader.js';
import type { WorkerStats } from '../../src/worker/stats.js';
import { dropStack, newStack, putBytes, putObject, queueDepth, runWorkerUntilEmpty, type TestStack } from '../helpers/stack.js';

const START = Date.UTC(2026, 10, 22, 10, 0) / 1000;
const PARQUET = 'test/fixtures/vpc-flow/parquet/default.log.parquet';
const TRAIL = (name: string) => readFileSync(`test/fixtures/cloudtrail/${name}`);
const trailKey = (n: number) => `AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/22/123456789012_CloudTrail_us-east-1_20261122T100${n}Z_abcdefghijklmno${n}.json.gz`;

/** Documents a Parquet file gives when read locally: what the worker must index from S3. */
async function parquetDocs(): Promise<number> {
  const source = await fileAsyncBuffer(PARQUET);
  const read = await readParquetObject({ bucket: 'b', key: PARQUET }, source, { enricher: noopEnricher, indexPrefix: 'x', maxLineBytes: 1 << 20, maxObjectBytes: 1 << 30 });
  let docs = 0;
  if (read.kind === 'read') for await (const batch of read.batches) docs += batch.ops.length;
  await source.close();
  return docs;
}

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
    assert.equal(await count(stack, flow, { prefix: { 'log.object': `s3://${stack.bucket}/AWSLogs/123456789012/vpcflowlogs/` } }), 50 + (await parquetDocs()));
    assert.equal(await count(stack, flow, { prefix: { 'log.object': `s3://${stack.bucket}/AWSLogs/exports/` } }), 20);
  });

  it('indexes CloudTrail events once per eventID, even when a second file repeats one', async () => {
    // 4 events, then 2 of which one is a repeat: 5 distinct eventIDs.
    assert.equal(await count(stack, `${stack.config.cloudtrailIndexPrefix}-*`), 5);
    assert.equal(await count(stack, `${stack.config.cloudtrailIndexPrefix}-*`, { term: { eventName: 'StartInstances' } }), 1);
  });

  it('skips the digest and the object that is no log, and leaves both queues empty', async () => {
    assert.ok(stats.objectsSkipped >= 2, `skipped ${stats.objectsSkipped}`);
    assert.equal(stats.objectsFailed, 0);
    assert.equal(await queueDepth(stack, 'main'), 0);
    assert.equal(await queueDepth(stack, 'dlq'), 0);
  });
});
