/**
 * What the main thread and a parse thread send each other: batches of lines packed into one
 * transferable buffer, and batches of operations packed as a few strings and one transferable
 * buffer of their encoded `_bulk` lines (instead of an object per document). Answer buffers the
 * main thread is done with travel back with the next task, for the thread to write into again.
 */
import type { LineProblem } from '../core/records.js';
import { EncodedOp, type ByteLease, type IndexOp, type S3ObjectRef } from '../core/types.js';
import type { RecordCut } from '../formats/cloudtrail/body.js';
import type { CloudTrailBatch } from '../formats/cloudtrail/reader.js';
import { bodyBytes, encodeOp } from '../sink/bulk-body.js';
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

export type ParseJob = FlowJob | CloudTrailJob;

/**
 * A batch as the pool and its threads carry it, whatever the reader: its operations and problems,
 * and for a CloudTrail body the failure that ends it after them (a record that is no JSON).
 */
export type ParsedBatch = CloudTrailBatch;

/**
 * A batch of lines (or CloudTrail records) to parse: their bytes end to end, and per line
 * `[lineNo, start, end]` (`start` -1: over the cap, `end` its size); a CloudTrail record's
 * `lineNo` is its ordinal, and `at` gives where each starts in the object's body.
 */
export interface ParseTask {
  readonly id: number;
  readonly job: ParseJob;
  readonly data: Uint8Array<ArrayBuffer>;
  readonly spans: Float64Array<ArrayBuffer>;
  readonly at?: Float64Array<ArrayBuffer>;
  /** An answer's buffer whose operations the main thread has all released, moved back for the thread's next answers. */
  readonly spare?: ArrayBuffer;
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
export function packLines(id: number, job: ParseJob, items: readonly LineItem[]): ParseTask {
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
export function packRecordCuts(id: number, job: ParseJob, cuts: readonly RecordCut[]): ParseTask {
  return { ...packLines(id, job, cuts), at: Float64Array.from(cuts, (cut) => cut.at) };
}

/** The items of a task as {@link packLines} packed them: views of its one buffer. */
export function unpackLines(task: ParseTask): LineItem[] {
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
  const { at } = task;
  if (at === undefined) throw new Error(`task ${task.id} carries no record offsets: not packed by packRecordCuts`);
  return unpackLines(task).map((item, i) => ({ ...item, at: at[i] as number }));
}

/**
 * Packs a batch of operations: a few strings and arrays, one structured clone each, instead of an
 * object per document, and the operations' bytes end to end (as the reader encoded them, else the
 * sink's encodeOp), so that the main thread only sends them. Transfer `bulk.buffer` with the answer.
 */
export function packBatch(id: number, batch: ParsedBatch, memory: AnswerMemory = ownMemory): PackedBatch {
  const { ops } = batch;
  const indexNames: string[] = [];
  const indexOf = new Uint32Array(ops.length);
  const ends = new Uint32Array(ops.length);
  const encoded = ops.map(encodeOp);
  const bulk = memory(bodyBytes(encoded));
  let at = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as IndexOp;
    let index = indexNames.indexOf(op.index);
    if (index < 0) index = indexNames.push(op.index) - 1;
    indexOf[i] = index;
    const bytes = encoded[i] as Uint8Array;
    bulk.set(bytes, at);
    at += bytes.length;
    ends[i] = at;
  }
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
    ops[i] = new EncodedOp(packed.indexNames[packed.indexOf[i] as number] as string, packed.bulk.subarray(start, end), lease);
    start = end;
  }
  const batch = { ops, problems: packed.problems, dropped: packed.dropped, statusRecords: packed.statusRecords };
  return packed.failure === undefined ? batch : { ...batch, failure: packed.failure };
}
