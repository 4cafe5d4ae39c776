/**
 * `cwl` and the subscription path on the real stack: moto serves CloudWatch Logs, Firehose and
 * subscription filters to Firehose (delivering to S3 at once), OpenSearch holds documents and
 * checkpoints. `cwl` runs as the compiled CLI (`npm run build` first).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { PutSubscriptionFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateDeliveryStreamCommand, DeleteDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { openEnricher } from '../../src/enrich/geoip.js';
import type { Enricher } from '../../src/enrich/types.js';
import { cwlEventDocId } from '../../src/formats/cwl/events.js';
import { headerlessFormat } from '../../src/formats/vpc-flow/headerless.js';
import type { FlowFormat } from '../../src/formats/vpc-flow/parse.js';
import { batchReader } from '../../src/formats/vpc-flow/reader.js';
import { FULL_FORMAT_FIELDS, SampleFormat } from '../../src/sample/flow-logs.js';
import type { Doc } from '../../src/core/types.js';
import { LogsThrottleProxy } from '../helpers/fault-proxy.js';
import { checkpoints, createStreams, deleteGroups, flowMessages, listEvents, logsClient, putEvents, spawnCwl, type CwlExit } from '../helpers/cwl.js';
import { STACK_ENV, countDocs, dropStack, finished, newStack, putBytes, runWorkerUntilEmpty, until, type TestStack } from '../helpers/stack.js';

const START = Date.UTC(2026, 10, 23, 8, 0) / 1000;
const FULL_FORMAT = FULL_FORMAT_FIELDS.map((f) => `\${${f}}`).join(' ');
const logs = logsClient();
const groups: string[] = [];
const stacks: TestStack[] = [];
const children = new Set<ChildProcess>();
const closers: Array<() => Promise<unknown>> = [];
let enricher: Enricher;

async function freshStack(options: { firehosePrefix?: string } = {}): Promise<TestStack> {
  const stack = await newStack(options);
  stacks.push(stack);
  return stack;
}

/** Creates a group with streams, deleted after the suite. */
async function group(name: string, streams: readonly string[]): Promise<string> {
  groups.push(name);
  await createStreams(logs, name, streams);
  return name;
}

const checkpointIndex = (stack: TestStack) => `${stack.name}-checkpoints`;

function cwl(stack: TestStack, env: Record<string, string>, args?: readonly string[]): ReturnType<typeof spawnCwl> {
  const p = spawnCwl(stack, checkpointIndex(stack), env, args);
  children.add(p.child);
  void p.exited.finally(() => children.delete(p.child)).catch(() => undefined);
  return p;
}

async function caughtUp(p: ReturnType<typeof spawnCwl>, timeoutMs = 60_000): Promise<NonNullable<CwlExit['stats']>> {
  const exit = await finished(p, timeoutMs, 'cwl');
  assert.equal(exit.code, 0, `cwl exited with ${exit.code ?? exit.signal}; its log ends:\n${exit.log.slice(-3000)}`);
  assert.ok(exit.stats, `cwl printed no totals; stdout: ${exit.stdout}`);
  return exit.stats;
}

/** Every flow-log document of the stack, by id. */
async function documents(stack: TestStack): Promise<Map<string, { index: string; doc: Doc }>> {
  await countDocs(stack);
  const res = await stack.opensearch.search({ index: `${stack.config.indexPrefix}-*`, body: { size: 10_000, query: { match_all: {} } } } as never);
  const hits = (res.body as unknown as { hits: { hits: Array<{ _id: string; _index: string; _source: Doc }> } }).hits.hits;
  return new Map(hits.map((h) => [h._id, { index: h._index, doc: h._source }]));
}

/**
 * Checks every event of a stream against the stored documents: one document under the id from
 * group, stream and event id, with provenance `{ group, stream, event_id }`, and otherwise exactly
 * what the S3 path makes of the same line (fields, types, derived fields, enrichment, daily index).
 */
async function assertDocumentsOf(stack: TestStack, docs: Map<string, { index: string; doc: Doc }>, group: string, stream: string, format: FlowFormat): Promise<number> {
  const events = await listEvents(logs, group, stream);
  const toOps = batchReader(format, { ref: { bucket: 'b', key: 'k' }, enricher, indexPrefix: stack.config.indexPrefix });
  for (const event of events) {
    const stored = docs.get(cwlEventDocId(group, stream, event.id));
    assert.ok(stored, `${group} ${stream} event ${event.id} has no document`);
    const { log, ...fields } = stored.doc;
    assert.deepEqual(log, { group, stream, event_id: event.id });
    const op = toOps([{ lineNo: 1, bytes: Buffer.from(event.message) }]).ops[0];
    assert.ok(op);
    const { log: _s3Log, ...expected } = JSON.parse(JSON.stringify(op.doc)) as Doc;
    assert.deepEqual(fields, expected, `${group} ${stream} event ${event.id}: as the S3 path makes it`);
    assert.equal(stored.index, op.index, 'the same daily index');
  }
  return events.length;
}

describe('cwl: CloudWatch Logs flow logs, pulled or subscribed', { concurrency: false }, () => {
  before(async () => {
    enricher = await openEnricher({ cityDbs: [STACK_ENV.GEOIP_CITY_DB], asnDb: STACK_ENV.GEOIP_ASN_DB });
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const close of closers) await close().catch(() => undefined);
    await deleteGroups(logs, groups);
    logs.destroy();
    for (const stack of stacks) {
      await dropStack(stack).catch(() => undefined);
      await stack.opensearch.indices.delete({ index: checkpointIndex(stack) }, { ignore: [404] }).catch(() => undefined);
      await stack.opensearch.close();
      for (const client of Object.values(stack.aws)) client.destroy();
    }
  });

  it('events of two groups in two formats become exactly their documents, as the S3 path makes them', { timeout: 120_000 }, async () => {
    const stack = await freshStack();
    const a = await group(`/${stack.name}/vpc-a`, ['eni-a1-all', 'eni-a2-all']);
    const b = await group(`/${stack.name}/vpc-b`, ['eni-b1-all']);
    await group(`/${stack.name}-not-followed`, ['eni-x']);
    await putEvents(logs, a, 'eni-a1-all', flowMessages(1, 300, START), START * 1000);
    await putEvents(logs, a, 'eni-a2-all', flowMessages(2, 300, START), START * 1000);
    await putEvents(logs, b, 'eni-b1-all', flowMessages(3, 200, START, SampleFormat.full), START * 1000);
    await putEvents(logs, `/${stack.name}-not-followed`, 'eni-x', flowMessages(4, 10, START), START * 1000);
    const env = { CWL_LOG_GROUPS: `/${stack.name}/*`, CWL_GROUP_FORMATS: JSON.stringify({ [b]: FULL_FORMAT }) };

    const stats = await caughtUp(cwl(stack, env));
    assert.equal(stats.streams, 3);
    assert.equal(stats.created, 800);
    const docs = await documents(stack);
    assert.equal(docs.size, 800, 'one document per event of the followed groups');
    const checked = (await assertDocumentsOf(stack, docs, a, 'eni-a1-all', headerlessFormat() as FlowFormat))
      + (await assertDocumentsOf(stack, docs, a, 'eni-a2-all', headerlessFormat() as FlowFormat))
      + (await assertDocumentsOf(stack, docs, b, 'eni-b1-all', headerlessFormat(FULL_FORMAT) as FlowFormat));
    assert.equal(checked, 800);
    const stored = await checkpoints(stack, checkpointIndex(stack));
    assert.equal(stored.length, 3);
    assert.ok(stored.every((c) => c.owner === null), 'leases released on the way out');

    // Run again: the checkpoints hold, so nothing is read twice.
    const again = await caughtUp(cwl(stack, env));
    assert.equal(again.events, 0);
    assert.equal(await countDocs(stack), 800);
  });

  it('keeps following: new events and a new stream after catching up are picked up; SIGTERM stops it cleanly', { timeout: 120_000 }, async () => {
    const stack = await freshStack();
    const g = await group(`/${stack.name}/vpc`, ['eni-1-all']);
    await putEvents(logs, g, 'eni-1-all', flowMessages(5, 100, START), START * 1000);
    const follower = cwl(stack, { CWL_LOG_GROUPS: g }, []);
    // The daily index may still be opening its shard: a failed count is "not yet".
    const count = () => countDocs(stack).catch(() => -1);
    await until('the first 100 documents', async () => (await count()) === 100, 60_000, 500);
    await putEvents(logs, g, 'eni-1-all', flowMessages(6, 50, START + 600), (START + 600) * 1000);
    await createStreams(logs, g, ['eni-2-all']);
    await putEvents(logs, g, 'eni-2-all', flowMessages(7, 40, START), START * 1000);
    await until('the new events and the new stream', async () => (await count()) === 190, 60_000, 500);
    follower.child.kill('SIGTERM');
    const exit = await finished(follower, 30_000, 'cwl');
    assert.equal(exit.code, 0, `after SIGTERM cwl exited with ${exit.code ?? exit.signal}:\n${exit.log.slice(-2000)}`);
    const stored = await checkpoints(stack, checkpointIndex(stack));
    assert.equal(stored.length, 2);
    assert.ok(stored.every((c) => c.owner === null), 'SIGTERM releases the leases at once');
    assert.equal(await countDocs(stack), 190);
  });

  it('backs off when the API throttles, and still reads every event once', { timeout: 120_000 }, async () => {
    const stack = await freshStack();
    const g = await group(`/${stack.name}/vpc`, ['eni-1-all', 'eni-2-all']);
    await putEvents(logs, g, 'eni-1-all', flowMessages(8, 100, START), START * 1000);
    await putEvents(logs, g, 'eni-2-all', flowMessages(9, 100, START), START * 1000);
    const proxy = await LogsThrottleProxy.start();
    closers.push(() => proxy.close());
    proxy.throttleNext(4);
    const stats = await caughtUp(cwl(stack, { CWL_LOG_GROUPS: g, AWS_ENDPOINT_URL: proxy.url }));
    assert.equal(stats.created, 200);
    assert.equal(await countDocs(stack), 200);
    const calls = proxy.calls;
    assert.equal(calls.filter((c) => c.throttled).length, 4, 'four calls throttled');
    // Each throttled call was tried again after a pause, and the pauses add up (exponential, jittered).
    const firstOk = calls.findIndex((c) => !c.throttled);
    assert.equal(firstOk, 4, 'the same call retried until it passed');
    const waited = (calls[firstOk]?.at ?? 0) - (calls[0]?.at ?? 0);
    assert.ok(waited >= 300, `retries backed off (${waited} ms from the first throttled call to the one that passed)`);
  });

  it('the Firehose subscription path gives the same documents as cwl for the same events', { timeout: 120_000 }, async () => {
    const prefix = 'firehose/cwl/';
    const stack = await freshStack({ firehosePrefix: prefix });
    const firehose = new FirehoseClient({ region: STACK_ENV.AWS_REGION, endpoint: STACK_ENV.AWS_ENDPOINT_URL });
    const deliveryStream = `${stack.name}-cwl`;
    const created = await firehose.send(new CreateDeliveryStreamCommand({
      DeliveryStreamName: deliveryStream,
      S3DestinationConfiguration: { BucketARN: `arn:aws:s3:::${stack.bucket}`, RoleARN: 'arn:aws:iam::123456789012:role/firehose', Prefix: prefix },
    }));
    closers.push(async () => {
      await firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: deliveryStream }));
      firehose.destroy();
    });
    const g = await group(`/${stack.name}/vpc`, ['eni-1-all', 'eni-2-all']);
    await logs.send(new PutSubscriptionFilterCommand({
      logGroupName: g, filterName: 'to-firehose', filterPattern: '', destinationArn: created.DeliveryStreamARN, roleArn: 'arn:aws:iam::123456789012:role/cwl',
    }));
    await putEvents(logs, g, 'eni-1-all', flowMessages(10, 120, START), START * 1000);
    await putEvents(logs, g, 'eni-2-all', flowMessages(11, 80, START), START * 1000);
    // One object as Firehose concatenates several records: a CONTROL_MESSAGE and two DATA_MESSAGEs, each its own gzip member.
    const control = { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: Date.now(), message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }] };
    const data = (stream: string, first: number) => ({
      messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: `/${stack.name}/other`, logStream: stream, subscriptionFilters: ['to-firehose'],
      logEvents: flowMessages(first, 3, START).map((message, i) => ({ id: `3${first}00000000000000000000000000000000000000000000000000${i}`, timestamp: START * 1000 + i, message })),
    });
    await putBytes(stack, `${prefix}2026/11/23/08/manual-1`, Buffer.concat([control, data('eni-9-all', 12), data('eni-8-all', 13)].map((e) => gzipSync(JSON.stringify(e)))));

    const worker = await runWorkerUntilEmpty(stack);
    const listed = await stack.aws.s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: prefix }));
    assert.equal(listed.KeyCount, 3, 'two objects from the subscription, one put by hand');
    // SQS delivers at least once: a message may come twice (the emulator did so once in CI), and its
    // object is then read again, which indexes nothing new.
    assert.ok(worker.objects >= 3, `${worker.objects} objects read`);
    assert.equal(worker.created, 206);
    const viaFirehose = await documents(stack);
    assert.equal(viaFirehose.size, 206);
    await assertDocumentsOf(stack, viaFirehose, g, 'eni-1-all', headerlessFormat() as FlowFormat);
    await assertDocumentsOf(stack, viaFirehose, g, 'eni-2-all', headerlessFormat() as FlowFormat);

    // cwl reads the same events: every one is already there, under the same id.
    const stats = await caughtUp(cwl(stack, { CWL_LOG_GROUPS: g }));
    assert.equal(stats.events, 200);
    assert.equal(stats.created, 0);
    assert.equal(stats.exists, 200);
    assert.equal(await countDocs(stack), 206);
  });
});
