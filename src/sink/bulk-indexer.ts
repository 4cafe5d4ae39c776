/**
 * Batches create operations from many concurrent producers into `_bulk` requests, retries what can
 * be retried, and reports every operation's fate exactly once.
 */
import { Buffer } from 'node:buffer';
import { withoutId } from '../core/bulk-op.js';
import { messageOf } from '../core/errors.js';
import { ItemStatus, releaseOp, type EncodedOp, type IndexOp, type ItemOutcome } from '../core/types.js';
import { backoffDelay, sleep, type BackoffOptions } from '../core/backoff.js';
import { BodyPool, bodyBytes, encodedOp } from './bulk-body.js';
import { classifyBulkResponse, classifyTransportError, ItemVerdictStatus, RequestVerdictKind } from './bulk-result.js';
import type { BulkHttpResponse, RequestVerdict } from './bulk-result.js';

export type { BulkHttpResponse } from './bulk-result.js';

/**
 * Sends one NDJSON body to `POST /_bulk`. Resolves with any HTTP answer, error statuses included;
 * throws only when there is no answer (connection refused or reset, timeout). It must not retry by
 * itself: the indexer owns retries, and only it knows which items to resend. The body is lent: the
 * indexer writes another request into the same memory once the promise has settled, so the
 * transport must not read it after that (the OpenSearch client has sent it, or given up on the
 * request, by the time it answers).
 */
export type BulkTransport = (body: Buffer) => Promise<BulkHttpResponse>;

/**
 * Receives one operation's final outcome, with the operation. Called exactly once per added
 * operation, so one callback may serve every operation of a producer: the indexer holds the
 * operations it has not answered yet, and a callback made per operation would be one more object
 * each to hold (and for the collector to copy) while OpenSearch answers. The operation is released
 * when the callback returns (`EncodedOp.release`): read what is needed of it (its id, its JSON) then.
 */
export type OutcomeCallback = (outcome: ItemOutcome, op: IndexOp) => void;

/** Defaults, sized for OpenSearch's advice of 5–15 MiB bulk bodies. */
export const BULK_DEFAULTS = {
  maxBytes: 5 * 1024 * 1024, maxDocs: 1000, concurrency: 2, flushIntervalMs: 1000, maxRetries: 8,
  backoff: { baseMs: 200, maxMs: 30_000 },
} as const;

/** What a retry resends: the whole body (no answer, 429/5xx on the request) or only the 429/5xx items. */
export const RetryScope = { request: 'request', items: 'items' } as const;
export type RetryScope = (typeof RetryScope)[keyof typeof RetryScope];

/** Told to `onRetry` before each pause. */
export interface RetryInfo {
  /** 1 for the first retry of a batch. */
  readonly attempt: number;
  readonly delayMs: number;
  /** Operations about to be resent, and the first one's error. */
  readonly docs: number;
  readonly scope: RetryScope;
  readonly error: string;
}

export interface BulkIndexerOptions {
  /** Body size limit in bytes; one larger operation is sent alone. */
  readonly maxBytes?: number;
  readonly maxDocs?: number;
  /** Batches being delivered at once, pauses between their retries included. */
  readonly concurrency?: number;
  /** A partial batch is sent at the latest this long after its first operation arrived. */
  readonly flushIntervalMs?: number;
  /** Resends per batch after its first request. */
  readonly maxRetries?: number;
  readonly backoff?: BackoffOptions;
  readonly onRetry?: (info: RetryInfo) => void;
  /** Told each `rejected` outcome before the operation's own callback. */
  readonly onRejected?: (outcome: ItemOutcome) => void;
  /** Aborting fails everything not yet answered at once (see {@link BulkIndexer}). */
  readonly signal?: AbortSignal;
  /**
   * False leaves `_id` out of every operation, for OpenSearch to choose one
   * (OPENSEARCH_DOCUMENT_IDS=false: Serverless time-series collections refuse custom ids).
   */
  readonly documentIds?: boolean;
  /** Tests only: the jitter source. */
  readonly random?: () => number;
}

/**
 * Running totals since construction: one per final item status, plus `requests` (resends and 413
 * halves included), `retries` (resends after a pause) and `bytesSent` (body bytes, resends included).
 */
export type BulkIndexerStats = Record<ItemStatus | 'requests' | 'retries' | 'bytesSent', number>;

/**
 * Operations, encoded (their `bulk` bytes are the body's lines, so a body is one concatenation)
 * and as given, and their callbacks, side by side; once settled, both forms are released.
 */
interface Batch { readonly encoded: EncodedOp[]; readonly ops: IndexOp[]; readonly callbacks: OutcomeCallback[]; bytes: number }
/** Operations still to resend, each with its latest error. */
interface Retry { readonly batch: Batch; readonly errors: string[] }
interface Deferred { readonly promise: Promise<void>; readonly resolve: () => void }
/** A sealed batch, and what `flush` waits on until it is answered. */
interface Job { readonly batch: Batch; readonly done: Deferred }
type Hooks = 'onRetry' | 'onRejected' | 'signal';
type Settings = Required<Omit<BulkIndexerOptions, Hooks>> & Pick<BulkIndexerOptions, Hooks>;

const ABORTED = 'bulk indexer aborted';
const newBatch = (): Batch => ({ encoded: [], ops: [], callbacks: [], bytes: 0 });
/** A callback or hook that throws is a bug of the caller: surface it without breaking bookkeeping. */
const rethrowLater = (err: unknown): void => queueMicrotask(() => { throw err; });

/**
 * A shared `_bulk` indexer.
 *
 * Memory is bounded by the `concurrency` batches in delivery, the full batch waiting for a slot
 * and the batch being filled (plus one op per producer that adds while waiting): `add` resolves only
 * while no full batch is waiting. A batch keeps its slot through its backoff pauses, so a throttled
 * cluster slows producers down instead of piling batches up.
 *
 * `close()` sends what is buffered and waits for it. Aborting `options.signal` instead fails at
 * once, as `failed`, everything buffered or pausing before a retry; requests already on the wire
 * still report their answers. Any `add` after either fails its operation with `failed`.
 */
export class BulkIndexer {
  private readonly settings: Settings;
  /** One body per delivery slot at most is on the wire at a time. */
  private readonly bodies: BodyPool;
  private pending: Batch = newBatch();
  private queue: Job[] = [];
  private readonly unfinished = new Set<Promise<void>>();
  private active = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Producers that said they will add (see {@link producing}). */
  private producers = 0;
  /** The last producer has ended: the partial batch, if any, goes as soon as a slot is free. */
  private sendWhenFree = false;
  private space: Deferred | undefined;
  private closedReason: string | undefined;
  private readonly counters: BulkIndexerStats = {
    requests: 0, retries: 0, created: 0, exists: 0, rejected: 0, failed: 0, bytesSent: 0,
  };

  /** @throws RangeError on a limit that is not a positive integer (maxRetries and flushIntervalMs may be 0). */
  constructor(
    private readonly transport: BulkTransport,
    options: BulkIndexerOptions = {},
  ) {
    this.settings = resolveOptions(options);
    this.bodies = new BodyPool(this.settings.maxBytes, this.settings.concurrency);
    const { signal } = this.settings;
    if (signal?.aborted) this.abort();
    else signal?.addEventListener('abort', this.abort, { once: true });
  }

  /** A copy of the running totals. */
  get stats(): BulkIndexerStats {
    return { ...this.counters };
  }

  /**
   * Encodes `op` once and buffers it; `onOutcome` gets its fate later. What it returns is the
   * back-pressure: undefined when the caller may add more at once, else a promise that resolves
   * when it may (no promise when there is nothing to wait for: a producer adding a million
   * documents need not await a million of them). Never rejects: a document that cannot be
   * serialised is `rejected`, an add after close or abort is `failed`.
   */
  add(op: IndexOp, onOutcome: OutcomeCallback): Promise<void> | undefined {
    if (this.closedReason !== undefined) {
      this.settle(onOutcome, { status: ItemStatus.failed, error: `${this.closedReason}: document not sent` }, op);
      return undefined;
    }
    let encoded: EncodedOp;
    try {
      encoded = encodedOp(this.settings.documentIds ? op : withoutId(op));
    } catch (err) {
      this.settle(onOutcome, { status: ItemStatus.rejected, error: `cannot serialise document: ${messageOf(err)}` }, op);
      return undefined;
    }
    const bytes = encoded.byteLength;
    if (this.pending.encoded.length > 0 && this.pending.bytes + bytes > this.settings.maxBytes) this.seal();
    this.append(encoded, op, bytes, onOutcome);
    return this.queue.length === 0 ? undefined : this.spaceFreed();
  }

  /**
   * A producer (an object being read) says it will add operations, and calls the function returned
   * once it has added its last (again: nothing). When the last producer ends, nothing more is
   * coming to fill the partial batch: it goes at once if a request slot is free, else as soon as
   * one frees, instead of at its timer. Producers that never say so leave the timer to send it.
   */
  producing(): () => void {
    this.producers += 1;
    this.sendWhenFree = false;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.producers -= 1;
      if (this.producers > 0) return;
      this.sendWhenFree = true;
      this.sendIfFree();
    };
  }

  /** Seals the partial batch for {@link producing} once a request slot is free. */
  private sendIfFree(): void {
    // Stryker disable next-line ConditionalExpression: pump() leaves no batch queued while a slot is free, so the slot test answers alike; the queue's is the reason said
    if (!this.sendWhenFree || this.queue.length > 0 || this.active >= this.settings.concurrency) return;
    this.sendWhenFree = false;
    if (this.pending.encoded.length > 0) this.seal();
  }

  /** Sends the partial batch now; resolves once every batch sent so far is fully answered. */
  async flush(): Promise<void> {
    if (this.pending.encoded.length > 0) this.seal();
    if (this.unfinished.size > 0) await Promise.all([...this.unfinished]);
  }

  /** Refuses further adds, then flushes. No timer or listener is left behind. */
  async close(): Promise<void> {
    this.closedReason ??= 'bulk indexer closed';
    await this.flush();
    this.settings.signal?.removeEventListener('abort', this.abort);
  }

  private append(encoded: EncodedOp, op: IndexOp, bytes: number, onOutcome: OutcomeCallback): void {
    const batch = this.pending;
    batch.encoded.push(encoded);
    batch.ops.push(op);
    batch.callbacks.push(onOutcome);
    batch.bytes += bytes;
    const { maxDocs, maxBytes, flushIntervalMs } = this.settings;
    if (batch.encoded.length >= maxDocs || batch.bytes >= maxBytes) this.seal();
    else if (batch.encoded.length === 1) this.timer = setTimeout(this.linger, flushIntervalMs);
  }

  /**
   * The batch timer: a batch's age, not idle time, so a slow trickle still leaves within the
   * interval. It runs only while the batch it was set for is pending: seal and abort clear it.
   */
  private readonly linger = (): void => {
    this.timer = undefined;
    this.seal();
  };

  /** Moves the batch being filled to the delivery queue. */
  private seal(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = newBatch();
    const done = deferred();
    this.unfinished.add(done.promise);
    this.queue.push({ batch, done });
    this.pump();
  }

  /** Starts queued batches while slots are free; wakes producers once the queue is empty. */
  private pump(): void {
    while (this.active < this.settings.concurrency) {
      const job = this.queue.shift();
      if (job === undefined) break;
      this.active += 1;
      void this.deliver(job.batch)
        .catch(rethrowLater)
        .finally(() => {
          this.active -= 1;
          this.finish(job);
          this.pump();
          this.sendIfFree();
        });
    }
    if (this.queue.length === 0 && this.space !== undefined) {
      this.space.resolve();
      this.space = undefined;
    }
  }

  private spaceFreed(): Promise<void> {
    this.space ??= deferred();
    return this.space.promise;
  }

  private finish(job: Job): void {
    this.unfinished.delete(job.done.promise);
    job.done.resolve();
  }

  /** Sends a batch until every operation in it has an outcome. Never rejects. */
  private async deliver(batch: Batch): Promise<void> {
    // A 413 half or a retry may come after an abort: no new request then.
    if (this.settings.signal?.aborted) return this.failAll(batch, ItemStatus.failed, `${ABORTED} before sending`);
    let work = batch;
    for (let attempt = 1; ; attempt += 1) {
      const verdict = await this.send(work);
      if (verdict.kind === RequestVerdictKind.split) return this.split(work, verdict.error);
      const retry = this.settleVerdict(work, verdict);
      if (retry === undefined) return;
      const { maxRetries } = this.settings;
      if (attempt > maxRetries) return this.failRetry(retry, `gave up after ${maxRetries} retries`);
      const scope = verdict.kind === RequestVerdictKind.items ? RetryScope.items : RetryScope.request;
      if (!(await this.pause(attempt, retry, scope))) return this.failRetry(retry, `gave up: ${ABORTED}`);
      work = retry.batch;
    }
  }

  private async send(work: Batch): Promise<RequestVerdict> {
    this.counters.requests += 1;
    this.counters.bytesSent += work.bytes;
    let response: BulkHttpResponse;
    const body = this.bodies.join(work.encoded);
    try {
      response = await this.transport(body);
    } catch (err) {
      return classifyTransportError(err);
    } finally {
      this.bodies.release(body);
    }
    return classifyBulkResponse(response, work.encoded.length);
  }

  /** Reports final outcomes; returns what is left to resend, if anything. */
  private settleVerdict(work: Batch, verdict: RequestVerdict): Retry | undefined {
    if (verdict.kind === RequestVerdictKind.items) {
      const again = newBatch();
      const errors: string[] = [];
      // classifyBulkResponse guarantees one verdict per line, in order.
      verdict.items.forEach((item, i) => {
        const callback = work.callbacks[i] as OutcomeCallback;
        const op = work.ops[i] as IndexOp;
        if (item.status !== ItemVerdictStatus.retry) return this.settle(callback, item, op, work.encoded[i]);
        again.encoded.push(work.encoded[i] as EncodedOp);
        again.ops.push(op);
        again.callbacks.push(callback);
        errors.push(item.error);
      });
      if (again.encoded.length === 0) return undefined;
      again.bytes = bodyBytes(again.encoded);
      return { batch: again, errors };
    }
    if (verdict.kind === RequestVerdictKind.retry) return { batch: work, errors: work.encoded.map(() => verdict.error) };
    this.failAll(work, ItemStatus.failed, verdict.error);
    return undefined;
  }

  /**
   * 413: the cluster refuses the size, not the load, so waiting cannot help but halving can. One
   * operation that is still too large can never be sent: rejected.
   */
  private async split(work: Batch, error: string): Promise<void> {
    const count = work.encoded.length;
    if (count === 1) return this.failAll(work, ItemStatus.rejected, `${error}; a single document of ${work.bytes} bytes`);
    const middle = Math.ceil(count / 2);
    for (const [from, to] of [[0, middle], [middle, count]] as const) {
      const encoded = work.encoded.slice(from, to);
      await this.deliver({ encoded, ops: work.ops.slice(from, to), callbacks: work.callbacks.slice(from, to), bytes: bodyBytes(encoded) });
    }
  }

  /** Waits before a retry; false when aborted meanwhile. */
  private async pause(attempt: number, retry: Retry, scope: RetryScope): Promise<boolean> {
    const { backoff, random, onRetry, signal } = this.settings;
    const delayMs = backoffDelay(attempt, backoff, random);
    this.counters.retries += 1;
    try {
      onRetry?.({ attempt, delayMs, docs: retry.batch.encoded.length, scope, error: retry.errors[0] ?? '' });
    } catch (err) {
      rethrowLater(err);
    }
    // Only an abort rejects the sleep; the signal says so below either way.
    await sleep(delayMs, signal).catch(() => undefined);
    return signal?.aborted !== true;
  }

  private failRetry(retry: Retry, why: string): void {
    retry.batch.callbacks.forEach((callback, i) => {
      this.settle(callback, { status: ItemStatus.failed, error: `${retry.errors[i] ?? 'unknown error'} (${why})` }, retry.batch.ops[i] as IndexOp, retry.batch.encoded[i]);
    });
  }

  private failAll(batch: Batch, status: typeof ItemStatus.failed | typeof ItemStatus.rejected, error: string): void {
    const outcome: ItemOutcome = { status, error };
    batch.callbacks.forEach((callback, i) => this.settle(callback, outcome, batch.ops[i] as IndexOp, batch.encoded[i]));
  }

  /** Tells an operation's outcome, then releases it and its encoded form: nothing here reads them again. */
  private settle(callback: OutcomeCallback, outcome: ItemOutcome, op: IndexOp, encoded?: EncodedOp): void {
    this.counters[outcome.status] += 1;
    if (outcome.status === ItemStatus.rejected) {
      try {
        this.settings.onRejected?.(outcome);
      } catch (err) {
        rethrowLater(err);
      }
    }
    try {
      callback(outcome, op);
    } catch (err) {
      rethrowLater(err);
    }
    encoded?.release();
    releaseOp(op);
  }

  /** Fails everything not yet on the wire; deliveries in their pauses give up on their own. */
  private readonly abort = (): void => {
    this.closedReason = ABORTED;
    clearTimeout(this.timer);
    this.timer = undefined;
    const jobs = this.queue;
    this.queue = [];
    this.failAll(this.pending, ItemStatus.failed, `${ABORTED} before sending`);
    this.pending = newBatch();
    for (const job of jobs) {
      this.failAll(job.batch, ItemStatus.failed, `${ABORTED} before sending`);
      this.finish(job);
    }
    this.pump(); // wakes producers waiting for space
  };
}

function resolveOptions(options: BulkIndexerOptions): Settings {
  const int = (name: 'maxBytes' | 'maxDocs' | 'concurrency' | 'flushIntervalMs' | 'maxRetries', min: number): number => {
    const value = options[name] ?? BULK_DEFAULTS[name];
    if (!Number.isInteger(value) || value < min) throw new RangeError(`bulk indexer option ${name} must be an integer >= ${min}, got ${value}`);
    return value;
  };
  return {
    maxBytes: int('maxBytes', 1), maxDocs: int('maxDocs', 1), concurrency: int('concurrency', 1),
    flushIntervalMs: int('flushIntervalMs', 0), maxRetries: int('maxRetries', 0),
    backoff: options.backoff ?? BULK_DEFAULTS.backoff, documentIds: options.documentIds ?? true, random: options.random ?? Math.random,
    onRetry: options.onRetry, onRejected: options.onRejected, signal: options.signal,
  };
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}
