/**
 * Objects a CloudWatch Logs subscription filter delivers through Firehose into S3: gzip members
 * (one per Firehose record, unpacked by `source/decompress` as one stream), each a JSON envelope
 * `{"messageType":"DATA_MESSAGE","logGroup":…,"logStream":…,"logEvents":[{"id","timestamp","message"}]}`,
 * concatenated without separators. `CONTROL_MESSAGE`s (CloudWatch checking that the destination
 * is reachable) carry no events and are skipped. Events become documents exactly as `cwl` makes
 * them (`cwlEventsBatch`), so an event read both ways is one document.
 */
import { ValueCut, byteText, isBlank, kindOf, parseReason } from '../json-value.js';
import type { LineProblem, OpBatch } from '../../core/records.js';
import type { LogEvent } from '../../core/types.js';
import { cwlEventsBatch, type CwlReadContext } from './events.js';

/** The object is not concatenated envelopes (bad JSON, truncated). Reading it again cannot help. */
export class CwlEnvelopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CwlEnvelopeError';
  }
}

/**
 * Reads concatenated envelopes, one batch per DATA_MESSAGE. A problem's `lineNo` is the event's
 * ordinal in the object (envelopes that are no DATA_MESSAGE count as one, CONTROL_MESSAGEs none), so
 * dead letters point at it. Broken JSON ends reading with a CwlEnvelopeError after the envelopes of
 * the chunks before it; a failing byte source ends it with its own error, after them too.
 */
export async function* readCwlEnvelopes(bytes: AsyncIterable<Buffer>, ctx: CwlReadContext): AsyncGenerator<OpBatch> {
  const split = envelopeSplitter();
  let ordinal = 1;
  let envelopes = 0;

  /** The batches of the envelopes a chunk completes (`undefined`: the end of the object). */
  function* batches(chunk: Uint8Array | undefined): Generator<OpBatch> {
    const { values, error } = split(chunk);
    for (const value of values) {
      envelopes += 1;
      const envelope = dataMessage(value);
      if (envelope === 'control') continue;
      if ('error' in envelope) {
        const problem: LineProblem = { lineNo: ordinal, reason: `envelope ${envelopes}: ${envelope.error}`, text: JSON.stringify(value) };
        ordinal += 1;
        yield { ops: [], problems: [problem] };
        continue;
      }
      yield cwlEventsBatch(envelope.logGroup, envelope.logStream, envelope.logEvents, ctx, ordinal);
      ordinal += envelope.logEvents.length;
    }
    if (error !== undefined) throw new CwlEnvelopeError(`not CloudWatch Logs envelopes after envelope ${envelopes}: ${error}`);
  }

  for await (const chunk of bytes) yield* batches(chunk);
  yield* batches(undefined);
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
