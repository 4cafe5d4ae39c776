import { Option, type Command } from 'commander';
import { ENV, SETTINGS, shownDefault, type SettingName } from '../config/schema.js';
import { ConfigError, kebab, shownValue } from '../config/load.js';

/**
 * Adds `--flag` options for settings; each one overrides its environment variable. The help text
 * is the settings table's (`SETTINGS`): what it does, its variable and its default.
 */
export function settingOptions(command: Command, names: readonly SettingName[]): Command {
  // A setting may be named by two groups (the region serves AWS and SigV4): add its flag once.
  for (const name of new Set(names)) {
    command.addOption(new Option(`--${kebab(name)} <value>`, settingHelp(name)));
  }
  return command;
}

/** `what it does (env VAR, default: x)`, with the README's backticks dropped for a terminal. */
export function settingHelp(name: SettingName): string {
  const shown = shownDefault(name);
  const text = `${SETTINGS[name].help} (env ${ENV[name]}${shown === undefined ? '' : `, default: ${shown}`})`;
  return text.replace(/`/g, '');
}

/** A command's own whole-number option, checked: `--flag value` must be from `min` to `max`. @throws ConfigError */
export function intOption(flag: string, value: unknown, min: number, max: number): number {
  const n = Number(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isInteger(n) && n >= min && n <= max) return n;
  throw new ConfigError(`flag ${flag} = ${shownValue(value)}: a whole number from ${min} to ${max} expected`);
}

/** The subset of parsed commander options that are settings, keyed by setting name. */
export function settingFlags(opts: Record<string, unknown>, names: readonly SettingName[]): Partial<Record<SettingName, unknown>> {
  const flags: Partial<Record<SettingName, unknown>> = {};
  for (const name of names) if (opts[name] !== undefined) flags[name] = opts[name];
  return flags;
}

/** Settings every command that touches AWS accepts. */
export const AWS_SETTINGS = ['endpointUrl', 'region', 's3ForcePathStyle', 's3ConnectTimeoutMs', 's3ReadTimeoutMs', 'logLevel'] as const satisfies readonly SettingName[];
export const OPENSEARCH_SETTINGS = [
  'opensearchUrl', 'opensearchUsername', 'opensearchTlsInsecure', 'opensearchAuth', 'opensearchSigv4Service', 'opensearchDocumentIds', 'region',
] as const satisfies readonly SettingName[];
export const READ_SETTINGS = ['indexPrefix', 'geoipCityDb', 'geoipAsnDb', 'maxLineBytes', 'parseThreads', 'maxObjectBytes', 'headerlessPrefixes', 'flowFormat', 'dropStatusRecords', 'cloudtrailIndexPrefix', 'cloudtrailMaxBlobBytes', 'cloudtrailMaxRecordBytes'] as const satisfies readonly SettingName[];
