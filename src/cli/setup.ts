import { Command, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { createOpenSearchClient } from '../sink/opensearch.js';
import { indexNamesOf, installTemplates } from '../sink/template.js';
import { provision } from '../setup/provision.js';
import { awsClients } from '../context.js';
import { AWS_SETTINGS, OPENSEARCH_SETTINGS, settingFlags, settingOptions } from './options.js';

const SETTINGS = [...AWS_SETTINGS, ...OPENSEARCH_SETTINGS, 'indexPrefix', 'cloudtrailIndexPrefix', 'deadLetterIndex', 'visibilityTimeout'] as const;

/** `setup`: bucket, topic, queue + DLQ, subscription, bucket notification, index template. Idempotent. */
export function setupCommand(): Command {
  const command = new Command('setup')
    .description(COMMANDS.setup.description)
    .addOption(new Option('--bucket <name>', 'S3 bucket the logs arrive in').default('aws-log-indexer-logs'))
    .addOption(new Option('--topic <name>', 'SNS topic for the bucket notifications').default('aws-log-indexer-objects'))
    .addOption(new Option('--queue <name>', 'SQS queue the workers poll').default('aws-log-indexer'))
    .addOption(new Option('--dead-letter-queue <name>', 'SQS dead-letter queue').default('aws-log-indexer-dlq'))
    .addOption(new Option('--max-receive-count <n>', 'receives before a message moves to the dead-letter queue').default('5'))
    .addOption(new Option('--raw-delivery', 'SNS raw message delivery (bare S3 events in the queue)').default(false))
    .addOption(new Option('--firehose-prefix <prefix>', 'also notify every new object under this prefix: where a Firehose stream writes CloudWatch Logs subscription objects'))
    .addOption(new Option('--skip-opensearch', 'do not install the index template'));
  settingOptions(command, SETTINGS);
  return command.action(async (opts) => {
    const config = loadConfig(process.env, settingFlags(opts, SETTINGS));
    const maxReceiveCount = Number(opts.maxReceiveCount);
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new ConfigError(`--max-receive-count ${JSON.stringify(opts.maxReceiveCount)}: a whole number from 1 to 1000 expected`);
    }
    const result = await provision(awsClients(config), {
      bucket: opts.bucket, topic: opts.topic, queue: opts.queue, deadLetterQueue: opts.deadLetterQueue,
      maxReceiveCount, visibilityTimeout: config.visibilityTimeout, region: config.region, rawDelivery: Boolean(opts.rawDelivery),
      firehosePrefix: opts.firehosePrefix,
    });
    const templates = opts.skipOpensearch ? [] : await installTemplates(createOpenSearchClient(config), indexNamesOf(config));
    process.stdout.write(`${JSON.stringify({ ...result, templates }, null, 2)}\n`);
  });
}
