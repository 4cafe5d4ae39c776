/**
 * `npm run simulate`: the scaling policy on paper (scripts/lib/scale-sim.ts) for three workloads
 * and several targets of backlog per task; prints a Markdown table, `--write` puts it in the
 * README. Task throughput is the worker's records/s per vCPU (BENCHMARKS.md, bench:e2e), one figure:
 *   node --import tsx scripts/simulate.ts [--records-per-vcpu N] [--max-tasks N] [--targets 5,20] [--write]
 */
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { README_PATH, withSection } from './lib/readme-section.js';
import { simulate, type Policy, type TaskModel, type Workload } from './lib/scale-sim.js';

/**
 * BENCHMARKS.md, `npm run bench:e2e` of 2026-12-04 11:12–11:17 UTC with PARSE_THREADS=0, as the
 * infra/ task of 1 vCPU runs: the whole worker process (SQS, S3, gunzip, parse on the main thread,
 * GeoIP+ASN, ids, `_bulk` requests), 6.1 µs of CPU a record (the higher of two runs' medians, 6.1
 * and 5.7), i.e. records per CPU-second. The object path alone (`npm run bench`) does more; the
 * worker's figure is what a task gets.
 */
export const RECORDS_PER_VCPU_SECOND = 163_934;
/** The same benchmark's object: 7,706,415 bytes of gzip held 300,000 records. */
const GZIP_BYTES_PER_RECORD = 7_706_415 / 300_000;
/** A 75 MiB object of such records. */
const RECORDS_PER_FULL_OBJECT = Math.round((75 * 1024 * 1024) / GZIP_BYTES_PER_RECORD);
/** Live flow-log objects are smaller than the 75 MB cap: AWS writes one per interval and ENI batch. */
const RECORDS_PER_LIVE_OBJECT = 250_000;
/** `reprocess --enqueue`: SendMessageBatch of 10, a few in flight. */
const ENQUEUE_PER_SECOND = 500;
const HOUR = 3600;

const { values } = parseArgs({
  options: {
    'records-per-vcpu': { type: 'string', default: String(RECORDS_PER_VCPU_SECOND) },
    'max-tasks': { type: 'string', default: '50' },
    targets: { type: 'string', default: '5,20,100' },
    write: { type: 'boolean', default: false },
  },
});
const perVcpu = Number(values['records-per-vcpu']);
const maxTasks = Number(values['max-tasks']);
const targets = (values.targets ?? '').split(',').map(Number);
if (!(perVcpu > 0) || !(maxTasks >= 1) || targets.some((x) => !(x > 0))) throw new Error('--records-per-vcpu, --max-tasks and --targets take positive numbers');

/** The infra/ task: 1 vCPU; the worker's window, WORKER_POLLERS 16 × SQS_BATCH_SIZE 1 messages; 30 s grace. */
const WINDOW = 16;
const task: TaskModel = { recordsPerSecond: perVcpu, vcpu: 1, window: WINDOW, graceS: 30 };
const backfillObjects = Math.round(10e12 / GZIP_BYTES_PER_RECORD / RECORDS_PER_FULL_OBJECT);
const workloads: Workload[] = [
  { name: 'steady 10k records/s (3 h)', recordsPerObject: RECORDS_PER_LIVE_OBJECT, arrivals: () => 10_000 / RECORDS_PER_LIVE_OBJECT, horizonSeconds: 3 * HOUR },
  {
    name: 'burst 1M records/s for 10 min (3 h)', recordsPerObject: RECORDS_PER_LIVE_OBJECT, horizonSeconds: 3 * HOUR,
    arrivals: (t) => (t >= 600 && t < 1200 ? 1_000_000 / RECORDS_PER_LIVE_OBJECT : 0),
  },
  {
    name: `backfill 10 TB (${backfillObjects.toLocaleString('en')} objects of 75 MiB)`, recordsPerObject: RECORDS_PER_FULL_OBJECT, horizonSeconds: Math.ceil(backfillObjects / ENQUEUE_PER_SECOND) + 1,
    arrivals: (t) => (t < backfillObjects / ENQUEUE_PER_SECOND ? ENQUEUE_PER_SECOND : 0),
  },
];

const duration = (s: number) => (s < 120 ? `${Math.round(s)} s` : s < 2 * HOUR ? `${(s / 60).toFixed(1)} min` : `${(s / HOUR).toFixed(1)} h`);
const rows = [
  '| workload | target (visible msgs / task) | mean lag | p99 lag | max lag | peak tasks | vCPU-hours | done after |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];
for (const workload of workloads) {
  for (const target of targets) {
    const policy: Policy = { target, minTasks: 1, maxTasks, scaleOutCooldownS: 60, scaleInCooldownS: 300, outDatapoints: 3, inDatapoints: 15, taskStartS: 60 };
    const r = simulate(workload, policy, task);
    rows.push(`| ${workload.name} | ${target} | ${duration(r.meanLagS)} | ${duration(r.p99LagS)} | ${duration(r.maxLagS)} | ${r.peakTasks} | ${r.vcpuHours.toFixed(1)} | ${duration(r.drainedAtS)} |`);
  }
}
const table = [
  `Tasks of 1 vCPU at ${perVcpu.toLocaleString('en')} records/s, ${WINDOW} messages held each, start-up 60 s, 1–${maxTasks} tasks, ` +
    'one-minute datapoints, scale-out after 3 above target (cooldown 60 s), scale-in after 15 below 90 % (cooldown 300 s). ' +
    'OpenSearch is assumed to keep up. Made by `npm run simulate`.',
  '',
  ...rows,
].join('\n');
process.stdout.write(`${table}\n`);
if (values.write) {
  writeFileSync(README_PATH, withSection(readFileSync(README_PATH, 'utf8'), 'scale-table', table));
  process.stderr.write(`scale-table written to ${README_PATH}\n`);
}
