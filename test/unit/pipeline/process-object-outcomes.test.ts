/**
 * What processObject reports and stores for one object: exact counts, dead letters, warnings, and
 * whether the message may go (isAcknowledged), with the S3 body, the sink and the dead-letter
 * store played by in-memory fakes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { ObjectError } from '../../../src/core/errors.js';
import type { DeadLetter } from '../../../src/deadletter/types.js';
import { noopEnricher } from '../../../src/enrich/geoip.js';
import { createLogger } from '../../../src/observability/logger.js';
import { encodeOp } from '../../../src/sink/bulk-body.js';
import { isAcknowledged, newCounts, processObject, type ObjectDeps, type ObjectOutcome, type OpSink } from '../../../src/pipeline/process-object.js';
import type { IndexOp, ItemOutcome, S3ObjectRef } from '../../../src/core/types.js';

const HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const LINE = '2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const NODATA = '2 123456789010 eni-1a2b3c4d - - - - - - - 1431280876 1431280934 - NODATA';
const REF: S3ObjectRef = { bucket: 'b', key: 'AWSLogs/1/vpcflowlogs/us-east-1/2014/12/14/x.log.gz' };
const line = (port: number) => LINE.replace('20641', String(port));

/** An S3 client whose GetObject answers with these chunks (or fails with `error`). */
const s3Of = (chunks: Buffer[], error?: Error) => ({ send: async () => {
  if (error) throw error;
  return { Body: Readable.from(chunks), LastModified: new Date(0) };
} }) as unknown as S3Client;

/** A sink that answers each document later (as the bulk indexer does), in the order `outcomes` gives. */
function laterSink(outcomes: (op: IndexOp, n: number) => ItemOutcome) {
  const added: IndexOp[] = [];
  const sink: OpSink = {
    add: async (op, onOutcome) => {
      const outcome = outcomes(op, added.push(op) - 1);
      setTimeout(() => onOutcome(outcome, op), 5);
    },
    producing: () => () => undefined,
  };
  return { sink, added };
}

/**
 * A sink that answers nothing until the object says it has added its last document, as the bulk
 * indexer holds a partial batch: an object that waited for its answers first would wait for ever.
 */
function holdingSink() {
  const held: Array<() => void> = [];
  const events: string[] = [];
  const sink: OpSink = {
    add: async (op, onOutcome) => {
      events.push('add');
      held.push(() => onOutcome({ status: 'created' }, op));
    },
    producing: () => {
      events.push('producing');
      let ended = false;
      // Called again, it does nothing (as the bulk indexer's).
      return () => {
        if (ended) return;
        ended = true;
        events.push('added');
        for (const answer of held.splice(0)) answer();
      };
    },
  };
  return { sink, events };
}

interface Logged { msg: string; [field: string]: unknown }
function deps(s3: S3Client, sink: OpSink, record?: (letters: readonly DeadLetter[]) => Promise<void>) {
  const letters: DeadLetter[] = [];
  const calls: number[] = [];
  const logged: Logged[] = [];
  const logger = createLogger('warn', 'test', { write: (s: string) => void logged.push(JSON.parse(s) as Logged) });
  const d: ObjectDeps = {
    s3, sink, logger, read: { enricher: noopEnricher, indexPrefix: 'vpcflowlogs', maxLineBytes: 4096, maxObjectBytes: 1 << 20, dropStatusRecords: true },
    deadLetters: { record: record ?? (async (l) => void (calls.push(l.length), letters.push(...l))) },
  };
  return { d, letters, calls, warnings: () => logged.map(({ msg, object, reason, line: text, failed, error }) => ({ msg, object, reason, line: text, failed, error })) };
}

describe('processObject counts, letters and warnings', () => {
  it('counts every line and answer exactly, dead-letters bad lines and refused documents, and warns once about the failed ones', async () => {
    const text = [HEADER, line(1), 'x'.repeat(5000), line(2), 'not a record', NODATA, line(3), line(4), line(5)].join('\n');
    const errors = [undefined, undefined, 'mapper_parsing_exception: bad port', 'es_rejected_execution_exception', 'circuit_breaking_exception'];
    const statuses = ['created', 'exists', 'rejected', 'failed', 'failed'] as const;
    const { sink, added } = laterSink((_op, n) => ({ status: statuses[n] as ItemOutcome['status'], ...(errors[n] ? { error: errors[n] } : {}) }));
    const { d, letters, calls, warnings } = deps(s3Of([Buffer.from(`${text}\n`)]), sink);
    const outcome = await processObject(REF, d);
    assert.deepEqual(outcome, {
      status: 'indexed', ref: REF,
      counts: { lines: 8, documents: 5, badLines: 2, dropped: 1, statusRecords: 1, created: 1, exists: 1, rejected: 1, failed: 2, deadLetters: 3 },
    });
    assert.equal(isAcknowledged(outcome), false, 'two documents were not taken');
    const refused = added[2] as IndexOp;
    assert.deepEqual(calls, [3]);
    assert.deepEqual(letters, [
      { kind: 'line', reason: 'line of 5000 bytes is over the line cap', bucket: 'b', key: REF.key, lineNo: 3, line: undefined, format: HEADER },
      { kind: 'line', reason: letters[1]?.reason, bucket: 'b', key: REF.key, lineNo: 5, line: 'not a record', format: HEADER },
      { kind: 'document', reason: 'mapper_parsing_exception: bad port', bucket: 'b', key: REF.key, index: 'vpcflowlogs-2014.12.14', id: refused.id, document: refused.json },
    ]);
    assert.match(letters[1]?.reason ?? '', /field/);
    assert.deepEqual(warnings(), [
      { msg: 'line dead-lettered', object: `s3://b/${REF.key} line 3`, reason: 'line of 5000 bytes is over the line cap', line: undefined, failed: undefined, error: undefined },
      { msg: 'line dead-lettered', object: `s3://b/${REF.key} line 5`, reason: letters[1]?.reason, line: 'not a record', failed: undefined, error: undefined },
      { msg: 'documents not indexed; message will be redelivered', object: `s3://b/${REF.key}`, reason: undefined, line: undefined, failed: 2, error: 'es_rejected_execution_exception' },
    ]);
  });

  it('adds no further document while the sink says to wait, and goes on when it lets it', async () => {
    const events: string[] = [];
    let letGo: () => void = () => undefined;
    const sink: OpSink = {
      add: (op, onOutcome) => {
        events.push(`add ${String(op.doc.srcport)}`);
        setTimeout(() => onOutcome({ status: 'created' }, op), 1);
        // The second add has to wait; the others go on at once (undefined).
        if (events.length !== 2) return undefined;
        return new Promise<void>((resolve) => (letGo = () => (events.push('let go'), resolve())));
      },
      producing: () => () => undefined,
    };
    const done = processObject(REF, deps(s3Of([Buffer.from(`${HEADER}\n${[1, 2, 3, 4].map(line).join('\n')}\n`)]), sink).d);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(events, ['add 1', 'add 2'], 'held after the add that said to wait');
    letGo();
    const outcome = await done;
    assert.deepEqual(events, ['add 1', 'add 2', 'let go', 'add 3', 'add 4']);
    assert.deepEqual(outcome.status === 'indexed' && outcome.counts, { ...newCounts(), lines: 4, documents: 4, created: 4 });
  });

  it('waits for every answer before it ends, and warns of nothing when all were taken', async () => {
    const { sink } = laterSink(() => ({ status: 'created' }));
    const { d, calls, warnings } = deps(s3Of([Buffer.from(`${HEADER}\n${[1, 2, 3, 4, 5, 6].map(line).join('\n')}\n`)]), sink);
    const outcome = await processObject(REF, d);
    assert.deepEqual(outcome.status === 'indexed' && outcome.counts, { ...newCounts(), lines: 6, documents: 6, created: 6 });
    assert.equal(isAcknowledged(outcome), true);
    assert.deepEqual(calls, [0]);
    assert.deepEqual(warnings(), []);
  });

  it('says when it has added its last document before it waits for their answers, on success and on a read failure', { timeout: 10_000 }, async () => {
    const whole = holdingSink();
    const outcome = await processObject(REF, deps(s3Of([Buffer.from(`${HEADER}\n${[1, 2, 3].map(line).join('\n')}\n`)]), whole.sink).d);
    assert.deepEqual(outcome.status === 'indexed' && outcome.counts, { ...newCounts(), lines: 3, documents: 3, created: 3 });
    assert.deepEqual(whole.events, ['producing', 'add', 'add', 'add', 'added']);

    const broken = holdingSink();
    const cut = { send: async () => ({ Body: Readable.from((async function* () {
      yield Buffer.from(`${HEADER}\n${line(1)}\n`);
      yield Buffer.from(`${line(2)}\n`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('socket hang up');
    })()), LastModified: new Date(0) }) } as unknown as S3Client;
    const failed = await processObject(REF, deps(cut, broken.sink).d);
    assert.equal(failed.status === 'failed' && failed.error.detail, 'read failed: socket hang up');
    assert.equal(failed.status === 'failed' && failed.counts.created, 2, 'the lines read before the failure were indexed');
    assert.deepEqual(broken.events, ['producing', 'add', 'add', 'added']);
  });

  it('dead-letters a refused document as the JSON that was sent, "rejected" when OpenSearch gave no reason', async () => {
    const trail = JSON.stringify({ Records: [{ eventVersion: '1.08', eventTime: '2026-11-30T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: 'e1' }] });
    const { sink, added } = laterSink(() => ({ status: 'rejected' }));
    const { d, letters } = deps(s3Of([Buffer.from(trail)]), sink);
    const ref = { bucket: 'b', key: 'AWSLogs/1/CloudTrail/us-east-1/2026/11/30/x.json.gz' };
    await processObject(ref, d);
    const op = added[0] as IndexOp;
    const sent = Buffer.from(encodeOp(op)).toString('utf8').split('\n')[1];
    assert.deepEqual(letters, [{ kind: 'document', reason: 'rejected', bucket: 'b', key: ref.key, index: 'cloudtrail-2026.11.30', id: op.id, document: sent }]);
    assert.deepEqual(JSON.parse(sent as string), { '@timestamp': '2026-11-30T10:00:00Z', ...JSON.parse(trail).Records[0] });
  });

  it('stores line letters in groups of 500 while it reads', async () => {
    const bad = (n: number) => Buffer.from('bad\n'.repeat(n));
    const { sink } = laterSink(() => ({ status: 'created' }));
    const { d, calls } = deps(s3Of([Buffer.concat([Buffer.from(`${HEADER}\n`), bad(250)]), bad(250), bad(1), bad(1)]), sink);
    const outcome = await processObject(REF, d);
    assert.equal(outcome.status === 'indexed' && outcome.counts.deadLetters, 502);
    assert.deepEqual(calls, [500, 2]);
  });
});

describe('processObject when the object fails', () => {
  const taken = () => laterSink(() => ({ status: 'created' })).sink;

  it('records a permanent failure as an object letter, so the message may go', async () => {
    const { d, letters } = deps(s3Of([Buffer.from('1 2 3\n')]), taken());
    const outcome = await processObject(REF, d) as Extract<ObjectOutcome, { status: 'failed' }>;
    assert.equal(outcome.status, 'failed');
    assert.deepEqual([outcome.error.retryable, outcome.error.lineNo, outcome.counts.deadLetters], [false, 1, 1]);
    assert.deepEqual(letters, [{ kind: 'object', reason: outcome.error.detail, bucket: 'b', key: REF.key, lineNo: 1 }]);
    assert.equal(isAcknowledged(outcome), true);
  });

  it('keeps the message of a retryable failure, with no object letter', async () => {
    const { d, letters, calls } = deps(s3Of([], Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), taken());
    const outcome = await processObject(REF, d) as Extract<ObjectOutcome, { status: 'failed' }>;
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.error.retryable, true);
    assert.match(outcome.error.message, /socket hang up/);
    assert.deepEqual([letters, calls, outcome.counts.deadLetters], [[], [0], 0]);
    assert.equal(isAcknowledged(outcome), false);
  });

  it('turns a permanent failure retryable when its letter cannot be stored, naming both', async () => {
    const { d } = deps(s3Of([Buffer.from('1 2 3\n')]), taken(), async () => { throw new Error('dead-letter index is read-only'); });
    const outcome = await processObject(REF, d) as Extract<ObjectOutcome, { status: 'failed' }>;
    assert.equal(outcome.status, 'failed');
    assert.ok(outcome.error instanceof ObjectError);
    assert.equal(outcome.error.retryable, true);
    assert.equal(outcome.error.lineNo, 1);
    assert.equal(outcome.counts.deadLetters, 0, 'no letter is in the store');
    const cause = 'not a flow-log header: header token 1 "1" is not a field name (letters, digits, "-", "_")';
    assert.equal(outcome.error.detail, `${cause}; and the dead-letter store failed: dead-letter index is read-only`);
    assert.equal(isAcknowledged(outcome), false);
  });

  it('fails the object, retryable, when the store fails while it reads, once every document is answered', async () => {
    const storeDown = new Error('dead-letter store unreachable');
    let stores = 0;
    const { sink, added } = laterSink(() => ({ status: 'created' }));
    const body = [Buffer.from(`${HEADER}\n${line(1)}\n${'bad\n'.repeat(500)}`), Buffer.from(`${line(2)}\n`)];
    const { d } = deps(s3Of(body), sink, async () => {
      stores += 1;
      if (stores === 1) throw storeDown;
    });
    const outcome = await processObject(REF, d) as Extract<ObjectOutcome, { status: 'failed' }>;
    assert.equal(outcome.status, 'failed');
    assert.deepEqual([outcome.error.retryable, outcome.error.detail, outcome.error.cause], [true, 'dead-letter store unreachable', storeDown]);
    assert.equal(outcome.error.message, `s3://b/${REF.key}: dead-letter store unreachable`);
    assert.deepEqual([added.length, outcome.counts.created, stores], [1, 1, 2], 'the document read before is answered; the object stops');
    assert.equal(outcome.counts.deadLetters, 0, 'the 500 letters the store refused are not counted as stored');
    assert.equal(isAcknowledged(outcome), false);
  });
});

describe('isAcknowledged', () => {
  const failed = (retryable: boolean, failedDocs: number): ObjectOutcome => ({
    status: 'failed', ref: REF, error: new ObjectError(REF, 'x', retryable), counts: { ...newCounts(), failed: failedDocs },
  });
  it('lets a message go exactly when nothing of its object is left to do', () => {
    assert.equal(isAcknowledged({ status: 'skipped', ref: REF, reason: 'digest' }), true);
    assert.equal(isAcknowledged({ status: 'indexed', ref: REF, counts: newCounts() }), true);
    assert.equal(isAcknowledged({ status: 'indexed', ref: REF, counts: { ...newCounts(), failed: 1 } }), false);
    assert.equal(isAcknowledged(failed(false, 0)), true);
    assert.equal(isAcknowledged(failed(true, 0)), false);
    assert.equal(isAcknowledged(failed(false, 1)), false);
  });
});
