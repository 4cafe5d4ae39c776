/**
 * What the main thread and a parse thread send each other: batches of lines packed into one
 * transferable buffer, and batches of operations packed as a few strings (one structured clone
 * each, instead of an object per document).
 */
import type { LineProblem, OpBatch } from '../core/records.js';
import { JsonOp, type IndexOp, type S3ObjectRef } from '../core/types.js';
import { isOverlong, type LineItem } from '../source/lines.js';

/** Everything a thread needs to build an object's reader: plain data, no enricher. */
export interface ParseJob {
  readonly ref: Pick<S3ObjectRef, 'bucket' | 'key' | 'time'>;
  readonly indexPrefix: string;
  readonly dropStatusRecords: boolean | undefined;
  readonly fields: readonly string[];
}

/** A batch of lines to parse: their bytes end to end, and per line `[lineNo, start, end]` (`start` -1: over the cap, `end` its size). */
export interface ParseTask {
  readonly id: number;
  readonly job: ParseJob;
  readonly data: Uint8Array<ArrayBuffer>;
  readonly spans: Float64Array<ArrayBuffer>;
}

/** A parsed batch: ids and documents end to end, cut at `idEnds` and `ends`; each op's index by number. */
export interface PackedBatch {
  readonly id: number;
  readonly indexNames: string[];
  readonly indexOf: Uint32Array;
  readonly ids: string;
  readonly idEnds: Uint32Array;
  readonly json: string;
  readonly ends: Uint32Array;
  readonly problems: LineProblem[];
  readonly dropped: number;
  readonly statusRecords: number;
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

/** Packs a batch of operations: a few strings and arrays, one structured clone each, instead of an object per document. */
export function packBatch(id: number, batch: OpBatch): PackedBatch {
  const { ops } = batch;
  const indexNames: string[] = [];
  const indexOf = new Uint32Array(ops.length);
  const ends = new Uint32Array(ops.length);
  const idEnds = new Uint32Array(ops.length);
  let json = '';
  let ids = '';
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as IndexOp;
    let at = indexNames.indexOf(op.index);
    if (at < 0) at = indexNames.push(op.index) - 1;
    indexOf[i] = at;
    json += op.json ?? JSON.stringify(op.doc);
    ends[i] = json.length;
    ids += op.id;
    idEnds[i] = ids.length;
  }
  return { id, indexNames, indexOf, ids, idEnds, json, ends, problems: batch.problems, dropped: batch.dropped ?? 0, statusRecords: batch.statusRecords ?? 0 };
}

/** The batch a thread packed, its documents as slices of the one string (no copy each). */
export function unpackBatch(packed: PackedBatch): OpBatch {
  const ops: IndexOp[] = new Array<IndexOp>(packed.ends.length);
  let start = 0;
  let idStart = 0;
  for (let i = 0; i < ops.length; i++) {
    const end = packed.ends[i] as number;
    const idEnd = packed.idEnds[i] as number;
    ops[i] = new JsonOp(packed.indexNames[packed.indexOf[i] as number] as string, packed.ids.slice(idStart, idEnd), packed.json.slice(start, end));
    start = end;
    idStart = idEnd;
  }
  return { ops, problems: packed.problems, dropped: packed.dropped, statusRecords: packed.statusRecords };
}
