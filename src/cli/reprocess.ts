import { Command, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { ConfigError, loadConfig, shownValue } from '../config/load.js';
import { awsClients } from '../context.js';
import { createLogger } from '../observability/logger.js';
import { assemblePipeline } from '../pipeline/assemble.js';
import { isAcknowledged } from '../pipeline/process-object.js';
import { enqueueAll, processAll } from '../pipeline/reprocess.js';
import { listObjects, parseS3Uri } from '../source/s3.js';
import { createOpenSearchClient, requireOpenSearch } from '../sink/opensearch.js';
import { addOutcome, newStats } from '../worker/stats.js';
import { AWS_SETTINGS, OPENSEARCH_SETTINGS, READ_SETTINGS, intOption, settingFlags, settingOptions } from './options.js';

const SETTINGS = ['queueUrl', ...AWS_SETTINGS, ...OPENSEARCH_SETTINGS, ...READ_SETTINGS, 'bulkMaxBytes', 'bulkMaxDocs', 'bulkConcurrency', 'deadLetterIndex'] as const;

/** `reprocess`: index every object under an S3 prefix again, here or through the queue. */
export function reprocessCommand(): Command {
  const command = new Command('reprocess')
    .description(COMMANDS.reprocess.description)
    .argument('<s3-uri>', 's3://bucket/prefix: every object under it (s3://bucket/ for the whole bucket)')
    .addOption(new Option('--enqueue', 'send one S3 event per object to QUEUE_URL, so that all workers share the work; without it this process reads and indexes every object').default(false))
    .addOption(new Option('--concurrency <n>', 'objects read at once without --enqueue (1–256)').default('4'));
  settingOptions(command, SETTINGS);
  return command.action(async (uri: string, opts) => {
    const config = loadConfig(process.env, settingFlags(opts, SETTINGS));
    const target = parseS3Uri(uri);
    if (!target) throw new ConfigError(`argument ${shownValue(uri)}: an s3://bucket/prefix URI expected`);
    const concurrency = intOption('--concurrency', opts.concurrency, 1, 256);
    const { s3, sqs } = awsClients(config);
    const refs = listObjects(s3, target.bucket, target.key);
    if (opts.enqueue) {
      if (!config.queueUrl) throw new ConfigError('--enqueue needs QUEUE_URL (or --queue-url)');
      process.stdout.write(`${JSON.stringify({ enqueued: await enqueueAll(refs, sqs, config.queueUrl) })}\n`);
      return;
    }
    await requireOpenSearch(createOpenSearchClient(config), config.opensearchUrl);
    const logger = createLogger(config.logLevel);
    const pipeline = await assemblePipeline(config, logger);
    const stats = newStats();
    let unfinished = 0;
    await processAll(refs, (ref) => pipeline.processObject(ref), concurrency, (outcome) => {
      addOutcome(stats, outcome);
      if (!isAcknowledged(outcome)) unfinished += 1;
    });
    await pipeline.close();
    process.stdout.write(`${JSON.stringify({ ...stats, unfinished })}\n`);
    if (unfinished > 0) process.exitCode = 2;
  });
}
