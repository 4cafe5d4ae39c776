import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LruCache } from '../../../src/enrich/lru.js';

describe('LruCache', () => {
  it('evicts the least recently used entry when full', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1).set('b', 2);
    assert.equal(cache.get('a'), 1); // a is now more recent than b
    cache.set('c', 3);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('c'), 3);
    assert.equal(cache.size, 2);
  });

  it('replaces a value without growing', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1).set('a', 2);
    assert.equal(cache.get('a'), 2);
    assert.equal(cache.size, 1);
  });

  it('refuses a size that is not a positive integer', () => {
    assert.throws(() => new LruCache(0), /positive integer/);
    assert.throws(() => new LruCache(1.5), /positive integer/);
  });
});
