/**
 * The real local stack for integration tests: moto (S3, SNS, SQS) on 127.0.0.1:4566 and
 * OpenSearch on 127.0.0.1:9200, started by scripts/test.sh. Every test gets its own bucket, topic,
 * queues and index prefix, so tests never see each other's data.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { awsClients } from '../../src/context.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createLogger } from '../../src/observability/logger.js';
import { provision, type SetupResult } from '../../src/setup/provision.js';
import { createOpenSearchClient } from '../../src/sink/opensearch.js';
import { indexNamesOf, installTemplates } from '../../src/sink/template.js';
import { runWorker } from '../../src/worker/runtime.js';
import type { WorkerStats } from '../../src/worker/stats.js';

/** Ports of the local stack (scripts/stack.sh reads the same variables). */
export const MOTO_PORT = process.env['MOTO_PORT'] ?? '4566';
export const OPENSEARCH_PORT = process.env['OPENSEARCH_PORT'] ?? '9200';
/** The MaxMind test databases kept in the repository (test/fixtures/geoip/README.md). */
export const GEOIP_FIXTURES = fileURLToPath(new URL('../fixtures/geoip/', import.meta.url));

export const STACK_ENV = {
  AWS_ENDPOINT_URL: `http://127.0.0.1:${MOTO_PORT}`,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  OPENSEARCH_URL: `http://127.0.0.1:${OPENSEARCH_PORT}`,
  GEOIP_CITY_DB: `${GEOIP_FIXTURES}GeoIP2-City-Test.mmdb`,
  GEOIP_ASN_DB: `${GEOIP_FIXTURES}GeoLite2-ASN-Test.mmdb`,
  SQS_WAIT_TIME_SECONDS: '1',
  SQS_VISIBILITY_TIMEOUT: '30',
  SQS_HEARTBEAT_INTERVAL: '10',
  LOG_LEVEL: 'warn',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
} as const;
// The SDK reads credentials from the environment of this process.
Object.assign(process.env, STACK_ENV);

export interface TestStack extends SetupResult {
  readonly name: string;
  readonly config: Config & { queueUrl: string; allowedBuckets: string[] };
  readonly aws: ReturnType<typeof awsClients>;
  readonly opensearch: ReturnType<typeof createOpenSearchClient>;
}

/** A fresh bucket → topic → queue (+DLQ) chain and index prefix, named uniquely for one test. */
export async function newStack(options: { rawDelivery?: boolean; maxReceiveCount?: number; firehosePrefix?: string } = {}): Promise<TestStack> {
  const name = `t-${randomBytes(4).toString('hex')}`;
  const base = loadConfig(process.env, { indexPrefix: `${name}-flow`, cloudtrailIndexPrefix: `${name}-cloudtrail`, deadLetterIndex: `${name}-deadletter` });
  const aws = awsClients(base);
  const result = await provision(aws, {
    bucket: name, topic: name, queue: name, deadLetterQueue: `${name}-dlq`, maxReceiveCount: options.maxReceiveCount ?? 5,
    visibilityTimeout: base.visibilityTimeout, region: base.region, rawDelivery: options.rawDelivery ?? false,
    firehosePrefix: options.firehosePrefix,
  });
  const opensearch = createOpenSearchClient(base);
  await installTemplates(opensearch, indexNamesOf(base));
  // Configuring the notification makes S3 send an s3:TestEvent; tests that count messages start without it.
  return { ...result, name, aws, opensearch, config: { ...base, queueUrl: result.queueUrl, allowedBuckets: [name] } };
}

/** Puts text (gzipped) into the stack's bucket under `key`. */
export async function putObject(stack: TestStack, key: string, text: string): Promise<void> {
  await stack.aws.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: gzipSync(text) }));
}

/** Puts bytes into the stack's bucket under `key`, as they are. */
export async function putBytes(stack: TestStack, key: string, body: Uint8Array): Promise<void> {
  await stack.aws.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body }));
}

/** Sends a raw body straight to the queue (a redelivery, or a message from elsewhere). */
export async function sendMessage(stack: TestStack, body: string): Promise<void> {
  await stack.aws.sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: body }));
}

export async function purgeQueue(stack: TestStack): Promise<void> {
  await stack.aws.sqs.send(new PurgeQueueCommand({ QueueUrl: stack.queueUrl }));
}

/** Runs one worker in this process until the queue is empty; returns its totals. */
export async function runWorkerUntilEmpty(stack: TestStack, settings: Partial<Config> = {}): Promise<WorkerStats> {
  const config = { ...stack.config, ...settings };
  const { worker, finish } = await runWorker(config, createLogger(config.logLevel), true);
  await finish();
  return worker.stats;
}

/** Visible + in-flight messages of a queue. */
export async function queueDepth(stack: TestStack, which: 'main' | 'dlq'): Promise<number> {
  const url = which === 'main' ? stack.queueUrl : stack.deadLetterQueueUrl;
  const out = await stack.aws.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  const a = out.Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
}

/** Documents in the stack's flow-log indices, after a refresh. */
export async function countDocs(stack: TestStack, query?: Record<string, unknown>): Promise<number> {
  const index = `${stack.config.indexPrefix}-*`;
  await stack.opensearch.indices.refresh({ index });
  const res = await stack.opensearch.count({ index, body: query ? { query } : {} } as never);
  return (res.body as { count: number }).count;
}

/** Removes the stack's indices (queues and buckets live in the emulator, which forgets them on restart). */
export async function dropStack(stack: TestStack): Promise<void> {
  // ignore_unavailable: a missing dead-letter index must not stop the others from going.
  await stack.opensearch.indices.delete({ index: `${stack.config.indexPrefix}-*,${stack.config.cloudtrailIndexPrefix}-*,${stack.config.deadLetterIndex}`, ignore_unavailable: true }, { ignore: [404] });
}

/** How a CLI process ended: exit code or signal, what it printed, and the end of its log. */
export interface CliExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** The last 64 KiB of stderr (JSON log lines), for failure messages. */
  readonly log: string;
}

export interface CliProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<CliExit>;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LOG_KEPT = 64 * 1024;

/** Runs the compiled CLI (`bin/aws-log-indexer.js`, built by `npm run build`) from the repository root. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ['bin/aws-log-indexer.js', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let log = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-LOG_KEPT)));
  const exited = new Promise<CliExit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, log }));
  });
  return { child, exited };
}

/** Waits for a process to end; past the deadline it is killed and the test fails with its log. */
export async function finished<T extends CliExit>(p: { child: ChildProcess; exited: Promise<T> }, timeoutMs: number, what = 'worker'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      p.child.kill('SIGKILL');
      void p.exited.then((exit) => reject(new Error(`${what} still running after ${timeoutMs} ms; its log ends:\n${exit.log.slice(-3000)}`)));
    }, timeoutMs);
  });
  try {
    return await Promise.race([p.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `predicate` holds; fails naming `what` after `timeoutMs`. */
export async function until(what: string, predicate: () => Promise<boolean>, timeoutMs: number, intervalMs = 300): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** A worker process's end, with the totals it prints under `--until-empty` (when it got that far). */
export interface WorkerExit extends CliExit {
  readonly stats: WorkerStats | undefined;
}

/**
 * A real worker process, as ECS runs it, on the stack's queue, indices and bucket; `env` adds or
 * overrides settings (names as in src/config/schema.ts ENV).
 */
export function spawnWorker(stack: TestStack, env: Record<string, string> = {}, args: readonly string[] = ['--until-empty']): { child: ChildProcess; exited: Promise<WorkerExit> } {
  const cli = spawnCli(['worker', ...args], {
    QUEUE_URL: stack.queueUrl, INDEX_PREFIX: stack.config.indexPrefix, DEADLETTER_INDEX: stack.config.deadLetterIndex,
    ALLOWED_BUCKETS: stack.bucket, ...env,
  });
  const exited = cli.exited.then((exit) => {
    let stats: WorkerStats | undefined;
    try {
      stats = exit.stdout.trim() ? (JSON.parse(exit.stdout.trim().split('\n').pop() as string) as WorkerStats) : undefined;
    } catch {
      stats = undefined;
    }
    return { ...exit, stats };
  });
  return { child: cli.child, exited };
}
