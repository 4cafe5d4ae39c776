import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthGate } from '../../../src/worker/gate.js';

describe('HealthGate', () => {
  it('is open until closed, and waiting on an open gate resolves at once', { timeout: 5_000 }, async () => {
    const gate = new HealthGate(async () => undefined);
    assert.equal(gate.isOpen, true);
    assert.equal(await Promise.race([gate.wait().then(() => 'resolved'), new Promise((r) => setImmediate(r, 'pending'))]), 'resolved');
  });
  it('stays closed while the probe fails and reopens when it answers', { timeout: 20_000 }, async () => {
    let healthyAfter = 2;
    const changes: boolean[] = [];
    const gate = new HealthGate(async () => (--healthyAfter < 0 ? undefined : 'refused'), (open) => changes.push(open));
    gate.close('connection refused');
    assert.equal(gate.isOpen, false);
    await gate.wait();
    assert.equal(gate.isOpen, true);
    assert.deepEqual(changes, [false, true]);
  });
  it('says why it is still closed, at most once per reminder interval, with the probe\'s reason', { timeout: 30_000 }, async () => {
    const remindMs = 500;
    const start = Date.now();
    let lateFailures = 0;
    const told: Array<[boolean, string]> = [];
    // Fails until one probe has failed past the first reminder interval (backoff is jittered, so
    // the count of probes is not fixed): that probe must bring a reminder.
    const probe = async () => {
      if (lateFailures > 0) return undefined;
      if (Date.now() - start >= remindMs + 50) lateFailures += 1;
      return 'HTTP 401: check the credentials';
    };
    const gate = new HealthGate(probe, (open, detail) => told.push([open, detail]), undefined, remindMs);
    gate.close('OpenSearch refused the _bulk request with HTTP 401');
    await gate.wait();
    const elapsed = Date.now() - start;
    const reminders = told.filter(([open, detail]) => !open && detail.startsWith('still paused'));
    assert.ok(reminders.length >= 1 && reminders.length <= Math.floor(elapsed / remindMs), `${reminders.length} reminders in ${elapsed} ms`);
    assert.match(reminders[0]?.[1] ?? '', /HTTP 401: check the credentials/);
    assert.deepEqual(told.at(-1)?.[0], true);
  });
  it('a probe that throws counts as unhealthy, with its message', { timeout: 20_000 }, async () => {
    let probes = 0;
    const told: string[] = [];
    const gate = new HealthGate(async () => {
      if (++probes < 3) throw new Error('self-signed certificate in certificate chain');
      return undefined;
    }, (_open, detail) => told.push(detail), undefined, 0);
    gate.close('TLS');
    await gate.wait();
    assert.ok(told.some((d) => /self-signed certificate/.test(d)), told.join('\n'));
  });
  it('lets waiters go when the worker stops, without probing again', { timeout: 5_000 }, async () => {
    const stop = new AbortController();
    let probes = 0;
    const changes: boolean[] = [];
    const gate = new HealthGate(async () => (probes++, 'down'), (open) => changes.push(open), stop.signal);
    gate.close('down');
    const waited = gate.wait().then(() => 'released');
    stop.abort();
    // The first probe would come after a backoff of a second or more: the stop must not wait for it.
    assert.equal(await Promise.race([waited, new Promise((r) => setTimeout(r, 500, 'still waiting'))]), 'released');
    assert.equal(probes, 0);
    assert.deepEqual(changes, [false], 'a stop is no recovery: nothing reports the gate healthy');
  });
});
