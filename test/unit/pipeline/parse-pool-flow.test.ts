/**
 * How ParsePool moves batches: tasks of 1000 lines, a window of two tasks per thread (the source
 * is read no further ahead), tasks spread over the threads by what each holds, and every way a
 * thread can fail, named.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { Worker, threadId, type Transferable } from 'node:worker_threads';
import { noopEnricher, type SharedEnrichment } from '../../../src/enrich/geoip.js';
import type { LineProblem, OpBatch } from '../../../src/core/records.js';
import { releaseOp, type IndexOp } from '../../../src/core/types.js';
import type { LinesTask, ParseTask } from '../../../src/pipeline/parse-wire.js';
import { formatFromFields, type FlowFormat } from '../../../src/formats/vpc-flow/parse.js';
import type { LineItem } from '../../../src/source/lines.js';
import type { BatchParser } from '../../../src/formats/vpc-flow/reader.js';
import { fileAsyncBuffer } from '../../../src/source/range-reader.js';
import { readObject, readParquetObject, type ReadResult } from '../../../src/pipeline/read-object.js';
import { Readable } from 'node:stream';
import { ParsePool, threadEntry } from '../../../src/pipeline/parse-pool.js';

const FORMAT = formatFromFields('version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'.split(' ')) as FlowFormat;
const CTX = { ref: { bucket: 'b', key: 'AWSLogs/1/vpcflowlogs/us-east-1/2014/12/14/x.log' }, enricher: noopEnricher, indexPrefix: 'vpcflowlogs' };
const NO_DBS: SharedEnrichment = { city: [], asn: [], cacheSize: 10, answerCacheSize: 10 };
const fixture = (name: string) => new URL(`../../fixtures/threads/${name}`, import.meta.url);

/** `sizes.length` batches of valid lines, as the splitter hands them out, counting how many were taken. */
function source(sizes: number[]) {
  const seen = { pulled: 0 };
  let lineNo = 1;
  async function* batches(): AsyncGenerator<LineItem[]> {
    for (const size of sizes) {
      seen.pulled += 1;
      const batch: LineItem[] = [];
      for (let i = 0; i < size; i++, lineNo++) batch.push({ lineNo, bytes: Buffer.from(`2 123456789010 eni-1 172.31.16.139 172.31.16.21 ${lineNo} 22 6 20 4249 1418530010 1418530070 ACCEPT OK`) });
      yield batch;
    }
  }
  return { batches: batches(), seen };
}

/** Each batch the pool yields, with how many source batches had been taken when it came. */
async function drain(pool: ParsePool, sizes: number[]) {
  const { batches, seen } = source(sizes);
  const out: { batch: OpBatch; pulled: number }[] = [];
  for await (const batch of pool.parse(FORMAT, CTX, batches)) out.push({ batch, pulled: seen.pulled });
  return out;
}

describe('ParsePool scheduling', () => {
  const pools: ParsePool[] = [];
  const pool = (size: number, entry?: URL, enrichment = NO_DBS) => {
    const made = new ParsePool(size, enrichment, { entry });
    pools.push(made);
    return made;
  };
  after(() => Promise.all(pools.map((p) => p.close())));

  it('sends tasks of 1000 lines and the rest, reading two tasks ahead per thread', async () => {
    const sizes = [...Array<number>(60).fill(100), 50];
    const one = await drain(pool(1), sizes);
    assert.deepEqual(one.map((o) => o.batch.ops.length), [1000, 1000, 1000, 1000, 1000, 1000, 50]);
    assert.deepEqual(one.map((o) => o.pulled), [20, 30, 40, 50, 60, 61, 61]);
    const two = await drain(pool(2), sizes);
    assert.deepEqual(two.map((o) => o.batch.ops.length), [1000, 1000, 1000, 1000, 1000, 1000, 50]);
    assert.deepEqual(two.map((o) => o.pulled), [40, 50, 60, 61, 61, 61, 61]);
    assert.deepEqual(two.flatMap((o) => o.batch.ops.map((op) => op.doc.srcport)), Array.from({ length: 6050 }, (_, i) => i + 1), 'in order');
  });

  it('sends an answer\'s buffer back with a later task once each of its operations was released, not one before', async () => {
    /** Each task's spare buffer's size as it was sent (once moved, a buffer is empty here). */
    const spares: (number | undefined)[] = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, message: unknown, transfer?: readonly Transferable[]) {
      // Tasks only: a thread run from source gets other messages too (tsx's loader).
      if (typeof message === 'object' && message !== null && 'spans' in message) spares.push((message as ParseTask).spare?.byteLength);
      post.call(this, message, transfer);
    };
    try {
      const { batches } = source(Array<number>(60).fill(100));
      // Batch 1 is held whole and batch 2's last operation to the end; every other operation is released once read.
      const held: { op: IndexOp; bytes: string }[] = [];
      let lines = 0;
      let n = 0;
      for await (const batch of pool(1).parse(FORMAT, CTX, batches)) {
        n += 1;
        batch.ops.forEach((op, i) => {
          if (n === 1 || (n === 2 && i === batch.ops.length - 1)) held.push({ op, bytes: Buffer.from(op.bulk ?? []).toString('utf8') });
          else releaseOp(op);
        });
        lines += batch.ops.length;
      }
      assert.equal(lines, 6000);
      // One thread, two tasks in flight: task 5 goes once batch 3 was read and released, the first whole batch.
      assert.deepEqual(spares, [undefined, undefined, undefined, undefined, 1024 * 1024, 1024 * 1024], 'the buffers of whole answers');
      assert.equal(held.length, 1001);
      assert.deepEqual(held.map((h) => Buffer.from(h.op.bulk ?? []).toString('utf8')), held.map((h) => h.bytes), 'the held operations\' bytes were never written over');
      const [first] = held;
      releaseOp(first?.op as IndexOp);
      assert.throws(() => first?.op.bulk, /read after its bytes were released/, 'an operation from a thread is lent as one written here');
    } finally {
      Worker.prototype.postMessage = post;
    }
  });

  it('sends no empty task after lines that fill whole tasks', async () => {
    const out = await drain(pool(1), Array<number>(20).fill(100));
    assert.deepEqual(out.map((o) => o.batch.ops.length), [1000, 1000]);
  });

  it('gives the first tasks to the thread that holds fewest, the first one on a tie', async () => {
    const out = await drain(pool(2, fixture('echo-parse-thread.mjs')), Array<number>(4).fill(1000));
    const threads = out.map((o) => Number(o.batch.ops[0]?.id));
    const [a, b] = [threads[0] as number, threads[1] as number];
    assert.ok(a !== threadId && a < b, `threads ${threads.join(',')}: the first spawned first`);
    assert.deepEqual(threads, [a, b, a, b]);
  });

  it('starts a compiled thread with the enrichment settings as its workerData', async () => {
    const enrichment: SharedEnrichment = { city: [], asn: [], cacheSize: 123, answerCacheSize: 456 };
    const [first] = await drain(pool(1, fixture('echo-parse-thread.mjs'), enrichment), [3]);
    assert.deepEqual(first?.batch.ops[0]?.doc, { lines: 3, workerData: enrichment });
  });
});

describe('ParsePool and other flow-log layouts', () => {
  const REF = { bucket: 'b', key: 'AWSLogs/1/vpcflowlogs/us-east-1/2014/12/14/x.log.parquet' };
  const OPTIONS = { enricher: noopEnricher, indexPrefix: 'vpcflowlogs', maxLineBytes: 1 << 20, maxObjectBytes: 1 << 30 };
  /** Each operation's index, id and document, and every problem (in line order), of an object that was read. */
  async function collected(read: ReadResult) {
    assert.equal(read.kind, 'read');
    const ops: string[][] = [];
    const problems: LineProblem[] = [];
    for await (const batch of read.kind === 'read' ? read.batches : []) {
      ops.push(...batch.ops.map((op) => [op.index, op.id, String(op.json)]));
      problems.push(...batch.problems);
      batch.ops.forEach(releaseOp);
    }
    return { ops, problems: problems.sort((a, b) => a.lineNo - b.lineNo) };
  }

  /** A Parquet fixture read here or with `parser`. */
  async function readFixture(name: string, parser?: BatchParser) {
    const file = await fileAsyncBuffer(fileURLToPath(new URL(`../../fixtures/vpc-flow/parquet/${name}`, import.meta.url)));
    try {
      return await collected(await readParquetObject(REF, file, { ...OPTIONS, parser }));
    } finally {
      await file.close();
    }
  }

  /** A header-less object read here or with `parser`. */
  async function readHeaderless(text: string, parser?: BatchParser) {
    return collected(await readObject({ bucket: 'b', key: 'exported/eni-1/000000' }, Readable.from([Buffer.from(text)]), { ...OPTIONS, headerlessPrefixes: ['exported/'], parser }));
  }

  /** Runs `body` with a pool of two threads, counting the lines sent to them (`sent()`), and closes the pool. */
  async function withCountedPool(body: (pool: ParsePool, sent: () => number) => Promise<void>): Promise<void> {
    const pool = new ParsePool(2, NO_DBS);
    let lines = 0;
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, message: unknown, transfer?: readonly Transferable[]) {
      if (typeof message === 'object' && message !== null && 'spans' in message) lines += (message as LinesTask).spans.length / 3;
      post.call(this, message, transfer);
    };
    try {
      await body(pool, () => lines);
    } finally {
      Worker.prototype.postMessage = post;
      await pool.close();
    }
  }

  it('parses header-less lines on the threads, unwrapped, into the operations and problems this thread makes', () =>
    withCountedPool(async (pool, sent) => {
      const record = (n: number) => `2 123456789010 eni-1 172.31.16.139 172.31.16.21 ${n} 22 6 20 4249 1418530010 1418530070 ACCEPT OK`;
      // Plain, timestamped and JSON-wrapped records, and every 500th a wrapper with no record.
      const lines = Array.from({ length: 2500 }, (_, i) => (i % 500 === 499 ? '{"id":"1"}' : i % 3 === 0 ? `2014-12-14T04:06:50.000Z ${record(i)}` : i % 3 === 1 ? JSON.stringify({ message: record(i) }) : record(i)));
      const here = await readHeaderless(`${lines.join('\n')}\n`);
      assert.equal(here.ops.length, 2495);
      assert.deepEqual(here.problems.map((p) => p.lineNo), [500, 1000, 1500, 2000, 2500]);
      assert.equal(sent(), 0);
      assert.deepEqual(await readHeaderless(`${lines.join('\n')}\n`, pool.parse), here);
      assert.equal(sent(), 2495, 'every record went to a thread');
    }));

  it('parses the rows rendered as lines on the threads, into the operations and problems this thread makes', () =>
    withCountedPool(async (pool, sent) => {
      // Every row goes as a line: default.log.parquet's refused rows too (the parser refuses them, as in text).
      for (const [name, rows] of [['many-groups.log.parquet', 4000], ['default.log.parquet', 8]] as const) {
        const here = await readFixture(name);
        assert.ok(here.ops.length > 0);
        const before = sent();
        assert.deepEqual(await readFixture(name, pool.parse), here, name);
        assert.equal(sent() - before, rows, name);
      }
    }));
});

describe('ParsePool failures', () => {
  it('fails the object with the thread\'s error answer', async () => {
    const pool = new ParsePool(1, NO_DBS);
    try {
      const bad = { ...FORMAT, fields: ['version', 'version'] } as FlowFormat;
      await assert.rejects(async () => {
        for await (const _ of pool.parse(bad, CTX, source([5]).batches));
      }, { message: 'parse thread: format version version: header names field "version" twice (tokens 1 and 2)' });
    } finally {
      await pool.close();
    }
  });

  it('names the error a thread died of', async () => {
    const pool = new ParsePool(1, NO_DBS, { entry: fixture('throwing-parse-thread.mjs') });
    try {
      await assert.rejects(drain(pool, [5]), { message: 'parse thread failed: out of luck on batch one' });
    } finally {
      await pool.close();
    }
  });

  it('refuses work once closed', async () => {
    const pool = new ParsePool(1, NO_DBS);
    assert.equal((await drain(pool, [5])).length, 1);
    await pool.close();
    await assert.rejects(drain(pool, [5]), { message: 'parse threads are closed' });
  });

  it('refuses a thread count that is no positive integer, naming it', () => {
    assert.throws(() => new ParsePool(0, NO_DBS), { name: 'RangeError', message: 'parse threads must be a positive integer, got 0' });
    assert.throws(() => new ParsePool(1.5, NO_DBS), { message: 'parse threads must be a positive integer, got 1.5' });
    assert.equal(new ParsePool(1, NO_DBS).size, 1);
  });
});

/** The child's script, as this file runs: compiled beside it (the mutation run's build), else from source through tsx. */
const CHILD = import.meta.url.endsWith('.js') ? [fileURLToPath(fixture('unclosed-pool.js'))] : ['--import', 'tsx', fileURLToPath(fixture('unclosed-pool.ts'))];

describe('ParsePool and the process', () => {
  it('keeps the process alive while a thread works, and never once the pool is idle (unclosed, 1 and 2 threads)', async () => {
    for (const threads of ['1', '2']) {
      const run = await promisify(execFile)(process.execPath, [...CHILD, threads], { timeout: 60_000 });
      assert.equal(run.stdout, '3 documents\n', `${threads} thread(s)`);
    }
  });
});

describe('threadEntry', () => {
  it('runs the compiled thread beside compiled code, the TypeScript one beside source', () => {
    assert.equal(threadEntry('file:///app/dist/pipeline/parse-pool.js').href, 'file:///app/dist/pipeline/parse-thread.js');
    assert.equal(threadEntry('file:///app/src/pipeline/parse-pool.ts').href, 'file:///app/src/pipeline/parse-thread.ts');
  });
});
