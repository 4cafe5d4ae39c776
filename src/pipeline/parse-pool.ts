/**
 * Parses flow-log lines, CloudTrail records and CloudWatch Logs events on worker threads, so that
 * a worker process uses every vCPU of its task: the main thread streams, decompresses, splits lines
 * (cuts records out of a CloudTrail body, parses the envelopes of a subscription object) and sends
 * `_bulk` requests, the threads turn batches of them into documents
 * and ids (the costly part). Batches come back in order; the
 * caller's pace bounds how many are in flight (a window of two per thread), so a slow sink slows
 * reading instead of piling batches up. A thread that fails or dies fails the batches it held,
 * and with them their objects (retryable), never the process; a new thread takes its place.
 *
 * A {@link Placement} may keep tasks on the main thread instead (parse-placement.ts: the worker
 * and `reprocess` send them to threads only while the main thread is busy; `parse` sends them
 * all); they are parsed there by the same reader the threads run, and take their turn in the same
 * order.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { SharedEnrichment } from '../enrich/geoip.js';
import { CountedLease, type ByteLease } from '../core/types.js';
import { batchReader, type BatchParser } from '../formats/vpc-flow/reader.js';
import { cutRecordsReader, CLOUDTRAIL_BATCH_RECORDS, type CloudTrailParser } from '../formats/cloudtrail/reader.js';
import { isOverlong, type LineItem } from '../source/lines.js';
import { ON_THREADS, type Placement } from './parse-placement.js';
import { cwlItemsReader, type CwlEventItem, type CwlParser } from '../formats/cwl/events.js';
import { movedBuffers, packEvents, packLines, packRecordCuts, unpackBatch, type PackedBatch, type ParsedBatch, type ParseJob, type ParseTask, type ThreadAnswer } from './parse-wire.js';

interface Pending {
  readonly resolve: (batch: ParsedBatch) => void;
  readonly reject: (err: Error) => void;
}
interface Thread {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

/** Lines per task sent to a thread (what one `_bulk` request of the default 1000 documents holds). */
const LINES_PER_TASK = 1000;
/** Batches in flight per thread: one parsed while the next waits, so no thread idles between them. */
const WINDOW_PER_THREAD = 2;
/**
 * Each thread's young generation (V8's default gives a thread 32 MB of new space, as the main
 * thread has): a thread's garbage is short-lived, so a smaller one costs little CPU and keeps
 * `parse` of a 75 MB object with 2 threads under 256 MB (BENCHMARKS.md).
 */
const THREAD_YOUNG_GENERATION_MB = 16;
/** The thread's script next to the module at `moduleUrl`: compiled, parse-thread.js; run from source (tests, bench), parse-thread.ts. */
export function threadEntry(moduleUrl: string): URL {
  return new URL(`./parse-thread${moduleUrl.endsWith('.ts') ? '.ts' : '.js'}`, moduleUrl);
}
const THREAD_ENTRY = threadEntry(import.meta.url);

export interface ParsePoolOptions {
  /** The thread's script; tests give one that fails. */
  readonly entry?: URL;
  /** Where each task is parsed; by default every task goes to a thread. */
  readonly placement?: Placement;
}

/** Answer buffers kept to send back to the threads: one goes with each task. */
const SPARE_ANSWERS = 8;

/** A parsed task in the window: its batch when the main thread parsed it, else the thread's answer to come. */
type InWindow = ParsedBatch | Promise<ParsedBatch>;

/** Bytes of a task's items: what the placement weighs (a CloudTrail record costs more than a flow line, and is longer). */
function bytesOf(items: readonly LineItem[]): number {
  let bytes = 0;
  for (const item of items) bytes += isOverlong(item) ? 0 : item.bytes.length;
  return bytes;
}

/** Characters of a task's events' messages: their weight for the placement, as near their bytes as flow records (ASCII) go. */
function messageChars(items: readonly CwlEventItem[]): number {
  let chars = 0;
  for (const item of items) chars += item.event.message.length;
  return chars;
}

/** A pool of parse threads; `parse` is the {@link BatchParser} to give the readers. */
export class ParsePool {
  readonly #threads: Thread[] = [];
  readonly #enrichment: SharedEnrichment;
  readonly #entry: URL;
  readonly #placement: Placement;
  /** Answer buffers whose operations were all released, to go back to a thread with its next task (parse-task.ts's AnswerBuffers). */
  readonly #spare: ArrayBuffer[] = [];
  #nextId = 0;
  #closed = false;

  /** @param enrichment the databases as the main thread opened them (`openEnrichment`), shared with the threads */
  constructor(readonly size: number, enrichment: SharedEnrichment, options: ParsePoolOptions = {}) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`parse threads must be a positive integer, got ${size}`);
    this.#enrichment = enrichment;
    this.#entry = options.entry ?? THREAD_ENTRY;
    this.#placement = options.placement ?? ON_THREADS;
  }

  /** Parses an object's batches of lines on the threads, yielding their operations in order. */
  readonly parse: BatchParser = (format, ctx, batches) => {
    const job: ParseJob = {
      kind: 'flow', ref: { bucket: ctx.ref.bucket, key: ctx.ref.key, time: ctx.ref.time }, indexPrefix: ctx.indexPrefix,
      dropStatusRecords: ctx.dropStatusRecords, fields: format.fields,
    };
    return this.#ordered(job, this.#here(() => batchReader(format, ctx), bytesOf), batches, LINES_PER_TASK, packLines, bytesOf);
  };

  /** Parses a CloudTrail object's records, cut out of its body, on the threads, yielding their operations in order. */
  readonly parseCloudTrail: CloudTrailParser = (ctx, records) => {
    const job: ParseJob = { kind: 'cloudtrail', indexPrefix: ctx.indexPrefix, maxBlobBytes: ctx.maxBlobBytes, maxRecordBytes: ctx.maxRecordBytes };
    return this.#ordered(job, this.#here(() => cutRecordsReader(ctx), bytesOf), records, CLOUDTRAIL_BATCH_RECORDS, packRecordCuts, bytesOf);
  };

  /** Parses an object's CloudWatch Logs events on the threads, yielding their operations in order. */
  readonly parseCwl: CwlParser = (ctx, items) => {
    const job: ParseJob = { kind: 'cwl', indexPrefix: ctx.indexPrefix, dropStatusRecords: ctx.dropStatusRecords };
    return this.#ordered(job, this.#here(() => cwlItemsReader(ctx), messageChars), items, LINES_PER_TASK, packEvents, messageChars);
  };

  /**
   * The main thread's parser of an object's tasks: the threads' reader, made at its first task, its
   * cost told to the placement, which weighs a task by `weigh`.
   */
  #here<T>(reader: () => (items: T[]) => ParsedBatch, weigh: (items: readonly T[]) => number): (items: T[]) => ParsedBatch {
    let read: ((items: T[]) => ParsedBatch) | undefined;
    return (items) => {
      read ??= reader();
      const start = performance.now();
      const batch = read(items);
      this.#placement.parsedHere(weigh(items), performance.now() - start);
      return batch;
    };
  }

  /**
   * Sends an object's items to the threads (or parses them here) in tasks of at least `perTask`,
   * packed by `pack` and weighed for the placement by `weigh`, and yields their batches in order. A
   * batch with a failure is the last the reader takes: it stops reading, and the batches after it
   * are never awaited.
   */
  async *#ordered<T>(
    job: ParseJob,
    here: (items: T[]) => ParsedBatch,
    batches: AsyncIterable<T[]>,
    perTask: number,
    pack: (id: number, job: ParseJob, items: T[]) => ParseTask,
    weigh: (items: readonly T[]) => number,
  ): AsyncGenerator<ParsedBatch> {
    const window: InWindow[] = [];
    const limit = this.size * WINDOW_PER_THREAD;
    const send = (items: T[]) => {
      let parsed: InWindow;
      if (this.#placement.onThread(weigh(items))) {
        parsed = this.#run(pack, job, items);
      } else {
        try {
          parsed = here(items);
        } catch (error) {
          parsed = Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
      // Awaited in turn below; until then a failure must not count as unhandled.
      if (parsed instanceof Promise) parsed.catch(() => undefined);
      window.push(parsed);
    };
    let gathered: T[] = [];
    let readFailure: { error: unknown } | undefined;
    try {
      for await (const items of batches) {
        // A batch of the splitter is one decompressed chunk (~100 lines): gathered into larger tasks, so that
        // the cost of a message is spread over more lines.
        for (const item of items) gathered.push(item);
        if (gathered.length < perTask) continue;
        send(gathered);
        gathered = [];
        // Batches parsed here go on as soon as every batch before them has.
        while (window.length > 0 && !(window[0] instanceof Promise)) yield window.shift() as ParsedBatch;
        if (window.length >= limit) yield await (window.shift() as InWindow);
      }
    } catch (error) {
      // Reading failed (a truncated gzip): the lines read before it still become documents, as on
      // the main thread, and only then does the object fail.
      readFailure = { error };
    }
    if (gathered.length > 0) send(gathered);
    while (window.length > 0) yield await (window.shift() as InWindow);
    if (readFailure) throw readFailure.error;
  }

  #run<T>(pack: (id: number, job: ParseJob, items: T[]) => ParseTask, job: ParseJob, items: T[]): Promise<ParsedBatch> {
    if (this.#closed) return Promise.reject(new Error('parse threads are closed'));
    // Threads start with the first batch: a process that reads no flow log never pays for them.
    while (this.#threads.length < this.size) this.#threads.push(this.#spawn());
    // Stryker disable next-line UpdateOperator: ids only need to differ from one another; counting down does that too
    const id = this.#nextId++;
    const thread = this.#threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const task: ParseTask = { ...pack(id, job, items), spare: this.#spare.pop() };
    return new Promise<ParsedBatch>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      // Only a thread with work keeps the process alive: an idle pool never holds up an exit.
      thread.worker.ref();
      thread.worker.postMessage(task, movedBuffers(task));
    });
  }

  /**
   * Lends the answer's buffer to its operations: once each was released (the indexer told its
   * outcome, `parse` printed it), the buffer goes back to a thread with a task, to be written again.
   */
  #lend(answer: PackedBatch): ByteLease | undefined {
    const { buffer } = answer.bulk;
    const giveBack = () => {
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: how many are kept, and whether a closed pool keeps any, changes memory only
      if (!this.#closed && this.#spare.length < SPARE_ANSWERS) this.#spare.push(buffer);
    };
    // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty answer's buffer, lent to nothing, would only never come back
    if (answer.ends.length > 0) return new CountedLease(answer.ends.length, giveBack);
    giveBack();
    return undefined;
  }

  #spawn(): Thread {
    // Stryker disable next-line ObjectLiteral: the limit changes the thread's memory only, never what it answers
    const resourceLimits = { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB };
    const options = { workerData: this.#enrichment, resourceLimits };
    const worker = this.#entry.pathname.endsWith('.ts')
      // Run from source, the thread compiles TypeScript as the main thread does (Node 20 threads do not inherit `--import tsx`).
      ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(this.#entry.href)}); })`, { ...options, eval: true })
      : new Worker(this.#entry, options);
    const thread: Thread = { worker, pending: new Map() };
    worker.unref();
    worker.on('online', () => { if (thread.pending.size === 0) worker.unref(); });
    worker.on('message', (answer: ThreadAnswer) => {
      const pending = thread.pending.get(answer.id);
      thread.pending.delete(answer.id);
      if (thread.pending.size === 0) worker.unref();
      if ('error' in answer) pending?.reject(new Error(`parse thread: ${answer.error}`));
      else pending?.resolve(unpackBatch(answer, this.#lend(answer)));
    });
    let failure: Error | undefined;
    worker.on('error', (err) => (failure = err));
    worker.on('exit', (code) => {
      const reason = failure?.message ?? `exited with code ${code}`;
      for (const pending of thread.pending.values()) pending.reject(new Error(`parse thread failed: ${reason}`));
      thread.pending.clear();
      const at = this.#threads.indexOf(thread);
      if (!this.#closed && at >= 0) this.#threads[at] = this.#spawn();
    });
    return thread;
  }

  /** Stops the threads; batches still in them fail. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#threads.map((t) => t.worker.terminate()));
  }
}
