/**
 * Errors that name the fix, on the real stack: `report` with no matching index, a worker started
 * while OpenSearch is away, and `parse --as` giving a local copy the S3 object's ids and documents.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { awsClients } from '../../src/context.js';
import { loadConfig } from '../../src/config/load.js';
import { SampleFormat, sampleLines } from '../../src/sample/flow-logs.js';
import { createOpenSearchClient } from '../../src/sink/opensearch.js';
import { STACK_ENV, spawnCli } from '../helpers/stack.js';

const name = `t-${randomBytes(4).toString('hex')}`;
const config = loadConfig(process.env);
const aws = awsClients(config);
const opensearch = createOpenSearchClient(config);
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('report when no index matches', () => {
  it('says so, with the daily index prefixes there are (exit 1)', async () => {
    const index = `${name}-flow-2026.01.01`;
    cleanups.push(() => opensearch.indices.delete({ index }, { ignore: [404] }));
    await opensearch.indices.create({ index });
    const r = await spawnCli(['report', '--index-prefix', `${name}-none`]).exited;
    assert.equal(r.code, 1, r.log);
    assert.match(r.log, new RegExp(`^aws-log-indexer: no index matches ${name}-none-\\*; daily index prefixes there: .*\\b${name}-flow\\b.* \\(choose one with INDEX_PREFIX or --index-prefix\\)\\n$`));
  });
});

describe('a worker started while OpenSearch is away', () => {
  it('warns naming OPENSEARCH_URL, and goes on', async () => {
    const { QueueUrl } = await aws.sqs.send(new CreateQueueCommand({ QueueName: name }));
    cleanups.push(() => aws.sqs.send(new DeleteQueueCommand({ QueueUrl })));
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const r = await spawnCli(['worker', '--until-empty', '--queue-url', QueueUrl ?? '', '--allowed-buckets', name], {
      OPENSEARCH_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn',
    }).exited;
    assert.equal(r.code, 0, r.log);
    const warning = r.log.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; level: number })[0];
    assert.match(warning?.msg ?? '', new RegExp(`^OpenSearch does not answer at http://127.0.0.1:${port} \\(OPENSEARCH_URL, or --opensearch-url; tried GET http://127.0.0.1:${port}/: connect ECONNREFUSED .*; the worker starts and polls once OpenSearch answers$`));
    assert.match(r.stdout, /"messagesDeleted":0/);
  });
});

describe('parse --as', () => {
  it('gives a local copy exactly the ids and documents of the S3 object', async () => {
    const key = `AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/01/01/123456789012_vpcflowlogs_us-east-1_fl-1_20260101T0000Z_abcd.log.gz`;
    const body = gzipSync(`${[...sampleLines({ seed: 7, records: 50, format: SampleFormat.full, start: 1_767_225_600 })].join('\n')}\n`);
    const dir = await mkdtemp(join(tmpdir(), `${name}-`));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'copy.log.gz'), body);
    await aws.s3.send(new CreateBucketCommand({ Bucket: name }));
    cleanups.push(() => aws.s3.send(new DeleteBucketCommand({ Bucket: name })));
    await aws.s3.send(new PutObjectCommand({ Bucket: name, Key: key, Body: body }));
    cleanups.push(() => aws.s3.send(new DeleteObjectCommand({ Bucket: name, Key: key })));
    const env = { GEOIP_CITY_DB: STACK_ENV.GEOIP_CITY_DB, GEOIP_ASN_DB: STACK_ENV.GEOIP_ASN_DB };
    const fromS3 = await spawnCli(['parse', '--output', 'bulk', `s3://${name}/${key}`], env).exited;
    const fromCopy = await spawnCli(['parse', '--output', 'bulk', '--as', `s3://${name}/${key}`, join(dir, 'copy.log.gz')], env).exited;
    assert.equal(fromS3.code, 0, fromS3.log);
    assert.equal(fromCopy.code, 0, fromCopy.log);
    assert.equal(fromS3.stdout.split('\n').length, 2 * 50 + 1);
    assert.equal(fromCopy.stdout, fromS3.stdout);
  });
});
