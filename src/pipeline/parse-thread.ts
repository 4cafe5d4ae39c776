/**
 * A parse thread of {@link ParsePool}: turns batches of one object's flow-log lines into `_bulk`
 * operations with the very code the main thread would run (`batchReader`), so ids and documents
 * do not depend on where a batch was parsed. It reads the enrichment databases the main thread
 * opened (their bytes are shared, not copied) and keeps a reader per object it has seen lately.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { messageOf } from '../core/errors.js';
import { enricherFromShared, type SharedEnrichment } from '../enrich/geoip.js';
import type { Enricher } from '../enrich/types.js';
import { formatFromFields, isParseError } from '../formats/vpc-flow/parse.js';
import { batchReader } from '../formats/vpc-flow/reader.js';
import type { LineItem } from '../source/lines.js';
import { packBatch, type ParseJob, type ParseTask, type ThreadAnswer } from './parse-wire.js';

/** Readers kept per object; more objects than this in flight at once only cost a rebuild. */
const READERS = 64;

const port = parentPort;
if (port === null) throw new Error('parse-thread.ts runs as a worker thread only');
const enricher = enricherFromShared(workerData as SharedEnrichment);
const readers = new Map<string, ReturnType<typeof batchReader>>();

function readerFor(job: ParseJob, geo: Enricher): ReturnType<typeof batchReader> {
  const key = JSON.stringify(job);
  let read = readers.get(key);
  if (read === undefined) {
    const format = formatFromFields(job.fields);
    if (isParseError(format)) throw new Error(`format ${job.fields.join(' ')}: ${format.error}`);
    if (readers.size >= READERS) readers.clear();
    read = batchReader(format, { ref: job.ref, enricher: geo, indexPrefix: job.indexPrefix, dropStatusRecords: job.dropStatusRecords });
    readers.set(key, read);
  }
  return read;
}

/** The task's lines as the splitter gave them: views into the one buffer that carried them. */
function linesOf(task: ParseTask): LineItem[] {
  const data = Buffer.from(task.data.buffer, task.data.byteOffset, task.data.byteLength);
  const { spans } = task;
  const items: LineItem[] = new Array<LineItem>(spans.length / 3);
  for (let i = 0, s = 0; s < spans.length; i++, s += 3) {
    const lineNo = spans[s] as number;
    const start = spans[s + 1] as number;
    const end = spans[s + 2] as number;
    items[i] = start < 0 ? { lineNo, overlongBytes: end } : { lineNo, bytes: data.subarray(start, end) };
  }
  return items;
}

function handle(task: ParseTask): void {
  let answer: ThreadAnswer;
  try {
    answer = packBatch(task.id, readerFor(task.job, enricher)(linesOf(task)));
  } catch (err) {
    answer = { id: task.id, error: messageOf(err) };
  }
  port?.postMessage(answer);
}

port.on('message', handle);
