/**
 * Flow-log lines without a header line: CloudWatch Logs exports and subscription dumps. The field
 * layout cannot be read from the data, so the user gives it as AWS writes it on the flow log
 * (`${version} ${account-id} …`; the v2 default format when not given).
 */
import type { LineProblem, OpBatch } from '../../core/records.js';
import { isOverlong, type LineItem } from '../../source/lines.js';
import { DEFAULT_FORMAT, isParseError, parseFormatString, type FlowFormat, type ParseError } from './parse.js';
import { preparedBatches, type FlowObjectContext, type PreparedLines } from './reader.js';

const OPEN_BRACE = 0x7b;
const SPACE = 0x20;
/**
 * The timestamp CloudWatch Logs writes before each event in an export (`2014-12-14T04:06:50.000Z`).
 * No flow-log field has this shape (`start`/`end` are Unix seconds), so stripping it is unambiguous.
 */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;
/** Longest first token that can be such a timestamp (with nanoseconds and an offset). */
const MAX_TIMESTAMP_LENGTH = 40;
/** Shortest one, `2014-12-14T08:10Z`: a record's first token (its version, `2`) is not read as text. */
const MIN_TIMESTAMP_LENGTH = 17;

/** The format for header-less input: `formatString` parsed, or the default format when it is absent or blank. */
export function headerlessFormat(formatString?: string): FlowFormat | ParseError {
  return formatString === undefined || formatString.trim() === '' ? DEFAULT_FORMAT : parseFormatString(formatString);
}

/**
 * The flow-log record a CloudWatch Logs line carries, as bytes:
 * - a line starting with `{` is a JSON-wrapped event (`{"id":…,"timestamp":…,"message":"2 123… OK"}`,
 *   as subscription dumps write it): the record is its `message`;
 * - a line whose first token is an ISO-8601 timestamp (CreateExportTask output) loses that token;
 * - any other line is the record itself.
 * The record's bytes, not the wrapper's, are what the id hashes, so the same event read from a
 * plain and from a wrapped dump at the same line gets the same id.
 */
export function recordBytes(line: Buffer): Buffer | ParseError {
  if (line[0] === OPEN_BRACE) return jsonMessage(line);
  const space = line.indexOf(SPACE);
  // Stryker disable next-line ConditionalExpression: the pattern refuses a shorter token too, only later
  if (space >= MIN_TIMESTAMP_LENGTH && space <= MAX_TIMESTAMP_LENGTH && ISO_TIMESTAMP.test(line.toString('latin1', 0, space))) {
    return line.subarray(space + 1);
  }
  return line;
}

function jsonMessage(line: Buffer): Buffer | ParseError {
  // Text that starts with `{` parses to an object or throws a SyntaxError: nothing else to tell apart.
  let parsed: { message?: unknown };
  try {
    parsed = JSON.parse(line.toString('utf8')) as { message?: unknown };
  } catch (err) {
    return { error: `line starts with "{" but is not JSON (${(err as SyntaxError).message})` };
  }
  const message = parsed.message;
  if (typeof message !== 'string') return { error: 'JSON line has no string "message" field' };
  return Buffer.from(message, 'utf8');
}

/**
 * Reads header-less flow-log lines: EVERY line, the first included, is one record in `format`.
 * Wrappers that CloudWatch Logs puts around records are removed first (see `recordBytes`); the
 * per-line work is the S3 reader's own (`batchReader`, on the parse threads when `ctx.parser` is
 * given), so a record gives the same document here.
 */
export function readHeaderlessFlow(lines: AsyncIterable<LineItem[]>, format: FlowFormat, ctx: FlowObjectContext): AsyncGenerator<OpBatch> {
  return preparedBatches(format, ctx, unwrapped(lines));
}

/** Each line's record, unwrapped; a line whose wrapper holds none is a problem. */
async function* unwrapped(lines: AsyncIterable<LineItem[]>): AsyncGenerator<PreparedLines> {
  for await (const items of lines) {
    const records: LineItem[] = [];
    const problems: LineProblem[] = [];
    for (const item of items) {
      if (isOverlong(item)) {
        records.push(item); // batchReader reports it
        continue;
      }
      const bytes = recordBytes(item.bytes);
      if (isParseError(bytes)) problems.push({ lineNo: item.lineNo, reason: bytes.error, text: item.bytes.toString('utf8') });
      // Stryker disable next-line ConditionalExpression: an item made anew of the same line number and bytes is the same line
      else records.push(bytes === item.bytes ? item : { lineNo: item.lineNo, bytes });
    }
    yield { items: records, problems };
  }
}
