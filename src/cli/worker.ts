import { Command, Option } from 'commander';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../observability/logger.js';
import { processObject } from '../pipeline/process-object.js';
import { BulkIndexer } from '../sink/bulk-indexer.js';
import { bulkTransport, createOpenSearchClient } from '../sink/opensearch.js';
import { startWorker } from '../worker/worker.js';
import { awsClients, readOptions } from './context.js';
import { AWS_SETTINGS, OPENSEARCH_SETTINGS, READ_SETTINGS, settingFlags, settingOptions } from './options.js';

const SETTINGS = [
  'queueUrl', ...AWS_SETTINGS, ...OPENSEARCH_SETTINGS, ...READ_SETTINGS,
  'pollers', 'batchSize', 'waitTimeSeconds', 'visibilityTimeout', 'heartbeatInterval', 'shutdownGraceSeconds',
  'bulkMaxBytes', 'bulkMaxDocs', 'bulkConcurrency',
] as const;

/** `worker`: long-poll the queue and index every object its messages name, until stopped. */
export function workerCommand(): Command {
  const command = new Command('worker')
    .description('poll the SQS queue and index the objects its notifications name')
    .addOption(new Option('--until-empty', 'stop once the queue is empty (no visible and no in-flight message), then print totals'));
  settingOptions(command, SETTINGS);
  return command.action(async (opts) => {
    const config = loadConfig(process.env, settingFlags(opts, SETTINGS));
    if (!config.queueUrl) throw new Error('QUEUE_URL (or --queue-url) is required for the worker');
    const logger = createLogger(config.logLevel);
    const { s3, sqs } = awsClients(config);
    const read = await readOptions(config);
    const indexer = new BulkIndexer(bulkTransport(createOpenSearchClient(config, logger)), {
      maxBytes: config.bulkMaxBytes, maxDocs: config.bulkMaxDocs, concurrency: config.bulkConcurrency,
      onRetry: (info) => logger.warn(info, 'bulk request retried'),
    });
    const started = Date.now();
    const worker = startWorker({
      config: { ...config, queueUrl: config.queueUrl }, sqs, logger, untilEmpty: Boolean(opts.untilEmpty),
      processObject: (ref) => processObject(ref, { s3, sink: indexer, read, logger }),
    });
    const onSignal = (signal: string) => {
      logger.info({ signal }, 'stopping: no new messages; finishing those in flight');
      worker.stop();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    await worker.stopped;
    await indexer.flush();
    indexer.close();
    const seconds = (Date.now() - started) / 1000;
    logger.info({ ...worker.stats, seconds }, 'worker stopped');
    if (opts.untilEmpty) process.stdout.write(`${JSON.stringify({ ...worker.stats, seconds })}\n`);
  });
}
