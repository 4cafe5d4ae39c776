/** The packed forms that cross between the main thread and a parse thread, field by field. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OpWriter } from '../../../src/core/bulk-op.js';
import type { EncodedOp } from '../../../src/core/types.js';
import type { CwlEventItem } from '../../../src/formats/cwl/events.js';
import { formatFromFields, isParseError } from '../../../src/formats/vpc-flow/parse.js';
import { movedBuffers, packBatch, packEvents, packLines, packRecordCuts, unpackBatch, unpackEvents, unpackLines, unpackRecordCuts } from '../../../src/pipeline/parse-wire.js';
import { serializeOp } from '../../../src/sink/bulk-body.js';

const JOB = { kind: 'flow' as const, ref: { bucket: 'b', key: 'k' }, indexPrefix: 'p', dropStatusRecords: undefined, fields: ['version'] };

describe('packBatch', () => {
  it('names each index once and encodes every operation into one buffer, documents with no JSON yet included', () => {
    const writer = new OpWriter();
    const ops = [writer.text('a', '1', '{"x":1}'), { index: 'b', id: '22', doc: { y: 2 } }, writer.text('a', '333', '{}')];
    const problems = [{ lineNo: 4, reason: 'bad', text: 'x' }];
    const lines = ops.map(serializeOp);
    const packed = packBatch(9, { ops, problems, dropped: 2 });
    assert.deepEqual({ ...packed, bulk: Buffer.from(packed.bulk).toString('utf8') }, {
      id: 9, indexNames: ['a', 'b'], indexOf: new Uint32Array([0, 1, 0]),
      bulk: lines.join(''), ends: new Uint32Array([lines[0]!.length, lines[0]!.length + lines[1]!.length, lines.join('').length]),
      problems, dropped: 2, statusRecords: 0,
    });
    assert.equal(packed.bulk.buffer.byteLength, packed.bulk.length, 'the buffer holds the operations alone: it is moved whole');
    const back = unpackBatch(packBatch(9, { ops, problems, statusRecords: 3 }));
    assert.deepEqual(back.ops.map((op) => [op.index, op.id, op.json, Buffer.from(op.bulk ?? []).toString('utf8')]), [
      ['a', '1', '{"x":1}', lines[0]], ['b', '22', '{"y":2}', lines[1]], ['a', '333', '{}', lines[2]],
    ]);
    assert.deepEqual(back.ops[1]?.doc, { y: 2 });
    assert.deepEqual([back.problems, back.dropped, back.statusRecords], [problems, 0, 3]);
  });

  it('gives back a document whose id and index hold newlines and characters beyond ASCII', () => {
    const op = new OpWriter().text('i\n€', 'id\n😀', '{"t":"é\\n"}');
    const [back] = unpackBatch(packBatch(1, { ops: [op], problems: [] })).ops;
    assert.deepEqual([back?.index, back?.id, back?.json], ['i\n€', 'id\n😀', '{"t":"é\\n"}']);
  });
});

describe('packBatch into memory, unpackBatch with a lease', () => {
  it('writes the operations at the start of the memory it is given', () => {
    const writer = new OpWriter();
    const ops = [writer.text('a', '1', '{"x":1}'), writer.text('a', '2', '{"x":2}')];
    const buffer = new ArrayBuffer(4096);
    const asked: number[] = [];
    const packed = packBatch(1, { ops, problems: [] }, (bytes) => {
      asked.push(bytes);
      return new Uint8Array(buffer, 0, bytes);
    });
    assert.equal(packed.bulk.buffer, buffer);
    assert.deepEqual(asked, [packed.bulk.length]);
    assert.equal(Buffer.from(buffer, 0, packed.bulk.length).toString('utf8'), ops.map(serializeOp).join(''));
  });

  it('lends the operations\' bytes: the lease is told once per operation, and a released one is not read', () => {
    const writer = new OpWriter();
    const packed = packBatch(1, { ops: [writer.text('a', '1', '{"x":1}'), writer.text('b', '2', '{"x":2}')], problems: [] });
    let released = 0;
    const [first, second] = unpackBatch(packed, { release: () => void (released += 1) }).ops as EncodedOp[];
    first?.release();
    first?.release();
    assert.equal(released, 1, 'a second release of one operation tells nothing');
    assert.throws(() => first?.bulk, /read after its bytes were released/);
    assert.equal(second?.json, '{"x":2}', 'the other operation is still read');
    second?.release();
    assert.equal(released, 2);
  });
});

describe('packLines', () => {
  it('puts the lines end to end, a line over the cap as its size alone', () => {
    const task = packLines(3, JOB, [{ lineNo: 1, bytes: Buffer.from('ab') }, { lineNo: 2, overlongBytes: 9000 }, { lineNo: 3, bytes: Buffer.from('cde') }]);
    assert.deepEqual(task, { id: 3, job: JOB, data: new Uint8Array(Buffer.from('abcde')), spans: new Float64Array([1, 0, 2, 2, -1, 9000, 3, 2, 5]) });
  });
});

describe('packRecordCuts', () => {
  it('packs CloudTrail records as lines, with where each starts in the body, and unpacks them as they were', () => {
    const cuts = [{ lineNo: 1, bytes: Buffer.from('{"a":1}'), at: 12 }, { lineNo: 2, overlongBytes: 9000, at: 20 }, { lineNo: 3, bytes: Buffer.from('[]'), at: 9021 }];
    const task = packRecordCuts(4, JOB, cuts);
    assert.deepEqual({ ...task, at: undefined }, { ...packLines(4, JOB, cuts), at: undefined });
    assert.deepEqual(task.at, new Float64Array([12, 20, 9021]));
    assert.deepEqual(unpackRecordCuts(task), cuts);
    assert.throws(() => unpackRecordCuts(packLines(5, JOB, cuts)), { message: 'task 5 carries no record offsets: not packed by packRecordCuts' });
  });
});

describe('packEvents', () => {
  it('gives back each event as it was, lone surrogates and all, its group, stream and format made once per run from its fields', () => {
    const defaults = formatFromFields(['version', 'srcaddr']);
    const other = formatFromFields(['version', 'dstaddr']);
    if (isParseError(defaults) || isParseError(other)) throw new Error('formats');
    const event = (id: string, message: string, timestamp = 1700000000123) => ({ id, timestamp, message });
    const items: CwlEventItem[] = [
      { group: 'g', stream: 's1', format: defaults, ordinal: 3, event: event('10', '2 10.0.0.1') },
      { group: 'g', stream: 's1', format: defaults, ordinal: 4, event: event('11', 'lone \ud800 and é', 1.5) },
      { group: 'g', stream: 's2', format: defaults, ordinal: 5, event: event('', '') },
      { group: 'h', stream: 's2', format: other, ordinal: 7, event: event('13', '2 81.2.69.142\n') },
      { group: 'g', stream: 's1', format: defaults, ordinal: 8, event: event('14', '2 10.0.0.2') },
      { group: 'h', stream: 's1', format: defaults, ordinal: 9, event: event('15', '2 10.0.0.3') },
      { group: 'h', stream: 's1', format: other, ordinal: 10, event: event('16', '2 10.0.0.4') },
    ];
    const task = packEvents(6, { kind: 'cwl', indexPrefix: 'p', dropStatusRecords: undefined }, items);
    assert.deepEqual(task.runs.map((r) => [r.group, r.stream, r.fields, r.count]), [
      ['g', 's1', defaults.fields, 2], ['g', 's2', defaults.fields, 1], ['h', 's2', other.fields, 1], ['g', 's1', defaults.fields, 1],
      ['h', 's1', defaults.fields, 1], ['h', 's1', other.fields, 1],
    ]);
    const made: string[] = [];
    const formatOf = (fields: readonly string[]) => {
      made.push(fields.join(' '));
      return fields.includes('dstaddr') ? other : defaults;
    };
    assert.deepEqual(unpackEvents(task, formatOf), items);
    assert.equal(made.length, 6, 'once per run');
    assert.deepEqual(movedBuffers(task), [task.numbers.buffer]);
    const spare = new ArrayBuffer(8);
    assert.deepEqual(movedBuffers({ ...task, spare }), [task.numbers.buffer, spare]);
    assert.throws(() => unpackLines(task), /task 6 carries events, not lines/);
    assert.throws(() => unpackEvents(packLines(7, JOB, []), formatOf), /task 7 carries lines, not events/);
  });
});
