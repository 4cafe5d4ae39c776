import { Command, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { awsClients } from '../context.js';
import { openEnricher } from '../enrich/geoip.js';
import { replayDeadLetters } from '../deadletter/replay.js';
import { BulkIndexer } from '../sink/bulk-indexer.js';
import { bulkTransport, createOpenSearchClient, requireOpenSearch } from '../sink/opensearch.js';
import { redrive } from '../worker/redrive.js';
import { AWS_SETTINGS, OPENSEARCH_SETTINGS, READ_SETTINGS, settingFlags, settingOptions } from './options.js';

const REPLAY_SETTINGS = [...OPENSEARCH_SETTINGS, ...READ_SETTINGS, 'deadLetterIndex', 'logLevel'] as const;

/** `replay`: index dead-lettered lines and documents again after a fix. */
export function replayCommand(): Command {
  const command = new Command('replay')
    .description(COMMANDS.replay.description)
    .addOption(new Option('--bucket <name>', 'replay only the letters of this bucket (default: every bucket)'))
    .addOption(new Option('--key-prefix <prefix>', 'replay only the letters of objects under this key prefix (default: every key)'));
  settingOptions(command, REPLAY_SETTINGS);
  return command.action(async (opts) => {
    const config = loadConfig(process.env, settingFlags(opts, REPLAY_SETTINGS));
    const client = createOpenSearchClient(config);
    await requireOpenSearch(client, config.opensearchUrl);
    const indexer = new BulkIndexer(bulkTransport(client, config.opensearchCompression), {
      maxBytes: config.bulkMaxBytes, maxDocs: config.bulkMaxDocs, documentIds: config.opensearchDocumentIds,
    });
    // Replay re-reads single lines: the enricher is all it needs of the reading options (no parse threads).
    const enricher = await openEnricher({ cityDbs: config.geoipCityDb, asnDb: config.geoipAsnDb });
    const result = await replayDeadLetters(
      { client, deadLetterIndex: config.deadLetterIndex, indexPrefix: config.indexPrefix, enricher, add: (op, cb) => indexer.add(op, cb), flush: () => indexer.flush() },
      { bucket: opts.bucket, keyPrefix: opts.keyPrefix },
    );
    await indexer.close();
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (result.stillFailing > 0) process.exitCode = 2;
  });
}

const REDRIVE_SETTINGS = ['queueUrl', ...AWS_SETTINGS] as const;

/** `redrive`: move messages from the dead-letter queue back to the main queue. */
export function redriveCommand(): Command {
  const command = new Command('redrive')
    .description(COMMANDS.redrive.description)
    .requiredOption('--dead-letter-queue-url <url>', 'the dead-letter queue to empty, as setup printed it (required; no default)');
  settingOptions(command, REDRIVE_SETTINGS);
  return command.action(async (opts) => {
    const config = loadConfig(process.env, settingFlags(opts, REDRIVE_SETTINGS));
    if (!config.queueUrl) throw new ConfigError('QUEUE_URL (or --queue-url): the queue to move messages to');
    const moved = await redrive(awsClients(config).sqs, opts.deadLetterQueueUrl, config.queueUrl);
    process.stdout.write(`${JSON.stringify({ moved })}\n`);
  });
}
