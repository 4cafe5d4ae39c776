import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationMs, parseWhen } from '../../../src/query/when.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0);

describe('parseWhen', () => {
  it('takes a time ago: 30s, 15m, 2h, 1d, 1w', () => {
    assert.equal(parseWhen('--since', '15m', NOW), NOW - 15 * 60_000);
    assert.equal(parseWhen('--since', '2h', NOW), NOW - 2 * 3_600_000);
    assert.equal(parseWhen('--since', '1d', NOW), NOW - 86_400_000);
    assert.equal(parseWhen('--since', 'now', NOW), NOW);
    assert.equal(durationMs('1w'), 604_800_000);
  });
  it('takes ISO times, UTC unless an offset says otherwise', () => {
    assert.equal(parseWhen('--since', '2026-11-22T10:59', NOW), Date.UTC(2026, 10, 22, 10, 59));
    assert.equal(parseWhen('--since', '2026-11-22 10:59:30Z', NOW), Date.UTC(2026, 10, 22, 10, 59, 30));
    assert.equal(parseWhen('--since', '2026-11-22T10:59:00+01:00', NOW), Date.UTC(2026, 10, 22, 9, 59));
    assert.equal(parseWhen('--since', '2026-11-22', NOW), Date.UTC(2026, 10, 22));
  });
  it('refuses anything else, naming the option', () => {
    assert.throws(() => parseWhen('--until', 'yesterday', NOW), /--until "yesterday": an ISO time/);
    assert.throws(() => parseWhen('--until', '2026-13-01', NOW), /--until "2026-13-01"/);
    assert.throws(() => parseWhen('--until', '15 m', NOW), /--until/);
  });
});
