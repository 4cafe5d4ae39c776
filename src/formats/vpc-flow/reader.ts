import type { Enricher } from '../../enrich/types.js';
import { parsedWithProblems, withProblems, type LineProblem, type OpBatch, type PreparedItems } from '../../core/records.js';
import type { Doc, IndexOp, S3ObjectRef } from '../../core/types.js';
import { OpWriter } from '../../core/bulk-op.js';
import { lineIdBytesFactory } from '../../core/id.js';
import { dailyIndexFor } from '../../core/index-name.js';
import { objectUri } from '../../core/errors.js';
import { isBinary, quotedBytes } from '../../core/text.js';
import { isOverlong, type LineItem } from '../../source/lines.js';
import { timeFromKey } from '../../source/key-time.js';
import { isStatusRecord } from './derive.js';
import { LOG_FIELD, recordTime, toDocument } from './document.js';
import { isParseError, parseHeader, parseRecord, type FlowFormat, type ParseError } from './parse.js';
import { FlowWriter } from './writer.js';
import { Scanned, WasmFlowWriter } from './wasm-writer.js';

/** What turning one object's records into index operations needs, whatever the object's layout. */
export interface FlowObjectContext {
  readonly ref: S3ObjectRef;
  readonly enricher: Enricher;
  readonly indexPrefix: string;
  /** Leave NODATA/SKIPDATA status records out of the index (they are counted either way). */
  readonly dropStatusRecords?: boolean;
  /** Where the lines are parsed (the parse threads); on this thread when absent. */
  readonly parser?: BatchParser;
}

/**
 * Turns an object's batches of lines into batches of operations elsewhere (a pool of threads), in
 * order and exactly as {@link batchReader} does here; a failure there fails the object.
 */
export type BatchParser = (format: FlowFormat, ctx: FlowObjectContext, batches: AsyncIterable<LineItem[]>) => AsyncIterable<OpBatch>;

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
  if (ctx.parser !== undefined) {
    yield* ctx.parser(format, ctx, lineBatches(firstRest, iterator));
    return;
  }
  const toOps = batchReader(format, ctx);
  for await (const items of lineBatches(firstRest, iterator)) yield toOps(items);
}

/** The lines after the header: the rest of the first batch, then the iterator's. */
async function* lineBatches(firstRest: LineItem[], iterator: AsyncIterator<LineItem[]>): AsyncGenerator<LineItem[]> {
  if (firstRest.length > 0) yield firstRest;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
}

/** A batch of an object's lines made ready for the per-line work, and its lines already found bad (a wrapper, a row no text line holds). */
export type PreparedLines = PreparedItems<LineItem>;

/**
 * The per-line work on prepared batches of lines (header-less lines unwrapped, Parquet rows
 * rendered): on this thread, each batch's problems joined to its operations' in line order and
 * `parsedHere` told once its lines are read no more; or on `ctx.parser` (the parse threads), which
 * holds lines across batches and ahead, so they are never given back to be written over
 * ({@link parsedWithProblems}).
 */
export async function* preparedBatches(
  format: FlowFormat,
  ctx: FlowObjectContext,
  prepared: AsyncIterable<PreparedLines>,
  parsedHere?: () => void,
): AsyncGenerator<OpBatch> {
  const { parser } = ctx;
  if (parser === undefined) {
    const toOps = batchReader(format, ctx);
    for await (const { items, problems } of prepared) {
      const batch = toOps(items);
      parsedHere?.();
      yield withProblems(batch, problems);
    }
    return;
  }
  yield* parsedWithProblems(prepared, (batches) => parser(format, ctx, batches));
}

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

export interface BatchReaderOptions {
  /**
   * Where the operations' bytes are written; by default a writer of the reader's own. A caller that
   * copies each batch away (a parse thread packing its answer) gives one writer to all its readers
   * and rewinds it after each batch, so that its memory is written again instead of made anew.
   */
  readonly opWriter?: OpWriter;
}

/**
 * Per-object state (id prefix, index memo, fallback time, the compiled writer) around the per-line
 * work: parse each line by `format`, write its document, id and daily index, and report bad lines.
 * Shared by every flow-log reader (header-first S3 objects, header-less lines, Parquet rows
 * rendered as lines) so that one record gives one document, id and problem text whatever
 * container it came in.
 */
export function batchReader(format: FlowFormat, ctx: FlowObjectContext, options: BatchReaderOptions = {}): (items: LineItem[]) => OpBatch {
  const idOf = lineIdBytesFactory(ctx.ref.bucket, ctx.ref.key);
  const indexOf = dailyIndexFor(ctx.indexPrefix);
  // A format without `start` still needs a day: the delivery time in the key, else the object's
  // (event time or LastModified). Never the clock: read again after midnight, a record would land
  // in a second index, where `create` cannot see it is there already.
  const fallbackTime = timeFromKey(ctx.ref.key) ?? ctx.ref.time;
  const object = objectUri(ctx.ref);
  const writer = FlowWriter.compile(format, ctx.enricher, object);
  // Stryker disable next-line ConditionalExpression: a reference path made and not used changes nothing
  const lineOp = writer === undefined ? referenceOp(format, ctx, object) : undefined;
  // The writer compiled to WebAssembly writes what it can; a line it hands back is the JavaScript writer's.
  const wasm = writer === undefined ? undefined : WasmFlowWriter.compile(format, ctx.enricher, object, ctx.ref.bucket, ctx.ref.key, writer.fixed);
  // Each document is written straight after its action line, in the operation's own bytes.
  const opWriter = options.opWriter ?? new OpWriter();
  return (items) => {
    const ops: IndexOp[] = [];
    const problems: LineProblem[] = [];
    let statusRecords = 0;
    let dropped = 0;
    for (const item of items) {
      if (isOverlong(item)) {
        problems.push({ lineNo: item.lineNo, reason: `line of ${item.overlongBytes} bytes is over the line cap` });
        continue;
      }
      if (item.bytes.length === 0) continue;
      const scanned = wasm === undefined ? Scanned.handedBack : wasm.scan(item.bytes);
      // Stryker disable next-line ConditionalExpression: a line the module took, or refused, is written, or refused, the same by writer.ts
      const line = scanned === Scanned.here ? wasm
        // Stryker disable next-line ConditionalExpression: see above
        : scanned === Scanned.bad ? undefined
          : writer === undefined ? (lineOp as ReferenceOp)(item.bytes.toString('utf8')) : writer.scan(item.bytes) ? writer : undefined;
      if (line === undefined || isParseError(line)) {
        // The writers leave bad lines to the parser, whose error text is the one reported.
        const text = item.bytes.toString('utf8');
        const error = line ?? (parseRecord(format, text) as ParseError);
        problems.push({ lineNo: item.lineNo, reason: error.error, text });
        continue;
      }
      if (line.isStatus) {
        statusRecords += 1;
        if (ctx.dropStatusRecords) {
          dropped += 1;
          continue;
        }
      }
      const time = line.time ?? fallbackTime;
      if (time === undefined) {
        problems.push({ lineNo: item.lineNo, reason: 'record has no start time, and neither the key nor the object says when it was written', text: item.bytes.toString('utf8') });
        continue;
      }
      const index = indexOf(time);
      if (line === wasm) {
        if (wasm.write(index, item.lineNo, opWriter, ops)) continue;
        // An operation too large for the module's room: writer.ts writes it.
        (writer as FlowWriter).scan(item.bytes);
      }
      // Operations stay in line order: the module's so far go first.
      wasm?.copyOut(opWriter, ops);
      // The id's digits are a view the next hash overwrites: each is hashed right where it is copied.
      if (writer !== undefined && (line === writer || line === wasm)) {
        const at = opWriter.beginWithIdBytes(index, idOf(item.lineNo, item.bytes), writer.bound);
        ops.push(opWriter.end(writer.write(opWriter.buffer, at, item.lineNo)));
      } else {
        const json = (line as ReferenceLine).json(item.lineNo);
        ops.push(opWriter.text(index, idOf(item.lineNo, item.bytes), json));
      }
    }
    wasm?.copyOut(opWriter, ops);
    return { ops, problems, dropped, statusRecords };
  };
}

/** What the per-line loop reads of a line the reference path parsed. */
interface ReferenceLine {
  readonly isStatus: boolean;
  readonly time: number | undefined;
  json(lineNo: number): string;
}
type ReferenceOp = (text: string) => ReferenceLine | ParseError;

/**
 * The reference path (parse to a record, build the document, serialise), for formats the writer
 * does not take: one naming a field like a generated key, whose value then replaces the AWS one.
 */
function referenceOp(format: FlowFormat, ctx: FlowObjectContext, object: string): ReferenceOp {
  return (text) => {
    const record = parseRecord(format, text);
    if (isParseError(record)) return record;
    return {
      isStatus: isStatusRecord(record),
      time: recordTime(record),
      json: (lineNo) => {
        const doc = toDocument(record, ctx.enricher, { derived: true });
        // Provenance: where a document came from, to find its line again (and to audit exactly-once).
        doc[LOG_FIELD] = { object, line: lineNo };
        return JSON.stringify(doc);
      },
    };
  };
}
