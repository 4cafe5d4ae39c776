/**
 * Retention of our daily indices: `prune` deletes those whose whole day lies before a cutoff (and
 * nothing else: only names `<our prefix>-YYYY.MM.DD`), and where the cluster has the Index State
 * Management plugin (Amazon OpenSearch Service does), `setup` installs a policy that does the same.
 */
import type { Client } from '@opensearch-project/opensearch';

const DAY_MS = 86_400_000;
const DAILY = /^(\d{4})\.(\d{2})\.(\d{2})$/;

/** The policy id `setup` installs. */
export const ISM_POLICY_ID = 'aws-log-indexer-retention';

/** The UTC day (epoch ms of its start) a daily index of one of the prefixes is for; undefined for any other name. */
export function dailyIndexDay(name: string, prefixes: readonly string[]): number | undefined {
  for (const prefix of prefixes) {
    if (!name.startsWith(`${prefix}-`)) continue;
    const m = DAILY.exec(name.slice(prefix.length + 1));
    if (!m) continue;
    const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    if (new Date(ms).getUTCDate() === Number(m[3])) return ms;
  }
  return undefined;
}

/** Names of our daily indices whose whole day ends at or before the cutoff, oldest first. */
export function indicesToPrune(names: readonly string[], prefixes: readonly string[], cutoffMs: number): string[] {
  return names
    .map((name) => ({ name, day: dailyIndexDay(name, prefixes) }))
    .filter((i): i is { name: string; day: number } => i.day !== undefined && i.day + DAY_MS <= cutoffMs)
    .sort((a, b) => a.day - b.day || (a.name < b.name ? -1 : 1))
    .map((i) => i.name);
}

/** Every index name under the prefixes, as the cluster lists them. */
export async function listIndices(client: Client, prefixes: readonly string[]): Promise<string[]> {
  const res = await client.cat.indices({ index: prefixes.map((p) => `${p}-*`).join(','), format: 'json', h: 'index', expand_wildcards: 'open,closed' } as never);
  return (res.body as { index: string }[]).map((r) => r.index);
}

/** Deletes the named indices, a few per request (URL length), by exact name. */
export async function deleteIndices(client: Client, names: readonly string[]): Promise<void> {
  for (let i = 0; i < names.length; i += 50) await client.indices.delete({ index: names.slice(i, i + 50).join(',') });
}

/** Whether the cluster has the Index State Management plugin, from `_cat/plugins`. */
export function hasIsmPlugin(catPlugins: readonly { component?: string }[]): boolean {
  return catPlugins.some((p) => p.component === 'opensearch-index-management');
}

/** The ISM policy: delete an index once it is `days` old, for new indices under the prefixes. */
export function ismPolicy(days: number, prefixes: readonly string[]): Record<string, unknown> {
  return {
    policy: {
      description: `aws-log-indexer: delete daily indices after ${days} days`,
      default_state: 'keep',
      states: [
        { name: 'keep', actions: [], transitions: [{ state_name: 'delete', conditions: { min_index_age: `${days}d` } }] },
        { name: 'delete', actions: [{ delete: {} }], transitions: [] },
      ],
      ism_template: [{ index_patterns: prefixes.map((p) => `${p}-*`), priority: 100 }],
    },
  };
}

/** What `setup` did about retention. */
export type RetentionSetup = { readonly ism: 'installed' | 'updated'; readonly policy: string } | { readonly ism: 'not available'; readonly advice: string };

/**
 * Installs (or updates) the policy where the plugin exists; where not (the local integ-test node,
 * plain OpenSearch without plugins) says so, with what to do instead.
 */
export async function installRetention(client: Client, days: number, prefixes: readonly string[]): Promise<RetentionSetup> {
  const plugins = (await client.cat.plugins({ format: 'json' } as never)).body as { component?: string }[];
  if (!hasIsmPlugin(plugins)) {
    return { ism: 'not available', advice: `this cluster has no Index State Management plugin: run \`aws-log-indexer prune --older-than ${days}d --yes\` on a schedule instead` };
  }
  const body = ismPolicy(days, prefixes);
  const path = `/_plugins/_ism/policies/${ISM_POLICY_ID}`;
  const current = await client.transport.request({ method: 'GET', path }, { ignore: [404] });
  const existing = current.body as { _seq_no?: number; _primary_term?: number };
  if (current.statusCode === 404 || existing._seq_no === undefined) {
    await client.transport.request({ method: 'PUT', path, body });
    return { ism: 'installed', policy: ISM_POLICY_ID };
  }
  // An update names the version it replaces (ISM refuses a blind overwrite).
  await client.transport.request({ method: 'PUT', path, querystring: { if_seq_no: existing._seq_no, if_primary_term: existing._primary_term }, body });
  return { ism: 'updated', policy: ISM_POLICY_ID };
}
