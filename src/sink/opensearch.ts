import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client, errors, type ClientOptions } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws';
import { opensearchAuth, type Config } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import type { BulkTransport } from './bulk-indexer.js';

const BULK_FILTER = 'errors,items.*.status,items.*.error';

type ClientConfig = Pick<
  Config,
  'opensearchUrl' | 'opensearchUsername' | 'opensearchPassword' | 'opensearchTlsInsecure' | 'opensearchAuth' | 'opensearchSigv4Service' | 'region'
>;

/** OpenSearch client for the configured node. The client never retries: the bulk indexer does, per item. */
export function createOpenSearchClient(config: ClientConfig, logger?: Logger): Client {
  if (config.opensearchTlsInsecure) {
    logger?.warn({ url: config.opensearchUrl }, 'TLS certificate verification is OFF for OpenSearch (OPENSEARCH_TLS_INSECURE)');
  }
  return new Client({
    node: config.opensearchUrl,
    maxRetries: 0,
    requestTimeout: 120_000,
    compression: 'gzip',
    ssl: { rejectUnauthorized: !config.opensearchTlsInsecure },
    ...authOptions(config),
  });
}

/**
 * Basic auth, or SigV4 for Amazon OpenSearch Service (`es`) and Serverless (`aoss`) with
 * credentials from the SDK's default chain (environment, profile, ECS task role), refreshed by it.
 */
function authOptions(config: ClientConfig): Partial<ClientOptions> {
  switch (opensearchAuth(config)) {
    case 'basic':
      return { auth: { username: config.opensearchUsername ?? '', password: config.opensearchPassword ?? '' } };
    case 'sigv4': {
      const credentials = defaultProvider();
      return AwsSigv4Signer({ region: config.region, service: config.opensearchSigv4Service, getCredentials: () => credentials() });
    }
    default:
      return {};
  }
}

/**
 * Sends one NDJSON `_bulk` body. HTTP error statuses come back as values (the indexer classifies
 * them); connection failures and timeouts are thrown.
 */
export function bulkTransport(client: Client): BulkTransport {
  return async (body) => {
    try {
      // The body is already NDJSON: hand it to the transport as is rather than re-serialising it.
      // Only what the classification reads: a 2000-item answer shrinks from ~400 KB to a few KB.
      const res = await client.transport.request({ method: 'POST', path: '/_bulk', querystring: { filter_path: BULK_FILTER }, bulkBody: body });
      return { statusCode: res.statusCode ?? 200, body: res.body };
    } catch (err) {
      if (err instanceof errors.ResponseError) return { statusCode: err.statusCode ?? 500, body: err.body };
      throw err;
    }
  };
}

/** How long the start-up check waits for OpenSearch's first answer. */
const CHECK_TIMEOUT_MS = 5000;

/** OpenSearch did not answer, or refused our credentials; the message says where we asked and what to change. */
export class OpenSearchUnavailable extends Error {
  override readonly name = 'OpenSearchUnavailable';
}

/**
 * Asks OpenSearch for its banner (`GET /`) once. Returns what is wrong, naming OPENSEARCH_URL and
 * the URL tried, or undefined when it answers. Any HTTP answer but 401 counts as an answer: a
 * role without cluster permissions (or Serverless, which has no `GET /`) may refuse the banner
 * and still index.
 */
export async function openSearchProblem(client: Client, url: string): Promise<string | undefined> {
  const tried = `GET ${new URL('/', url).href}`;
  try {
    await client.info({}, { requestTimeout: CHECK_TIMEOUT_MS });
    return undefined;
  } catch (err) {
    if (err instanceof errors.ResponseError) {
      if (err.statusCode !== 401) return undefined;
      return `OpenSearch at ${url} (OPENSEARCH_URL) refused our credentials (${tried}: HTTP 401): check OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD, or OPENSEARCH_AUTH`;
    }
    const why = err instanceof errors.TimeoutError ? `no answer within ${CHECK_TIMEOUT_MS / 1000} s` : err instanceof Error ? err.message : String(err);
    return `OpenSearch does not answer at ${url} (OPENSEARCH_URL, or --opensearch-url; tried ${tried}: ${why}): start it (the local stack: npm run stack:up) or point OPENSEARCH_URL at it`;
  }
}

/** Fails at once, before any work, when OpenSearch does not answer. @throws OpenSearchUnavailable */
export async function requireOpenSearch(client: Client, url: string): Promise<void> {
  const problem = await openSearchProblem(client, url);
  if (problem !== undefined) throw new OpenSearchUnavailable(problem);
}
