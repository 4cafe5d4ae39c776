import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BodyPool, bodyBytes, encodeOp, joinBulkBody, serializeOp } from '../../../src/sink/bulk-body.js';
import { EncodedOp } from '../../../src/core/types.js';
import type { IndexOp } from '../../../src/core/types.js';

const op = (over: Partial<IndexOp> = {}): IndexOp => ({ index: 'vpcflow-2024.01.02', id: 'abc123', doc: { a: 1, b: 'x' }, ...over });

describe('serializeOp', () => {
  it('writes the create action line and the document line, each ending in a newline', () => {
    assert.equal(serializeOp(op()), '{"create":{"_index":"vpcflow-2024.01.02","_id":"abc123"}}\n{"a":1,"b":"x"}\n');
  });

  it('is byte-identical to stringifying the action object, escapes included', () => {
    const tricky = op({ index: 'i"\\x', id: 'id\n\u2028é', doc: { msg: 'two\nlines', quote: '"' } });
    const expected = `${JSON.stringify({ create: { _index: tricky.index, _id: tricky.id } })}\n${JSON.stringify(tricky.doc)}\n`;
    assert.equal(serializeOp(tricky), expected);
  });

  it('names each operation\'s own index when consecutive operations alternate between indices', () => {
    const lines = ['a-1', 'b-2', 'b-2', 'a-1'].map((index, i) => serializeOp(op({ index, id: String(i) })).split('\n')[0]);
    assert.deepEqual(lines, [
      '{"create":{"_index":"a-1","_id":"0"}}', '{"create":{"_index":"b-2","_id":"1"}}',
      '{"create":{"_index":"b-2","_id":"2"}}', '{"create":{"_index":"a-1","_id":"3"}}',
    ]);
  });

  it('keeps newlines inside values escaped, so an op is always exactly two lines', () => {
    const line = serializeOp(op({ doc: { msg: 'a\nb\r\nc' } }));
    assert.equal(line.split('\n').length, 3);
    assert.equal(line.at(-1), '\n');
  });

  it('throws a TypeError naming the document when it cannot be serialised', () => {
    assert.throws(() => serializeOp(op({ doc: { n: 1n } })), TypeError);
    const undef = op({ doc: { toJSON: () => undefined } });
    assert.throws(() => serializeOp(undef), /abc123.*vpcflow-2024\.01\.02/);
  });
});

describe('encodeOp', () => {
  it('is serializeOp in UTF-8, escapes and characters beyond ASCII included', () => {
    for (const o of [op(), op({ index: 'i"\\x', id: 'id\n\u2028é', doc: { msg: 'two\nlines', quote: '"', euro: '€😀' } }), op({ id: '' })]) {
      assert.deepEqual(Buffer.from(encodeOp(o)), Buffer.from(serializeOp(o), 'utf8'));
    }
  });

  it('sends a document the reader serialised as it is', () => {
    assert.deepEqual(Buffer.from(encodeOp(op({ json: '{"b":2,"a":1}' }))), Buffer.from('{"create":{"_index":"vpcflow-2024.01.02","_id":"abc123"}}\n{"b":2,"a":1}\n'));
  });

  it('encodes an operation larger than a chunk of its writer whole, beside small ones', () => {
    const large = op({ json: `"${'€'.repeat(300_000)}"` });
    const lines = [op({ id: '1' }), large, op({ id: '2' })].map(encodeOp);
    assert.deepEqual(lines.map((bytes) => Buffer.from(bytes).toString('utf8')), [op({ id: '1' }), large, op({ id: '2' })].map(serializeOp));
  });

  it('returns the bytes of an operation encoded already as they are, without a copy', () => {
    const bulk = encodeOp(op({ id: 'x' }));
    const again = encodeOp(new EncodedOp('vpcflow-2024.01.02', bulk));
    // A view of the same memory, at the same place: the bytes themselves.
    assert.deepEqual([again.buffer, again.byteOffset, again.length], [bulk.buffer, bulk.byteOffset, bulk.length]);
  });

  it('gives each operation its own bytes: a later operation does not overwrite an earlier one', () => {
    const first = encodeOp(op({ id: '1' }));
    encodeOp(op({ id: '2' }));
    assert.equal(Buffer.from(first).toString('utf8'), serializeOp(op({ id: '1' })));
  });

  it('throws serializeOp\'s TypeError for a document that cannot be serialised', () => {
    assert.throws(() => encodeOp(op({ doc: { toJSON: () => undefined } })), /abc123.*vpcflow-2024\.01\.02/);
  });
});

describe('joinBulkBody', () => {
  it('concatenates encoded ops into the exact _bulk body, newline-terminated', () => {
    const lines = [encodeOp(op({ id: '1' })), encodeOp(op({ id: '2' }))];
    assert.equal(
      joinBulkBody(lines).toString('utf8'),
      '{"create":{"_index":"vpcflow-2024.01.02","_id":"1"}}\n{"a":1,"b":"x"}\n' +
        '{"create":{"_index":"vpcflow-2024.01.02","_id":"2"}}\n{"a":1,"b":"x"}\n',
    );
  });

  it('gives an empty body for no ops', () => {
    assert.equal(joinBulkBody([]).length, 0);
  });
});

/** Operations of these bytes, each in a memory of its own. */
const opsOf = (lines: readonly Uint8Array[]): EncodedOp[] => lines.map((bytes) => new EncodedOp('i', bytes));

describe('BodyPool', () => {
  const parts = (...texts: string[]) => opsOf(texts.map((t) => Buffer.from(t)));

  it('joins operations into the same bytes as joinBulkBody, whatever their number and sizes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }), fc.integer({ min: 1, max: 200 }), (lines, size) => {
        const pool = new BodyPool(size, 2);
        const body = pool.join(opsOf(lines));
        assert.deepEqual(body, joinBulkBody(lines));
        pool.release(body);
        // A buffer used before gives the same bytes again, with nothing of the last body after them.
        assert.deepEqual(pool.join(opsOf(lines.slice(1))), joinBulkBody(lines.slice(1)));
      }),
    );
  });

  it('joins operations sharing memory into the same bytes, runs of them end to end or not, out of order, of two memories', () => {
    // Two memories of their own (no pool), each operation's offset counted from 0 in either.
    const memories = [Uint8Array.from({ length: 256 }, (_, i) => i), Uint8Array.from({ length: 256 }, (_, i) => 255 - i)];
    // Each operation starts where the last ended (a reader's next one) or anywhere, in either memory.
    const step = fc.record({ other: fc.boolean(), jump: fc.boolean(), start: fc.nat({ max: 200 }), length: fc.nat({ max: 20 }) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let memory = 0;
        let end = 0;
        const ops = steps.map(({ other, jump, start, length }) => {
          if (other) memory = 1 - memory;
          const from = jump || end + length > 256 ? start : end;
          end = from + length;
          return new EncodedOp('i', memories[memory] as Uint8Array, undefined, from, end);
        });
        assert.deepEqual(new BodyPool(4096, 1).join(ops), joinBulkBody(ops.map((o) => o.bulk)));
      }),
      { numRuns: 500 },
    );
  });

  it('writes a body into the memory of one released before, never into one still lent', () => {
    const pool = new BodyPool(64, 2);
    const first = pool.join(parts('a\n', 'b\n'));
    const second = pool.join(parts('c\n'));
    assert.notEqual(second.buffer, first.buffer);
    assert.equal(first.toString(), 'a\nb\n');
    pool.release(first);
    const third = pool.join(parts('d\n'));
    assert.equal(third.buffer, first.buffer);
    assert.deepEqual([second.toString(), third.toString()], ['c\n', 'd\n']);
  });

  it('makes a body larger than its size to measure and does not keep it', () => {
    const pool = new BodyPool(4, 2);
    const large = pool.join(parts('abc\n', 'd\n'));
    assert.deepEqual([large.toString(), large.buffer.byteLength], ['abc\nd\n', 6]);
    pool.release(large);
    const next = pool.join(parts('e\n'));
    assert.notEqual(next.buffer, large.buffer);
    assert.equal(next.buffer.byteLength, 4);
  });

  it('writes a body of exactly its size into a kept buffer', () => {
    const pool = new BodyPool(4, 2);
    const first = pool.join(parts('a\n'));
    pool.release(first);
    const exact = pool.join(parts('abc\n'));
    assert.equal(exact.buffer, first.buffer);
    assert.equal(exact.toString(), 'abc\n');
  });

  it('keeps at most `keep` free buffers', () => {
    const pool = new BodyPool(8, 2);
    const lent = [1, 2, 3].map((n) => pool.join(parts(`${n}\n`)));
    for (const body of lent) pool.release(body);
    const again = [1, 2, 3].map((n) => pool.join(parts(`${n}\n`)));
    const reused = again.filter((body) => lent.some((old) => old.buffer === body.buffer));
    assert.equal(reused.length, 2);
    assert.equal(new Set(again.map((body) => body.buffer)).size, 3);
  });
});

describe('bodyBytes', () => {
  it('counts the bytes of the encoded ops, not UTF-16 code units', () => {
    const lines = ['é\n', '€\n', 'a\n'].map((text) => Buffer.from(text));
    assert.equal(bodyBytes(opsOf(lines)), joinBulkBody(lines).length);
    assert.equal(bodyBytes(opsOf(lines)), 3 + 4 + 2);
  });
});
