import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, simulate, type Policy, type TaskModel } from '../../../scripts/lib/scale-sim.js';

const policy: Policy = { target: 10, minTasks: 1, maxTasks: 8, scaleOutCooldownS: 60, scaleInCooldownS: 300, outDatapoints: 3, inDatapoints: 15, taskStartS: 60 };
const task: TaskModel = { recordsPerSecond: 1000, vcpu: 1, window: 2, graceS: 30 };

describe('scale simulation', () => {
  it('a load one task carries: one task, lag = the time to read one object', () => {
    const r = simulate({ name: 'light', recordsPerObject: 5000, arrivals: () => 0.125, horizonSeconds: 3600 }, policy, task);
    assert.equal(r.peakTasks, 1);
    assert.equal(r.objects, 450);
    assert.equal(r.maxLagS, 5);
    assert.ok(Math.abs(r.vcpuHours - 1) < 0.01, `${r.vcpuHours}`);
  });

  it('a backlog: scales out to the maximum, indexes everything once, and the work is conserved', () => {
    const objects = 2000;
    const r = simulate({ name: 'backlog', recordsPerObject: 1000, arrivals: (t) => (t === 0 ? objects : 0), horizonSeconds: 1 }, policy, task);
    assert.equal(r.objects, objects);
    assert.equal(r.peakTasks, policy.maxTasks);
    // 2,000,000 records at 1000/s per vCPU: at least 555.6 vCPU-seconds, plus idle and start-up.
    assert.ok(r.vcpuHours * 3600 >= (objects * 1000) / 1000);
    assert.ok(r.drainedAtS < (objects * 1000) / 1000, 'faster than one task alone');
  });

  it('decides like target tracking: proportional, after enough datapoints, respecting cooldowns', () => {
    const last = { lastOut: -Infinity, lastIn: -Infinity };
    assert.deepEqual(decide([30, 30], policy, 2, 600, last), {}, 'two datapoints are not enough');
    assert.deepEqual(decide([30, 30, 30], policy, 2, 600, last), { out: 4 }, '2 × 30 / 10 = 6 tasks');
    assert.deepEqual(decide([30, 30, 100], policy, 2, 600, last), { out: 6 }, 'capped at the maximum');
    assert.deepEqual(decide([30, 30, 30], policy, 2, 600, { lastOut: 580, lastIn: -Infinity }), {}, 'scale-out cooldown');
    assert.deepEqual(decide(Array(15).fill(2), policy, 5, 6000, last), { in: 4 }, '5 × 2 / 10 = 1 task');
    assert.deepEqual(decide([...Array(14).fill(2), 9.5], policy, 5, 6000, last), {}, 'not all 15 below 90 %');
  });
});
