/**
 * Real AWS layouts on the emulator: owner-checked buckets (ExpectedBucketOwner), a role assumed
 * through the emulator's STS, and a bucket in a second region. moto neither checks
 * ExpectedBucketOwner nor redirects regions, so the S3 proxy in front of it plays S3's owner check
 * (403 AccessDenied when the expected owner differs) and records who signed each GetObject for
 * which region.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SampleFormat, flowLogKey, sampleLines } from '../../src/sample/flow-logs.js';
import { S3FaultProxy } from '../helpers/fault-proxy.js';
import { countDocs, dropStack, newStack, putObject, queueDepth, sendMessage, spawnWorker, STACK_ENV, type TestStack } from '../helpers/stack.js';

const START = Date.UTC(2026, 10, 22, 10, 0) / 1000;
const OWNER = '123456789012';
const ROLE = `arn:aws:iam::${OWNER}:role/log-archive-reader`;
const stacks: TestStack[] = [];
const proxies: S3FaultProxy[] = [];

after(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all(stacks.map((s) => dropStack(s).catch(() => undefined)));
});

async function setUp(): Promise<{ stack: TestStack; proxy: S3FaultProxy }> {
  const stack = await newStack();
  stacks.push(stack);
  const proxy = await S3FaultProxy.start();
  proxies.push(proxy);
  return { stack, proxy };
}

const text = (seed: number, records: number) => `${[...sampleLines({ seed, records, format: SampleFormat.default, start: START })].join('\n')}\n`;
const event = (bucket: string, key: string, awsRegion: string) => JSON.stringify({
  Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', awsRegion, eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key } } }],
});

describe('bucket access: owner, role, region', { concurrency: false }, () => {
  it('ExpectedBucketOwner on every read: a bucket now owned by another account is refused, never read into the index', { timeout: 120_000 }, async () => {
    const { stack, proxy } = await setUp();
    const key = flowLogKey(OWNER, 'us-east-1', 'fl-owner', START, 'owner');
    await putObject(stack, key, text(1, 50));
    proxy.own(stack.bucket, '999999999999'); // the name was deleted and re-created by someone else
    const w = spawnWorker(stack, { AWS_ENDPOINT_URL: proxy.url, S3_EXPECTED_BUCKET_OWNER: `${stack.bucket}=${OWNER}`, RETRY_DELAY_SECONDS: '1' }, []);
    try {
      const deadline = Date.now() + 60_000;
      while (proxy.gets.filter((g) => g.key === key).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 300));
    } finally {
      w.child.kill('SIGTERM');
    }
    const exit = await w.exited;
    const gets = proxy.gets.filter((g) => g.key === key);
    assert.ok(gets.length >= 2, `the object was tried (and retried): ${gets.length}; log:\n${exit.log.slice(-2000)}`);
    assert.deepEqual([...new Set(gets.map((g) => g.expectedOwner))], [OWNER], 'every GetObject carried ExpectedBucketOwner');
    assert.ok(gets.every((g) => g.error === 'AccessDenied'), 'S3 refused each read');
    assert.equal(await countDocs(stack), 0, 'nothing of the foreign bucket was indexed');
    assert.equal(await queueDepth(stack, 'main'), 1, 'the message stays for redelivery, then the DLQ (AccessDenied is mended by a fix, not by a retry)');
  });

  it('a role assumed through STS (once, cached) and a bucket in a second region read in its own region', { timeout: 120_000 }, async () => {
    const { stack, proxy } = await setUp();
    // The home bucket (us-east-1, notified by S3) and an archive bucket in eu-west-1.
    const home = flowLogKey(OWNER, 'us-east-1', 'fl-home', START, 'home');
    await putObject(stack, home, text(2, 40));
    const archive = `${stack.name}-eu`;
    const eu = new S3Client({ region: 'eu-west-1', endpoint: STACK_ENV.AWS_ENDPOINT_URL, forcePathStyle: true });
    await eu.send(new CreateBucketCommand({ Bucket: archive, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const keys = [0, 1, 2].map((i) => flowLogKey(OWNER, 'eu-west-1', 'fl-eu', START + i * 60, `eu${i}`));
    for (const [i, key] of keys.entries()) {
      await eu.send(new PutObjectCommand({ Bucket: archive, Key: key, Body: gzipSync(text(10 + i, 30)) }));
      await sendMessage(stack, event(archive, key, 'eu-west-1'));
    }
    const exit = await spawnWorker(stack, {
      AWS_ENDPOINT_URL: proxy.url, ALLOWED_BUCKETS: `${stack.bucket},${archive}`, S3_ROLE_ARN: `${archive}=${ROLE}`,
      S3_EXPECTED_BUCKET_OWNER: OWNER,
    }).exited;
    assert.equal(exit.code, 0, exit.log.slice(-3000));
    assert.equal(await countDocs(stack), 40 + 3 * 30, 'every record of both buckets');
    const euGets = proxy.gets.filter((g) => g.bucket === archive);
    assert.equal(euGets.length, 3);
    assert.deepEqual([...new Set(euGets.map((g) => g.region))], ['eu-west-1'], 'the archive bucket is read in its own region');
    assert.ok(euGets.every((g) => g.accessKey !== undefined && g.accessKey !== STACK_ENV.AWS_ACCESS_KEY_ID), `read with the assumed role's keys: ${euGets.map((g) => g.accessKey).join(',')}`);
    assert.equal(proxy.assumeRoles, 1, 'one AssumeRole for three objects: the credentials are cached');
    const homeGets = proxy.gets.filter((g) => g.key === home);
    assert.deepEqual(homeGets.map((g) => [g.region, g.accessKey]), [['us-east-1', STACK_ENV.AWS_ACCESS_KEY_ID]], 'the home bucket: no role, home region');
    assert.ok(proxy.gets.every((g) => g.expectedOwner === OWNER), 'the owner is checked on every read');
  });
});
