/** The worker's memory budget (src/worker/budget.ts) and what a message counts for in it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { BudgetClosed, ByteBudget } from '../../../src/worker/budget.js';
import { MIN_OBJECT_BYTES, messageBytes } from '../../../src/worker/handle-message.js';

/** Whether a promise has settled after the pending turns ran. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  await tick();
  await tick();
  return done;
}

describe('ByteBudget', () => {
  it('admits messages while their bytes fit, and the next one once bytes are given back', async () => {
    const budget = new ByteBudget(100);
    const giveA = await budget.acquire(60);
    const b = budget.acquire(50);
    assert.equal(await settled(b), false, '60 + 50 exceeds 100');
    assert.equal(budget.inUse, 60);
    giveA();
    assert.equal(await settled(b), true);
    assert.equal(budget.inUse, 50);
  });

  it('runs a message larger than the budget alone, counted as the whole budget', async () => {
    const budget = new ByteBudget(100);
    const giveSmall = await budget.acquire(10);
    const big = budget.acquire(Number.POSITIVE_INFINITY);
    assert.equal(await settled(big), false, 'waits until nothing else is in work');
    giveSmall();
    const giveBig = await big;
    assert.equal(budget.inUse, 100);
    giveBig();
    giveBig();
    assert.equal(budget.inUse, 0, 'giving back twice counts once');
  });

  it('admits in order: a large waiting message is not overtaken by small ones', async () => {
    const budget = new ByteBudget(100);
    const giveA = await budget.acquire(50);
    const big = budget.acquire(90);
    const small = budget.acquire(10);
    assert.equal(await settled(small), false, 'the small one waits behind the large one although it would fit');
    giveA();
    assert.equal(await settled(big), true);
    assert.equal(await settled(small), true);
  });

  it('has room for a receive only while bytes are left and nobody waits', async () => {
    const budget = new ByteBudget(100);
    assert.equal(await settled(budget.room()), true);
    const give = await budget.acquire(100);
    const room = budget.room();
    assert.equal(await settled(room), false);
    give();
    assert.equal(await settled(room), true);
  });

  it('refuses waiting and later messages once closed, and lets no poller receive again', async () => {
    const budget = new ByteBudget(10);
    const give = await budget.acquire(10);
    const waiting = budget.acquire(5);
    const room = budget.room();
    budget.close();
    await assert.rejects(waiting, BudgetClosed);
    await assert.rejects(budget.acquire(1), BudgetClosed);
    give();
    assert.equal(await settled(room), false, 'a poller waiting for room stays waiting');
    assert.equal(await settled(budget.room()), false);
  });
});

describe('messageBytes', () => {
  it('counts each object by its size, at least MIN_OBJECT_BYTES, and an unknown size as unbounded', () => {
    const big = MIN_OBJECT_BYTES * 3;
    assert.equal(messageBytes([{ bucket: 'b', key: 'a', size: big }, { bucket: 'b', key: 'c', size: 10 }]), big + MIN_OBJECT_BYTES);
    assert.equal(messageBytes([{ bucket: 'b', key: 'a' }]), Number.POSITIVE_INFINITY);
  });
});
