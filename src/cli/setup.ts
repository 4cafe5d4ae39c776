import { Command, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { loadConfig } from '../config/load.js';
import { createOpenSearchClient, requireOpenSearch } from '../sink/opensearch.js';
import { installRetention } from '../sink/retention.js';
import { indexNamesOf, installTemplates } from '../sink/template.js';
import { provision } from '../setup/provision.js';
import { importDashboards } from '../setup/dashboards.js';
import { awsClients } from '../context.js';
import { AWS_SETTINGS, OPENSEARCH_SETTINGS, intOption, settingFlags, settingOptions } from './options.js';

const SETTINGS = [...AWS_SETTINGS, ...OPENSEARCH_SETTINGS, 'indexPrefix', 'cloudtrailIndexPrefix', 'deadLetterIndex', 'visibilityTimeout', 'retentionDays'] as const;

/** `setup`: bucket, topic, queue + DLQ, subscription, bucket notification, index templates, optionally the Dashboards saved objects. Idempotent. */
export function setupCommand(): Command {
  const command = new Command('setup')
    .description(COMMANDS.setup.description)
    .addOption(new Option('--bucket <name>', 'S3 bucket the logs arrive in').default('aws-log-indexer-logs'))
    .addOption(new Option('--topic <name>', 'SNS topic for the bucket notifications').default('aws-log-indexer-objects'))
    .addOption(new Option('--queue <name>', 'SQS queue the workers poll').default('aws-log-indexer'))
    .addOption(new Option('--dead-letter-queue <name>', 'SQS dead-letter queue').default('aws-log-indexer-dlq'))
    .addOption(new Option('--max-receive-count <n>', 'receives before a message moves to the dead-letter queue (1–1000)').default('5'))
    .addOption(new Option('--raw-delivery', 'SNS raw message delivery (bare S3 events in the queue)').default(false))
    .addOption(new Option('--firehose-prefix <prefix>', 'also notify every new object under this prefix: where a Firehose stream writes CloudWatch Logs subscription objects (default: none)'))
    .addOption(new Option('--skip-opensearch', 'leave OpenSearch alone: neither check that it answers nor install the index templates (flow logs, CloudTrail, dead letters)').default(false))
    .addOption(new Option('--dashboards-url <url>', 'also import the saved objects of dashboards/ (index patterns, visualisations, dashboards) into the OpenSearch Dashboards at this URL, overwriting earlier imports; default: no import'));
  settingOptions(command, SETTINGS);
  return command.action(async (opts) => {
    const config = loadConfig(process.env, settingFlags(opts, SETTINGS));
    const maxReceiveCount = intOption('--max-receive-count', opts.maxReceiveCount, 1, 1000);
    // Nothing changes on the AWS side unless the index templates can follow.
    const opensearch = opts.skipOpensearch ? undefined : createOpenSearchClient(config);
    if (opensearch) await requireOpenSearch(opensearch, config.opensearchUrl);
    const result = await provision(awsClients(config), {
      bucket: opts.bucket, topic: opts.topic, queue: opts.queue, deadLetterQueue: opts.deadLetterQueue,
      maxReceiveCount, visibilityTimeout: config.visibilityTimeout, region: config.region, rawDelivery: Boolean(opts.rawDelivery),
      firehosePrefix: opts.firehosePrefix,
    });
    const templates = opensearch ? await installTemplates(opensearch, indexNamesOf(config)) : [];
    const retention = opensearch && config.retentionDays !== undefined
      ? { retention: await installRetention(opensearch, config.retentionDays, [config.indexPrefix, config.cloudtrailIndexPrefix]) }
      : {};
    const dashboards = opts.dashboardsUrl === undefined ? {} : { dashboards: await importDashboards(opts.dashboardsUrl, indexNamesOf(config)) };
    process.stdout.write(`${JSON.stringify({ ...result, templates, ...retention, ...dashboards }, null, 2)}\n`);
  });
}
