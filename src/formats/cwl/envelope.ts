/**
 * Objects a CloudWatch Logs subscription filter delivers through Firehose into S3: gzip members
 * (one per Firehose record, unpacked by `source/decompress` as one stream), each a JSON envelope
 * `{"messageType":"DATA_MESSAGE","logGroup":…,"logStream":…,"logEvents":[{"id","timestamp","message"}]}`,
 * concatenated without separators. `CONTROL_MESSAGE`s (CloudWatch checking that the destination
 * is reachable) carry no events and are skipped. Events become documents exactly as `cwl` makes
 * them (`cwlEventsBatch`), so an event read both ways is one document.
 */
import { jsonParser, type Token } from 'stream-json/core/parser.js';
import Assembler from 'stream-json/core/assembler.js';
import { getManyValues, isMany, none } from 'stream-chain/defs.js';
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
    let values: unknown[];
    try {
      values = split(chunk);
    } catch (err) {
      throw new CwlEnvelopeError(`not CloudWatch Logs envelopes after envelope ${envelopes}: ${err instanceof Error ? err.message : String(err)}`);
    }
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
  }

  for await (const chunk of bytes) yield* batches(chunk);
  yield* batches(undefined);
}

/**
 * Splits concatenated JSON values, chunk by chunk (`undefined` ends the text): the values each
 * chunk completes, in order. Synchronous on purpose: a stream parser buffers values ahead of its
 * reader and drops them when it fails, so the envelopes before a broken one would be lost and
 * the count in the error wrong. Throws on broken JSON; the values completed earlier in the same
 * chunk are lost then (the tokenizer gives a call's tokens only when the whole call parsed).
 */
function envelopeSplitter(): (chunk: Uint8Array | undefined) => unknown[] {
  const tokenize = jsonParser({ jsonStreaming: true, streamValues: false });
  const decoder = new TextDecoder('utf-8');
  const assembler = new Assembler();
  return (chunk) => {
    const values: unknown[] = [];
    const take = (token: Token): void => {
      assembler.consume(token);
      if (assembler.done) values.push(assembler.current);
    };
    const text = chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    for (const input of chunk === undefined ? [text, none] : [text]) {
      if (input === '') continue;
      const produced: unknown = tokenize(input as string);
      if (isMany(produced)) for (const token of getManyValues(produced) as Token[]) take(token);
      else if (produced !== none) take(produced as Token);
    }
    return values;
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
