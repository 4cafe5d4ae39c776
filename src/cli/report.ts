import { Command, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { formatReport, runReport } from '../query/report.js';
import { createOpenSearchClient } from '../sink/opensearch.js';
import { OPENSEARCH_SETTINGS, settingFlags, settingOptions } from './options.js';

const SETTINGS = [...OPENSEARCH_SETTINGS, 'indexPrefix', 'logLevel'] as const;

/** `report`: what was indexed: document count, top talkers by bytes, rejected flows by port. */
export function reportCommand(): Command {
  const command = new Command('report')
    .description(COMMANDS.report.description)
    .addOption(new Option('--top <n>', 'rows per table').default('10'))
    .addOption(new Option('--json', 'print JSON instead of text'));
  settingOptions(command, SETTINGS);
  return command.action(async (opts) => {
    const config = loadConfig(process.env, settingFlags(opts, SETTINGS));
    const top = Number(opts.top);
    if (!Number.isInteger(top) || top < 1 || top > 1000) throw new ConfigError(`--top ${JSON.stringify(opts.top)}: a whole number from 1 to 1000 expected`);
    const client = createOpenSearchClient(config);
    const report = await runReport(client, { indexPattern: `${config.indexPrefix}-*`, top });
    process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  });
}
