import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bodyBytes, joinBulkBody, serializeOp } from '../../../src/sink/bulk-body.js';
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

describe('joinBulkBody', () => {
  it('concatenates serialised ops into the exact _bulk body, newline-terminated', () => {
    const lines = [serializeOp(op({ id: '1' })), serializeOp(op({ id: '2' }))];
    assert.equal(
      joinBulkBody(lines),
      '{"create":{"_index":"vpcflow-2024.01.02","_id":"1"}}\n{"a":1,"b":"x"}\n' +
        '{"create":{"_index":"vpcflow-2024.01.02","_id":"2"}}\n{"a":1,"b":"x"}\n',
    );
  });

  it('gives an empty body for no ops', () => {
    assert.equal(joinBulkBody([]), '');
  });
});

describe('bodyBytes', () => {
  it('counts UTF-8 bytes of the joined body, not UTF-16 code units', () => {
    const lines = ['é\n', '€\n', 'a\n'];
    assert.equal(bodyBytes(lines), Buffer.byteLength(joinBulkBody(lines)));
    assert.equal(bodyBytes(lines), 3 + 4 + 2);
  });
});
