import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthGate } from '../../../src/worker/gate.js';

describe('HealthGate', () => {
  it('is open until closed, and waiting on an open gate resolves at once', async () => {
    const gate = new HealthGate(async () => undefined);
    assert.equal(gate.isOpen, true);
    await gate.wait();
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
  it('says why it is still closed, at most once per reminder interval, with the probe\'s reason', { timeout: 20_000 }, async () => {
    let probes = 0;
    const told: Array<[boolean, string]> = [];
    // Reminders every 2.5 s; the probe fails for about 6 s of backoff (1 + 2 + 4 s, jittered).
    const gate = new HealthGate(async () => (++probes < 4 ? 'HTTP 401: check the credentials' : undefined), (open, detail) => told.push([open, detail]), undefined, 2500);
    gate.close('OpenSearch refused the _bulk request with HTTP 401');
    await gate.wait();
    const reminders = told.filter(([open, detail]) => !open && detail.startsWith('still paused'));
    assert.ok(reminders.length >= 1 && reminders.length < probes - 1, `${reminders.length} reminders for ${probes} probes`);
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
  it('lets waiters go when the worker stops', async () => {
    const stop = new AbortController();
    const gate = new HealthGate(async () => 'down', undefined, stop.signal);
    gate.close('down');
    stop.abort();
    await gate.wait();
  });
});
