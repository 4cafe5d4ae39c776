import { quoted } from '../core/text.js';
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
    const shown = SECRET.has(name) || raw[name] === undefined ? '' : ` = ${shownValue(raw[name])}`;
    return `  ${source}${shown}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid settings:\n${lines.join('\n')}`);
}

/** Longest value echoed in an error: enough to recognise it, not enough to flood a terminal. */
const MAX_SHOWN = 80;

/**
 * A bad value as an error shows it: quoted, escaped and cut (`quoted`), with everything up to the
 * last `@` masked, since a URL's userinfo (or a value that merely looks like one) may hold a
 * password. The last `@`, because passwords hold `@` too: a masked path is a small loss, a
 * leaked password is not.
 */
export function shownValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return quoted(text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^]*@/i, '$1***@'), MAX_SHOWN);
}

/** `visibilityTimeout` → `visibility-timeout`: the flag spelling of a setting. */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
