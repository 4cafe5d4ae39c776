import { Command, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { parseDuration } from '../query/when.js';
import { createOpenSearchClient, requireOpenSearch } from '../sink/opensearch.js';
import { deleteIndices, indicesToPrune, listIndices } from '../sink/retention.js';
import { OPENSEARCH_SETTINGS, settingFlags, settingOptions } from './options.js';

const SETTINGS = [...OPENSEARCH_SETTINGS, 'indexPrefix', 'cloudtrailIndexPrefix', 'retentionDays', 'logLevel'] as const;

/** `prune`: delete our daily indices older than the retention; a dry run unless told to delete. */
export function pruneCommand(): Command {
  const command = new Command('prune')
    .description(COMMANDS.prune.description)
    .addOption(new Option('--older-than <duration>', 'delete daily indices whose whole day lies further back than this (30d, 12w; default RETENTION_DAYS)'))
    .addOption(new Option('--yes', 'delete them (without it, only list what would go)').default(false))
    .addOption(new Option('--execute', 'delete them, the same as --yes').default(false))
    .addOption(new Option('--json', 'print JSON instead of text').default(false));
  settingOptions(command, SETTINGS);
  return command.action(async (opts) => {
    const config = loadConfig(process.env, settingFlags(opts, SETTINGS));
    const olderThan = opts.olderThan ?? (config.retentionDays === undefined ? undefined : `${config.retentionDays}d`);
    if (olderThan === undefined) throw new ConfigError('prune: --older-than (or RETENTION_DAYS) is required');
    const cutoff = Date.now() - parseDuration('--older-than', olderThan);
    const prefixes = [config.indexPrefix, config.cloudtrailIndexPrefix];
    const client = createOpenSearchClient(config);
    await requireOpenSearch(client, config.opensearchUrl);
    const doomed = indicesToPrune(await listIndices(client, prefixes), prefixes, cutoff);
    const execute = Boolean(opts.yes || opts.execute);
    if (execute) await deleteIndices(client, doomed);
    const cutoffIso = new Date(cutoff).toISOString();
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ cutoff: cutoffIso, [execute ? 'deleted' : 'wouldDelete']: doomed }, null, 2)}\n`);
      return;
    }
    const verb = execute ? 'deleted' : 'would delete (dry run; --yes deletes)';
    process.stdout.write(`${doomed.length} daily indices ending before ${cutoffIso} ${verb}${doomed.length ? ':' : ''}\n${doomed.map((n) => `  ${n}\n`).join('')}`);
  });
}
