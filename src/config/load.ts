import { redactUrls } from '../core/redact.js';
import { ENV, SETTINGS, settingsSchema, type Config, type SettingName } from './schema.js';

/** Settings that must never be echoed back, even in a validation error. */
const SECRET: ReadonlySet<SettingName> = new Set(
  (Object.keys(SETTINGS) as SettingName[]).filter((name) => 'secret' in SETTINGS[name]),
);

/** Thrown when settings are invalid; the message names every bad value and where it came from. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Builds the typed Config from environment variables, overridden by flags (`undefined` flags are
 * ignored). Throws ConfigError listing every problem at once.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  flags: Partial<Record<SettingName, unknown>> = {},
): Config {
  const raw: Partial<Record<SettingName, unknown>> = {};
  const from: Partial<Record<SettingName, string>> = {};
  for (const [name, variable] of Object.entries(ENV) as [SettingName, string][]) {
    const value = env[variable];
    if (value !== undefined && value !== '') {
      raw[name] = value;
      from[name] = `environment ${variable}`;
    }
    if (flags[name] !== undefined) {
      raw[name] = flags[name];
      from[name] = `flag --${kebab(name)}`;
    }
  }
  const result = settingsSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path[0] as SettingName;
    const source = from[name] ?? `${ENV[name] ?? String(name)} (not set)`;
    // A URL's userinfo is a secret too (`https://admin:S3cr3t@…`): cut out of every value shown.
    const shown = SECRET.has(name) || raw[name] === undefined ? '' : ` = ${redactUrls(JSON.stringify(raw[name]))}`;
    return `  ${source}${shown}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid settings:\n${lines.join('\n')}`);
}

/** `visibilityTimeout` → `visibility-timeout`: the flag spelling of a setting. */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
