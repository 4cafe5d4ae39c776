import { Command, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { ConfigError, loadConfig, shownValue } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { awsClients } from '../context.js';
import type { S3ObjectRef } from '../core/types.js';
import { ProgressLine, countListed, newProgressCounts, progressLine, type ProgressCounts } from '../observability/progress.js';
import { createLogger } from '../observability/logger.js';
import { assemblePipeline } from '../pipeline/assemble.js';
import { isAcknowledged, type ObjectOutcome } from '../pipeline/process-object.js';
import { enqueueAll, processAll, untilAborted } from '../pipeline/reprocess.js';
import { ResumePoint } from '../pipeline/resume.js';
import { parseDuration, parseWhen } from '../query/when.js';
import type { KeySelection } from '../source/key-time.js';
import { listByKeyTime, parseS3Uri } from '../source/s3.js';
import { addOutcome, newStats } from '../worker/stats.js';
import { createOpenSearchClient, requireOpenSearch } from '../sink/opensearch.js';
import { AWS_SETTINGS, OPENSEARCH_SETTINGS, READ_SETTINGS, intOption, settingFlags, settingOptions } from './options.js';

const SETTINGS = ['queueUrl', ...AWS_SETTINGS, ...OPENSEARCH_SETTINGS, ...READ_SETTINGS, 'bulkMaxBytes', 'bulkMaxDocs', 'bulkConcurrency', 'deadLetterIndex'] as const;

/** Exit code after SIGINT/SIGTERM stopped a backfill early (128 + SIGINT), as shells report it. */
const EXIT_INTERRUPTED = 130;

/** `reprocess`: index every object under an S3 prefix again, here or through the queue; steerable and resumable. */
export function reprocessCommand(): Command {
  const command = new Command('reprocess')
    .description(COMMANDS.reprocess.description)
    .argument('<s3-uri>', 's3://bucket/prefix: every object under it (s3://bucket/ for the whole bucket)')
    .addOption(new Option('--enqueue', 'send one S3 event per object to QUEUE_URL, so that all workers share the work; without it this process reads and indexes every object').default(false))
    .addOption(new Option('--concurrency <n>', 'objects read at once without --enqueue (1–256)').default('4'))
    .addOption(new Option('--since <time>', 'only objects whose key time is from then on (ISO-8601, UTC unless an offset is given, or a time ago: 2h, 7d; default: no lower bound)'))
    .addOption(new Option('--until <time>', 'only objects whose key time is before then (default: no upper bound)'))
    .addOption(new Option('--key-lag <duration>', 'widen --since/--until by this much: a key carries its delivery time, later than its records').default('15m'))
    .addOption(new Option('--start-after <key>', 'skip every key up to and including this one (the key an interrupted run printed; default: from the first key)'));
  settingOptions(command, SETTINGS);
  return command.action(async (uri: string, opts) => {
    const config = loadConfig(process.env, settingFlags(opts, SETTINGS));
    const target = parseS3Uri(uri);
    if (!target) throw new ConfigError(`argument ${shownValue(uri)}: an s3://bucket/prefix URI expected`);
    const concurrency = intOption('--concurrency', opts.concurrency, 1, 256);
    if (opts.enqueue && !config.queueUrl) throw new ConfigError('--enqueue needs QUEUE_URL (or --queue-url)');
    const range = { ...(opts.since ? { since: parseWhen('--since', opts.since) } : {}), ...(opts.until ? { until: parseWhen('--until', opts.until) } : {}) };
    const skipped: KeySelection = { outOfRange: 0, noTime: 0 };
    const { s3 } = awsClients(config);
    if (!opts.enqueue) await requireOpenSearch(createOpenSearchClient(config), config.opensearchUrl);
    const run = new Backfill(uri, opts.startAfter);
    const listing = listByKeyTime(s3, { bucket: target.bucket, prefix: target.key, range, lagMs: parseDuration('--key-lag', opts.keyLag), startAfter: opts.startAfter, skipped });
    const refs = run.track(listing);
    const totals: Record<string, number> = await run.guard<Record<string, number>>(() => (opts.enqueue ? enqueue(config, refs, run) : indexHere(config, refs, run, concurrency)));
    process.stdout.write(`${JSON.stringify({ ...totals, ...(range.since ?? range.until ? skipped : {}), ...run.resumeField() })}\n`);
    if (run.interrupted) process.exitCode = EXIT_INTERRUPTED;
    else if ((totals['unfinished'] ?? 0) > 0) process.exitCode = 2;
  });
}

/** One backfill's steering: progress on a terminal, stop on a signal, and the key to resume from. */
class Backfill {
  readonly counts: ProgressCounts = newProgressCounts();
  readonly resume: ResumePoint;
  private readonly stop = new AbortController();
  private line: ProgressLine | undefined;
  private stopped = false;
  extra = '';

  constructor(private readonly uri: string, startAfter: string | undefined) {
    this.resume = new ResumePoint(startAfter);
  }

  get interrupted(): boolean {
    return this.stopped;
  }

  /** The listing, cut short by a signal, each key registered in listing order. */
  async *track(listing: AsyncIterable<S3ObjectRef>): AsyncGenerator<S3ObjectRef> {
    for await (const ref of untilAborted(countListed(listing, this.counts), this.stop.signal)) {
      this.resume.started(ref.key);
      yield ref;
    }
  }

  /** Marks an object done (or not) for the progress line and the resume point. */
  done(ref: S3ObjectRef, ok: boolean, records = 0): void {
    this.counts.done += 1;
    this.counts.doneBytes += ref.size ?? 0;
    this.counts.records += records;
    this.resume.finished(ref.key, ok);
  }

  /** Runs the work with the progress line and signal handling; on failure, says where to resume, then fails. */
  async guard<T>(work: () => Promise<T>): Promise<T> {
    const onSignal = () => {
      if (this.stopped) process.exit(EXIT_INTERRUPTED);
      this.stopped = true;
      this.stop.abort();
      process.stderr.write('\nstopping: no new objects; finishing those in work (again to stop at once)\n');
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
    this.line = new ProgressLine(process.stderr, (ms) => progressLine(this.counts, ms, this.extra)).start();
    try {
      const result = await work();
      this.line.stop();
      if (this.stopped) this.sayResume('interrupted');
      return result;
    } catch (err) {
      this.line.stop();
      this.sayResume('failed');
      throw err;
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    }
  }

  /** `resumeAfter` for the totals, when the run stopped short. */
  resumeField(): { resumeAfter?: string | null } {
    return this.stopped ? { resumeAfter: this.resume.key ?? null } : {};
  }

  /** Tells how to go on from where the run stopped. */
  sayResume(why: string): void {
    const key = this.resume.key;
    process.stderr.write(key === undefined
      ? `reprocess ${why} before any object was finished: run it again as it was\n`
      : `reprocess ${why}: every object up to ${key} is finished; go on with:\n  aws-log-indexer reprocess ${this.uri} --start-after '${key.replace(/'/g, "'\\''")}'\n`);
  }
}

async function enqueue(config: Config, refs: AsyncIterable<S3ObjectRef>, run: Backfill): Promise<{ enqueued: number }> {
  const { sqs } = awsClients(config);
  let sent = 0;
  const enqueued = await enqueueAll(refs, sqs, config.queueUrl as string, (batch) => {
    for (const ref of batch) run.done(ref, true);
    sent += batch.length;
    run.extra = `${sent} sent`;
  });
  return { enqueued };
}

async function indexHere(config: Config, refs: AsyncIterable<S3ObjectRef>, run: Backfill, concurrency: number) {
  const logger = createLogger(config.logLevel);
  const pipeline = await assemblePipeline(config, logger);
  const stats = newStats();
  let unfinished = 0;
  try {
    await processAll(refs, (ref) => pipeline.processObject(ref), concurrency, (outcome: ObjectOutcome) => {
      addOutcome(stats, outcome);
      const ok = isAcknowledged(outcome);
      if (!ok) unfinished += 1;
      run.done(outcome.ref, ok, outcome.status === 'skipped' ? 0 : outcome.counts.lines);
    });
  } finally {
    await pipeline.close();
  }
  if (unfinished > 0 && !run.interrupted) run.sayResume(`left ${unfinished} object(s) unfinished`);
  return { ...stats, unfinished };
}
