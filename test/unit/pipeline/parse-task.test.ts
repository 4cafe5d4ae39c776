/**
 * A parse thread's work, run here on the main thread: a task packed by the pool comes back as the
 * very batch the main thread's reader makes of the same lines, and every failure becomes an
 * answer naming it (a thread never throws).
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { noopEnricher, openEnrichment, type EnricherOptions } from '../../../src/enrich/geoip.js';
import { formatFromFields } from '../../../src/formats/vpc-flow/parse.js';
import { batchReader } from '../../../src/formats/vpc-flow/reader.js';
import type { LineItem } from '../../../src/source/lines.js';
import type { FlowFormat } from '../../../src/formats/vpc-flow/parse.js';
import { AnswerBuffers, serveParseTasks, taskParser, type TaskPort } from '../../../src/pipeline/parse-task.js';
import { cwlEventDocId, cwlItemsReader, type CwlEventItem } from '../../../src/formats/cwl/events.js';
import { packEvents, packLines, packRecordCuts, unpackBatch, type CloudTrailJob, type CwlJob, type FlowJob, type PackedBatch, type ParseTask, type ThreadAnswer } from '../../../src/pipeline/parse-wire.js';
import type { RecordCut } from '../../../src/formats/cloudtrail/body.js';
import { cutRecordsReader } from '../../../src/formats/cloudtrail/reader.js';

const FIELDS = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'.split(' ');
const LINE = '2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
const NODATA = '2 123456789010 eni-1a2b3c4d - - - - - - - 1431280876 1431280934 - NODATA';
const GEO = new URL('../../fixtures/geoip/', import.meta.url);
const ENRICHMENT: EnricherOptions = { cityDbs: [fileURLToPath(new URL('GeoIP2-City-Test.mmdb', GEO))] };

const job = (over: Partial<FlowJob> = {}): FlowJob => ({
  kind: 'flow', ref: { bucket: 'b', key: 'AWSLogs/1/vpcflowlogs/us-east-1/2014/12/14/x.log.gz' }, indexPrefix: 'vpcflowlogs', dropStatusRecords: true, fields: FIELDS, ...over,
});
const line = (lineNo: number, text: string): LineItem => ({ lineNo, bytes: Buffer.from(text) });
/** A good line, a line too long to keep, an empty line, a bad value, a status record, another good line. */
const ITEMS: LineItem[] = [
  line(2, LINE), { lineNo: 3, overlongBytes: 9000 }, line(4, ''), line(5, LINE.replace(' 6 ', ' x ')), line(6, NODATA), line(7, LINE.replace('20641', '20642')),
];

/** What the main thread's reader makes of the same lines. */
function onMainThread(j: FlowJob, items: LineItem[]) {
  const ctx = { ref: j.ref, enricher: noopEnricher, indexPrefix: j.indexPrefix, dropStatusRecords: j.dropStatusRecords };
  const batch = batchReader(formatFromFields(j.fields) as FlowFormat, ctx)(items);
  return { ...batch, ops: batch.ops.map((op) => [op.index, op.id, op.json ?? JSON.stringify(op.doc)]) };
}
function unpacked(answer: ThreadAnswer) {
  assert.ok(!('error' in answer), `no error: ${'error' in answer ? answer.error : ''}`);
  const batch = unpackBatch(answer);
  return { ...batch, ops: batch.ops.map((op) => [op.index, op.id, op.json]) };
}

describe('taskParser', () => {
  it('answers a task with the batch the main thread makes of its lines, under the task id', () => {
    const parse = taskParser(noopEnricher);
    const answer = parse(packLines(41, job(), ITEMS));
    assert.equal(answer.id, 41);
    const here = onMainThread(job(), ITEMS);
    assert.equal(here.ops.length, 2);
    assert.deepEqual(here.problems.map((p) => p.lineNo), [3, 5]);
    assert.equal(here.dropped, 1);
    assert.deepEqual(unpacked(answer), here);
  });

  it('keeps the objects of interleaved tasks apart, and NODATA records when told to', () => {
    const parse = taskParser(noopEnricher);
    const other = job({ ref: { bucket: 'c', key: 'k/2014/12/14/y.log' }, indexPrefix: 'flows', dropStatusRecords: false });
    const answers = [parse(packLines(1, job(), ITEMS)), parse(packLines(2, other, ITEMS)), parse(packLines(3, job(), ITEMS.slice(4)))];
    assert.deepEqual(answers.map((a) => a.id), [1, 2, 3]);
    assert.deepEqual(unpacked(answers[0] as ThreadAnswer), onMainThread(job(), ITEMS));
    const second = unpacked(answers[1] as ThreadAnswer);
    assert.deepEqual(second, onMainThread(other, ITEMS));
    assert.equal(second.ops.length, 3, 'the status record is a document there');
    assert.deepEqual(unpacked(answers[2] as ThreadAnswer), onMainThread(job(), ITEMS.slice(4)));
  });

  it('answers a task without lines with an empty batch', () => {
    const answer = taskParser(noopEnricher)(packLines(0, job(), []));
    assert.deepEqual(unpacked(answer), { ops: [], problems: [], dropped: 0, statusRecords: 0 });
  });

  it('answers with an error naming the format when the fields are no format', () => {
    const answer = taskParser(noopEnricher)(packLines(7, job({ fields: ['version', 'version'] }), ITEMS));
    assert.deepEqual(answer, { id: 7, error: 'format version version: header names field "version" twice (tokens 1 and 2)' });
  });

  it('answers a task of CloudTrail records as the main thread reads them, up to a record that is no JSON, with its failure', () => {
    const record = (n: number, extra = '') => `{"eventID":"e-${n}","eventTime":"2023-07-19T21:14:2${n}Z"${extra}}`;
    const cuts: RecordCut[] = [
      { lineNo: 1, bytes: Buffer.from(record(1)), at: 12 },
      { lineNo: 2, bytes: Buffer.from('{"eventTime":"2023-07-19T21:14:20Z"}'), at: 60 },
      { lineNo: 3, overlongBytes: 5000, at: 100 },
      { lineNo: 4, bytes: Buffer.from(record(4, ',"blob":{"a":[1,2]}')), at: 5101 },
      { lineNo: 5, bytes: Buffer.from('{"eventID":x}'), at: 5170 },
      { lineNo: 6, bytes: Buffer.from(record(6)), at: 5184 },
    ];
    const ctJob: CloudTrailJob = { kind: 'cloudtrail', indexPrefix: 'trail', maxBlobBytes: 64, maxRecordBytes: 4096 };
    const answer = taskParser(noopEnricher)(packRecordCuts(9, ctJob, cuts));
    const here = cutRecordsReader({ enricher: noopEnricher, indexPrefix: 'trail', maxBlobBytes: 64, maxRecordBytes: 4096 })(cuts);
    assert.deepEqual(here.ops.map((op) => op.doc['eventID']), ['e-1', 'e-4']);
    assert.deepEqual(here.problems.map((p) => p.lineNo), [2, 3]);
    assert.deepEqual(here.failure?.recordsRead, 4);
    assert.match(here.failure?.error ?? '', /^invalid JSON in record 5: .+ \(within bytes 5170–5183 of the body; 4 records read before it\)$/);
    assert.equal(answer.id, 9);
    assert.deepEqual(unpacked(answer), { ...here, ops: here.ops.map((op) => [op.index, op.id, op.json]), dropped: 0, statusRecords: 0 });
  });

  it('answers a task of CloudWatch Logs events as the main thread reads them, each run in its own format, status records dropped when told to', () => {
    const defaults = formatFromFields(FIELDS) as FlowFormat;
    const short = formatFromFields(['version', 'srcaddr', 'start', 'log-status']) as FlowFormat;
    const event = (id: string, message: string) => ({ id, timestamp: 1418530010000, message });
    const items: CwlEventItem[] = [
      { group: '/vpc/a', stream: 'eni-1', format: defaults, ordinal: 1, event: event('31', LINE) },
      { group: '/vpc/a', stream: 'eni-1', format: defaults, ordinal: 2, event: event('32', NODATA) },
      { group: '/vpc/b', stream: 'eni-2', format: short, ordinal: 4, event: event('33', '2 81.2.69.142 1418530010 OK') },
      { group: '/vpc/b', stream: 'eni-2', format: short, ordinal: 5, event: event('34', LINE) },
    ];
    const cwlJob: CwlJob = { kind: 'cwl', indexPrefix: 'flows', dropStatusRecords: true };
    const answer = taskParser(noopEnricher)(packEvents(12, cwlJob, items));
    const here = cwlItemsReader({ enricher: noopEnricher, indexPrefix: 'flows', dropStatusRecords: true })(items);
    assert.deepEqual(here.ops.map((op) => op.id), [cwlEventDocId('/vpc/a', 'eni-1', '31'), cwlEventDocId('/vpc/b', 'eni-2', '33')]);
    assert.deepEqual([here.problems.map((p) => p.reason), here.dropped, here.statusRecords], [['/vpc/b eni-2 event 34: expected 4 fields (per the format), got 14'], 1, 1]);
    assert.equal(answer.id, 12);
    assert.deepEqual(unpacked(answer), { ...here, ops: here.ops.map((op) => [op.index, op.id, op.json]) });
  });

  it('answers with an error naming the format when an events run\'s fields are no format', () => {
    const task = packEvents(8, { kind: 'cwl', indexPrefix: 'flows', dropStatusRecords: undefined }, [
      { group: 'g', stream: 's', format: { ...(formatFromFields(FIELDS) as FlowFormat), fields: ['version', 'version'] }, ordinal: 1, event: { id: '1', timestamp: 0, message: LINE } },
    ]);
    assert.deepEqual(taskParser(noopEnricher)(task), { id: 8, error: 'format version version: header names field "version" twice (tokens 1 and 2)' });
  });
});

describe('AnswerBuffers', () => {
  it('gives a kept buffer that holds the answer, drops one too small, and makes new ones a power of two of at least 1 MiB', () => {
    const buffers = new AnswerBuffers();
    const fresh = buffers.take(10);
    assert.deepEqual([fresh.byteOffset, fresh.length, fresh.buffer.byteLength], [0, 10, 1024 * 1024]);
    assert.equal(buffers.take(3 * 1024 * 1024).buffer.byteLength, 4 * 1024 * 1024);
    assert.equal(buffers.take(1024 * 1024).buffer.byteLength, 1024 * 1024, 'exactly the least size');
    const small = new ArrayBuffer(100);
    const large = new ArrayBuffer(5000);
    buffers.give(large);
    buffers.give(small);
    const taken = buffers.take(200);
    assert.equal(taken.buffer, large, 'the small one, given last, is passed over');
    assert.deepEqual([taken.byteOffset, taken.length], [0, 200]);
    assert.notEqual(buffers.take(50).buffer, small, 'and was dropped');
  });

  it('keeps four buffers at most', () => {
    const buffers = new AnswerBuffers();
    const given = Array.from({ length: 5 }, () => new ArrayBuffer(64));
    for (const b of given) buffers.give(b);
    const back = Array.from({ length: 5 }, () => buffers.take(64).buffer);
    assert.deepEqual(back.slice(0, 4), given.slice(0, 4).reverse());
    assert.ok(!given.includes(back[4] as ArrayBuffer), 'the fifth was not kept');
  });
});

/** A thread's port played by an emitter: tasks are emitted, answers collected. */
class FakePort extends EventEmitter implements TaskPort {
  readonly answers: ThreadAnswer[] = [];
  readonly transfers: ArrayBuffer[][] = [];
  postMessage(answer: ThreadAnswer, transfer: ArrayBuffer[]): void {
    this.answers.push(answer);
    this.transfers.push(transfer);
  }
}

describe('serveParseTasks', () => {
  it('answers each task that reaches the port, enriched from the databases the main thread opened', async () => {
    const port = new FakePort();
    serveParseTasks(port, (await openEnrichment(ENRICHMENT)).shared);
    const task: ParseTask = packLines(5, job({ ref: { bucket: 'b', key: 'k/2014/12/14/x.log' } }), [line(2, LINE.replace('172.31.16.21', '81.2.69.142'))]);
    port.emit('message', task);
    const [answer] = port.answers;
    assert.equal(answer?.id, 5);
    assert.deepEqual(port.transfers, [[(answer as PackedBatch).bulk.buffer]], 'the encoded operations are moved, not copied');
    const doc = JSON.parse(unpacked(answer as ThreadAnswer).ops[0]?.[2] ?? '{}') as Record<string, unknown>;
    assert.equal((doc.dstaddr_geo as { city_name?: string } | undefined)?.city_name, 'London', 'the destination is enriched from the city database');
  });

  it('writes its answers into the buffers tasks bring back', () => {
    const port = new FakePort();
    serveParseTasks(port, { city: [], asn: [], cacheSize: 1, answerCacheSize: 1 });
    const spare = new ArrayBuffer(2 * 1024 * 1024);
    port.emit('message', packLines(1, job(), ITEMS));
    port.emit('message', { ...packLines(2, job(), ITEMS), spare });
    const [first, second] = port.answers as PackedBatch[];
    assert.notEqual(first?.bulk.buffer, spare);
    assert.equal(second?.bulk.buffer, spare, 'the second answer is written into the buffer its task brought');
    assert.deepEqual(port.transfers[1], [spare], 'and moved back whole');
    assert.deepEqual(unpacked(second as ThreadAnswer), onMainThread(job(), ITEMS));
  });

  it('refuses to run outside a worker thread', () => {
    assert.throws(() => serveParseTasks(null, { city: [], asn: [], cacheSize: 1, answerCacheSize: 1 }), { message: 'parse-thread.ts runs as a worker thread only' });
  });
});
