/**
 * What the main thread and a parse thread send each other: batches of lines packed into one
 * transferable buffer, and batches of operations packed as a few strings and one transferable
 * buffer of their encoded `_bulk` lines (instead of an object per document). Answer buffers the
 * main thread is done with travel back with the next task, for the thread to write into again.
 */
import type { LineProblem } from '../core/records.js';
import { EncodedOp, type ByteLease, type IndexOp, type S3ObjectRef } from '../core/types.js';
import type { RecordCut } from '../formats/cloudtrail/body.js';
import { sameStream, type CwlEventItem } from '../formats/cwl/events.js';
import type { FlowFormat } from '../formats/vpc-flow/parse.js';
import type { CloudTrailBatch } from '../formats/cloudtrail/reader.js';
import { bodyBytes, encodedOp, writeOps } from '../sink/bulk-body.js';
import { isOverlong, type LineItem } from '../source/lines.js';

/** Everything a thread needs to build a flow-log object's reader: plain data, no enricher. */
export interface FlowJob {
  readonly kind: 'flow';
  readonly ref: Pick<S3ObjectRef, 'bucket' | 'key' | 'time'>;
  readonly indexPrefix: string;
  readonly dropStatusRecords: boolean | undefined;
  readonly fields: readonly string[];
}

/** Everything a thread needs to turn a CloudTrail object's records into documents. */
export interface CloudTrailJob {
  readonly kind: 'cloudtrail';
  readonly indexPrefix: string;
  readonly maxBlobBytes: number;
  readonly maxRecordBytes: number | undefined;
}

/** Everything a thread needs to turn CloudWatch Logs events into documents (each task carries its events' groups, streams and formats). */
export interface CwlJob {
  readonly kind: 'cwl';
  readonly indexPrefix: string;
  readonly dropStatusRecords: boolean | undefined;
}

export type ParseJob = FlowJob | CloudTrailJob | CwlJob;

/**
 * A batch as the pool and its threads carry it, whatever the reader: its operations and problems,
 * and for a CloudTrail body the failure that ends it after them (a record that is no JSON).
 */
export type ParsedBatch = CloudTrailBatch;

interface TaskBase {
  readonly id: number;
  readonly job: ParseJob;
  /** An answer's buffer whose operations the main thread has all released, moved back for the thread's next answers. */
  readonly spare?: ArrayBuffer;
}

/**
 * A batch of lines (or CloudTrail records) to parse: their bytes end to end, and per line
 * `[lineNo, start, end]` (`start` -1: over the cap, `end` its size); a CloudTrail record's
 * `lineNo` is its ordinal, and `at` gives where each starts in the object's body.
 */
export interface LinesTask extends TaskBase {
  readonly data: Uint8Array<ArrayBuffer>;
  readonly spans: Float64Array<ArrayBuffer>;
  readonly at?: Float64Array<ArrayBuffer>;
}

/**
 * A batch of CloudWatch Logs events to parse: their ids and messages end to end in one string (a
 * message is text that need not be valid UTF-16, so it travels as a string, not as bytes), per
 * event `[ordinal, timestamp, end of id, end of message]` in `numbers`, and the runs of events that
 * share a group, stream and format, in order.
 */
export interface EventsTask extends TaskBase {
  readonly text: string;
  readonly numbers: Float64Array<ArrayBuffer>;
  readonly runs: readonly EventRun[];
}

/** `count` events in a row of one group and stream, in the group's format (its fields). */
export interface EventRun {
  readonly group: string;
  readonly stream: string;
  readonly fields: readonly string[];
  readonly count: number;
}

export type ParseTask = LinesTask | EventsTask;

/** The buffers a task moves to its thread instead of copying. */
export function movedBuffers(task: ParseTask): ArrayBuffer[] {
  // Stryker disable next-line ArrayDeclaration: moving the buffers instead of copying them saves time only; the thread reads (and writes into the spare) all the same
  const own = 'text' in task ? [task.numbers.buffer] : [task.data.buffer, task.spans.buffer, ...(task.at === undefined ? [] : [task.at.buffer])];
  return task.spare === undefined ? own : [...own, task.spare];
}

/**
 * A parsed batch: each op's index by number; the operations encoded for `_bulk` end to end in one
 * buffer, cut at `ends`, moved to the main thread, not copied (an operation's id is in its action line).
 */
export interface PackedBatch {
  readonly id: number;
  readonly indexNames: string[];
  readonly indexOf: Uint32Array;
  readonly bulk: Uint8Array<ArrayBuffer>;
  readonly ends: Uint32Array;
  readonly problems: LineProblem[];
  readonly dropped: number;
  readonly statusRecords: number;
  readonly failure?: ParsedBatch['failure'];
}
export type ThreadAnswer = PackedBatch | { readonly id: number; readonly error: string };

/** Packs `items` for a thread: one copy of each line into a buffer that is then moved, not copied. */
export function packLines(id: number, job: ParseJob, items: readonly LineItem[]): LinesTask {
  let total = 0;
  for (const item of items) if (!isOverlong(item)) total += item.bytes.length;
  const data = new Uint8Array(total);
  const spans = new Float64Array(items.length * 3);
  let at = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as LineItem;
    spans[i * 3] = item.lineNo;
    if (isOverlong(item)) {
      spans[i * 3 + 1] = -1;
      spans[i * 3 + 2] = item.overlongBytes;
    } else {
      data.set(item.bytes, at);
      spans[i * 3 + 1] = at;
      at += item.bytes.length;
      spans[i * 3 + 2] = at;
    }
  }
  return { id, job, data, spans };
}

/** Packs CloudTrail records cut out of a body, as {@link packLines} packs lines, with where each starts. */
export function packRecordCuts(id: number, job: ParseJob, cuts: readonly RecordCut[]): LinesTask {
  return { ...packLines(id, job, cuts), at: Float64Array.from(cuts, (cut) => cut.at) };
}

/** The items of a task as {@link packLines} packed them: views of its one buffer. */
export function unpackLines(task: ParseTask): LineItem[] {
  if ('text' in task) throw new Error(`task ${task.id} carries events, not lines`);
  const data = Buffer.from(task.data.buffer, task.data.byteOffset, task.data.byteLength);
  const { spans } = task;
  const items: LineItem[] = [];
  for (let s = 0; s < spans.length; s += 3) {
    const lineNo = spans[s] as number;
    const start = spans[s + 1] as number;
    const end = spans[s + 2] as number;
    items.push(start < 0 ? { lineNo, overlongBytes: end } : { lineNo, bytes: data.subarray(start, end) });
  }
  return items;
}

/** The records of a task {@link packRecordCuts} packed. */
export function unpackRecordCuts(task: ParseTask): RecordCut[] {
  const at = 'at' in task ? task.at : undefined;
  if (at === undefined) throw new Error(`task ${task.id} carries no record offsets: not packed by packRecordCuts`);
  return unpackLines(task).map((item, i) => ({ ...item, at: at[i] as number }));
}

/** Packs CloudWatch Logs events for a thread, each event's group, stream and format once per run. */
export function packEvents(id: number, job: ParseJob, items: readonly CwlEventItem[]): EventsTask {
  const numbers = new Float64Array(items.length * 4);
  const texts: string[] = [];
  const runs: EventRun[] = [];
  let at = 0;
  let run: CwlEventItem | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as CwlEventItem;
    if (run === undefined || !sameStream(item, run)) {
      run = item;
      runs.push({ group: item.group, stream: item.stream, fields: item.format.fields, count: 0 });
    }
    (runs[runs.length - 1] as { count: number }).count += 1;
    const { id: eventId, timestamp, message } = item.event;
    texts.push(eventId, message);
    numbers[i * 4] = item.ordinal;
    numbers[i * 4 + 1] = timestamp;
    numbers[i * 4 + 2] = at += eventId.length;
    numbers[i * 4 + 3] = at += message.length;
  }
  return { id, job, text: texts.join(''), numbers, runs };
}

/** The events of a task {@link packEvents} packed, each run's format made once from its fields by `formatOf`. */
export function unpackEvents(task: ParseTask, formatOf: (fields: readonly string[]) => FlowFormat): CwlEventItem[] {
  if (!('text' in task)) throw new Error(`task ${task.id} carries lines, not events`);
  const { text, numbers } = task;
  const items: CwlEventItem[] = [];
  let at = 0;
  for (const { group, stream, fields, count } of task.runs) {
    const format = formatOf(fields);
    for (let n = 0; n < count; n++) {
      const i = items.length * 4;
      const idEnd = numbers[i + 2] as number;
      const end = numbers[i + 3] as number;
      items.push({ group, stream, format, ordinal: numbers[i] as number, event: { id: text.slice(at, idEnd), timestamp: numbers[i + 1] as number, message: text.slice(idEnd, end) } });
      at = end;
    }
  }
  return items;
}

/**
 * Packs a batch of operations: a few strings and arrays, one structured clone each, instead of an
 * object per document, and the operations' bytes end to end (as the reader encoded them, else the
 * sink's encodedOp), so that the main thread only sends them. Transfer `bulk.buffer` with the answer.
 */
export function packBatch(id: number, batch: ParsedBatch, memory: AnswerMemory = ownMemory): PackedBatch {
  const { ops } = batch;
  const indexNames: string[] = [];
  const indexOf = new Uint32Array(ops.length);
  const ends = new Uint32Array(ops.length);
  const encoded = ops.map(encodedOp);
  const bulk = memory(bodyBytes(encoded));
  let at = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = encoded[i] as EncodedOp;
    let index = indexNames.indexOf(op.index);
    if (index < 0) index = indexNames.push(op.index) - 1;
    indexOf[i] = index;
    at += op.byteLength;
    ends[i] = at;
  }
  writeOps(encoded, bulk);
  const packed = { id, indexNames, indexOf, bulk, ends, problems: batch.problems, dropped: batch.dropped ?? 0, statusRecords: batch.statusRecords ?? 0 };
  return batch.failure === undefined ? packed : { ...packed, failure: batch.failure };
}

/**
 * Where {@link packBatch} writes a batch's operations: a buffer of its own memory (not Buffer's
 * shared pool), since the whole buffer is moved to the other thread, starting at its byte 0.
 */
export type AnswerMemory = (bytes: number) => Uint8Array<ArrayBuffer>;
const ownMemory: AnswerMemory = (bytes) => new Uint8Array(bytes);

/**
 * The batch a thread packed, each operation's bytes a view of the one buffer (no copy each). With
 * `lease`, the operations' bytes are lent from it as a reader's are (see EncodedOp), for the
 * buffer to be used again once each was released.
 */
export function unpackBatch(packed: PackedBatch, lease?: ByteLease): ParsedBatch {
  const ops: IndexOp[] = new Array<IndexOp>(packed.ends.length);
  let start = 0;
  for (let i = 0; i < ops.length; i++) {
    const end = packed.ends[i] as number;
    ops[i] = new EncodedOp(packed.indexNames[packed.indexOf[i] as number] as string, packed.bulk, lease, start, end);
    start = end;
  }
  const batch = { ops, problems: packed.problems, dropped: packed.dropped, statusRecords: packed.statusRecords };
  return packed.failure === undefined ? batch : { ...batch, failure: packed.failure };
}
