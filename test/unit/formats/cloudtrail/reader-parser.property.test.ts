/**
 * CloudTrail records parsed elsewhere (a parser, as the parse threads are): the body reader only
 * cuts them out, `cutRecordsReader` parses them in tasks of any size, and the read gives the same
 * operations, problems and failure as a read that parses on its own, for any body: records that
 * are no JSON, records over the cap, records with no identity, a body cut anywhere.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RecordCut } from '../../../../src/formats/cloudtrail/body.js';
import { CloudTrailBodyError, cutRecordsReader, type CloudTrailBatch, type CloudTrailParser } from '../../../../src/formats/cloudtrail/reader.js';
import { chunked, context, event, readAll, type ReadOutcome } from './helpers.js';

/**
 * A parser on this thread in tasks of `perTask` records, as the pool gathers them: the records read
 * before a failure of the body are parsed, then the failure is passed on.
 */
function hereParser(perTask: number, given: number[] = []): CloudTrailParser {
  return async function* parse(ctx, records): AsyncGenerator<CloudTrailBatch> {
    const read = cutRecordsReader(ctx);
    const task = (cuts: RecordCut[]) => {
      given.push(...cuts.map((cut) => cut.lineNo));
      return read(cuts);
    };
    let gathered: RecordCut[] = [];
    try {
      for await (const cuts of records) {
        gathered.push(...cuts);
        if (gathered.length < perTask) continue;
        yield task(gathered);
        gathered = [];
      }
    } catch (err) {
      if (gathered.length > 0) yield task(gathered);
      throw err;
    }
    if (gathered.length > 0) yield task(gathered);
  };
}

/** What a read told: each operation as sent, the problems, and the failure with the records it says were read. */
function told(outcome: ReadOutcome) {
  const { error } = outcome;
  return {
    ops: outcome.ops.map((op) => [op.index, op.id, op.json]),
    problems: outcome.problems,
    error: error === undefined ? undefined : [error.constructor.name, error.message, error instanceof CloudTrailBodyError ? error.recordsRead : undefined],
  };
}

/** An entry of Records as text: an event (some with no identity), any JSON value, or text the cut takes whole and JSON.parse refuses. */
const entryText = fc.oneof(
  fc.nat({ max: 10_000 }).map((n) => JSON.stringify(event(n))),
  fc.nat({ max: 10_000 }).map((n) => JSON.stringify(event(n, { eventID: undefined }))),
  fc.nat({ max: 10_000 }).map((n) => JSON.stringify(event(n, { requestParameters: { blob: 'é'.repeat(n % 300) } }))),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
  fc.constantFrom('{"eventID":x}', '[1,]', '{"a":"\u0001"}', '{"a" 1}', '01', 'nul', '{"eventID":"1","eventTime":"2023-07-19T21:14:20Z",}'),
);

describe('readCloudTrail with the records parsed elsewhere', () => {
  it('gives the operations, problems and failure of a read that parses them itself, for any body, cap and tasks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryText, { maxLength: 12 }),
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 5 }),
        fc.option(fc.integer({ min: 2, max: 900 }), { nil: undefined }),
        async (entries, cutAt, chunk, perTask, cap) => {
          const whole = Buffer.from(`{"Records":[${entries.join(',')}]}`);
          const bytes = cutAt === undefined ? whole : whole.subarray(0, Math.floor(cutAt * whole.length));
          const ctx = context({ maxRecordBytes: cap });
          const itself = await readAll(chunked(bytes, chunk), ctx);
          const given: number[] = [];
          const elsewhere = await readAll(chunked(bytes, chunk), { ...ctx, parser: hereParser(perTask, given) });
          assert.deepEqual(told(elsewhere), told(itself));
          // Every record handed out went through the parser, in order.
          const handedOut = elsewhere.ops.length + elsewhere.problems.length;
          assert.deepEqual(given.slice(0, handedOut), Array.from({ length: handedOut }, (_, i) => i + 1));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stops at a record that is no JSON: nothing after it is handed out, and it says so as the body reader does', async () => {
    const entries = [JSON.stringify(event(1)), JSON.stringify(event(2)), '{"eventID":x}', JSON.stringify(event(4))];
    const bytes = Buffer.from(`{"Records":[${entries.join(',')}]}`);
    const { ops, error } = await readAll(chunked(bytes, 7), { ...context(), parser: hereParser(1) });
    assert.deepEqual(ops.map((op) => op.doc['eventID']), ['event-1', 'event-2']);
    assert.ok(error instanceof CloudTrailBodyError);
    assert.equal(error.recordsRead, 2);
    const start = bytes.indexOf('{"eventID":x}');
    assert.match(error.message, new RegExp(`^not a CloudTrail log body: invalid JSON in record 3: .+ \\(within bytes ${start}–${start + 13} of the body; 2 records read before it\\)$`));
  });
});
