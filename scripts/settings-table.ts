/**
 * The README's settings table, generated from `SETTINGS` (src/config/schema.ts), the same table
 * that validates settings and writes `--help`.
 *
 *   node --import tsx scripts/settings-table.ts           prints the table
 *   node --import tsx scripts/settings-table.ts --write   replaces it between the markers in README.md
 */
import { fileURLToPath } from 'node:url';
import { ENV, SETTINGS, shownDefault, type SettingName } from '../src/config/schema.js';
import { printOrWrite } from './lib/readme-section.js';

/** Name of the generated section in README.md. */
export const SETTINGS_TABLE = 'settings-table';

/** One row per setting, in the order of `SETTINGS`. */
export function settingsTable(): string {
  const rows = (Object.keys(SETTINGS) as SettingName[]).map((name) =>
    `| \`${ENV[name]}\` | ${shownDefault(name) ?? '—'} | ${SETTINGS[name].help.replace(/\|/g, '\\|')} |`);
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) printOrWrite(process.argv.slice(2), SETTINGS_TABLE, settingsTable());
