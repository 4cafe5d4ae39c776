/**
 * Throughput of `murmur3x64Hash128` against the `murmurhash3js-revisited` reference it replaces, on
 * 1,000,000 random 300-byte inputs (the size of a flow-log line plus its id prefix).
 *
 *   node --import tsx bench/murmur128.ts
 */
import { randomFillSync } from 'node:crypto';
import murmur from 'murmurhash3js-revisited';
import { murmur3x64Hash128 } from '../src/core/murmur128.js';

const COUNT = 1_000_000;
const SIZE = 300;
const WARMUP = 20_000;

// One backing buffer with views into it: a million separate buffers would cost far more memory.
const backing = randomFillSync(new Uint8Array(COUNT * SIZE));
const inputs = Array.from({ length: COUNT }, (_, i) => backing.subarray(i * SIZE, (i + 1) * SIZE));

interface Result {
  /** Wall-clock seconds. */
  seconds: number;
  /** CPU seconds of this process: steadier than wall time when the machine is shared. */
  cpuSeconds: number;
}

function run(name: string, hash: (bytes: Uint8Array) => string): Result {
  // Warm up so that both are measured optimised, not while V8 is still tiering up.
  for (let i = 0; i < WARMUP; i++) hash(inputs[i]!);
  // Fold every result into a checksum so that the calls cannot be optimised away.
  let sink = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < COUNT; i++) sink ^= hash(inputs[i]!).charCodeAt(i & 31);
  const cpu = process.cpuUsage(cpuStart);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const rates = (s: number): string =>
    `${((COUNT * SIZE) / 1e6 / s).toFixed(1).padStart(7)} MB/s ${Math.round(COUNT / s).toLocaleString('en-US').padStart(11)} hashes/s`;
  console.log(
    `${name.padEnd(24)} wall ${seconds.toFixed(2).padStart(6)} s ${rates(seconds)} | ` +
      `cpu ${cpuSeconds.toFixed(2).padStart(6)} s ${rates(cpuSeconds)}  (checksum ${sink})`,
  );
  return { seconds, cpuSeconds };
}

// A benchmark of a wrong function is worthless: check agreement on a sample first.
for (let i = 0; i < 1000; i++) {
  const input = inputs[i]!;
  if (murmur3x64Hash128(input, i) !== murmur.x64.hash128(input, i)) throw new Error(`hash mismatch on input ${i}`);
}

console.log(`${COUNT.toLocaleString('en-US')} inputs of ${SIZE} bytes, Node ${process.version}`);
// The reference runs with its default input validation on, as the pipeline called it.
const reference = run('murmurhash3js-revisited', (bytes) => murmur.x64.hash128(bytes));
const ours = run('murmur3x64Hash128', (bytes) => murmur3x64Hash128(bytes));
console.log(
  `speedup: ${(reference.seconds / ours.seconds).toFixed(1)}x wall, ${(reference.cpuSeconds / ours.cpuSeconds).toFixed(1)}x cpu`,
);
