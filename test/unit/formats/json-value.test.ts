import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueCut } from '../../../src/formats/json-value.js';

describe('ValueCut', () => {
  it('follows a value over its cap to its end, and has no text to give for it', () => {
    const cut = new ValueCut();
    const bytes = Buffer.from('  ["abcdef", 1]  ');
    cut.begin(bytes[2] as number, 2, 8);
    const end = cut.read(bytes, 2);
    assert.equal(end, 15);
    assert.equal(cut.over, true);
    assert.equal(cut.span, 'bytes 2–15');
    assert.throws(() => cut.text(bytes, 2, end), { message: 'the value at bytes 2–15 passed its cap of 8 bytes: its text was not kept' });
    assert.throws(() => cut.cutBytes(bytes, 2, end), { message: 'the value at bytes 2–15 passed its cap of 8 bytes: its bytes were not kept' });
  });

  it('gives the text and span of a value within its cap, across chunks', () => {
    const cut = new ValueCut();
    const first = Buffer.from('x{"a":');
    const second = Buffer.from('"}"}y');
    cut.begin(first[1] as number, 1, 9);
    assert.equal(cut.read(first, 1), -1);
    const end = cut.read(second, 0);
    assert.equal(end, 4);
    assert.equal(cut.over, false);
    assert.equal(cut.span, 'bytes 1–10');
    assert.equal(cut.text(second, 0, end), '{"a":"}"}');
  });

  it('gives the bytes of a value within its cap: a view of the chunk it lies in, a copy of those it spans', () => {
    const cut = new ValueCut();
    const first = Buffer.from('x{"a":');
    const second = Buffer.from('"é"}y');
    cut.begin(first[1] as number, 1, 20);
    cut.read(first, 1);
    const end = cut.read(second, 0);
    assert.deepEqual(cut.cutBytes(second, 0, end), Buffer.from('{"a":"é"}'));
    const whole = Buffer.from(' [1, 2] ');
    cut.begin(whole[1] as number, 1, 20);
    const bytes = cut.cutBytes(whole, 1, cut.read(whole, 1));
    assert.deepEqual([bytes.toString(), bytes.buffer, bytes.byteOffset], ['[1, 2]', whole.buffer, whole.byteOffset + 1]);
  });
});
