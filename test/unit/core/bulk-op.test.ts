import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OpWriter, actionLine, withoutId } from '../../../src/core/bulk-op.js';
import { releaseOp, type EncodedOp } from '../../../src/core/types.js';

/** What an operation must be: the action object stringified, then the document, each line ending in `\n`. */
const expected = (index: string, id: string, json: string): string =>
  `${JSON.stringify({ create: id === '' ? { _index: index } : { _index: index, _id: id } })}\n${json}\n`;

const text = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('utf8');

describe('actionLine', () => {
  it('is JSON.stringify of the create action, escapes included, and leaves `_id` out for the empty id', () => {
    for (const [index, id] of [['vpcflow-2024.01.02', 'abc123'], ['i"\\x', 'id\n\u2028é😀'], ['i', '']]) {
      assert.equal(actionLine(index as string, id as string), expected(index as string, id as string, '').slice(0, -1));
    }
  });
});

describe('OpWriter', () => {
  it('writes a document straight after its action line: the operation is exactly its two lines', () => {
    const writer = new OpWriter();
    const at = writer.begin('vpcflow-2024.01.02', 'abc123', 16);
    const end = at + writer.buffer.write('{"a":1}', at, 'utf8');
    const op = writer.end(end);
    assert.deepEqual([op.index, op.id, text(op.bulk), op.json, op.doc], ['vpcflow-2024.01.02', 'abc123', expected('vpcflow-2024.01.02', 'abc123', '{"a":1}'), '{"a":1}', { a: 1 }]);
  });

  it('keeps every operation intact across chunks, indices changing and ids of any characters, whatever their sizes', () => {
    const op = fc.record({
      index: fc.constantFrom('a-1', 'b-2', 'i"\\€'),
      id: fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }), fc.constant(''), fc.string({ unit: 'binary', maxLength: 8 })),
      json: fc.oneof(fc.constant('{}'), fc.string({ unit: 'binary', maxLength: 40 }).map((s) => JSON.stringify({ s })), fc.nat(70_000).map((n) => JSON.stringify('x'.repeat(n)))),
    });
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (list) => {
      const writer = new OpWriter();
      const ops = list.map(({ index, id, json }) => writer.text(index, id, json));
      // Checked after all are written: a later operation must not have overwritten an earlier one.
      assert.deepEqual(ops.map((o) => text(o.bulk)), list.map(({ index, id, json }) => expected(index, id, json)));
      assert.deepEqual(ops.map((o) => [o.index, o.id]), list.map(({ index, id }) => [index, id]));
    }), { numRuns: 200 });
  });

  it('writes an id given as its bytes (hex digits) as the same id given as a string, in the same chunk', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 40 }), fc.nat(20_000), (id, size) => {
      const writer = new OpWriter();
      const json = JSON.stringify('x'.repeat(size));
      const first = writer.text('i', Buffer.from(id, 'latin1'), json);
      const at = writer.beginWithIdBytes('j', Buffer.from(id, 'latin1'), 2);
      const second = writer.end(at + writer.buffer.write('{}', at));
      assert.deepEqual([text(first.bulk), first.id, text(second.bulk), second.id], [expected('i', id, json), id, expected('j', id, '{}'), id]);
    }), { numRuns: 100 });
  });

  it('writes each id as JSON.stringify does: quotes, backslashes, control and non-ASCII characters escaped or encoded', () => {
    const writer = new OpWriter();
    for (const id of ['"', '\\', 'a"b', 'a\\b', 'a\nb', '\u0000', '\u001f', ' ', '~', '\u007f', 'é', '€', '😀', '\u2028', 'x'.repeat(40)]) {
      assert.equal(text(writer.text('i', id, '{}').bulk), expected('i', id, '{}'), JSON.stringify(id));
    }
  });

  it('refuses a document longer than the room it asked for, and an end before its start; takes an empty one', () => {
    const writer = new OpWriter();
    const at = writer.begin('i', 'x', 4);
    assert.throws(() => writer.end(at + 5), /document of 5 bytes for an operation with room for 4/);
    assert.throws(() => writer.end(at - 1), /document of -1 bytes/);
    assert.equal(text(writer.end(at + writer.buffer.write('1234', at)).bulk), expected('i', 'x', '1234'));
    assert.equal(text(writer.end(writer.begin('i', 'y', 4)).bulk), expected('i', 'y', ''));
  });

  it('keeps an operation in the current chunk exactly when its action line, document and newline fit there', () => {
    for (const id of ['abc', '', 'é"\n', Buffer.from('0123456789abcdef0123456789abcdef', 'latin1')]) {
      for (const spare of [-1, 0, 1]) {
        const writer = new OpWriter();
        const action = Buffer.byteLength(actionLine('i', String(id)));
        const first = filled(writer, id, 1000);
        // The room left in the first chunk, and a document that fits it exactly (spare 0), or by one byte more or less.
        const bound = writer.buffer.length - (action + 1001) - action - 1 + spare;
        const second = filled(writer, id, bound);
        assert.equal(second.bulk.buffer === first.bulk.buffer, spare <= 0, `id ${JSON.stringify(String(id))}, spare ${spare}`);
        assert.deepEqual([text(first.bulk), text(second.bulk)], [expected('i', String(id), 'x'.repeat(1000)), expected('i', String(id), 'x'.repeat(bound))]);
      }
    }
  });

  it('takes chunks of 16 KiB first, doubling up to 256 KiB, and one of its own size for an operation larger than that', () => {
    const writer = new OpWriter();
    const chunks: ArrayBufferLike[] = [];
    for (const bound of [...Array<number>(120).fill(8000), 600_000]) {
      const { buffer } = filled(writer, 'id', bound).bulk;
      if (chunks.at(-1) !== buffer) chunks.push(buffer);
    }
    const large = Buffer.byteLength(actionLine('i', 'id')) + 600_000 + 1;
    assert.deepEqual(chunks.map((c) => c.byteLength), [16_384, 32_768, 65_536, 131_072, 262_144, 262_144, 262_144, large]);
  });

  it('after a rewind writes into the chunks it wrote before, in the order it first wrote them, and takes a new one for an operation too large for the next', () => {
    const writer = new OpWriter({ rewinds: true });
    const chunksOf = (bounds: number[]) => {
      const chunks: ArrayBufferLike[] = [];
      for (const [i, bound] of bounds.entries()) {
        const op = filled(writer, `id${i}`, bound);
        assert.equal(text(op.bulk), expected('i', `id${i}`, 'x'.repeat(bound)));
        if (chunks.at(-1) !== op.bulk.buffer) chunks.push(op.bulk.buffer);
      }
      return chunks;
    };
    const first = chunksOf(Array<number>(60).fill(8000));
    assert.equal(first.length, 5);
    writer.rewind();
    assert.deepEqual(chunksOf(Array<number>(60).fill(8000)), first);
    writer.rewind();
    // The first free chunk (16 KiB) cannot take 300,000 bytes: a chunk of its own size does; the 32 KiB one is next.
    const [large, next] = chunksOf([300_000, 8000]);
    assert.ok(!first.includes(large as ArrayBufferLike));
    assert.equal(next, first[1]);
  });

  it('after each rewind writes every operation of the next batch intact, whatever their sizes', () => {
    const batch = fc.array(fc.record({ id: fc.string({ maxLength: 8 }), json: fc.oneof(fc.constant('{}'), fc.nat(70_000).map((n) => JSON.stringify('y'.repeat(n)))) }), { maxLength: 30 });
    fc.assert(fc.property(fc.array(batch, { maxLength: 5 }), (batches) => {
      const writer = new OpWriter({ rewinds: true });
      for (const list of batches) {
        writer.rewind();
        const ops = list.map(({ id, json }) => writer.text('i', id, json));
        assert.deepEqual(ops.map((o) => text(o.bulk)), list.map(({ id, json }) => expected('i', id, json)));
      }
    }), { numRuns: 100 });
  });

  it('rewinds only when made to: its operations are otherwise never written over', () => {
    assert.throws(() => new OpWriter().rewind(), /rewind needs an OpWriter made with \{ rewinds: true \}/);
  });
});

/** Writes an operation whose document is `bound` bytes, exactly its room; an id given as bytes through `beginWithIdBytes`. */
function filled(writer: OpWriter, id: string | Uint8Array, bound: number): ReturnType<OpWriter['end']> {
  const at = typeof id === 'string' ? writer.begin('i', id, bound) : writer.beginWithIdBytes('i', id, bound);
  writer.buffer.fill(120, at, at + bound);
  return writer.end(at + bound);
}

describe('withoutId', () => {
  it('gives an encoded operation a new action line without `_id` before the same document bytes, whatever its index and id', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.json(), (index, id, json) => {
        const writer = new OpWriter();
        const op = writer.text(index, id, json);
        const bare = withoutId(op);
        assert.equal(text(bare.bulk), expected(index, '', json));
        assert.deepEqual([bare.index, bare.id, bare.json], [index, '', json]);
        // The original is untouched: it may still be dead-lettered under its id.
        assert.equal(text(op.bulk), expected(index, id, json));
      }),
    );
  });

  it('leaves only the id out of an operation that carries its document', () => {
    const op = { index: 'logs', id: 'a', doc: { a: 1 }, json: '{"a":1}' };
    assert.deepEqual(withoutId(op), { index: 'logs', id: '', doc: { a: 1 }, json: '{"a":1}' });
    assert.equal(op.id, 'a');
  });
});

describe('OpWriter chunks lent to their operations', () => {
  /** Room for a document so large that a chunk holds one more at most. */
  const LARGE = 200_000;
  const POOLED_CHUNK = 256 * 1024;
  const write = (writer: OpWriter, id: string, docBound = LARGE): EncodedOp => {
    // The document is {"id":"<id>"}: 9 bytes more than the id.
    const at = writer.begin('i', id, docBound);
    return writer.end(at + writer.buffer.write(`{"id":"${id}"}`, at));
  };
  /** An operation written in a chunk of the size kept for writing again (chunks grow to it). */
  const inPooledChunk = (writer: OpWriter): EncodedOp => {
    for (let n = 0; ; n++) {
      const op = write(writer, `big-${n}`);
      if (op.bulk.buffer.byteLength === POOLED_CHUNK) return op;
    }
  };

  it('writes a chunk again, for any writer, once each of its operations was released and its writer moved on', () => {
    const writer = new OpWriter();
    const first = inPooledChunk(writer);
    const second = write(writer, 'small', 20);
    const chunk = first.bulk.buffer;
    assert.ok(second.bulk.buffer === chunk, 'a small operation fits after the first');
    write(writer, 'next', 300_000);
    first.release();
    first.release();
    assert.ok(write(new OpWriter(), 'other').bulk.buffer !== chunk, 'not while one operation in it is held, however often another is released');
    assert.equal(second.json, '{"id":"small"}');
    second.release();
    const again = write(new OpWriter(), 'again');
    assert.ok(again.bulk.buffer === chunk, 'the chunk is written again');
    assert.equal(again.json, '{"id":"again"}');
  });

  it('does not give away the chunk its writer is writing in', () => {
    const writer = new OpWriter();
    const op = inPooledChunk(writer);
    const chunk = op.bulk.buffer;
    op.release();
    assert.ok(write(new OpWriter(), 'other').bulk.buffer !== chunk);
    const after = write(writer, 'after', 20);
    assert.ok(after.bulk.buffer === chunk, 'the writer goes on in its chunk');
    assert.equal(after.json, '{"id":"after"}');
  });

  it('writes a kept chunk for an operation that takes all of it, and leaves the pool alone for one larger than a chunk', () => {
    const writer = new OpWriter();
    const op = inPooledChunk(writer);
    const chunk = op.bulk.buffer;
    write(writer, 'away', 300_000);
    op.release();
    const larger = write(new OpWriter(), 'x', POOLED_CHUNK);
    assert.ok(larger.bulk.buffer !== chunk && larger.bulk.buffer.byteLength > POOLED_CHUNK, 'made to measure');
    // {"create":{"_index":"i" (23 bytes), ,"_id":"x" (10), }}\n (3), the document and its \n (1).
    const whole = write(new OpWriter(), 'x', POOLED_CHUNK - 37);
    assert.ok(whole.bulk.buffer === chunk, 'the kept chunk, still in the pool');
  });

  it('keeps only chunks of the usual size, and at most 32 of them', () => {
    const fresh = (op: EncodedOp): boolean => op.bulk.buffer.byteLength !== POOLED_CHUNK;
    // Empty the pool: a new writer's first chunk, when none is kept, is made to the operation's measure.
    const held: EncodedOp[] = [];
    do held.push(write(new OpWriter(), 'drain'));
    while (!fresh(held[held.length - 1] as EncodedOp));
    const writer = new OpWriter();
    const lent: EncodedOp[] = [];
    for (let n = 0; n < 40; n++) {
      lent.push(n === 0 ? inPooledChunk(writer) : write(writer, `kept-${n}`));
      // A chunk of its own, filled: the next operation cannot fit after it.
      lent.push(filled(writer, `own-${n}`, 300_000));
    }
    assert.ok(lent.every((op, i) => (i % 2 === 0) !== fresh(op)), 'each pair: a chunk of the usual size, then one made to measure');
    for (const op of lent) op.release();
    const taken = Array.from({ length: 33 }, () => write(new OpWriter(), 'taken'));
    assert.deepEqual(taken.map(fresh), [...Array<boolean>(32).fill(false), true]);
  });

  it('refuses to read a released operation, whose bytes may have been written over', () => {
    const op = write(new OpWriter(), 'gone', 20);
    assert.equal(op.id, 'gone');
    releaseOp({ index: 'i', id: 'plain', doc: {} });
    assert.equal(op.id, 'gone');
    releaseOp(op);
    assert.throws(() => op.bulk, /operation for i read after its bytes were released/);
    assert.throws(() => op.memory, /released/);
    assert.throws(() => op.json, /released/);
  });

  it('places operations written one after the other end to end in one memory, each its bytes and no more', () => {
    const writer = new OpWriter();
    const [first, second] = [write(writer, 'one', 20), write(writer, 'two', 20)] as [EncodedOp, EncodedOp];
    assert.equal(second.memory, first.memory);
    assert.equal(second.offset, first.offset + first.byteLength);
    for (const op of [first, second]) {
      assert.deepEqual(op.bulk, Buffer.from(op.memory.subarray(op.offset, op.offset + op.byteLength)));
      assert.equal(op.byteLength, Buffer.byteLength(`${actionLine(op.index, op.id)}${op.json}\n`));
    }
  });

  it('lends nothing from a writer that rewinds: its caller copies each batch away, and release keeps the bytes', () => {
    const writer = new OpWriter({ rewinds: true });
    const op = inPooledChunk(writer);
    write(writer, 'next', 300_000);
    op.release();
    assert.equal(op.json, `{"id":"${op.id}"}`);
    assert.ok(write(new OpWriter(), 'other').bulk.buffer !== op.bulk.buffer);
  });
});
