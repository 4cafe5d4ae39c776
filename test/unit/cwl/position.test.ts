import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { advance, isNew, shareOf } from '../../../src/cwl/position.js';
import { parseStartTime } from '../../../src/cli/cwl.js';

const ev = (id: string, timestamp: number) => ({ id, timestamp, message: '' });

describe('cwl positions', () => {
  it('an event at the checkpoint millisecond is new unless its id was acknowledged there', () => {
    const position = { timestamp: 1000, ids: ['a'] };
    assert.equal(isNew(undefined, ev('a', 1)), true);
    assert.equal(isNew(position, ev('a', 1000)), false);
    assert.equal(isNew(position, ev('b', 1000)), true);
    assert.equal(isNew(position, ev('c', 1001)), true);
    assert.equal(isNew(position, ev('d', 999)), false);
  });
  it('advances to the latest millisecond, keeping the ids acknowledged at it', () => {
    assert.deepEqual(advance(undefined, [ev('a', 1), ev('b', 2), ev('c', 2)]), { timestamp: 2, ids: ['b', 'c'] });
    assert.deepEqual(advance({ timestamp: 2, ids: ['b'] }, [ev('c', 2)]), { timestamp: 2, ids: ['b', 'c'] });
    assert.deepEqual(advance({ timestamp: 2, ids: ['b'] }, [ev('d', 3)]), { timestamp: 3, ids: ['d'] });
    assert.deepEqual(advance({ timestamp: 2, ids: ['b'] }, []), { timestamp: 2, ids: ['b'] });
  });
  it('splits streams evenly, rounding up so that none is left without a holder', () => {
    assert.equal(shareOf(5, 2), 3);
    assert.equal(shareOf(5, 1), 5);
    assert.equal(shareOf(0, 3), 0);
    assert.equal(shareOf(4, 0), 4);
  });
  it('reads --start-time as epoch milliseconds or ISO-8601 with a zone, and refuses anything else', () => {
    assert.equal(parseStartTime('1796000000000'), 1796000000000);
    assert.equal(parseStartTime('2026-11-30T06:00:00Z'), Date.UTC(2026, 10, 30, 6));
    assert.throws(() => parseStartTime('2026-11-30'), /--start-time "2026-11-30"/);
    assert.throws(() => parseStartTime('yesterday'), /epoch milliseconds or an ISO-8601/);
  });
});
