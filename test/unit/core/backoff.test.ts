import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, sleep } from '../../../src/core/backoff.js';

const options = { baseMs: 100, maxMs: 1000 };
const almostOne = () => 0.999999;

describe('backoffDelay', () => {
  it('doubles the ceiling with every attempt, starting at baseMs for the first retry', () => {
    assert.deepEqual([1, 2, 3, 4].map((a) => backoffDelay(a, options, almostOne)), [99, 199, 399, 799]);
  });

  it('never exceeds maxMs, even for huge attempt numbers', () => {
    assert.equal(backoffDelay(5, options, almostOne), 999);
    assert.equal(backoffDelay(10_000, options, almostOne), 999);
  });

  it('is full jitter: anywhere from 0 to the ceiling, as random says', () => {
    assert.equal(backoffDelay(3, options, () => 0), 0);
    assert.equal(backoffDelay(3, options, () => 0.5), 200);
  });

  it('treats nonsense attempts as the first retry', () => {
    assert.equal(backoffDelay(0, options, almostOne), 99);
    assert.equal(backoffDelay(Number.NaN, options, almostOne), 99);
  });

  it('uses Math.random by default and stays in range', () => {
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(2, options);
      assert.ok(d >= 0 && d < 200, String(d));
    }
  });
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    const start = performance.now();
    await sleep(20);
    const waited = performance.now() - start;
    assert.ok(waited >= 15, `waited ${waited} ms`);
  });

  it('rejects with an AbortError as soon as the signal aborts, leaving no timer behind', async () => {
    const controller = new AbortController();
    const start = performance.now();
    setTimeout(() => controller.abort(), 5);
    await assert.rejects(sleep(60_000, controller.signal), { name: 'AbortError' });
    const waited = performance.now() - start;
    assert.ok(waited < 1000, `waited ${waited} ms`);
  });

  it('rejects at once when the signal has already aborted', async () => {
    await assert.rejects(sleep(60_000, AbortSignal.abort()), { name: 'AbortError' });
  });
});
