/**
 * What a parse thread of {@link ParsePool} does, kept apart from the thread's entry
 * (parse-thread.ts) so that it can run on the main thread too (the unit tests do): turns batches
 * of one object's flow-log lines, a CloudTrail object's records or a subscription object's
 * CloudWatch Logs events into `_bulk` operations with the very code the main thread would run
 * (`batchReader`, `cutRecordsReader`, `cwlItemsReader`), so ids and
 * documents do not depend on where a batch was parsed.
 */
import { OpWriter } from '../core/bulk-op.js';
import { messageOf } from '../core/errors.js';
import { enricherFromShared, type SharedEnrichment } from '../enrich/geoip.js';
import type { Enricher } from '../enrich/types.js';
import { formatFromFields, isParseError, type FlowFormat } from '../formats/vpc-flow/parse.js';
import { cwlItemsReader } from '../formats/cwl/events.js';
import { batchReader } from '../formats/vpc-flow/reader.js';
import { cutRecordsReader } from '../formats/cloudtrail/reader.js';
import { packBatch, unpackEvents, unpackLines, unpackRecordCuts, type AnswerMemory, type ParsedBatch, type ParseJob, type ParseTask, type ThreadAnswer } from './parse-wire.js';

/** Readers kept per object; more objects than this in flight at once only cost a rebuild. */
const READERS = 64;
/** Answer buffers a thread keeps for its next answers. */
const SPARE_ANSWERS = 4;
/** An answer buffer's least size: a task of 1000 default-format flow records answers ~840 KB. */
const ANSWER_BUFFER_BYTES = 1024 * 1024;

/**
 * The memory a thread writes its answers into: buffers the main thread sent back once it had
 * released all their operations, else new ones. A new buffer outside V8's heap for every answer
 * (~840 MB a million flow records) made the main thread collect more often (as the operation
 * chunks of core/bulk-op.ts did). A new one is made a power of two of at least
 * {@link ANSWER_BUFFER_BYTES}, so that it fits the next answers too.
 */
export class AnswerBuffers {
  readonly #spare: ArrayBuffer[] = [];

  /** A buffer the main thread is done with. */
  give(buffer: ArrayBuffer): void {
    if (this.#spare.length < SPARE_ANSWERS) this.#spare.push(buffer);
  }

  /** `bytes` at the start of a kept buffer that holds them (smaller ones are dropped), else of a new one. */
  readonly take: AnswerMemory = (bytes) => {
    for (let buffer = this.#spare.pop(); buffer !== undefined; buffer = this.#spare.pop()) {
      if (buffer.byteLength >= bytes) return new Uint8Array(buffer, 0, bytes);
    }
    let size = ANSWER_BUFFER_BYTES;
    while (size < bytes) size *= 2;
    return new Uint8Array(new ArrayBuffer(size), 0, bytes);
  };
}

/** The side of a message port a parse thread uses: tasks come in, answers go out. */
export interface TaskPort {
  on(event: 'message', listener: (task: ParseTask) => void): unknown;
  postMessage(answer: ThreadAnswer, transfer: ArrayBuffer[]): void;
}

/**
 * Answers every task that reaches `port`. It reads the enrichment databases the main thread opened
 * (their bytes are shared, not copied). `port` is null outside a worker thread.
 */
export function serveParseTasks(port: TaskPort | null, enrichment: SharedEnrichment): void {
  if (port === null) throw new Error('parse-thread.ts runs as a worker thread only');
  const buffers = new AnswerBuffers();
  const parse = taskParser(enricherFromShared(enrichment), buffers.take);
  port.on('message', (task) => {
    if (task.spare !== undefined) buffers.give(task.spare);
    const answer = parse(task);
    port.postMessage(answer, 'bulk' in answer ? [answer.bulk.buffer] : []);
  });
}

/** What a thread runs on one task: the per-line (or per-record) work of its object. */
type TaskReader = (task: ParseTask) => ParsedBatch;

/**
 * Parses tasks into packed batches, written into `memory`, or an error answer naming what failed;
 * never throws. It keeps a reader per object it has seen lately.
 */
export function taskParser(enricher: Enricher, memory?: AnswerMemory): (task: ParseTask) => ThreadAnswer {
  const readers = new Map<string, TaskReader>();
  // Every reader writes into the one writer, rewound once packBatch has copied a batch's bytes into its answer.
  const opWriter = new OpWriter({ rewinds: true });
  const newReader = (key: string, job: ParseJob): TaskReader => {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: when the cache empties changes only how often a reader is rebuilt, never what it reads
    if (readers.size >= READERS) readers.clear();
    const read = readerOf(job, enricher, opWriter);
    readers.set(key, read);
    return read;
  };
  const readerFor = (job: ParseJob): TaskReader => {
    const key = JSON.stringify(job);
    return readers.get(key) ?? newReader(key, job);
  };
  return (task) => {
    let answer: ThreadAnswer;
    try {
      answer = packBatch(task.id, readerFor(task.job)(task), memory);
    } catch (err) {
      answer = { id: task.id, error: messageOf(err) };
    }
    // The answer holds a copy: the next task's operations are written over these.
    opWriter.rewind();
    return answer;
  };
}

/** The format of `fields`, as the main thread made it from them. */
function flowFormat(fields: readonly string[]): FlowFormat {
  const format = formatFromFields(fields);
  if (isParseError(format)) throw new Error(`format ${fields.join(' ')}: ${format.error}`);
  return format;
}

/** The reader of a job's tasks: a flow-log object's lines, a CloudTrail object's records, or CloudWatch Logs events. */
function readerOf(job: ParseJob, enricher: Enricher, opWriter: OpWriter): TaskReader {
  if (job.kind === 'cloudtrail') {
    const read = cutRecordsReader({ enricher, indexPrefix: job.indexPrefix, maxBlobBytes: job.maxBlobBytes, maxRecordBytes: job.maxRecordBytes }, opWriter);
    return (task) => read(unpackRecordCuts(task));
  }
  if (job.kind === 'cwl') {
    const read = cwlItemsReader({ enricher, indexPrefix: job.indexPrefix, dropStatusRecords: job.dropStatusRecords }, opWriter);
    const formats = new Map<string, FlowFormat>();
    const formatOf = (fields: readonly string[]): FlowFormat => {
      // Stryker disable next-line StringLiteral: names hold no space; nor do two lists of AWS's names join alike without one
      const key = fields.join(' ');
      const known = formats.get(key) ?? flowFormat(fields);
      formats.set(key, known);
      return known;
    };
    return (task) => read(unpackEvents(task, formatOf));
  }
  const format = flowFormat(job.fields);
  // Stryker disable next-line ObjectLiteral: a reader with a writer of its own gives the same answers in more memory
  const read = batchReader(format, { ref: job.ref, enricher, indexPrefix: job.indexPrefix, dropStatusRecords: job.dropStatusRecords }, { opWriter });
  return (task) => read(unpackLines(task));
}
