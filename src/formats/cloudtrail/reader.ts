/**
 * CloudTrail reader: a decompressed `{"Records":[…]}` body → batches of index operations, one
 * document per event, streamed (never the whole text in memory): each event's bytes are cut out of
 * the stream and parsed whole (body.ts).
 *
 * Ids: `keyId('cloudtrail', eventID)`. AWS can deliver one event in two files; both become the
 * same `_id`, and `_bulk` `create` answers 409 for the second, so the index holds it once. An event
 * without eventID, or without a valid ISO-8601 eventTime, is a problem (lineNo = its 1-based
 * ordinal in `Records`), not a document. Indices are `<prefix>-YYYY.MM.DD` by eventTime, UTC.
 *
 * Free-form blobs (`requestParameters`, `responseElements`, `additionalEventData`,
 * `serviceEventDetails`, and `edgeDeviceDetails`, `insightDetails`, and any unknown top-level
 * object): mapped as OpenSearch `flat_object`, not as JSON strings. Tried on the local OpenSearch
 * 2.19.3 node (indices `cttest-*`, since deleted):
 * - 2 000 distinct keys in one blob: indexed, and the mapping stays one field (an object mapping
 *   would have hit the 1 000-field limit); `blob.key1999: v1999` finds it.
 * - nested arrays of objects (`items[].b[].c`, arrays of arrays): indexed; `blob.items.b.c: x`
 *   finds it (arrays flatten into the dotted path).
 * - one event with a number and another with `"Jul 19, 2023 9:11:57 PM"` under the same path:
 *   both indexed (every leaf is a keyword), each found by a term query on its own value.
 * - JSON inside a string: kept as a string leaf, found by a prefix query.
 * - a 200 KB value: the whole document is REFUSED ("immense term in field=blob._value"):
 *   `flat_object` indexes every leaf as a term (`<field>.<field>.<path>=<value>`, ≤ 32 766 bytes)
 *   and has no `ignore_above`. A string value is refused too (a `flat_object` wants an object).
 * So a blob stays an object only when its JSON is at most `maxBlobBytes` (UTF-8) and no leaf
 * term would pass 32 766 bytes (checked only for blobs whose JSON could hold one, by walking
 * them). Otherwise its JSON goes to the text field `<field>_json` (analysed, so words stay
 * searchable, with no term limit), and the object field is left out:
 * - over the cap: `<field>_json` holds the first at most `maxBlobBytes` UTF-8 bytes of the
 *   field's `JSON.stringify`, cut at a character boundary (so it is not valid JSON), and the field
 *   name is appended to the document's `truncated` (keyword array, in record order);
 * - under the cap but holding a too-long leaf: the whole JSON, not listed in `truncated`;
 * - a blob that is a string, number or boolean: its text as is (not re-quoted), cut and listed
 *   in `truncated` when over the cap; `null` stays `null`.
 * The JSON-string alternative (keyword `index: false`, or text plus a few extracted keys) indexes
 * everything but loses per-path search for every event; `flat_object` keeps it for all but the
 * rare huge blobs. Limits of `flat_object`: leaves are keywords only (no ranges, no full text) and
 * `exists` on a subpath finds nothing.
 */
import type { Enricher } from '../../enrich/types.js';
import type { OpWriter } from '../../core/bulk-op.js';
import type { LineProblem, OpBatch } from '../../core/records.js';
import type { IndexOp, S3ObjectRef } from '../../core/types.js';
import { isOverlong } from '../../source/lines.js';
import { parseReason } from '../json-value.js';
import { CloudTrailBodyReader, DEFAULT_MAX_RECORD_BYTES, OversizedRecord, invalidRecord, type BodyChunkResult, type RecordCut } from './body.js';
import { recordOutcomes } from './document.js';

export { cloudTrailTemplate } from './template.js';

export interface CloudTrailContext {
  readonly ref: S3ObjectRef;
  readonly enricher: Enricher;
  /** Indices are `<indexPrefix>-YYYY.MM.DD` by eventTime, UTC (default prefix `cloudtrail`). */
  readonly indexPrefix: string;
  /** Cap on each blob's JSON, in UTF-8 bytes; longer blobs become cut JSON text (see above). */
  readonly maxBlobBytes: number;
  /** Cap on one record's JSON, in bytes; a longer record is passed over unparsed and reported by its ordinal. */
  readonly maxRecordBytes?: number;
  /** Where the records are parsed (the parse threads); on this thread when absent. */
  readonly parser?: CloudTrailParser;
}

/** What turning an object's records into documents needs, wherever they are parsed: plain settings and the enricher. */
export type CloudTrailRecordContext = Omit<CloudTrailContext, 'ref' | 'parser'>;

/** A batch of an object's records: its operations and problems, and the failure that ends the body after them (a record that is no JSON). */
export interface CloudTrailBatch extends OpBatch {
  readonly failure?: { readonly error: string; readonly recordsRead: number };
}

/**
 * Turns an object's batches of cut records into batches of operations elsewhere (a pool of
 * threads), in order and exactly as {@link cutRecordsReader} does here; a failure there fails the object.
 */
export type CloudTrailParser = (ctx: CloudTrailRecordContext, records: AsyncIterable<RecordCut[]>) => AsyncIterable<CloudTrailBatch>;

/** Records per batch: enough to keep awaits rare, few enough to keep batches small in memory. */
export const CLOUDTRAIL_BATCH_RECORDS = 500;

/** The body is not a CloudTrail log (bad JSON, truncated, another layout). Re-reading cannot help. */
export class CloudTrailBodyError extends Error {
  constructor(
    message: string,
    /** Records read (and already yielded) before the failure. */
    readonly recordsRead: number,
  ) {
    super(message);
    this.name = 'CloudTrailBodyError';
  }
}

interface Batch {
  ops: IndexOp[];
  problems: LineProblem[];
}

/**
 * Reads a decompressed CloudTrail body. Yields batches of up to CLOUDTRAIL_BATCH_RECORDS records
 * (operations plus problems). When the body turns out not to be `{"Records":[…]}`, the records
 * read before are yielded first, then a CloudTrailBodyError says what was wrong and where.
 */
export async function* readCloudTrail(bytes: AsyncIterable<Buffer>, ctx: CloudTrailContext): AsyncGenerator<OpBatch> {
  if (ctx.parser !== undefined) {
    yield* parsedElsewhere(bytes, ctx, ctx.parser);
    return;
  }
  const body = new CloudTrailBodyReader(ctx.maxRecordBytes);
  const outcomeOf = recordOutcomes(ctx);
  let batch: Batch = { ops: [], problems: [] };
  let ordinal = 0;

  /** Adds records to the batch, handing out each batch that fills up. */
  function* add({ records, sizes }: BodyChunkResult): Generator<OpBatch> {
    for (let i = 0; i < records.length; i++) {
      ordinal += 1;
      const outcome = outcomeOf(records[i], ordinal, sizes[i]);
      if ('op' in outcome) batch.ops.push(outcome.op);
      else batch.problems.push(outcome.problem);
      if (batch.ops.length + batch.problems.length >= CLOUDTRAIL_BATCH_RECORDS) {
        yield batch;
        batch = { ops: [], problems: [] };
      }
    }
  }

  for await (const chunk of bytes) {
    const read = body.write(chunk);
    yield* add(read);
    if (read.error !== undefined) yield* fail(batch, read.error, body.recordsRead);
  }
  const last = body.end();
  yield* add(last);
  if (last.error !== undefined) yield* fail(batch, last.error, body.recordsRead);
  if (batch.ops.length + batch.problems.length > 0) yield batch;
}

/** Hands out what was read, then throws: records before the failure stay indexed. */
function* fail(batch: Batch, error: string, recordsRead: number): Generator<OpBatch, never> {
  if (batch.ops.length + batch.problems.length > 0) yield batch;
  throw new CloudTrailBodyError(`not a CloudTrail log body: ${error}`, recordsRead);
}

/**
 * {@link readCloudTrail} with the records parsed by `parser`: this thread only follows the
 * envelope and cuts each record's bytes out. The batches and the failure are the same: records
 * before a failure (the envelope's, or a record that is no JSON) are handed out, then it is thrown,
 * and nothing after it.
 */
async function* parsedElsewhere(bytes: AsyncIterable<Buffer>, ctx: CloudTrailContext, parser: CloudTrailParser): AsyncGenerator<OpBatch> {
  const body = new CloudTrailBodyReader(ctx.maxRecordBytes, { unparsed: true });
  async function* cuts(): AsyncGenerator<RecordCut[]> {
    for await (const chunk of bytes) yield* checked(body.write(chunk));
    yield* checked(body.end());
  }
  function* checked({ records, error }: BodyChunkResult): Generator<RecordCut[]> {
    yield records as RecordCut[];
    if (error !== undefined) throw new CloudTrailBodyError(`not a CloudTrail log body: ${error}`, body.recordsRead);
  }
  const settings: CloudTrailRecordContext = { enricher: ctx.enricher, indexPrefix: ctx.indexPrefix, maxBlobBytes: ctx.maxBlobBytes, maxRecordBytes: ctx.maxRecordBytes };
  for await (const batch of parser(settings, cuts())) {
    const { failure } = batch;
    if (failure === undefined) {
      yield batch;
      continue;
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty batch handed out adds nothing, it only costs a turn
    if (batch.ops.length + batch.problems.length > 0) yield { ops: batch.ops, problems: batch.problems };
    throw new CloudTrailBodyError(`not a CloudTrail log body: ${failure.error}`, failure.recordsRead);
  }
}

/**
 * The per-record work on records cut out but not parsed, wherever it runs (the parse threads
 * run it): each record parsed and turned into its outcome as {@link readCloudTrail} does. A record
 * that is no JSON ends the batch with the failure the body reader would give.
 */
export function cutRecordsReader(ctx: CloudTrailRecordContext, opWriter?: OpWriter): (records: readonly RecordCut[]) => CloudTrailBatch {
  const outcomeOf = recordOutcomes(ctx, opWriter);
  const cap = ctx.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  return (records) => {
    const ops: IndexOp[] = [];
    const problems: LineProblem[] = [];
    for (const cut of records) {
      let record: unknown;
      let size: number;
      if (isOverlong(cut)) {
        size = cut.overlongBytes;
        record = new OversizedRecord(size, cap);
      } else {
        size = cut.bytes.length;
        try {
          record = JSON.parse(cut.bytes.toString('utf8'));
        } catch (err) {
          return { ops, problems, failure: { error: invalidRecord(cut.lineNo, parseReason(err), cut.at, size), recordsRead: cut.lineNo - 1 } };
        }
      }
      const outcome = outcomeOf(record, cut.lineNo, size);
      if ('op' in outcome) ops.push(outcome.op);
      else problems.push(outcome.problem);
    }
    return { ops, problems };
  };
}
