/**
 * LoadPlacement's decisions against an event loop whose busy and idle time the test sets: when
 * tasks move to the parse threads, when they come back, what it measures and counts on the way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUSY, BUSY_LOOKS, CALM, LOOK_MS, LoadPlacement, ON_THREADS } from '../../../src/pipeline/parse-placement.js';

/** An event loop whose time the test moves on: `busy` of each `ms` spent running callbacks. */
function loop() {
  const time = { active: 0, idle: 0 };
  return {
    gauge: () => ({ ...time }),
    pass(ms: number, busy: number) {
      time.active += ms * busy;
      time.idle += ms - ms * busy;
    },
  };
}

/** A placement that has gone to threads: BUSY_LOOKS looks of a saturated main thread, which parsed bytes at `msPerByte`. */
function onThreads(msPerByte: number) {
  const clock = loop();
  const placement = new LoadPlacement({ gauge: clock.gauge });
  placement.parsedHere(1000, 1000 * msPerByte);
  assert.equal(placement.onThread(1000), false, 'the first task only starts the clock');
  for (let look = 1; look < BUSY_LOOKS; look++) {
    clock.pass(LOOK_MS, 1);
    assert.equal(placement.onThread(1000), false, `busy look ${look} of ${BUSY_LOOKS}: still here`);
  }
  clock.pass(LOOK_MS, 1);
  assert.equal(placement.onThread(1000), true, 'on threads');
  clock.pass(LOOK_MS, 0);
  assert.equal(placement.onThread(1000), false, 'the first look after the move keeps the threads, however calm (this task is its probe)');
  assert.equal(placement.onThread(1000), true, 'still on threads');
  return { clock, placement };
}

describe('LoadPlacement', () => {
  it('keeps tasks here while the main thread has time to spare', () => {
    const clock = loop();
    const placement = new LoadPlacement({ gauge: clock.gauge });
    for (let look = 0; look < 10; look++) {
      clock.pass(LOOK_MS, BUSY - 0.01);
      assert.equal(placement.onThread(1000), false);
    }
  });

  it(`sends tasks to threads after ${BUSY_LOOKS} looks in a row that find the main thread busy, not fewer`, () => {
    const clock = loop();
    const placement = new LoadPlacement({ gauge: clock.gauge });
    placement.onThread(1000);
    for (let look = 1; look < BUSY_LOOKS; look++) {
      clock.pass(LOOK_MS, 1);
      assert.equal(placement.onThread(1000), false, `busy look ${look} (a warm-up)`);
    }
    clock.pass(LOOK_MS, BUSY - 0.01);
    assert.equal(placement.onThread(1000), false, 'then a calm one: the count starts again');
    for (let look = 1; look < BUSY_LOOKS; look++) {
      clock.pass(LOOK_MS, BUSY);
      assert.equal(placement.onThread(1000), false, `busy look ${look}, at the threshold`);
    }
    clock.pass(LOOK_MS, BUSY);
    assert.equal(placement.onThread(1000), true, `${BUSY_LOOKS} in a row`);
  });

  it(`looks only once ${LOOK_MS} ms have passed, over all the time since the last look`, () => {
    const clock = loop();
    const placement = new LoadPlacement({ gauge: clock.gauge });
    placement.onThread(1000);
    for (let look = 1; look < BUSY_LOOKS; look++) {
      clock.pass(LOOK_MS - 1, 1);
      assert.equal(placement.onThread(1000), false, 'no look yet');
      clock.pass(1, 1);
      assert.equal(placement.onThread(1000), false, `busy look ${look}`);
    }
    clock.pass(LOOK_MS - 2, 1);
    assert.equal(placement.onThread(1000), false, 'no look yet: it would have been the last busy one');
    clock.pass(LOOK_MS, BUSY - 0.05);
    assert.equal(placement.onThread(1000), true, 'busy over the 498 ms since the last look (BUSY - 0.05 over the last 250 alone)');
  });

  it('does not judge the first look after the move to threads (they may still be starting), and judges the next', () => {
    const { clock, placement } = onThreads(0.01);
    clock.pass(LOOK_MS, 0);
    assert.equal(placement.onThread(1000), false, 'calm, 1000 bytes sent (0.04): here');
    assert.equal(placement.onThread(1000), false, 'and it stays here');
  });

  it('on threads, parses the first task after each look here, to measure what a line costs now', () => {
    const { clock, placement } = onThreads(0.01);
    assert.equal(placement.onThread(1000), true);
    clock.pass(LOOK_MS, 1);
    assert.equal(placement.onThread(1000), false, 'the probe');
    assert.equal(placement.onThread(1000), true);
    assert.equal(placement.onThread(1000), true);
  });

  it(`comes back here once the busy share plus the cost of the bytes sent falls below ${CALM}`, () => {
    // A byte costs 0.01 ms here; 10,000 bytes sent over 250 ms would take 0.4 of the main thread.
    const stays = onThreads(0.01);
    stays.placement.onThread(9000);
    stays.clock.pass(LOOK_MS, CALM - 0.4);
    assert.equal(stays.placement.onThread(1000), false, 'the probe: at the threshold it stays on threads');
    assert.equal(stays.placement.onThread(1000), true);

    const back = onThreads(0.01);
    back.placement.onThread(9000);
    back.clock.pass(LOOK_MS, CALM - 0.4 - 0.01);
    assert.equal(back.placement.onThread(1000), false, 'below: here');
    back.clock.pass(LOOK_MS, CALM - 0.01);
    assert.equal(back.placement.onThread(1000), false, 'here, and only BUSY sends it back');
  });

  it('counts only the bytes sent to threads, not the probes', () => {
    const { clock, placement } = onThreads(0.01);
    clock.pass(LOOK_MS, CALM);
    assert.equal(placement.onThread(20_000), false, 'the look stays on threads; this task of 20,000 bytes is its probe');
    assert.equal(placement.onThread(1000), true);
    clock.pass(LOOK_MS, CALM - 0.05);
    assert.equal(placement.onThread(1000), false, 'CALM - 0.05 + 1000 bytes sent (0.04): here; the probe\'s 20,000 (0.8) were not counted');
  });

  it('keeps the cost of a line here as a running mean, the newest batch weighing a fifth', () => {
    // 10 µs a line, then 20: the mean is 12 µs (the first alone 10, the last alone 20).
    const at = (busy: number) => {
      const { clock, placement } = onThreads(0.01);
      placement.parsedHere(1000, 20);
      placement.parsedHere(0, 5);
      placement.onThread(9000);
      clock.pass(LOOK_MS, busy);
      return placement.onThread(1000) || placement.onThread(1000);
    };
    // 10,000 bytes over 250 ms: 0.48 of the main thread at 12 µs, 0.4 at 10, 0.8 at 20.
    assert.equal(at(CALM - 0.45), true, 'CALM + 0.03: on threads (the first cost alone would give CALM - 0.05)');
    assert.equal(at(CALM - 0.5), false, 'CALM - 0.02: here (the last cost alone would give CALM + 0.3)');
  });
});

describe('LoadPlacement moves', () => {
  it('tells each move, to the threads and back, with the busy share that made it, and nothing while it stays', () => {
    const clock = loop();
    const moves: [boolean, number][] = [];
    const placement = new LoadPlacement({ gauge: clock.gauge, onMove: (toThreads, busy) => void moves.push([toThreads, busy]) });
    placement.parsedHere(1000, 10);
    placement.onThread(1000);
    for (let look = 0; look < BUSY_LOOKS; look++) {
      clock.pass(LOOK_MS, 1);
      placement.onThread(1000);
    }
    assert.deepEqual(moves, [[true, 1]]);
    for (let look = 0; look < 2; look++) {
      clock.pass(LOOK_MS, 0.75);
      placement.onThread(1000);
    }
    assert.deepEqual(moves, [[true, 1]], 'stays: the look after the move, then a busy one');
    clock.pass(LOOK_MS, 0.25);
    placement.onThread(1000);
    assert.deepEqual(moves, [[true, 1], [false, 0.25]]);
  });
});

describe('ON_THREADS', () => {
  it('sends every task to a thread', () => {
    assert.equal(ON_THREADS.onThread(1), true);
    ON_THREADS.parsedHere(1, 1);
    assert.equal(ON_THREADS.onThread(1), true);
  });
});
