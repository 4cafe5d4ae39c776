import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { boundedMemo } from '../../../src/core/memo.js';

describe('boundedMemo', () => {
  it('answers a repeated key from memory, up to max keys, then forgets all at once', () => {
    const asked: string[] = [];
    const upper = boundedMemo((s: string) => (asked.push(s), s.toUpperCase()), 2);
    assert.deepEqual(['a', 'b', 'a', 'b'].map(upper), ['A', 'B', 'A', 'B']);
    assert.deepEqual(asked, ['a', 'b'], 'two keys fit');
    assert.equal(upper('c'), 'C');
    assert.deepEqual(asked, ['a', 'b', 'c'], 'a third key clears the memory');
    assert.equal(upper('c'), 'C');
    assert.equal(upper('a'), 'A');
    assert.deepEqual(asked, ['a', 'b', 'c', 'a'], 'c kept after the clear, a forgotten');
    assert.equal(upper('c'), 'C');
    assert.deepEqual(asked, ['a', 'b', 'c', 'a']);
  });

  it('asks again for a key whose answer was undefined', () => {
    let calls = 0;
    const none = boundedMemo((_: number) => (calls++, undefined), 10);
    none(1);
    none(1);
    assert.equal(calls, 2);
  });
});
