/** Problems found while preparing records, joined to the batches a parser elsewhere gives back. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsedWithProblems, withProblems, type LineProblem, type OpBatch, type PreparedItems } from '../../../src/core/records.js';

const problem = (lineNo: number): LineProblem => ({ lineNo, reason: `bad ${lineNo}` });
const op = (n: number) => ({ index: 'i', id: String(n), doc: { n } });

async function* prepared(...batches: Array<PreparedItems<number>>): AsyncGenerator<PreparedItems<number>> {
  yield* batches;
}

/** A parser that holds every item until the end, then gives one batch of them, its own problem (each item over 100) sorted in. */
async function* holdAll(items: AsyncIterable<number[]>): AsyncGenerator<OpBatch> {
  const held: number[] = [];
  for await (const batch of items) held.push(...batch);
  yield { ops: held.filter((n) => n <= 100).map(op), problems: held.filter((n) => n > 100).map((n) => problem(n)) };
}

async function all(batches: AsyncIterable<OpBatch>): Promise<{ batches: OpBatch[]; error?: unknown }> {
  const out: OpBatch[] = [];
  try {
    for await (const batch of batches) out.push(batch);
  } catch (error) {
    return { batches: out, error };
  }
  return { batches: out };
}

describe('withProblems', () => {
  it('joins problems to a batch\'s own in line order, and gives the batch itself when there are none', () => {
    const batch: OpBatch = { ops: [op(1)], problems: [problem(4)], dropped: 1 };
    assert.equal(withProblems(batch, []), batch);
    assert.deepEqual(withProblems(batch, [problem(7), problem(2)]), { ops: [op(1)], problems: [problem(2), problem(4), problem(7)], dropped: 1 });
  });
});

describe('parsedWithProblems', () => {
  it('gives each batch the parser gives back with the problems found before it, and those found after the last batch at the end', async () => {
    // As the pool does, a batch of no items gives nothing back.
    const one = (items: AsyncIterable<number[]>) => (async function* () {
      for await (const batch of items) if (batch.length > 0) yield { ops: batch.map(op), problems: [] };
    })();
    const { batches } = await all(parsedWithProblems(prepared({ items: [1, 2], problems: [problem(3)] }, { items: [], problems: [problem(5)] }, { items: [4], problems: [] }, { items: [], problems: [problem(9)] }), one));
    assert.deepEqual(batches, [
      { ops: [op(1), op(2)], problems: [problem(3)] },
      { ops: [op(4)], problems: [problem(5)] },
      { ops: [], problems: [problem(9)], dropped: 0, statusRecords: 0 },
    ]);
  });

  it('joins the problems of every batch a parser held to the one it gives back, in line order', async () => {
    const { batches } = await all(parsedWithProblems(prepared({ items: [1, 120], problems: [problem(6)] }, { items: [3], problems: [problem(2)] }), holdAll));
    assert.deepEqual(batches, [{ ops: [op(1), op(3)], problems: [problem(2), problem(6), problem(120)] }]);
  });

  it('gives the problems it holds before the parser\'s failure, and fails with it', async () => {
    const boom = new Error('thread died');
    const failing = async function* (items: AsyncIterable<number[]>): AsyncGenerator<OpBatch> {
      for await (const batch of items) {
        if (batch.includes(3)) throw boom;
        yield { ops: batch.map(op), problems: [] };
      }
    };
    const { batches, error } = await all(parsedWithProblems(prepared({ items: [1], problems: [problem(2)] }, { items: [3], problems: [problem(4)] }), failing));
    assert.equal(error, boom);
    assert.deepEqual(batches, [{ ops: [op(1)], problems: [problem(2)] }, { ops: [], problems: [problem(4)], dropped: 0, statusRecords: 0 }]);
    const clean = await all(parsedWithProblems(prepared({ items: [3], problems: [] }), failing));
    assert.deepEqual([clean.batches, clean.error], [[], boom], 'nothing to give: only the failure');
  });
});
