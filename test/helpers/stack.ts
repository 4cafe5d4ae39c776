/**
 * The real local stack for integration tests: moto (S3, SNS, SQS) on 127.0.0.1:$MOTO_PORT (4566)
 * and OpenSearch on 127.0.0.1:$OPENSEARCH_PORT (9200), started by scripts/test.sh. Every test gets
 * its own bucket, topic, queues, templates and index prefix, all named `t-<hex>…`, so tests never
 * see each other's data (nor the demo's), and {@link dropStack} removes all of it. Loading this
 * module fails at once, in one line, when the stack, a fixture or the compiled CLI is missing.
 * Worker logs go to files under .cache/test-logs/, not to the test reporter.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { awsClients } from '../../src/context.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config, SettingName } from '../../src/config/schema.js';
import type { DeadLetter } from '../../src/deadletter/types.js';
import { createLogger } from '../../src/observability/logger.js';
import { provision, type SetupResult } from '../../src/setup/provision.js';
import { createOpenSearchClient } from '../../src/sink/opensearch.js';
import { indexNamesOf, installTemplates } from '../../src/sink/template.js';
import { runWorker } from '../../src/worker/runtime.js';
import type { WorkerStats } from '../../src/worker/stats.js';
import { pino } from 'pino';
import { removeNamed } from './cleanup.js';
import { assertPrerequisites } from './prerequisites.js';

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

const START_STACK = `start it: OPENSEARCH_PORT=${OPENSEARCH_PORT} MOTO_PORT=${MOTO_PORT} bash scripts/stack.sh up (npm test does)`;
await assertPrerequisites(
  [
    { path: 'test/fixtures/geoip/GeoIP2-City-Test.mmdb', fix: 'the MaxMind test databases belong in the repository (test/fixtures/geoip/README.md)' },
    { path: 'test/fixtures/geoip/GeoLite2-ASN-Test.mmdb', fix: 'the MaxMind test databases belong in the repository (test/fixtures/geoip/README.md)' },
    { path: 'dist/cli/main.js', fix: 'build the CLI the tests run: npm run build' },
  ],
  [
    { name: 'OpenSearch', url: `${STACK_ENV.OPENSEARCH_URL}/_cluster/health`, fix: START_STACK },
    { name: 'the AWS emulator (moto)', url: `${STACK_ENV.AWS_ENDPOINT_URL}/moto-api/`, fix: START_STACK },
  ],
);

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where worker and CLI logs of this run go (scripts/test.sh empties it first). */
export const TEST_LOG_DIR = `${REPO_ROOT}.cache/test-logs/`;
let logSeq = 0;
/** A new log file path under {@link TEST_LOG_DIR}, named after what writes to it. */
export function newLogFile(label: string): string {
  mkdirSync(TEST_LOG_DIR, { recursive: true });
  logSeq += 1;
  return `${TEST_LOG_DIR}${label.replace(/[^\w.-]+/g, '_')}-${process.pid}-${logSeq}.log`;
}

export interface TestStack extends SetupResult {
  readonly name: string;
  readonly config: Config & { queueUrl: string; allowedBuckets: string[] };
  readonly aws: ReturnType<typeof awsClients>;
  readonly opensearch: ReturnType<typeof createOpenSearchClient>;
}

/**
 * A fresh bucket → topic → queue (+DLQ) chain and index prefix, named uniquely for one test.
 * `settings` override the stack's (e.g. another OpenSearch node and its admin credentials).
 */
export async function newStack(options: { rawDelivery?: boolean; maxReceiveCount?: number; settings?: Partial<Record<SettingName, unknown>>; firehosePrefix?: string } = {}): Promise<TestStack> {
  const name = `t-${randomBytes(4).toString('hex')}`;
  const base = loadConfig(process.env, { ...options.settings, indexPrefix: `${name}-flow`, cloudtrailIndexPrefix: `${name}-cloudtrail`, deadLetterIndex: `${name}-deadletter` });
  const aws = awsClients(base);
  const opensearch = createOpenSearchClient(base);
  let result: SetupResult;
  try {
    result = await provision(aws, {
      bucket: name, topic: name, queue: name, deadLetterQueue: `${name}-dlq`, maxReceiveCount: options.maxReceiveCount ?? 5,
      visibilityTimeout: base.visibilityTimeout, region: base.region, rawDelivery: options.rawDelivery ?? false,
      firehosePrefix: options.firehosePrefix,
    });
    await installTemplates(opensearch, indexNamesOf(base));
  } catch (err) {
    // Half a stack is still removed: no test holds it to drop it.
    await removeNamed(aws, opensearch, name).catch(() => undefined);
    throw err;
  }
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

/** Runs one worker in this process until the queue is empty, its log in a file; returns its totals. */
export async function runWorkerUntilEmpty(stack: TestStack, settings: Partial<Config> = {}): Promise<WorkerStats> {
  const config = { ...stack.config, ...settings };
  const logFile = newLogFile(`${stack.name}-worker`);
  const logger = createLogger(config.logLevel, undefined, pino.destination({ dest: logFile, sync: true }));
  try {
    const { worker, finish } = await runWorker(config, logger, { untilEmpty: true });
    await finish();
    return worker.stats;
  } catch (err) {
    throw new Error(`worker failed: ${err instanceof Error ? err.message : String(err)} (its log: ${logFile})`, { cause: err });
  }
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

/** The stack's dead letters, as stored in its dead-letter index (none when the index was never made). */
export async function storedDeadLetters(stack: TestStack): Promise<DeadLetter[]> {
  const index = stack.config.deadLetterIndex;
  await stack.opensearch.indices.refresh({ index }, { ignore: [404] });
  const res = await stack.opensearch.search({ index, body: { size: 1000, query: { match_all: {} } } } as never, { ignore: [404] });
  const hits = (res.body as { hits?: { hits: Array<{ _source: DeadLetter }> } }).hits?.hits ?? [];
  return hits.map((h) => h._source);
}

/** Removes all the stack made or a test added under its name: indices, templates, buckets, topic, queues. */
export async function dropStack(stack: TestStack | undefined): Promise<void> {
  if (stack) await removeNamed(stack.aws, stack.opensearch, stack.name);
}

/** How a CLI process ended: exit code or signal, what it printed, and the end of its log. */
export interface CliExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** The last 64 KiB of stderr (JSON log lines), for assertions on what it said. */
  readonly log: string;
  /** The file holding all of stderr: failure messages name it. */
  readonly logFile: string;
}

export interface CliProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<CliExit>;
}

const LOG_KEPT = 64 * 1024;

/**
 * Runs the compiled CLI (`bin/aws-log-indexer.js`, built by `npm run build`) from the repository
 * root; its stderr goes to a log file named after `label`, never to the test reporter.
 */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}, label = args[0] ?? 'cli'): CliProcess {
  const logFile = newLogFile(label);
  const file = createWriteStream(logFile);
  const child = spawn(process.execPath, ['bin/aws-log-indexer.js', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let log = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    file.write(d);
    log = (log + d.toString()).slice(-LOG_KEPT);
  });
  const exited = new Promise<CliExit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => file.end(() => resolve({ code, signal, stdout, log, logFile })));
  });
  return { child, exited };
}

/** Waits for a process to end; past the deadline it is killed and the test fails with its log. */
export async function finished<T extends CliExit>(p: { child: ChildProcess; exited: Promise<T> }, timeoutMs: number, what = 'worker'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      p.child.kill('SIGKILL');
      void p.exited.then((exit) => reject(new Error(`${what} still running after ${timeoutMs} ms; its log: ${exit.logFile}`)));
    }, timeoutMs);
  });
  try {
    return await Promise.race([p.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `predicate` holds (a predicate that throws has not held yet); fails naming `what`, and the last error, after `timeoutMs`. */
export async function until(what: string, predicate: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 300): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await predicate()) return;
    } catch (err) {
      // Not yet: a count on an index whose shards are still starting fails
      // (search_phase_execution_exception). Named if the wait times out.
      lastError = err;
    }
    if (Date.now() > deadline) {
      const last = lastError === undefined ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    }
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
  }, `${stack.name}-worker`);
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
