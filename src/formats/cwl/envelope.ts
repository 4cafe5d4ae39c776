/**
 * Objects a CloudWatch Logs subscription filter delivers through Firehose into S3: gzip members
 * (one per Firehose record, unpacked by `source/decompress` as one stream), each a JSON envelope
 * `{"messageType":"DATA_MESSAGE","logGroup":…,"logStream":…,"logEvents":[{"id","timestamp","message"}]}`,
 * concatenated without separators. `CONTROL_MESSAGE`s (CloudWatch checking that the destination
 * is reachable) carry no events and are skipped. Events become documents exactly as `cwl` makes
 * them (`cwlEventsBatch`), so an event read both ways is one document.
 */
import { ValueCut, byteText, isBlank, kindOf, parseReason } from '../json-value.js';
import { parsedWithProblems, type LineProblem, type OpBatch, type PreparedItems } from '../../core/records.js';
import type { LogEvent } from '../../core/types.js';
import { cwlEventsBatch, type CwlEventItem, type CwlReadContext, type FormatOf } from './events.js';

/** The object is not concatenated envelopes (bad JSON, truncated). Reading it again cannot help. */
export class CwlEnvelopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CwlEnvelopeError';
  }
}

/**
 * Reads concatenated envelopes, one batch per DATA_MESSAGE (with `ctx.parser`, the parse threads
 * make the batches of the object's events instead, in order, each with the problems found before
 * it). A problem's `lineNo` is the event's ordinal in the object (envelopes that are no
 * DATA_MESSAGE count as one, CONTROL_MESSAGEs none), so dead letters point at it. Broken JSON ends
 * reading with a CwlEnvelopeError after the envelopes of the chunks before it; a failing byte source
 * ends it with its own error, after them too.
 */
export async function* readCwlEnvelopes(bytes: AsyncIterable<Buffer>, ctx: CwlReadContext): AsyncGenerator<OpBatch> {
  const { parser } = ctx;
  if (parser !== undefined) {
    yield* parsedWithProblems(preparedEvents(bytes, ctx.formatOf), (items) => parser(ctx, items));
    return;
  }
  for await (const parts of envelopeParts(bytes)) {
    for (const part of parts) yield 'problem' in part ? { ops: [], problems: [part.problem] } : cwlEventsBatch(part.group, part.stream, part.events, ctx, part.ordinal);
  }
}

/** An object's events made ready for the parse threads, chunk by chunk: each with its envelope's group, stream and format. */
async function* preparedEvents(bytes: AsyncIterable<Buffer>, formatOf: FormatOf): AsyncGenerator<PreparedItems<CwlEventItem>> {
  for await (const parts of envelopeParts(bytes)) {
    const items: CwlEventItem[] = [];
    const problems: LineProblem[] = [];
    for (const part of parts) {
      if ('problem' in part) {
        problems.push(part.problem);
        continue;
      }
      const { group, stream } = part;
      const format = formatOf(group);
      part.events.forEach((event, i) => items.push({ group, stream, format, ordinal: part.ordinal + i, event }));
    }
    yield { items, problems };
  }
}

/** What an envelope gives: its events, the first numbered `ordinal`, or the problem it is. */
type EnvelopePart = { readonly group: string; readonly stream: string; readonly events: LogEvent[]; readonly ordinal: number } | { readonly problem: LineProblem };

/** The envelopes of each chunk of the object, in order, as parts; a CwlEnvelopeError after those of the chunk that broke. */
async function* envelopeParts(bytes: AsyncIterable<Buffer>): AsyncGenerator<EnvelopePart[]> {
  const split = envelopeSplitter();
  let ordinal = 1;
  let envelopes = 0;

  /** The parts of the envelopes a chunk completes (`undefined`: the end of the object). */
  function* parts(chunk: Uint8Array | undefined): Generator<EnvelopePart[]> {
    const { values, error } = split(chunk);
    const done: EnvelopePart[] = [];
    for (const value of values) {
      envelopes += 1;
      const envelope = dataMessage(value);
      if (envelope === 'control') continue;
      if ('error' in envelope) {
        done.push({ problem: { lineNo: ordinal, reason: `envelope ${envelopes}: ${envelope.error}`, text: JSON.stringify(value) } });
        ordinal += 1;
        continue;
      }
      done.push({ group: envelope.logGroup, stream: envelope.logStream, events: envelope.logEvents, ordinal });
      ordinal += envelope.logEvents.length;
    }
    yield done;
    if (error !== undefined) throw new CwlEnvelopeError(`not CloudWatch Logs envelopes after envelope ${envelopes}: ${error}`);
  }

  for await (const chunk of bytes) yield* parts(chunk);
  yield* parts(undefined);
}

/** What one chunk of the object gave: the values it completed, in order, and what stopped reading, if anything. */
interface Split {
  readonly values: unknown[];
  readonly error?: string;
}

/**
 * Splits concatenated JSON values, chunk by chunk (`undefined` ends the text): each value's bytes
 * are cut out of the stream (`../json-value.ts`) and parsed whole. Synchronous on purpose: the
 * values a chunk completed before a broken one are handed out before the error, so no envelope
 * before it is lost and the count in the error is exact. An envelope is held whole, as parsing it
 * needs; the object's own size cap (MAX_OBJECT_BYTES) bounds it.
 */
function envelopeSplitter(): (chunk: Uint8Array | undefined) => Split {
  const cut = new ValueCut();
  let inValue = false;
  /** Bytes of the object before the chunk being read. */
  let done = 0;
  const where = (): string => `within ${cut.span} of the object`;
  const parse = (text: string, values: unknown[]): string | undefined => {
    try {
      values.push(JSON.parse(text));
      return undefined;
    } catch (err) {
      return `invalid JSON: ${parseReason(err)} (${where()})`;
    }
  };
  return (chunk) => {
    const values: unknown[] = [];
    if (chunk === undefined) {
      if (!inValue) return { values };
      // A number or word ends with the text; anything else was cut short.
      if (cut.bare) return { values, error: parse(cut.text(), values) };
      return { values, error: `the object ends inside an envelope (truncated?) (${where()})` };
    }
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const n = bytes.length;
    for (let i = 0; i < n; ) {
      if (!inValue) {
        const c = bytes[i] as number;
        if (isBlank(c)) {
          i += 1;
          continue;
        }
        if (kindOf(c) === undefined) return { values, error: `invalid JSON: unexpected ${byteText(c)} where a value was expected (at byte ${done + i} of the object)` };
        cut.begin(c, done + i, Number.MAX_SAFE_INTEGER);
        inValue = true;
      }
      const end = cut.read(bytes, i);
      if (end === -1) break;
      inValue = false;
      const error = parse(cut.text(bytes, i, end), values);
      if (error !== undefined) return { values, error };
      i = end;
    }
    done += n;
    return { values };
  };
}

interface DataMessage {
  readonly logGroup: string;
  readonly logStream: string;
  readonly logEvents: LogEvent[];
}

/** A DATA_MESSAGE's group, stream and events; `control` for a CONTROL_MESSAGE; else what is wrong. */
function dataMessage(value: unknown): DataMessage | 'control' | { error: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not a JSON object' };
  const v = value as Record<string, unknown>;
  if (v.messageType === 'CONTROL_MESSAGE') return 'control';
  if (v.messageType !== 'DATA_MESSAGE') return { error: `messageType ${JSON.stringify(v.messageType)} is neither DATA_MESSAGE nor CONTROL_MESSAGE` };
  if (typeof v.logGroup !== 'string' || typeof v.logStream !== 'string') return { error: 'DATA_MESSAGE without logGroup or logStream' };
  if (!Array.isArray(v.logEvents)) return { error: 'DATA_MESSAGE without a logEvents array' };
  const logEvents: LogEvent[] = [];
  for (const [i, e] of (v.logEvents as unknown[]).entries()) {
    const event = e as { id?: unknown; timestamp?: unknown; message?: unknown } | null;
    // AWS writes ids as strings of digits; some emulators as numbers: both name the same event.
    const id = typeof event?.id === 'string' || typeof event?.id === 'number' ? String(event.id) : undefined;
    if (id === undefined || typeof event?.timestamp !== 'number' || typeof event.message !== 'string') {
      return { error: `logEvents[${i}] lacks a string id, a numeric timestamp or a string message` };
    }
    logEvents.push({ id, timestamp: event.timestamp, message: event.message });
  }
  return { logGroup: v.logGroup, logStream: v.logStream, logEvents };
}
