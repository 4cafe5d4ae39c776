/**
 * CloudWatch Logs events carrying flow-log records → index operations. One function serves both
 * ways such events arrive: pulled by `cwl` (FilterLogEvents) and pushed through a subscription
 * filter and Firehose into S3. Both know the log group, the stream and the event id CloudWatch
 * gives every event, and the id is derived from those alone, so the same event read both ways is
 * one document. Knows nothing of the CloudWatch Logs API or of OpenSearch.
 */
import { keyId } from '../../core/id.js';
import type { LineProblem, OpBatch } from '../../core/records.js';
import type { IndexOp, LogEvent } from '../../core/types.js';
import { recordBytes } from '../vpc-flow/headerless.js';
import { isParseError, type FlowFormat } from '../vpc-flow/parse.js';
import { LOG_FIELD } from '../vpc-flow/document.js';
import { recordDocumenter, type RecordContext, type RecordResult, type RecordTally } from '../vpc-flow/reader.js';

/** The flow-log format of a log group's events. */
export type FormatOf = (group: string) => FlowFormat;

export interface CwlReadContext extends RecordContext {
  readonly formatOf: FormatOf;
}

/** The document id of a CloudWatch Logs event: group, stream and event id, length-prefixed. */
export function cwlEventDocId(group: string, stream: string, eventId: string): string {
  return keyId('cloudwatch-logs', `${group.length}:${group}${stream.length}:${stream}${eventId}`);
}

/**
 * Turns one stream's events into a batch: each message is a header-less flow-log line (wrappers
 * removed as for exported lines) in the group's format. A problem's `lineNo` is the event's
 * ordinal counted from `firstOrdinal`, and its reason names the event id.
 */
export function cwlEventsBatch(group: string, stream: string, events: readonly LogEvent[], ctx: CwlReadContext, firstOrdinal = 1): OpBatch {
  const toDoc = recordDocumenter(ctx.formatOf(group), ctx);
  const ops: IndexOp[] = [];
  const problems: LineProblem[] = [];
  const tally: RecordTally = { statusRecords: 0, dropped: 0 };
  events.forEach((event, i) => {
    const result = eventResult(event, toDoc, tally);
    if (result === 'dropped') return;
    if (isParseError(result)) {
      problems.push({ lineNo: firstOrdinal + i, reason: `${group} ${stream} event ${event.id}: ${result.error}`, text: event.message });
      return;
    }
    result.doc[LOG_FIELD] = { group, stream, event_id: event.id };
    ops.push({ index: result.index, id: cwlEventDocId(group, stream, event.id), doc: result.doc });
  });
  return { ops, problems, ...tally };
}

type Documenter = ReturnType<typeof recordDocumenter>;

function eventResult(event: LogEvent, toDoc: Documenter, tally: RecordTally): RecordResult {
  const bytes = recordBytes(Buffer.from(event.message.replace(/\r?\n$/, ''), 'utf8'));
  if (isParseError(bytes)) return bytes;
  // A format without `start` files the document under the event's own day.
  return toDoc(bytes.toString('utf8'), Math.floor(event.timestamp / 1000), tally);
}
