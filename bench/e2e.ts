/**
 * `npm run bench:e2e`: the worker end to end on the local stack (scripts/stack.sh up, then
 * `npm run build`), against what the same OpenSearch node ingests at most. Not a test: it prints
 * figures to record in BENCHMARKS.md. In one run:
 *
 *   warm-up  the same bodies once into indices of their own, untimed: a node fresh from its start
 *            ingests at about half speed until its JIT has warmed up;
 *   rounds   BENCH_E2E_ROUNDS (default 3) pairs, taken in turn, and their medians:
 *            ceiling  the node's ingest rate of our own `_bulk` bodies for the records, serialised
 *                     before timing and sent by plain keep-alive `http.request` (BULK_CONCURRENCY
 *                     connections);
 *            worker   `aws-log-indexer worker --until-empty` on the same records, uploaded as objects
 *                     whose notifications go S3 → SNS → SQS: records/s (first receive to last object
 *                     indexed), its ratio to the ceiling, its CPU µs per record and its peak RSS, from /proc;
 *   mixed    one large flow object and many small ones, CloudTrail files and digests, 2 worker
 *            processes, first as `main` ran them (2 pollers × 10 messages, no byte budget), then
 *            with the default settings, then with them and the image's V8 heap cap (Dockerfile):
 *            messages in flight over time, drain time, each worker's peak RSS.
 *
 * Every stack it makes (bucket, topic, queues, templates, indices, named `t-…`) is removed at the
 * end, also on failure. BENCH_E2E_OBJECTS × BENCH_E2E_RECORDS set the rounds' input
 * (default 8 × 50,000); BENCH_E2E_MIXED=0 leaves the mixed runs out.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load.js';
import { openEnricher } from '../src/enrich/geoip.js';
import { indexNamesOf, installTemplates } from '../src/sink/template.js';
import { GEOIP_FIXTURES, STACK_ENV, dropStack, newStack, putBytes, type TestStack } from '../test/helpers/stack.js';
import { median } from './stats.js';
import {
  bulkBodies, cloudTrailObject, cpuAt, digestObject, flowObject, peakRss, runWorkerProcess, sendBodies, watchQueue, type BenchObject, type WorkerRun,
} from './e2e-lib.js';

const OBJECTS = Number(process.env['BENCH_E2E_OBJECTS'] ?? 8);
const RECORDS = Number(process.env['BENCH_E2E_RECORDS'] ?? 50_000);
const ROUNDS = Number(process.env['BENCH_E2E_ROUNDS'] ?? 3);
const MIXED = process.env['BENCH_E2E_MIXED'] !== '0';
const CLOUDTRAIL_FIXTURE = fileURLToPath(new URL('../test/fixtures/cloudtrail/ec2-iam-events.json', import.meta.url));
/** The V8 heap cap the image (Dockerfile) sets, read from there so that both say the same. */
const IMAGE_NODE_OPTIONS = /NODE_OPTIONS=(\S+)/.exec(readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8'))?.[1] ?? '';
/** How `main` ran a worker before the window: two pollers of ten messages, nothing sized by bytes. */
const MAIN_SETTINGS = { WORKER_POLLERS: '2', SQS_BATCH_SIZE: '10', MAX_IN_FLIGHT_BYTES: String(2 ** 50) };

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const stacks: TestStack[] = [];

async function stackWith(objects: readonly BenchObject[]): Promise<TestStack> {
  const stack = await newStack();
  stacks.push(stack);
  for (let i = 0; i < objects.length; i += 8) await Promise.all(objects.slice(i, i + 8).map((o) => putBytes(stack, o.key, o.body)));
  return stack;
}

/** The environment of a worker process on `stack`. */
const workerEnv = (stack: TestStack, extra: Record<string, string> = {}): Record<string, string> => ({
  ...STACK_ENV, QUEUE_URL: stack.queueUrl, ALLOWED_BUCKETS: stack.bucket, INDEX_PREFIX: stack.config.indexPrefix,
  CLOUDTRAIL_INDEX_PREFIX: stack.config.cloudtrailIndexPrefix, DEADLETTER_INDEX: stack.config.deadLetterIndex, LOG_LEVEL: 'info', ...extra,
});

/** From the worker's start to its last object indexed: the seconds it worked. */
function workWindow(run: WorkerRun): { from: number; to: number } {
  const from = run.log.find((l) => l.msg === 'worker started')?.time ?? run.startedAt;
  const to = Math.max(...run.log.filter((l) => l.msg === 'object indexed').map((l) => l.time));
  return { from, to };
}

/** The worker's figures from one run on `records` records. */
function workerFigures(run: WorkerRun, records: number): { rate: number; cpuUs: number; rssMiB: number } {
  if (run.stats.created !== records) throw new Error(`worker created ${run.stats.created} of ${records} documents`);
  const { from, to } = workWindow(run);
  return { rate: records / ((to - from) / 1000), cpuUs: ((cpuAt(run, to) - cpuAt(run, from)) / records) * 1e6, rssMiB: peakRss(run) };
}

async function ceilingAndWorker(): Promise<void> {
  const objects = Array.from({ length: OBJECTS }, (_, i) => flowObject(RECORDS, 100 + i));
  const records = OBJECTS * RECORDS;
  const config = loadConfig(process.env);
  const first = await stackWith(objects);
  const enricher = await openEnricher({ cityDbs: [`${GEOIP_FIXTURES}GeoIP2-City-Test.mmdb`], asnDb: `${GEOIP_FIXTURES}GeoLite2-ASN-Test.mmdb` });
  /** The same documents as the worker writes, into indices of their own under `prefix`, from the same templates. */
  const bodiesFor = async (prefix: string): Promise<Buffer[]> => {
    await installTemplates(first.opensearch, indexNamesOf({ ...first.config, indexPrefix: prefix }));
    return bulkBodies(objects, enricher, prefix, config.bulkMaxDocs);
  };

  // A node fresh from its start ingests at about half speed until its JIT has warmed up (two runs
  // back to back measured 16,609 and 31,853 records/s): the same records go once, untimed, into
  // indices of their own first, so that every round below meets a warm node.
  const warmup = await bodiesFor(`${first.name}-warmup`);
  console.log(`input: ${OBJECTS} flow-log objects × ${fmt(RECORDS)} records (bench/input.ts mix), ${warmup.length} _bulk bodies of ${config.bulkMaxDocs} documents, ${ROUNDS} rounds; load average ${load()}`);
  await sendBodies(STACK_ENV.OPENSEARCH_URL, warmup, config.bulkConcurrency);

  // Ceiling and worker take turns, each round into indices (and, for the worker, a stack) of its
  // own: on a shared 2-core machine one pair swings by a third, the medians of a few pairs do not.
  console.log('| round | ceiling records/s | worker records/s | ratio | worker CPU µs/record | worker peak RSS MiB |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  const ratios: number[] = [];
  const cpu: number[] = [];
  const rss: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const bodies = await bodiesFor(`${first.name}-ceiling${round}`);
    const ceiling = await sendBodies(STACK_ENV.OPENSEARCH_URL, bodies, config.bulkConcurrency);
    if (ceiling.created !== records) throw new Error(`ceiling created ${ceiling.created} of ${records} documents`);
    const ceilingRate = records / ceiling.seconds;
    const stack = round === 1 ? first : await stackWith(objects);
    const worker = workerFigures(await runWorkerProcess(workerEnv(stack)), records);
    ratios.push(worker.rate / ceilingRate);
    cpu.push(worker.cpuUs);
    rss.push(worker.rssMiB);
    console.log(`| ${round} | ${fmt(ceilingRate)} | ${fmt(worker.rate)} | ${(worker.rate / ceilingRate).toFixed(2)} | ${worker.cpuUs.toFixed(1)} | ${fmt(worker.rssMiB)} |`);
  }
  console.log(`load average after: ${load()}`);
  console.log(`ratio:      median ${median(ratios).toFixed(2)} of the ceiling (goal ≥ 0.85; rounds ${ratios.map((r) => r.toFixed(2)).join(', ')})`);
  console.log(`worker CPU: median ${median(cpu).toFixed(1)} µs per record, from its start to its last object indexed (goal ≤ 8)`);
  console.log(`worker peak RSS (VmHWM): ${fmt(Math.max(...rss))} MiB at most\n`);
}

/** The mixed bucket: one large flow object first, then small flow objects, CloudTrail files and digests, interleaved. */
function mixedObjects(): BenchObject[] {
  const big = flowObject(200_000, 1);
  const rest: BenchObject[] = [];
  for (let i = 0; i < 60; i++) {
    rest.push(flowObject(10_000, 10 + i));
    if (i % 2 === 0) rest.push(cloudTrailObject(CLOUDTRAIL_FIXTURE, 1000, 10 + i));
    if (i % 3 !== 2) rest.push(digestObject(10 + i));
  }
  return [big, ...rest];
}

async function mixedRun(label: string, objects: readonly BenchObject[], settings: Record<string, string>): Promise<void> {
  const stack = await stackWith(objects);
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const started = Date.now();
  const watching = watchQueue(stack.aws.sqs, stack.queueUrl, done);
  const runs = await Promise.all([0, 1].map(() => runWorkerProcess(workerEnv(stack, { ...settings, LOG_LEVEL: 'warn' })))).finally(finished);
  const points = await watching;
  const drained = points.find((p) => p.at > started && p.visible + p.inFlight === 0)?.at ?? Date.now();
  const backlog = points.filter((p) => p.visible > 0);
  const meanInFlight = backlog.reduce((a, p) => a + p.inFlight, 0) / Math.max(1, backlog.length);
  // One figure per 5 s of the timeline: messages in flight (both workers), and visible ones waiting.
  const every = points.filter((_, i) => i % 10 === 0).map((p) => `${p.inFlight}/${p.visible}`).join(' ');
  console.log(`| ${label} | ${((drained - started) / 1000).toFixed(1)} | ${meanInFlight.toFixed(1)} | ${Math.max(...points.map((p) => p.inFlight))} | ${runs.map((r) => fmt(peakRss(r))).join(', ')} | ${fmt(runs.reduce((a, r) => a + r.stats.lines, 0))} | ${fmt(runs.reduce((a, r) => a + r.stats.created, 0))} |`);
  console.log(`  in flight/visible every 5 s: ${every}`);
}

async function mixed(): Promise<void> {
  const objects = mixedObjects();
  const bytes = objects.reduce((a, o) => a + o.body.length, 0);
  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  console.log(`mixed bucket: ${objects.length} objects (1 flow object of 200,000 records, ${mib(objects[0]?.body.length ?? 0)} MiB; 60 of 10,000; 30 CloudTrail files of 1,000 events; 40 digests), ${mib(bytes)} MiB gzip, 2 worker processes; load average ${load()}`);
  // Records read counts an object read twice (a redelivery) twice; documents created do not.
  console.log('| settings | drain s | mean in flight while a backlog waits | max in flight | peak RSS per worker MiB | records read | documents created |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  await mixedRun('as on main: 2 pollers × 10, no byte budget', objects, MAIN_SETTINGS);
  const d = loadConfig({});
  const defaults = `defaults: ${d.pollers} pollers × ${d.batchSize}, MAX_IN_FLIGHT_BYTES ${mib(d.maxInFlightBytes)} MiB`;
  await mixedRun(defaults, objects, {});
  await mixedRun(`${defaults}, NODE_OPTIONS ${IMAGE_NODE_OPTIONS} as the image sets it`, objects, { NODE_OPTIONS: IMAGE_NODE_OPTIONS });
  console.log(`load average after: ${load()}`);
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${load()}\n`);
try {
  await ceilingAndWorker();
  if (MIXED) await mixed();
} finally {
  for (const stack of stacks) await dropStack(stack);
}
