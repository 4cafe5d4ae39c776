import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { loadConfig } from '../config/load.js';
import { formatReport, runReport, type Report } from '../query/report.js';
import { renderReportHtml } from '../query/report-html.js';
import { createOpenSearchClient, requireOpenSearch } from '../sink/opensearch.js';
import { OPENSEARCH_SETTINGS, intOption, settingFlags, settingOptions } from './options.js';

const SETTINGS = [...OPENSEARCH_SETTINGS, 'indexPrefix', 'logLevel'] as const;

/** Writes the HTML page; the error names the file and why it could not be written. */
async function writeHtml(file: string, report: Report, indexPattern: string): Promise<void> {
  try {
    await writeFile(file, renderReportHtml(report, { indexPattern, generatedAt: new Date() }));
  } catch (err) {
    throw new Error(`--html ${file}: cannot write the report there (${err instanceof Error ? err.message : String(err)})`);
  }
  process.stderr.write(`report: HTML page written to ${file}\n`);
}

/** `report`: what was indexed: document count, top talkers by bytes, rejected flows by port; `--html` also draws them in a page. */
export function reportCommand(): Command {
  const command = new Command('report')
    .description(COMMANDS.report.description)
    .addOption(new Option('--top <n>', 'rows in each table: top talkers, rejected ports (1–1000)').default('10'))
    .addOption(new Option('--json', 'print the report as JSON instead of text').default(false))
    .addOption(new Option('--html <file>', 'also write the report as one self-contained HTML page with charts (traffic over time, top talkers, rejects by port, map of sources); default: none, text only'));
  settingOptions(command, SETTINGS);
  return command.action(async (opts) => {
    const config = loadConfig(process.env, settingFlags(opts, SETTINGS));
    const top = intOption('--top', opts.top, 1, 1000);
    const client = createOpenSearchClient(config);
    await requireOpenSearch(client, config.opensearchUrl);
    const indexPattern = `${config.indexPrefix}-*`;
    const html = opts.html as string | undefined;
    const report = await runReport(client, { indexPattern, top, charts: html !== undefined });
    if (html !== undefined) await writeHtml(html, report, indexPattern);
    process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  });
}
