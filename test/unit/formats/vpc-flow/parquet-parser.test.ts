import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ObjectError } from '../../../../src/core/errors.js';
import type { LineProblem, OpBatch } from '../../../../src/core/records.js';
import { readParquetFlow, type ParquetFlowContext } from '../../../../src/formats/vpc-flow/parquet.js';
import { holdingParser } from '../../../helpers/holding-parser.js';

/**
 * Parquet rows handed to a parser of line batches (the parse threads' `BatchParser`, as the worker
 * gives it): stand-ins that hold lines as the pool does, across the reader's batches and ahead of
 * what they give back, so that lines written over, lost or doubled would show.
 */
const ctx: ParquetFlowContext = { ref: { bucket: 'b', key: 'k.log.parquet' }, enricher: { lookup: () => undefined }, indexPrefix: 'p' };

/** `rows` rows, rows `bad` with an address no line holds (a rendering refusal) or that the parser refuses, in row groups of `groupRows`. */
function object(rows: number, bad: ReadonlyMap<number, 'render' | 'parse'>, groupRows: number): ArrayBuffer {
  const address = (row: number) => (bad.get(row) === 'render' ? 'a b' : bad.get(row) === 'parse' ? 'nowhere' : `10.0.${row >> 8}.${row & 255}`);
  return parquetWriteBuffer({
    columnData: [
      { name: 'version', data: Array.from({ length: rows }, () => 2), type: 'INT32', nullable: false },
      { name: 'srcaddr', data: Array.from({ length: rows }, (_, i) => address(i + 1)), type: 'STRING', nullable: true },
      { name: 'start', data: Array.from({ length: rows }, (_, i) => BigInt(1418530010 + i)), type: 'INT64', nullable: false },
    ],
    rowGroupSize: groupRows,
  } as Parameters<typeof parquetWriteBuffer>[0]);
}

async function read(bytes: ArrayBuffer, more: Partial<ParquetFlowContext> = {}): Promise<OpBatch[]> {
  const out: OpBatch[] = [];
  for await (const batch of readParquetFlow(bytes, { ...ctx, ...more })) out.push(batch);
  return out;
}

const jsonOf = (batches: OpBatch[]) => batches.flatMap((b) => b.ops.map((op) => [op.index, op.id, op.json]));
const problemsOf = (batches: OpBatch[]): LineProblem[] => batches.flatMap((b) => b.problems).sort((a, b) => a.lineNo - b.lineNo);

describe('readParquetFlow with a parser', () => {
  // Refusals in the first batch, across a batch's end, and filling the last batch (rows 3001–3003).
  const bad = new Map<number, 'render' | 'parse'>([[7, 'render'], [999, 'parse'], [1000, 'render'], [1001, 'render'], [2500, 'parse'], [3001, 'render'], [3002, 'render'], [3003, 'render']]);
  const bytes = object(3003, bad, 1500);

  it('gives the operations and problems this thread gives, the lines intact while the parser holds them', async () => {
    assert.equal(parquetMetadata(bytes).row_groups.length, 3, 'the object is what the test needs');
    const here = await read(bytes);
    assert.deepEqual(problemsOf(here).map((p) => p.lineNo), [...bad.keys()]);
    assert.equal(jsonOf(here).length, 3003 - bad.size);
    for (const [size, ahead] of [[1700, 2], [400, 5], [1, 0], [10_000, 0]] as const) {
      const there = await read(bytes, { parser: holdingParser(size, ahead) });
      assert.deepEqual(jsonOf(there), jsonOf(here), `tasks of ${size}, ${ahead} ahead`);
      assert.deepEqual(problemsOf(there), problemsOf(here), `tasks of ${size}, ${ahead} ahead`);
      // Each batch's own problems in row order, as this thread gives them, and no batch empty.
      for (const batch of there) assert.deepEqual(batch.problems, [...batch.problems].sort((a, b) => a.lineNo - b.lineNo));
      assert.ok(there.every((b) => b.ops.length + b.problems.length > 0), `tasks of ${size}, ${ahead} ahead: an empty batch`);
    }
  });

  it('reports the refusals of rows rendered after the parser\'s last batch', async () => {
    // Parsed as they come, the last batch (rows 3001–3003, all refused) gives the parser no line.
    const batches = await read(bytes, { parser: holdingParser(1, 0) });
    assert.deepEqual(batches.at(-1), { ops: [], problems: problemsOf(batches).slice(-3), dropped: 0, statusRecords: 0 });
    assert.deepEqual(problemsOf(batches).slice(-3).map((p) => p.lineNo), [3001, 3002, 3003]);
  });

  it('reports the refusals rendered before a row group fails, then fails as this thread does', async () => {
    // Room for row group 1 as the budget charges it (its declared size, or 8 bytes a value if more), not for group 2 too.
    const [first] = parquetMetadata(bytes).row_groups;
    const declared = (first?.columns ?? []).reduce((sum, chunk) => sum + Number(chunk.meta_data?.total_uncompressed_size ?? 0), 0);
    const cap = Math.max(declared, 8 * 1500 * 3) + 1000;
    const here = await read(bytes, { maxObjectBytes: cap }).then(() => undefined, (err: unknown) => err);
    assert.ok(here instanceof ObjectError && /row group 2 \(rows 1501–3000\)/.test(here.message), String(here));
    const batches: OpBatch[] = [];
    // Holding every task, the parser gives nothing back before the failure.
    await assert.rejects(async () => {
      for await (const batch of readParquetFlow(bytes, { ...ctx, maxObjectBytes: cap, parser: holdingParser(10_000, 10) })) batches.push(batch);
    }, (err: unknown) => err instanceof ObjectError && err.message === here.message);
    assert.deepEqual(batches.flatMap((b) => b.problems.map((p) => p.lineNo)), [7, 1000, 1001], 'the rendering refusals of row group 1');
    // With none rendered, nothing comes before the failure.
    const clean: OpBatch[] = [];
    await assert.rejects(async () => {
      for await (const batch of readParquetFlow(object(3003, new Map(), 1500), { ...ctx, maxObjectBytes: cap, parser: holdingParser(10_000, 10) })) clean.push(batch);
    }, ObjectError);
    assert.deepEqual(clean, []);
  });
});
