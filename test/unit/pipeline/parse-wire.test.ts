/** The packed forms that cross between the main thread and a parse thread, field by field. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonOp } from '../../../src/core/types.js';
import { packBatch, packLines, unpackBatch } from '../../../src/pipeline/parse-wire.js';

const JOB = { ref: { bucket: 'b', key: 'k' }, indexPrefix: 'p', dropStatusRecords: undefined, fields: ['version'] };

describe('packBatch', () => {
  it('names each index once, cuts ids and documents end to end, and serialises documents that have no JSON yet', () => {
    const ops = [new JsonOp('a', '1', '{"x":1}'), { index: 'b', id: '22', doc: { y: 2 } }, new JsonOp('a', '333', '{}')];
    const problems = [{ lineNo: 4, reason: 'bad', text: 'x' }];
    assert.deepEqual(packBatch(9, { ops, problems, dropped: 2 }), {
      id: 9, indexNames: ['a', 'b'], indexOf: new Uint32Array([0, 1, 0]), ids: '122333', idEnds: new Uint32Array([1, 3, 6]),
      json: '{"x":1}{"y":2}{}', ends: new Uint32Array([7, 14, 16]), problems, dropped: 2, statusRecords: 0,
    });
    const back = unpackBatch(packBatch(9, { ops, problems, statusRecords: 3 }));
    assert.deepEqual(back.ops.map((op) => [op.index, op.id, op.json]), [['a', '1', '{"x":1}'], ['b', '22', '{"y":2}'], ['a', '333', '{}']]);
    assert.deepEqual([back.problems, back.dropped, back.statusRecords], [problems, 0, 3]);
  });
});

describe('packLines', () => {
  it('puts the lines end to end, a line over the cap as its size alone', () => {
    const task = packLines(3, JOB, [{ lineNo: 1, bytes: Buffer.from('ab') }, { lineNo: 2, overlongBytes: 9000 }, { lineNo: 3, bytes: Buffer.from('cde') }]);
    assert.deepEqual(task, { id: 3, job: JOB, data: new Uint8Array(Buffer.from('abcde')), spans: new Float64Array([1, 0, 2, 2, -1, 9000, 3, 2, 5]) });
  });
});
