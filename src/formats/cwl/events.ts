/**
 * CloudWatch Logs events carrying flow-log records → index operations. One function serves both
 * ways such events arrive: pulled by `cwl` (FilterLogEvents) and pushed through a subscription
 * filter and Firehose into S3. Both know the log group, the stream and the event id CloudWatch
 * gives every event, and the id is derived from those alone, so the same event read both ways is
 * one document. Knows nothing of the CloudWatch Logs API or of OpenSearch.
 */
import { OpWriter } from '../../core/bulk-op.js';
import { keyId, keyIdBytesFactory } from '../../core/id.js';
import { dailyIndexFor } from '../../core/index-name.js';
import type { LineProblem, OpBatch } from '../../core/records.js';
import type { IndexOp, LogEvent } from '../../core/types.js';
import { recordBytes } from '../vpc-flow/headerless.js';
import { isParseError, parseRecord, type FlowFormat, type ParseError } from '../vpc-flow/parse.js';
import { LOG_FIELD } from '../vpc-flow/document.js';
import { recordDocumenter, type RecordContext, type RecordResult, type RecordTally } from '../vpc-flow/reader.js';
import { FlowWriter } from '../vpc-flow/writer.js';

/** The flow-log format of a log group's events. */
export type FormatOf = (group: string) => FlowFormat;

/** What turning events into documents needs, wherever they are parsed: plain settings and the enricher. */
export type CwlEventsContext = Omit<RecordContext, 'parser'>;

export interface CwlReadContext extends CwlEventsContext {
  readonly formatOf: FormatOf;
  /** Where an object's events are parsed (the parse threads); on this thread when absent. */
  readonly parser?: CwlParser;
}

/** One event of an object's envelopes, with what its document needs of the envelope: what a parse thread is given. */
export interface CwlEventItem {
  readonly group: string;
  readonly stream: string;
  /** The group's format. */
  readonly format: FlowFormat;
  /** The event's ordinal in the object (see envelope.ts). */
  readonly ordinal: number;
  readonly event: LogEvent;
}

/** True when two events' documents are written alike but for the event: one group, stream and format. */
export const sameStream = (a: CwlEventItem, b: CwlEventItem): boolean => a.group === b.group && a.stream === b.stream && a.format === b.format;

/**
 * Turns an object's batches of events into batches of operations elsewhere (a pool of threads), in
 * order and exactly as {@link cwlItemsReader} does here; a failure there fails the object.
 */
export type CwlParser = (ctx: CwlEventsContext, items: AsyncIterable<CwlEventItem[]>) => AsyncIterable<OpBatch>;

const ID_NAMESPACE = 'cloudwatch-logs';
/** What the ids of a stream's events start with: group and stream, length-prefixed. */
const streamKey = (group: string, stream: string): string => `${group.length}:${group}${stream.length}:${stream}`;

/** The document id of a CloudWatch Logs event: group, stream and event id, length-prefixed. */
export function cwlEventDocId(group: string, stream: string, eventId: string): string {
  return keyId(ID_NAMESPACE, `${streamKey(group, stream)}${eventId}`);
}

/**
 * Turns one stream's events into a batch: each message is a header-less flow-log line (wrappers
 * removed as for exported lines) in the group's format. A problem's `lineNo` is the event's
 * ordinal counted from `firstOrdinal`, and its reason names the event id. Documents are written by
 * the flow writer, as an S3 object's lines are ({@link writtenBatch}); a format it does not take
 * goes the reference way ({@link referenceEventsBatch}), which gives the same documents.
 */
export function cwlEventsBatch(group: string, stream: string, events: readonly LogEvent[], ctx: CwlReadContext, firstOrdinal = 1): OpBatch {
  return eventsBatch(group, stream, ctx.formatOf(group), events, ctx, firstOrdinal, new OpWriter());
}

function eventsBatch(
  group: string, stream: string, format: FlowFormat, events: readonly LogEvent[], ctx: CwlEventsContext, firstOrdinal: number, opWriter: OpWriter,
): OpBatch {
  const writer = FlowWriter.withLog(format, ctx.enricher, `"group":${JSON.stringify(group)},"stream":${JSON.stringify(stream)},"event_id":`);
  if (writer === undefined) return formatReferenceBatch(group, stream, format, events, ctx, firstOrdinal);
  return writtenBatch(group, stream, events, ctx, format, writer, firstOrdinal, opWriter);
}

/**
 * The per-event work on batches of an object's events, wherever they come from in it: each run of
 * events of one stream, in one format, numbered one after another, made into a batch as
 * {@link cwlEventsBatch} makes an envelope's (events are read one by one, so a run may span
 * envelopes or part of one), the batches joined. What the parse threads run, and the main thread
 * when it parses a task itself. The operations' bytes go into `opWriter` (see BatchReaderOptions),
 * else into a writer of each batch's own.
 */
export function cwlItemsReader(ctx: CwlEventsContext, opWriter?: OpWriter): (items: readonly CwlEventItem[]) => OpBatch {
  return (items) => {
    const writer = opWriter ?? new OpWriter();
    const ops: IndexOp[] = [];
    const problems: LineProblem[] = [];
    const tally: RecordTally = { statusRecords: 0, dropped: 0 };
    for (let start = 0; start < items.length; ) {
      const first = items[start] as CwlEventItem;
      let end = start + 1;
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: a run cut shorter reads the same (an event's document depends on its own group, stream, format and ordinal); only one too long would differ
      for (; end < items.length; end++) {
        const item = items[end] as CwlEventItem;
        // Stryker disable next-line ConditionalExpression,ArithmeticOperator: a cut where none is due (`true`, the ordinal counted otherwise) reads the same, as above; the test of cwlItemsReader catches a run merged across any of these
        if (!sameStream(item, first) || item.ordinal !== first.ordinal + end - start) break;
      }
      const batch = eventsBatch(first.group, first.stream, first.format, items.slice(start, end).map((item) => item.event), ctx, first.ordinal, writer);
      ops.push(...batch.ops);
      problems.push(...batch.problems);
      tally.statusRecords += batch.statusRecords ?? 0;
      tally.dropped += batch.dropped ?? 0;
      start = end;
    }
    return { ops, problems, ...tally };
  };
}

/** The record an event's message carries: one line break at its end dropped, CloudWatch Logs' wrappers removed. */
function eventRecord(event: LogEvent): Buffer | ParseError {
  // Stryker disable next-line Regex: a bare LF left at the end is whitespace the parser and JSON.parse pass over too
  return recordBytes(Buffer.from(event.message.replace(/\r?\n$/, ''), 'utf8'));
}

/** Longest message encoded into {@link scratch}; a longer one (CloudWatch Logs takes 256 KB at most) gets a buffer of its own. */
// Stryker disable next-line ArithmeticOperator: a smaller limit sends more messages the other way, which gives the same bytes
const SCRATCH_MAX_CHARS = 256 * 1024;
/** Where the writer's events are encoded, each written over by the next: no buffer per event to collect. */
// Stryker disable next-line ArithmeticOperator: any first size works, the buffer grows as needed
let scratch = Buffer.allocUnsafeSlow(16 * 1024);

/**
 * {@link eventRecord} with the message encoded into the scratch buffer: the bytes hold until the
 * next event's. A line break at its end, which eventRecord drops, is whitespace to the writer and
 * the parser alike: it stays.
 */
function scratchRecord(event: LogEvent): Buffer | ParseError {
  const { message } = event;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a buffer of its own gives the same bytes
  if (message.length > SCRATCH_MAX_CHARS) return eventRecord(event);
  // A UTF-16 unit takes at most 3 bytes.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: growing when the room is enough gives the same bytes
  if (scratch.length < 3 * message.length) scratch = Buffer.allocUnsafeSlow(3 * message.length);
  return recordBytes(scratch.subarray(0, scratch.write(message, 0, 'utf8')));
}

/** An event's problem, by its ordinal, naming where it came from. */
function eventProblem(group: string, stream: string, event: LogEvent, lineNo: number, error: string): LineProblem {
  return { lineNo, reason: `${group} ${stream} event ${event.id}: ${error}`, text: event.message };
}

/**
 * The batch of events whose records the flow writer reads: each document written straight into its
 * operation's bytes, `log` ending in the event's id. A line the writer cannot read is left to the
 * parser, whose error text is the one reported (as in the S3 reader).
 */
function writtenBatch(
  group: string, stream: string, events: readonly LogEvent[], ctx: CwlEventsContext, format: FlowFormat, writer: FlowWriter, firstOrdinal: number,
  opWriter: OpWriter,
): OpBatch {
  const indexOf = dailyIndexFor(ctx.indexPrefix);
  const idOf = keyIdBytesFactory(ID_NAMESPACE, streamKey(group, stream));
  const ops: IndexOp[] = [];
  const problems: LineProblem[] = [];
  const tally: RecordTally = { statusRecords: 0, dropped: 0 };
  events.forEach((event, i) => {
    const bytes = scratchRecord(event);
    const error = isParseError(bytes) ? bytes : writer.scan(bytes) ? undefined : (parseRecord(format, bytes.toString('utf8')) as ParseError);
    if (error !== undefined) {
      problems.push(eventProblem(group, stream, event, firstOrdinal + i, error.error));
      return;
    }
    if (writer.isStatus) {
      tally.statusRecords += 1;
      if (ctx.dropStatusRecords) {
        tally.dropped += 1;
        return;
      }
    }
    const index = indexOf(writer.time ?? eventSeconds(event));
    const last = Buffer.from(JSON.stringify(event.id), 'utf8');
    const at = opWriter.beginWithIdBytes(index, idOf(event.id), writer.bound + last.length);
    ops.push(opWriter.end(writer.writeLast(opWriter.buffer, at, last)));
  });
  return { ops, problems, ...tally };
}

/**
 * The batch built the reference way: each record parsed, its document built as an object and
 * serialised by the sink. For formats the writer does not take; exported for the test that holds
 * the two ways equal.
 */
export function referenceEventsBatch(group: string, stream: string, events: readonly LogEvent[], ctx: CwlReadContext, firstOrdinal = 1): OpBatch {
  return formatReferenceBatch(group, stream, ctx.formatOf(group), events, ctx, firstOrdinal);
}

function formatReferenceBatch(group: string, stream: string, format: FlowFormat, events: readonly LogEvent[], ctx: CwlEventsContext, firstOrdinal: number): OpBatch {
  const toDoc = recordDocumenter(format, ctx);
  const ops: IndexOp[] = [];
  const problems: LineProblem[] = [];
  const tally: RecordTally = { statusRecords: 0, dropped: 0 };
  events.forEach((event, i) => {
    const result = eventResult(event, toDoc, tally);
    if (result === 'dropped') return;
    if (isParseError(result)) {
      problems.push(eventProblem(group, stream, event, firstOrdinal + i, result.error));
      return;
    }
    result.doc[LOG_FIELD] = { group, stream, event_id: event.id };
    ops.push({ index: result.index, id: cwlEventDocId(group, stream, event.id), doc: result.doc });
  });
  return { ops, problems, ...tally };
}

type Documenter = ReturnType<typeof recordDocumenter>;

function eventResult(event: LogEvent, toDoc: Documenter, tally: RecordTally): RecordResult {
  const bytes = eventRecord(event);
  if (isParseError(bytes)) return bytes;
  return toDoc(bytes.toString('utf8'), eventSeconds(event), tally);
}

/** The event's time in Unix seconds: a record without `start` is filed under the event's own day. */
function eventSeconds(event: LogEvent): number {
  return Math.floor(event.timestamp / 1000);
}
