import type { Enricher } from '../../enrich/types.js';
import type { LineProblem, OpBatch } from '../../core/records.js';
import type { Doc, IndexOp, S3ObjectRef } from '../../core/types.js';
import { lineIdFactory } from '../../core/id.js';
import { dailyIndexFor } from '../../core/index-name.js';
import { objectUri } from '../../core/errors.js';
import { isBinary, quotedBytes } from '../../core/text.js';
import { isOverlong, type LineItem } from '../../source/lines.js';
import { timeFromKey } from '../detect.js';
import { isStatusRecord } from './derive.js';
import { recordTime, toDocument } from './document.js';
import { isParseError, parseHeader, parseRecord, type FlowFormat, type ParseError } from './parse.js';

/** What turning one object's records into index operations needs, whatever the object's layout. */
export interface FlowObjectContext {
  readonly ref: S3ObjectRef;
  readonly enricher: Enricher;
  readonly indexPrefix: string;
  /** Leave NODATA/SKIPDATA status records out of the index (they are counted either way). */
  readonly dropStatusRecords?: boolean;
}

export interface VpcFlowContext extends FlowObjectContext {
  /**
   * True when the key says this is a flow log: a bad header is then an error. When the key says
   * nothing, a first line that is not a header of known field names means "not a flow log": skip.
   */
  readonly strict: boolean;
}

/** `invalid`: the key says flow log but the first line is no header; re-reading cannot mend that. */
export type VpcFlowRead =
  | { readonly kind: 'skip'; readonly reason: string; readonly notALog?: true }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'read'; readonly format: FlowFormat; readonly batches: AsyncIterable<OpBatch> };

/**
 * Reads a flow-log object's lines: the first line is the header naming this object's fields, every
 * other line one record. Bad lines become problems and the rest goes on.
 */
export async function readVpcFlow(lines: AsyncIterable<LineItem[]>, ctx: VpcFlowContext): Promise<VpcFlowRead> {
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? undefined : first.value[0];
  if (head === undefined) return { kind: 'skip', reason: 'empty object' };
  const format = headerOf(head);
  if (isParseError(format) || (!ctx.strict && format.unknownFields.length > 0)) {
    const reason = isParseError(format) ? format.error : `unknown fields ${format.unknownFields.join(', ')}`;
    if (!ctx.strict) return { kind: 'skip', reason: `not a flow log (first line: ${reason})`, notALog: true };
    return { kind: 'invalid', reason: `not a flow-log header: ${reason}` };
  }
  const rest = (first.value as LineItem[]).slice(1);
  return { kind: 'read', format, batches: records(format, rest, iterator, ctx) };
}

/** Bytes shown of a first line that is binary: enough to recognise a file type by its magic. */
const SHOWN_BYTES = 24;

/** The format a first line names, or why it names none (a binary line is shown as escaped bytes, not as text). */
function headerOf(head: LineItem): FlowFormat | { error: string } {
  if (isOverlong(head)) return { error: `header line of ${head.overlongBytes} bytes` };
  if (isBinary(head.bytes)) return { error: `binary data, not text: ${quotedBytes(head.bytes, SHOWN_BYTES)}` };
  return parseHeader(head.bytes.toString('utf8'));
}

async function* records(
  format: FlowFormat,
  firstRest: LineItem[],
  iterator: AsyncIterator<LineItem[]>,
  ctx: VpcFlowContext,
): AsyncGenerator<OpBatch> {
  const toOps = batchReader(format, ctx);
  if (firstRest.length > 0) yield toOps(firstRest);
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield toOps(next.value);
}

/** The provenance field of every flow-log document: `{ object: 's3://bucket/key', line }` from S3, `{ group, stream, event_id }` from CloudWatch Logs. */
export const LOG_FIELD = 'log';
export const LOG_MAPPING = {
  properties: { object: { type: 'keyword' }, line: { type: 'long' }, group: { type: 'keyword' }, stream: { type: 'keyword' }, event_id: { type: 'keyword' } },
} as const;

/** What turning one record's text into a document needs, wherever the record came from. */
export type RecordContext = Omit<FlowObjectContext, 'ref'>;

/** One record's fate: a document for a daily index, a reason it is no document, or left out on purpose. */
export type RecordResult = { readonly index: string; readonly doc: Doc } | ParseError | 'dropped';

/** Counts kept across records: NODATA/SKIPDATA records seen, and records left out on purpose. */
export interface RecordTally { statusRecords: number; dropped: number }

/**
 * The per-record work every flow-log reader shares: parse `text` by `format`, count status
 * records (dropping them when told), build the document with derived fields and enrichment, and
 * pick its daily index (by `start`, else `fallbackTime`). Ids and provenance are the caller's.
 */
export function recordDocumenter(format: FlowFormat, ctx: RecordContext): (text: string, fallbackTime: number, tally: RecordTally) => RecordResult {
  const indexOf = dailyIndexFor(ctx.indexPrefix);
  return (text, fallbackTime, tally) => {
    const record = parseRecord(format, text);
    if (isParseError(record)) return record;
    if (isStatusRecord(record)) {
      tally.statusRecords += 1;
      if (ctx.dropStatusRecords) {
        tally.dropped += 1;
        return 'dropped';
      }
    }
    return { index: indexOf(recordTime(record) ?? fallbackTime), doc: toDocument(record, ctx.enricher, { derived: true }) };
  };
}

/**
 * Per-object state (id prefix, fallback time) around the per-record work: each line becomes a
 * document with its id and provenance, or a problem. Shared by every flow-log reader of S3 objects
 * (header-first text, header-less lines, Parquet rows rendered as lines) so that one record gives
 * one document, id and problem text whatever container it came in.
 */
export function batchReader(format: FlowFormat, ctx: FlowObjectContext): (items: LineItem[]) => OpBatch {
  const idOf = lineIdFactory(ctx.ref.bucket, ctx.ref.key);
  const toDoc = recordDocumenter(format, ctx);
  // A format without `start` still needs a day: the delivery time in the key, else now.
  const fallbackTime = timeFromKey(ctx.ref.key) ?? Math.floor(Date.now() / 1000);
  const object = objectUri(ctx.ref);
  return (items) => {
    const ops: IndexOp[] = [];
    const problems: LineProblem[] = [];
    const tally: RecordTally = { statusRecords: 0, dropped: 0 };
    for (const item of items) {
      if (isOverlong(item)) {
        problems.push({ lineNo: item.lineNo, reason: `line of ${item.overlongBytes} bytes is over the line cap` });
        continue;
      }
      if (item.bytes.length === 0) continue;
      const text = item.bytes.toString('utf8');
      const result = toDoc(text, fallbackTime, tally);
      if (result === 'dropped') continue;
      if (isParseError(result)) {
        problems.push({ lineNo: item.lineNo, reason: result.error, text });
        continue;
      }
      // Provenance: where a document came from, to find its line again (and to audit exactly-once).
      result.doc[LOG_FIELD] = { object, line: item.lineNo };
      ops.push({ index: result.index, id: idOf(item.lineNo, item.bytes), doc: result.doc });
    }
    return { ops, problems, ...tally };
  };
}
