import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLOUDTRAIL_BATCH_RECORDS, CloudTrailBodyError } from '../../../../src/formats/cloudtrail/reader.js';
import { body, chunked, context, event, readAll } from './helpers.js';

const sizes = (batches: ReadonlyArray<{ ops: unknown[]; problems: unknown[] }>): number[] => batches.map((b) => b.ops.length + b.problems.length);

describe('readCloudTrail batch edges', () => {
  it(`hands out exactly ${CLOUDTRAIL_BATCH_RECORDS} records as one batch, one more as two, and nothing for no records`, async () => {
    assert.equal(CLOUDTRAIL_BATCH_RECORDS, 500);
    const records = (n: number): Buffer => body(Array.from({ length: n }, (_, i) => event(i)));
    assert.deepEqual(sizes((await readAll(chunked(records(500)))).batches), [500]);
    assert.deepEqual(sizes((await readAll(chunked(records(501)))).batches), [500, 1]);
    assert.deepEqual(sizes((await readAll(chunked(records(1000)))).batches), [500, 500]);
    assert.deepEqual(await readAll(chunked(body([]))), { batches: [], ops: [], problems: [] });
  });

  it('counts problems and operations together in a batch', async () => {
    const records = Array.from({ length: 501 }, (_, i) => (i % 2 === 0 ? event(i) : event(i, { eventTime: undefined })));
    const { batches } = await readAll(chunked(body(records)));
    assert.deepEqual(batches.map((b) => [b.ops.length, b.problems.length]), [[250, 250], [1, 0]]);
  });

  it('hands out a last batch of problems only', async () => {
    const { batches } = await readAll(chunked(body([event(1, { eventTime: undefined }), event(2, { eventTime: undefined })])));
    assert.deepEqual(batches.map((b) => [b.ops.length, b.problems.map((p) => p.lineNo)]), [[0, [1, 2]]]);
  });
});

describe('readCloudTrail failures', () => {
  it('hands out the problems read before a failure, even with no operation beside them', async () => {
    const { batches, error } = await readAll(chunked(Buffer.from(`{"Records":[${JSON.stringify(event(1, { eventTime: undefined }))},{"eventID"`)));
    assert.deepEqual(batches.map((b) => [b.ops.length, b.problems.map((p) => p.lineNo)]), [[0, [1]]]);
    assert.ok(error instanceof CloudTrailBodyError);
    assert.equal(error.recordsRead, 1);
  });

  it('throws a CloudTrailBodyError naming the body, with no batch when nothing was read', async () => {
    const { batches, error } = await readAll(chunked(Buffer.from('[{"eventID":"1"}]')));
    assert.deepEqual(batches, []);
    assert.ok(error instanceof CloudTrailBodyError);
    assert.equal(error.name, 'CloudTrailBodyError');
    assert.equal(error.recordsRead, 0);
    assert.equal(error.message, 'not a CloudTrail log body: the body is an array, expected an object {"Records":[…]} (at byte 0 of the body; 0 records read before it)');
  });

  it('hands out and counts every record before a failure: broken JSON in the same chunk, or a truncation', async () => {
    const { batches, error } = await readAll(chunked(Buffer.from(`{"Records":[${JSON.stringify(event(1))}]} x`)));
    assert.deepEqual(sizes(batches), [1]);
    assert.ok(error instanceof CloudTrailBodyError);
    assert.equal(error.recordsRead, 1);
    const cut = await readAll(chunked(Buffer.from(`{"Records":[${JSON.stringify(event(1))},${JSON.stringify(event(2))}`)));
    assert.deepEqual(cut.batches.map((b) => b.ops.map((o) => o.doc['eventID'])), [['event-1', 'event-2']]);
    assert.ok(cut.error instanceof CloudTrailBodyError);
    assert.equal(cut.error.recordsRead, 2);
    assert.match(cut.error.message, /^not a CloudTrail log body: the body ends early \(truncated\?\): .* \(at byte \d+ of the body; 2 records read before it\)$/);
  });

  it('stops at the chunk that fails, reading no chunk after it', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<Buffer> {
      for (const part of [`{"Records":[${JSON.stringify(event(1))},`, '{"eventID": oops}', `${JSON.stringify(event(3))}]}`]) {
        pulled += 1;
        yield Buffer.from(part);
      }
    }
    const { batches, error } = await readAll(source());
    assert.deepEqual(batches.map((b) => b.ops.map((o) => o.doc['eventID'])), [['event-1']]);
    assert.equal((error as CloudTrailBodyError).recordsRead, 1);
    assert.equal(pulled, 2);
  });

  it('passes the record cap on to the body reader', async () => {
    const { problems } = await readAll(chunked(body([event(1)])), context({ maxRecordBytes: 100 }));
    assert.deepEqual(problems, [{ lineNo: 1, reason: `record of ${body([event(1)]).length - '{"Records":[]}'.length} bytes of JSON is over CLOUDTRAIL_MAX_RECORD_BYTES (100): passed over, not parsed` }]);
  });
});
