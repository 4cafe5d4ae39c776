import { Command, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { createLogger } from '../observability/logger.js';
import { runWorker } from '../worker/runtime.js';
import { AWS_SETTINGS, OPENSEARCH_SETTINGS, READ_SETTINGS, settingFlags, settingOptions } from './options.js';

const SETTINGS = [
  'queueUrl', 'allowedBuckets', ...AWS_SETTINGS, ...OPENSEARCH_SETTINGS, ...READ_SETTINGS,
  'pollers', 'batchSize', 'waitTimeSeconds', 'visibilityTimeout', 'heartbeatInterval', 'shutdownGraceSeconds', 'retryDelaySeconds',
  'bulkMaxBytes', 'bulkMaxDocs', 'bulkConcurrency', 'deadLetterIndex', 'healthPort', 'healthHost',
] as const;

/** `worker`: long-poll the queue and index every object its messages name, until stopped. */
export function workerCommand(): Command {
  const command = new Command('worker')
    .description(COMMANDS.worker.description)
    .addOption(new Option('--until-empty', 'stop once the queue is empty (no visible and no in-flight message), then print totals as JSON; without it the worker runs until SIGTERM/SIGINT').default(false));
  settingOptions(command, SETTINGS);
  return command.action(async (opts) => {
    const config = loadConfig(process.env, settingFlags(opts, SETTINGS));
    const { queueUrl, allowedBuckets } = config;
    if (!queueUrl) throw new ConfigError('QUEUE_URL (or --queue-url) is required for the worker');
    if (!allowedBuckets || allowedBuckets.length === 0) {
      throw new ConfigError('ALLOWED_BUCKETS (or --allowed-buckets) is required: the buckets the worker may read, comma-separated, or * for any');
    }
    const logger = createLogger(config.logLevel);
    // Listening before the start (GeoIP, probes): a task stopped while starting exits 0, not by the signal.
    const stop = new AbortController();
    const onSignal = (signal: string) => {
      logger.info({ signal }, 'stopping: no new messages; finishing those in flight');
      stop.abort();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    const started = Date.now();
    const { worker, finish } = await runWorker({ ...config, queueUrl, allowedBuckets }, logger, { untilEmpty: Boolean(opts.untilEmpty), signal: stop.signal });
    await finish();
    const seconds = (Date.now() - started) / 1000;
    logger.info({ ...worker.stats, seconds }, 'worker stopped');
    if (opts.untilEmpty) process.stdout.write(`${JSON.stringify({ ...worker.stats, seconds })}\n`);
    // A long poll may still be open; nothing is left to do, so do not wait for it.
    process.exit(0);
  });
}
