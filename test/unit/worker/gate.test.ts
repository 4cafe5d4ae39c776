import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthGate } from '../../../src/worker/gate.js';

describe('HealthGate', () => {
  it('is open until closed, and waiting on an open gate resolves at once', { timeout: 5_000 }, async () => {
    const gate = new HealthGate(async () => true);
    assert.equal(gate.isOpen, true);
    assert.equal(await Promise.race([gate.wait().then(() => 'resolved'), new Promise((r) => setImmediate(r, 'pending'))]), 'resolved');
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
  it('lets waiters go when the worker stops, without probing again', { timeout: 5_000 }, async () => {
    const stop = new AbortController();
    let probes = 0;
    const changes: boolean[] = [];
    const gate = new HealthGate(async () => (probes++, false), (open) => changes.push(open), stop.signal);
    gate.close('down');
    const waited = gate.wait().then(() => 'released');
    stop.abort();
    // The first probe would come after a backoff of a second or more: the stop must not wait for it.
    assert.equal(await Promise.race([waited, new Promise((r) => setTimeout(r, 500, 'still waiting'))]), 'released');
    assert.equal(probes, 0);
    assert.deepEqual(changes, [false], 'a stop is no recovery: nothing reports the gate healthy');
  });
});
