import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { EnricherOptions } from '../../../src/enrich/geoip.js';
import type { Enricher } from '../../../src/enrich/types.js';
import { ObjectError } from '../../../src/core/errors.js';
import type { OpBatch } from '../../../src/core/records.js';
import { ParsePool } from '../../../src/pipeline/parse-pool.js';
import type { Placement } from '../../../src/pipeline/parse-placement.js';
import { readObject } from '../../../src/pipeline/read-object.js';
import { readGzipped, suitePools } from '../../helpers/suite-pools.js';
import { sampleLines } from '../../../src/sample/flow-logs.js';

const GEO = new URL('../../fixtures/geoip/', import.meta.url);
const ENRICHMENT: EnricherOptions = { cityDbs: [fileURLToPath(new URL('GeoIP2-City-Test.mmdb', GEO))], asnDb: fileURLToPath(new URL('GeoLite2-ASN-Test.mmdb', GEO)) };
const KEY = 'AWSLogs/1/vpcflowlogs/us-east-1/2026/11/22/1_vpcflowlogs_us-east-1_fl-1_20261122T0000Z_x.log.gz';
const MAX_LINE = 4096;

/** A sample object, plus what a worker meets: a bad value, bytes that are no UTF-8, a line over the cap, an empty line. */
function objectText(): Buffer {
  const lines = [...sampleLines({ seed: 3, records: 3000, format: 'full', start: 1_763_769_600 })];
  lines.splice(10, 0, lines[11]?.replace(/ 6 /, ' 999999999999 ') ?? '');
  lines.splice(20, 0, 'x'.repeat(MAX_LINE + 10), '');
  return Buffer.concat([Buffer.from(lines.slice(0, 30).join('\n')), Buffer.from([0x20, 0xff, 0xfe, 0x0a]), Buffer.from(lines.slice(30).join('\n'))]);
}

/** The pieces of `bytes` between the bytes `separator`. */
function splitAt(bytes: Buffer, separator: number): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  for (let at = bytes.indexOf(separator); at !== -1; at = bytes.indexOf(separator, start)) {
    pieces.push(bytes.subarray(start, at));
    start = at + 1;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}

/** The gzip body in small chunks, so the object arrives as many batches of lines. */
async function* chunked(gz: Buffer) {
  for (let at = 0; at < gz.length; at += 4096) yield gz.subarray(at, at + 4096);
}

async function read(enricher: Enricher, parser?: ParsePool): Promise<OpBatch[]> {
  const result = await readGzipped(KEY, objectText(), { enricher, indexPrefix: 'vpcflowlogs', maxLineBytes: MAX_LINE, maxObjectBytes: 1 << 30, parser: parser?.parse });
  assert.equal(result.kind, 'read');
  assert.equal(result.failure, undefined);
  return result.batches;
}

/** Everything a batch says, documents as sent (index, id, JSON). */
function summary(batches: OpBatch[]) {
  return {
    ops: batches.flatMap((b) => b.ops.map((op) => [op.index, op.id, op.json])),
    problems: batches.flatMap((b) => b.problems),
    dropped: batches.reduce((n, b) => n + (b.dropped ?? 0), 0),
    statusRecords: batches.reduce((n, b) => n + (b.statusRecords ?? 0), 0),
  };
}

describe('ParsePool', () => {
  const suite = suitePools(ENRICHMENT);
  const pool = (size: number, entry?: URL, placement?: Placement) => suite.pool(size, { entry, placement });

  it('gives the same documents, ids, problems and counts with 1 and 3 threads as on the main thread, in order', async () => {
    const here = summary(await read(suite.enricher));
    assert.ok(here.ops.length > 2900 && here.problems.length >= 3 && here.statusRecords > 0, 'the object has documents, problems and status records');
    assert.ok((await read(suite.enricher)).length > 3, 'the object comes in several batches');
    assert.deepEqual(summary(await read(suite.enricher, pool(1))), here);
    assert.deepEqual(summary(await read(suite.enricher, pool(3))), here);
  });

  it('parses each task where its placement says, here or on a thread, with the same documents in order', async () => {
    const here = summary(await read(suite.enricher));
    const dying = new URL('../../fixtures/threads/dying-parse-thread.ts', import.meta.url);
    const measured: number[] = [];
    const stays: Placement = { onThread: () => false, parsedHere: (bytes, ms) => void measured.push(bytes, ms) };
    const began = performance.now();
    assert.deepEqual(summary(await read(suite.enricher, pool(2, dying, stays))), here, 'all here: the threads (which die) never took a task');
    const took = performance.now() - began;
    const bytes = measured.filter((_, i) => i % 2 === 0);
    assert.ok(bytes.length >= 3, `${bytes.length} tasks measured`);
    // The lines after the header, but the one over the cap, whose bytes were never kept.
    const kept = splitAt(objectText(), 0x0a).slice(1).filter((line) => line.length <= MAX_LINE);
    assert.equal(bytes.reduce((a, n) => a + n, 0), kept.reduce((a, line) => a + line.length, 0), 'every byte of the lines parsed here was measured');
    assert.ok(measured.filter((_, i) => i % 2 === 1).every((ms) => ms >= 0 && ms <= took), 'each task took a part of the read');
    let task = 0;
    const turns: Placement = { onThread: () => task++ % 3 !== 0, parsedHere: () => undefined };
    assert.deepEqual(summary(await read(suite.enricher, pool(2, undefined, turns))), here, 'one task in three here');
  });

  it('a truncated object: the lines before the cut become the same documents as on the main thread, then the object fails', async () => {
    const whole = gzipSync(objectText());
    const cut = whole.subarray(0, Math.floor(whole.length * 0.6));
    const before = async (parser?: ParsePool) => {
      const got: OpBatch[] = [];
      const result = await readObject({ bucket: 'b', key: KEY }, chunked(cut), { enricher: suite.enricher, indexPrefix: 'vpcflowlogs', maxLineBytes: MAX_LINE, maxObjectBytes: 1 << 30, parser: parser?.parse });
      await assert.rejects(async () => {
        for await (const b of result.kind === 'read' ? result.batches : []) got.push(b);
      }, (err: unknown) => err instanceof ObjectError && /corrupt or truncated/.test(err.message));
      return summary(got);
    };
    const here = await before();
    assert.ok(here.ops.length > 1000, `${here.ops.length} documents before the cut`);
    assert.deepEqual(await before(pool(2)), here);
  });

  it('fails the object, not the process, when a thread dies; a new thread takes its place', async () => {
    const dying = pool(2, new URL('../../fixtures/threads/dying-parse-thread.ts', import.meta.url));
    for (let round = 0; round < 2; round++) {
      // readGzipped holds the failure an ObjectError; `retryable: true` is its flag.
      const { failure } = await readGzipped(KEY, objectText(), { enricher: suite.enricher, indexPrefix: 'vpcflowlogs', maxLineBytes: MAX_LINE, maxObjectBytes: 1 << 30, parser: dying.parse });
      assert.match(failure ?? '', /parse thread failed: exited with code 7 \(retryable: true\)$/);
    }
  });

  it('refuses a thread count that is no positive integer', () => {
    assert.throws(() => new ParsePool(0, suite.shared), RangeError);
  });
});
