/**
 * Imports the OpenSearch Dashboards saved objects shipped in `dashboards/` (index patterns,
 * visualisations, one dashboard per kind) through the saved-objects API. `overwrite=true` makes
 * it idempotent: the objects have fixed ids, so a second import replaces them instead of adding
 * copies.
 */
import { readFile } from 'node:fs/promises';
import type { IndexNames } from '../sink/template.js';

/** The NDJSON file, found from this module (src/setup or dist/setup) so it works from any cwd. */
export const DASHBOARDS_FILE = new URL('../../dashboards/aws-log-indexer.ndjson', import.meta.url);

/** Ids of the index patterns in the file, by the kind of index each one covers. */
export const INDEX_PATTERN_IDS = {
  flowLogs: 'aws-log-indexer-flow-logs-pattern',
  cloudtrail: 'aws-log-indexer-cloudtrail-pattern',
  deadLetters: 'aws-log-indexer-dead-letters-pattern',
} as const;

/** What the import answered. */
export interface DashboardsImport {
  readonly url: string;
  readonly imported: number;
}

interface SavedObject {
  readonly type: string;
  readonly id: string;
  readonly attributes: Record<string, unknown>;
}

/**
 * The shipped saved objects with the index patterns' titles set to the configured index names,
 * so a custom INDEX_PREFIX, CLOUDTRAIL_INDEX_PREFIX or DEADLETTER_INDEX needs no edit of the file.
 */
export function savedObjects(ndjson: string, names: IndexNames): string {
  const titles: Record<string, string> = {
    [INDEX_PATTERN_IDS.flowLogs]: `${names.flowLogPrefix}-*`,
    [INDEX_PATTERN_IDS.cloudtrail]: `${names.cloudtrailPrefix}-*`,
    [INDEX_PATTERN_IDS.deadLetters]: names.deadLetterIndex,
  };
  return ndjson
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const object = JSON.parse(line) as SavedObject;
      const title = object.type === 'index-pattern' ? titles[object.id] : undefined;
      return JSON.stringify(title === undefined ? object : { ...object, attributes: { ...object.attributes, title } });
    })
    .join('\n')
    .concat('\n');
}

/**
 * POSTs the saved objects to `<url>/api/saved_objects/_import?overwrite=true`. Credentials in the
 * URL (`https://user:pass@host`) become a Basic header (fetch refuses them in the URL) and never
 * appear in an error.
 * @throws Error naming the URL when Dashboards does not answer, answers with an HTTP error, or
 * refuses some objects.
 */
export async function importDashboards(url: string, names: IndexNames, file: URL = DASHBOARDS_FILE): Promise<DashboardsImport> {
  const target = new URL('api/saved_objects/_import?overwrite=true', url.endsWith('/') ? url : `${url}/`);
  const headers: Record<string, string> = { 'osd-xsrf': 'true' };
  if (target.username !== '' || target.password !== '') {
    const user = decodeURIComponent(target.username);
    const password = decodeURIComponent(target.password);
    headers['authorization'] = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  const shown = target.origin + target.pathname.replace(/api\/saved_objects\/_import$/, '');
  const form = new FormData();
  const body = savedObjects(await readFile(file, 'utf8'), names);
  form.append('file', new Blob([body], { type: 'application/ndjson' }), 'aws-log-indexer.ndjson');
  let response: Response;
  try {
    response = await fetch(target, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw new Error(`OpenSearch Dashboards does not answer at ${shown} (--dashboards-url): ${why}`);
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`OpenSearch Dashboards at ${shown} (--dashboards-url) refused the saved objects: HTTP ${response.status} ${text.slice(0, 500)}`);
  const result = JSON.parse(text) as { success?: boolean; successCount?: number; errors?: Array<{ type?: string; id?: string; error?: { type?: string; message?: string } }> };
  if (result.success !== true) {
    const problems = (result.errors ?? []).map((e) => `${e.type ?? '?'} ${e.id ?? '?'}: ${e.error?.message ?? e.error?.type ?? '?'}`).join('; ');
    throw new Error(`OpenSearch Dashboards at ${shown} (--dashboards-url) refused some saved objects: ${problems || text.slice(0, 500)}`);
  }
  return { url: shown, imported: result.successCount ?? 0 };
}
