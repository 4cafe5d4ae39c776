import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResumePoint } from '../../../src/pipeline/resume.js';

describe('ResumePoint', () => {
  it('moves only over an unbroken run of finished keys', () => {
    const p = new ResumePoint();
    for (const k of ['a', 'b', 'c', 'd']) p.started(k);
    p.finished('b', true);
    assert.equal(p.key, undefined, 'a is still in work');
    p.finished('a', true);
    assert.equal(p.key, 'b');
    p.finished('d', true);
    assert.equal(p.key, 'b');
    p.finished('c', true);
    assert.equal(p.key, 'd');
  });
  it('holds before a failed object for good, and starts from a previous point', () => {
    const p = new ResumePoint('0');
    for (const k of ['a', 'b', 'c']) p.started(k);
    p.finished('a', true);
    p.finished('b', false);
    p.finished('c', true);
    p.started('d');
    p.finished('d', true);
    assert.equal(p.key, 'a');
    assert.equal(new ResumePoint('x').key, 'x');
  });
});
