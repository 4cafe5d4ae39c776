import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every metric name starts so; Prometheus scrapes many services into one namespace. */
const PREFIX = 'aws_log_indexer_';

/**
 * The running totals the metrics read at scrape time. The worker keeps them anyway
 * (`WorkerStats` has this shape), so the hot path pays nothing for metrics.
 */
export interface Totals {
  readonly messages: number;
  readonly messagesDeleted: number;
  readonly messagesRetried: number;
  readonly messagesReleased: number;
  readonly messagesInvalid: number;
  readonly objects: number;
  readonly objectsSkipped: number;
  readonly objectsFailed: number;
  readonly objectsRefused: number;
  readonly lines: number;
  readonly badLines: number;
  readonly created: number;
  readonly exists: number;
  readonly rejected: number;
  readonly failed: number;
  readonly deadLetters: number;
}

/** What a running worker tells the metrics when scraped. */
export interface WorkerView {
  readonly totals: Totals;
  inFlight(): number;
  inFlightBytes(): number;
  gateOpen(): boolean;
}

/** Bulk round trips: tens of milliseconds on a healthy cluster, tens of seconds when it struggles. */
const BULK_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Message age at receive: seconds when keeping up, hours in a backlog. */
const AGE_SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600, 86_400];

/** A counter whose value is read from the totals when scraped. */
function totalCounter(registry: Registry, name: string, help: string, read: () => number | undefined): void {
  new Counter({
    name: `${PREFIX}${name}`, help, registers: [registry],
    collect() {
      const value = read();
      this.reset();
      if (value !== undefined) this.inc(value);
    },
  });
}

/** A labelled counter whose values are read from the totals when scraped. */
function labelledCounter(registry: Registry, name: string, help: string, label: string, read: () => Record<string, number> | undefined): void {
  new Counter({
    name: `${PREFIX}${name}`, help, labelNames: [label], registers: [registry],
    collect() {
      const values = read();
      this.reset();
      for (const [value, count] of Object.entries(values ?? {})) this.inc({ [label]: value }, count);
    },
  });
}

/**
 * The worker's Prometheus metrics: totals read from the worker's own counters at scrape time, plus
 * what only a hook can see (bulk latency, bytes from S3, message age at receive) and the process's
 * default metrics (CPU, memory, event-loop lag).
 */
export class Metrics {
  readonly registry = new Registry();
  private view: WorkerView | undefined;
  private readonly bulkSeconds: Histogram;
  private readonly s3Bytes: Counter;
  private readonly ageAtReceive: Histogram;

  constructor() {
    const r = this.registry;
    const view = () => this.view;
    const t = () => view()?.totals;
    collectDefaultMetrics({ register: r, prefix: PREFIX });
    totalCounter(r, 'messages_received_total', 'SQS messages received and handled', () => t()?.messages);
    totalCounter(r, 'messages_deleted_total', 'messages deleted: everything they name is indexed or recorded', () => t()?.messagesDeleted);
    totalCounter(r, 'messages_retried_total', 'messages left for redelivery after RETRY_DELAY_SECONDS', () => t()?.messagesRetried);
    totalCounter(r, 'messages_released_total', 'messages handed back unfinished at shutdown (visible again at once)', () => t()?.messagesReleased);
    totalCounter(r, 'messages_invalid_total', 'messages that are no known notification (recorded as dead letters)', () => t()?.messagesInvalid);
    labelledCounter(r, 'objects_total', 'S3 objects by outcome', 'outcome', () => {
      const s = t();
      if (!s) return undefined;
      const indexed = s.objects - s.objectsSkipped - s.objectsFailed;
      return { indexed, skipped: s.objectsSkipped - s.objectsRefused, refused: s.objectsRefused, failed: s.objectsFailed };
    });
    totalCounter(r, 'records_total', 'log records (lines) read', () => t()?.lines);
    totalCounter(r, 'bad_records_total', 'records that could not be parsed (dead-lettered)', () => t()?.badLines);
    labelledCounter(r, 'documents_total', 'documents by final result of their create', 'result', () => {
      const s = t();
      return s && { created: s.created, exists: s.exists, rejected: s.rejected, failed: s.failed };
    });
    totalCounter(r, 'dead_letters_total', 'entries written to the dead-letter store', () => t()?.deadLetters);
    new Gauge({ name: `${PREFIX}messages_in_flight`, help: 'messages received and not yet finished', registers: [r],
      collect() { this.set(view()?.inFlight() ?? 0); } });
    new Gauge({ name: `${PREFIX}bytes_in_flight`, help: 'bytes of objects in work, as MAX_IN_FLIGHT_BYTES counts them', registers: [r],
      collect() { this.set(view()?.inFlightBytes() ?? 0); } });
    new Gauge({ name: `${PREFIX}opensearch_gate_open`, help: '1 while polling may go on, 0 while OpenSearch is away and polling is paused', registers: [r],
      collect() { this.set(view()?.gateOpen() === false ? 0 : 1); } });
    this.bulkSeconds = new Histogram({ name: `${PREFIX}bulk_request_duration_seconds`, help: '_bulk request round trips, retries included', buckets: BULK_SECONDS, registers: [r] });
    this.s3Bytes = new Counter({ name: `${PREFIX}s3_bytes_read_total`, help: 'bytes of S3 objects fetched (GetObject Content-Length)', registers: [r] });
    this.ageAtReceive = new Histogram({
      name: `${PREFIX}message_age_at_receive_seconds`, help: 'age of each message when received (now - SentTimestamp): the lag behind S3', buckets: AGE_SECONDS, registers: [r],
    });
  }

  /** Connects the running worker whose totals, in-flight count and gate the metrics show. */
  watch(view: WorkerView): void {
    this.view = view;
  }

  /** One `_bulk` round trip took this long. */
  readonly bulkRequest = (seconds: number): void => this.bulkSeconds.observe(seconds);
  /** This many bytes came from S3. */
  readonly s3Read = (bytes: number): void => this.s3Bytes.inc(bytes);
  /** A message sent at `sentAtMs` (SQS SentTimestamp) was received now. */
  readonly received = (sentAtMs: number, nowMs = Date.now()): void => this.ageAtReceive.observe(Math.max(0, (nowMs - sentAtMs) / 1000));

  /** The exposition text and its content type, for `/metrics`. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
