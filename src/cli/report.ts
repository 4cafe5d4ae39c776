import { Command, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { loadConfig } from '../config/load.js';
import { formatReport, runReport } from '../query/report.js';
import { createOpenSearchClient, requireOpenSearch } from '../sink/opensearch.js';
import { OPENSEARCH_SETTINGS, intOption, settingFlags, settingOptions } from './options.js';

const SETTINGS = [...OPENSEARCH_SETTINGS, 'indexPrefix', 'logLevel'] as const;

/** `report`: what was indexed: document count, top talkers by bytes, rejected flows by port. */
export function reportCommand(): Command {
  const command = new Command('report')
    .description(COMMANDS.report.description)
    .addOption(new Option('--top <n>', 'rows in each table: top talkers, rejected ports (1–1000)').default('10'))
    .addOption(new Option('--json', 'print the report as JSON instead of text').default(false));
  settingOptions(command, SETTINGS);
  return command.action(async (opts) => {
    const config = loadConfig(process.env, settingFlags(opts, SETTINGS));
    const top = intOption('--top', opts.top, 1, 1000);
    const client = createOpenSearchClient(config);
    await requireOpenSearch(client, config.opensearchUrl);
    const report = await runReport(client, { indexPattern: `${config.indexPrefix}-*`, top });
    process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  });
}
