/**
 * Objects a CloudWatch Logs subscription filter delivers through Firehose into S3: gzip members
 * (one per Firehose record, unpacked by `source/decompress` as one stream), each a JSON envelope
 * `{"messageType":"DATA_MESSAGE","logGroup":…,"logStream":…,"logEvents":[{"id","timestamp","message"}]}`,
 * concatenated without separators. `CONTROL_MESSAGE`s (CloudWatch checking that the destination
 * is reachable) carry no events and are skipped. Events become documents exactly as `cwl` makes
 * them (`cwlEventsBatch`), so an event read both ways is one document.
 */
import { Readable } from 'node:stream';
import streamValues from 'stream-json/streamers/stream-values.js';
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
 * ordinal in the object (envelopes that are no DATA_MESSAGE count as one), so dead letters point
 * at it. Broken JSON ends reading with a CwlEnvelopeError after the envelopes before it.
 */
export async function* readCwlEnvelopes(bytes: AsyncIterable<Buffer>, ctx: CwlReadContext): AsyncGenerator<OpBatch> {
  const parser = streamValues.withParserAsStream();
  const source = Readable.from(bytes);
  source.once('error', (err) => parser.destroy(err));
  source.pipe(parser);
  let ordinal = 1;
  let envelopes = 0;
  try {
    for await (const item of parser as AsyncIterable<{ value: unknown }>) {
      envelopes += 1;
      const envelope = dataMessage(item.value);
      if (envelope === 'control') continue;
      if ('error' in envelope) {
        const problem: LineProblem = { lineNo: ordinal, reason: `envelope ${envelopes}: ${envelope.error}`, text: JSON.stringify(item.value) };
        ordinal += 1;
        yield { ops: [], problems: [problem] };
        continue;
      }
      yield cwlEventsBatch(envelope.logGroup, envelope.logStream, envelope.logEvents, ctx, ordinal);
      ordinal += envelope.logEvents.length;
    }
  } catch (err) {
    if (source.errored) throw source.errored;
    throw new CwlEnvelopeError(`not CloudWatch Logs envelopes after envelope ${envelopes}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    source.destroy();
  }
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
