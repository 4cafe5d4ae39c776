/**
 * Pieces of `npm run bench:e2e` (bench/e2e.ts): the objects it uploads, the node's ceiling (a
 * client that costs nearly nothing sending pre-serialised `_bulk` bodies), and watching worker
 * processes from outside (/proc: CPU, RSS, VmHWM) and the queue (messages in flight over time).
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { Enricher } from '../src/enrich/types.js';
import { readObject } from '../src/pipeline/read-object.js';
import { encodeOp, joinBulkBody } from '../src/sink/bulk-body.js';
import { flowLogKey } from '../src/sample/flow-logs.js';
import { BenchFormat, benchText } from './input.js';

const ACCOUNT = '123456789012';
const DAY = Date.UTC(2026, 10, 22) / 1000;

/** One object to upload: its key, its gzip bytes and the records it holds. */
export interface BenchObject {
  readonly key: string;
  readonly body: Buffer;
  readonly records: number;
}

/**
 * The seed of the one VPC's peers every flow object talks to: objects are consecutive slices of
 * the same traffic, as a flow log's objects are, so a worker meets the ~21,000 peers of `npm run
 * bench`'s input again and again. (Each object with peers of its own made 144,564 distinct
 * addresses in 400,000 records, and measured how fast the enricher learns, not the worker.)
 */
const PEER_SEED = 7;

/** A flow-log object of `records` lines of bench/input.ts's realistic mix; `seed` makes it distinct. */
export function flowObject(records: number, seed: number): BenchObject {
  const key = flowLogKey(ACCOUNT, 'us-east-1', 'fl-e2e', DAY + seed * 300, `e2e${seed}`);
  return { key, body: gzipSync([...benchText(BenchFormat.default, records, seed, PEER_SEED)].join('')), records };
}

/** A CloudTrail file of `events` events built from the test fixtures' documented examples. */
export function cloudTrailObject(fixture: string, events: number, seed: number): BenchObject {
  const templates = (JSON.parse(readFileSync(fixture, 'utf8')) as { Records: Record<string, unknown>[] }).Records;
  const records = Array.from({ length: events }, (_, i) => ({
    ...templates[i % templates.length], eventID: `00000000-0000-4000-8000-${String(seed * 100_000 + i).padStart(12, '0')}`,
    eventTime: new Date((DAY + seed * 60) * 1000 + i * 50).toISOString().replace(/\.\d+Z$/, 'Z'),
  }));
  const stamp = new Date((DAY + seed * 60) * 1000).toISOString().replace(/[-:]|\.\d+/g, '').slice(0, 13);
  const key = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/11/22/${ACCOUNT}_CloudTrail_us-east-1_${stamp}Z_e2e${seed}.json.gz`;
  return { key, body: gzipSync(JSON.stringify({ Records: records })), records: events };
}

/** A CloudTrail digest: read and skipped by the worker (it holds no events). */
export function digestObject(seed: number): BenchObject {
  const key = `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2026/11/22/${ACCOUNT}_CloudTrail-Digest_us-east-1_trail_us-east-1_20261122T${String(1000 + seed)}Z.json.gz`;
  return { key, body: gzipSync(JSON.stringify({ awsAccountId: ACCOUNT, digestStartTime: '2026-11-22T09:00:00Z', logFiles: [] })), records: 0 };
}

/**
 * The `_bulk` bodies our path writes for `objects`, built before any timing: the same documents,
 * ids and daily indices (under `indexPrefix`) the worker sends.
 */
export async function bulkBodies(objects: readonly BenchObject[], enricher: Enricher, indexPrefix: string, maxDocs: number): Promise<Buffer[]> {
  const bodies: Buffer[] = [];
  let lines: Uint8Array[] = [];
  for (const object of objects) {
    const read = await readObject({ bucket: 'bench', key: object.key }, Readable.from([object.body]), {
      enricher, indexPrefix, maxLineBytes: 1024 * 1024, maxObjectBytes: Number.MAX_SAFE_INTEGER,
    });
    if (read.kind !== 'read') throw new Error(`bench object ${object.key} skipped: ${read.reason}`);
    for await (const batch of read.batches) {
      for (const op of batch.ops) {
        lines.push(encodeOp(op));
        if (lines.length === maxDocs) {
          bodies.push(joinBulkBody(lines));
          lines = [];
        }
      }
    }
  }
  if (lines.length > 0) bodies.push(joinBulkBody(lines));
  return bodies;
}

/**
 * Sends the bodies with `concurrency` keep-alive connections and plain `http.request`; resolves
 * with the seconds taken and the documents created. Any item error fails the run.
 */
export async function sendBodies(url: string, bodies: readonly Buffer[], concurrency: number): Promise<{ seconds: number; created: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL('/_bulk', url);
  let next = 0;
  let created = 0;
  const post = async (body: Buffer): Promise<string> => {
    const req = request(target, { method: 'POST', agent, headers: { 'content-type': 'application/x-ndjson', 'content-length': body.length } });
    req.end(body);
    const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (res.statusCode !== 200) throw new Error(`_bulk answered ${res.statusCode}: ${text.slice(0, 200)}`);
    return text;
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < bodies.length) {
      const text = await post(bodies[next++] as Buffer);
      if (!text.slice(0, 60).includes('"errors":false')) throw new Error(`_bulk item errors: ${text.slice(0, 300)}`);
      created += text.split('"result":"created"').length - 1;
    }
  }));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  return { seconds, created };
}

/** One look at a process in /proc: CPU seconds so far, RSS and its high-water mark. */
export interface ProcSample {
  readonly at: number;
  readonly cpuSeconds: number;
  readonly rssMiB: number;
  readonly hwmMiB: number;
}

const TICKS = 100; // USER_HZ on Linux
function procSample(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) / 1024;
    return { at: Date.now(), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS, rssMiB: kb('VmRSS'), hwmMiB: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** A worker process run to its end, with its samples and the log it wrote. */
export interface WorkerRun {
  readonly pid: number;
  readonly startedAt: number;
  readonly exitedAt: number;
  readonly samples: readonly ProcSample[];
  readonly stats: { lines: number; documents: number; created: number; messagesDeleted: number };
  readonly log: Array<{ time: number; msg: string }>;
}

/**
 * Runs `node [nodeArgs] bin/aws-log-indexer.js worker --until-empty` with `env`, sampling /proc
 * every 100 ms. `nodeArgs` takes what NODE_OPTIONS refuses, such as `--cpu-prof`.
 */
export async function runWorkerProcess(env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<WorkerRun> {
  const startedAt = Date.now();
  const child = spawn(process.execPath, [...nodeArgs, 'bin/aws-log-indexer.js', 'worker', '--until-empty'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const samples: ProcSample[] = [];
  const timer = setInterval(() => {
    const s = child.pid === undefined ? undefined : procSample(child.pid);
    if (s) samples.push(s);
  }, 100);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(timer);
  if (code !== 0) throw new Error(`worker exited ${code}: ${err.split('\n').slice(-5).join('\n')}`);
  const log = err.split('\n').filter((l) => l.startsWith('{')).map((l) => {
    const entry = JSON.parse(l) as { time: string; msg: string };
    return { time: Date.parse(entry.time), msg: entry.msg };
  });
  return { pid: child.pid ?? 0, startedAt, exitedAt: Date.now(), samples, stats: JSON.parse(out) as WorkerRun['stats'], log };
}

/** CPU seconds of a run at a moment, from the sample nearest before it. */
export function cpuAt(run: WorkerRun, at: number): number {
  let cpu = 0;
  for (const s of run.samples) if (s.at <= at) cpu = s.cpuSeconds;
  return cpu;
}

/** Peak RSS (VmHWM) of a run, MiB. */
export const peakRss = (run: WorkerRun): number => Math.max(0, ...run.samples.map((s) => s.hwmMiB));

/** Messages visible and in flight, sampled every `everyMs` until `stop` resolves. */
export async function watchQueue(sqs: SQSClient, queueUrl: string, stop: Promise<unknown>, everyMs = 500): Promise<Array<{ at: number; visible: number; inFlight: number }>> {
  const points: Array<{ at: number; visible: number; inFlight: number }> = [];
  let done = false;
  void stop.finally(() => (done = true));
  while (!done) {
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    const a = out.Attributes ?? {};
    points.push({ at: Date.now(), visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) });
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return points;
}
