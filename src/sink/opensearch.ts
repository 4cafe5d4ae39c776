import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { constants, gunzip, gzip, inflate } from 'node:zlib';
import { Client, errors, type ClientOptions } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws';
import { opensearchAuth, type Config } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import type { BulkTransport } from './bulk-indexer.js';
import { configHint, describeTransportError, tlsProblem } from './bulk-result.js';
import { messageOf } from '../core/errors.js';
import { BasicCredentials } from './credentials.js';

const BULK_FILTER = 'errors,items.*.status,items.*.error';
/** How long a request may wait for its answer's headers; an answer's body gets as long again (the client's timer stops at the headers). */
const REQUEST_TIMEOUT_MS = 120_000;

type ClientConfig = Pick<
  Config,
  'opensearchUrl' | 'opensearchUsername' | 'opensearchPassword' | 'opensearchPasswordFile' | 'opensearchCaFile' | 'opensearchTlsInsecure' |
  'opensearchAuth' | 'opensearchSigv4Service' | 'region'
>;

/** Basic credentials of each client that has them, for {@link refreshCredentials}. */
const basicCredentials = new WeakMap<Client, BasicCredentials>();

/** OpenSearch client for the configured node. The client never retries: the bulk indexer does, per item. */
export function createOpenSearchClient(config: ClientConfig, logger?: Logger): Client {
  if (config.opensearchTlsInsecure) {
    logger?.warn({ url: config.opensearchUrl }, 'TLS certificate verification is OFF for OpenSearch (OPENSEARCH_TLS_INSECURE)');
  }
  const credentials = opensearchAuth(config) === 'basic'
    ? BasicCredentials.open(config.opensearchUsername ?? '', config.opensearchPassword, config.opensearchPasswordFile)
    : undefined;
  const client = new Client({
    node: config.opensearchUrl,
    maxRetries: 0,
    requestTimeout: REQUEST_TIMEOUT_MS,
    ssl: { rejectUnauthorized: !config.opensearchTlsInsecure, ...caOption(config.opensearchCaFile) },
    ...(credentials ? { Connection: credentials.connectionClass() } : authOptions(config)),
  });
  if (credentials) basicCredentials.set(client, credentials);
  return client;
}

/** Reads a password file again (see OPENSEARCH_PASSWORD_FILE); later requests carry what it holds now. */
async function refreshCredentials(client: Client): Promise<void> {
  await basicCredentials.get(client)?.reload();
}

/** The CA bundle, read at start so that a wrong path fails at once, naming the setting. */
function caOption(file: string | undefined): { ca?: Buffer } {
  if (file === undefined) return {};
  try {
    return { ca: readFileSync(file) };
  } catch (err) {
    throw new Error(`OPENSEARCH_CA_FILE ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
}

/**
 * SigV4 for Amazon OpenSearch Service (`es`) and Serverless (`aoss`) with credentials from the
 * SDK's default chain (environment, profile, ECS task role), refreshed by it. Basic auth is a
 * Connection class of its own ({@link BasicCredentials}).
 */
function authOptions(config: ClientConfig): Partial<ClientOptions> {
  if (opensearchAuth(config) !== 'sigv4') return {};
  const credentials = defaultProvider();
  return AwsSigv4Signer({ region: config.region, service: config.opensearchSigv4Service, getCredentials: () => credentials() });
}

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
/**
 * `_bulk` bodies are gzipped at the fastest level: on flow-log bodies it took half the CPU of
 * zlib's default level (4 against 8 µs a document) for 5.5 against 6.4 times smaller.
 */
const BULK_GZIP = { level: constants.Z_BEST_SPEED };

/**
 * Sends one NDJSON `_bulk` body, gzipped with OPENSEARCH_COMPRESSION=gzip. The answer comes back as
 * its status and text, error statuses included (the indexer classifies them: bulk-result.ts, which
 * reads an answer without failures from its text without parsing it); connection failures and
 * timeouts are thrown.
 */
export function bulkTransport(client: Client, compression: Config['opensearchCompression'] = 'none', answerTimeoutMs = REQUEST_TIMEOUT_MS): BulkTransport {
  const gzipped = compression === 'gzip';
  // As a stream: the client would parse every answer into an object per item.
  const options = { asStream: true, ...(gzipped ? { headers: { 'content-encoding': 'gzip' } } : {}) };
  return async (body) => {
    // The body is already NDJSON: hand it to the transport as is rather than re-serialising it,
    // gzipped here when asked (the client compresses nothing itself: its level is zlib's default).
    const bulkBody = gzipped ? await gzipAsync(body, BULK_GZIP) : body;
    // Only what the classification reads: a 2000-item answer shrinks from ~400 KB to a few KB.
    const res = await client.transport.request({ method: 'POST', path: '/_bulk', querystring: { filter_path: BULK_FILTER }, bulkBody }, options);
    return { statusCode: res.statusCode ?? 200, body: await answerText(res.body as Readable, res.headers ?? {}, answerTimeoutMs) };
  };
}

/**
 * An answer's body as text, inflated when the server compressed it (the client asks for no
 * compression, but a proxy may). A body that stops short of its end within `timeoutMs` rejects, as
 * no answer: the request is retried rather than held for ever.
 */
async function answerText(body: Readable, headers: Record<string, unknown>, timeoutMs: number): Promise<string> {
  // Stryker disable next-line StringLiteral: any stand-in that names neither gzip nor deflate reads the same
  const encoding = String(headers['content-encoding'] ?? '').toLowerCase();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`the _bulk answer's body did not end within ${timeoutMs / 1000} s of its headers`));
      // Without an error: the client would print one that reaches its request after the answer.
      body.destroy();
    }, timeoutMs);
  });
  let bytes: Buffer;
  try {
    bytes = await Promise.race([buffer(body), deadline]);
  } finally {
    clearTimeout(timer);
  }
  if (encoding.includes('gzip')) return (await gunzipAsync(bytes)).toString('utf8');
  if (encoding.includes('deflate')) return (await inflateAsync(bytes)).toString('utf8');
  return bytes.toString('utf8');
}

/**
 * Is OpenSearch there for us? `HEAD /<index>` on one of our own indices: OpenSearch and OpenSearch
 * Serverless both serve it (Serverless has no `_cluster/health`), and it goes through the same
 * authentication and authorisation as the writes. 200 and 404 (not created yet) are healthy.
 * A password file is read again first, so a rotated password is picked up here. Resolves with
 * undefined when healthy, else the reason.
 */
export async function probeOpenSearch(client: Client, index: string): Promise<string | undefined> {
  try {
    await refreshCredentials(client);
    await client.indices.exists({ index }, { requestTimeout: 5000, ignore: [404] });
    return undefined;
  } catch (err) {
    if (err instanceof errors.ResponseError) {
      const status = err.statusCode ?? 0;
      return `OpenSearch answered HEAD /${index} with HTTP ${status}${status === 401 || status === 403 ? `: ${configHint(status)}` : ''}`;
    }
    return describeTransportError(err);
  }
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
      return `OpenSearch at ${url} (OPENSEARCH_URL) refused our credentials (${tried}: HTTP 401): check OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD (or OPENSEARCH_PASSWORD_FILE), or OPENSEARCH_AUTH`;
    }
    const why = err instanceof errors.TimeoutError ? `no answer within ${CHECK_TIMEOUT_MS / 1000} s` : (tlsProblem(err) ?? messageOf(err));
    return `OpenSearch does not answer at ${url} (OPENSEARCH_URL, or --opensearch-url; tried ${tried}: ${why}): start it (the local stack: npm run stack:up) or point OPENSEARCH_URL at it`;
  }
}

/** Fails at once, before any work, when OpenSearch does not answer. @throws OpenSearchUnavailable */
export async function requireOpenSearch(client: Client, url: string): Promise<void> {
  const problem = await openSearchProblem(client, url);
  if (problem !== undefined) throw new OpenSearchUnavailable(problem);
}
