import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { ProgressLine, formatBytes, formatDuration, newProgressCounts, progressLine } from '../../../src/observability/progress.js';

describe('progress line', () => {
  it('shows done of listed (+ while listing goes on), bytes, records/s, and an ETA once listing is complete', () => {
    const c = { ...newProgressCounts(), listed: 10, listedBytes: 4_000_000, done: 5, doneBytes: 1_000_000, records: 2000 };
    assert.equal(progressLine(c, 2000, '3 matched'), 'objects 5/10+  1.0 MB/4.0 MB  1000 records/s  3 matched');
    assert.equal(progressLine({ ...c, listingDone: true }, 2000), 'objects 5/10  1.0 MB/4.0 MB  1000 records/s  ETA 6s');
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatDuration(3725), '1h02m');
  });
  it('draws nothing when the stream is no terminal', () => {
    const out = new PassThrough() as unknown as NodeJS.WriteStream;
    const line = new ProgressLine(out, () => 'x').start();
    line.stop();
    assert.equal(line.enabled, false);
    assert.equal((out as unknown as PassThrough).read(), null);
  });
});
