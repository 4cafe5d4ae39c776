import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthGate } from '../../../src/worker/gate.js';

describe('HealthGate', () => {
  it('is open until closed, and waiting on an open gate resolves at once', async () => {
    const gate = new HealthGate(async () => true);
    assert.equal(gate.isOpen, true);
    await gate.wait();
  });
  it('stays closed while the probe fails and reopens when it answers', { timeout: 20_000 }, async () => {
    let healthyAfter = 2;
    const changes: boolean[] = [];
    const gate = new HealthGate(async () => --healthyAfter < 0, (open) => changes.push(open));
    gate.close('connection refused');
    assert.equal(gate.isOpen, false);
    await gate.wait();
    assert.equal(gate.isOpen, true);
    assert.deepEqual(changes, [false, true]);
  });
  it('lets waiters go when the worker stops', async () => {
    const stop = new AbortController();
    const gate = new HealthGate(async () => false, undefined, stop.signal);
    gate.close('down');
    stop.abort();
    await gate.wait();
  });
});
