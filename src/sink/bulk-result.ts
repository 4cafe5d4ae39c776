/**
 * Pure classification of `_bulk` answers: what happened to each document, and whether sending
 * again can help. Retrying is always safe here because every operation is a `create` under a
 * deterministic id: a document that did get written answers 409 the second time.
 */

/** One HTTP answer to a `_bulk` request, as the transport hands it over. */
export interface BulkHttpResponse {
  readonly statusCode: number;
  /**
   * The body's text, as the OpenSearch transport hands it over (read here: an answer without
   * failures by its text alone, any other parsed), or a body already parsed (the bench's, tests').
   */
  readonly body: unknown;
}

/** The fate of one item in a `_bulk` answer. */
export const ItemVerdictStatus = {
  created: 'created',
  /** 409 version conflict: written by an earlier delivery. Success. */
  exists: 'exists',
  /** 4xx: the document itself is refused; sending it again cannot help. */
  rejected: 'rejected',
  /** 429 / 5xx / malformed item: send it again after a pause. */
  retry: 'retry',
} as const;

/**
 * Created, exists and rejected verdicts are valid `ItemOutcome`s as they are, so the indexer hands
 * them to callbacks without copying.
 */
export type ItemVerdict =
  | { readonly status: typeof ItemVerdictStatus.created | typeof ItemVerdictStatus.exists }
  | { readonly status: typeof ItemVerdictStatus.rejected; readonly error: string }
  | { readonly status: typeof ItemVerdictStatus.retry; readonly error: string };

/** What to do with a whole request. */
export const RequestVerdictKind = {
  /** The request went through: look at each item. */
  items: 'items',
  /** Nothing was decided (429, 5xx, no answer): send the whole body again after a pause. */
  retry: 'retry',
  /** 413: the body is too big for the cluster; send it again in halves. */
  split: 'split',
  /** Refused for a reason no retry fixes (credentials, permissions, endpoint). */
  fatal: 'fatal',
} as const;

export type RequestVerdict =
  | { readonly kind: typeof RequestVerdictKind.items; readonly items: readonly ItemVerdict[] }
  | {
      readonly kind: typeof RequestVerdictKind.retry | typeof RequestVerdictKind.split | typeof RequestVerdictKind.fatal;
      readonly error: string;
    };

const CREATED: ItemVerdict = Object.freeze({ status: ItemVerdictStatus.created });
const EXISTS: ItemVerdict = Object.freeze({ status: ItemVerdictStatus.exists });
const VERSION_CONFLICT = 'version_conflict_engine_exception';
const MAX_TEXT = 300;

/** HTTP statuses after which the same request may succeed later. */
const isTransient = (status: number): boolean => status === 408 || status === 429 || (status >= 500 && status <= 599);

/**
 * Item statuses that an operator's fix mends, not the document: credentials or permissions (401,
 * 403: `security_exception`, and a write block, `cluster_block_exception`) and a missing index
 * that may not be auto-created (404). Retried, never dead-lettered: the message stays in the queue.
 */
const isAccess = (status: number): boolean => status === 401 || status === 403 || status === 404;

/**
 * Classifies one entry of `items` (`{ create: { status, error? } }`). Only `status` and `error` are
 * read, so responses trimmed with `filter_path=errors,items.*.status,items.*.error` work too.
 */
export function classifyItem(item: unknown): ItemVerdict {
  const result = firstValue(item);
  const status = isRecord(result) ? result['status'] : undefined;
  if (typeof status !== 'number') {
    return { status: ItemVerdictStatus.retry, error: `malformed _bulk item: ${preview(item)}` };
  }
  if (status >= 200 && status <= 299) return CREATED;
  const error = describeError(isRecord(result) ? result['error'] : undefined, status);
  if (status === 409) {
    // Any other 409 is a conflict a resend would meet again.
    return errorType(result) === VERSION_CONFLICT ? EXISTS : { status: ItemVerdictStatus.rejected, error };
  }
  if (status >= 400 && status <= 499 && !isTransient(status) && !isAccess(status)) return { status: ItemVerdictStatus.rejected, error };
  // 429/5xx, access refusals, and statuses a create should never get: resending is safe and bounded by maxRetries.
  return { status: ItemVerdictStatus.retry, error };
}

/**
 * Classifies the HTTP answer to a request that carried `expected` operations. Items are matched
 * to operations by position, which `_bulk` guarantees; a 2xx whose items cannot be matched is
 * retried whole (safe, see the module comment).
 */
export function classifyBulkResponse(response: BulkHttpResponse, expected: number): RequestVerdict {
  const { statusCode } = response;
  if (statusCode >= 200 && statusCode <= 299) return allSucceeded(response.body, expected) ?? classifyItems(parseBody(response.body), expected);
  const detail = describeBody(response.body);
  if (statusCode === 413) {
    return {
      kind: RequestVerdictKind.split,
      error: `_bulk request too large (HTTP 413${detail}): lower the bulk byte limit below the cluster's http.max_content_length`,
    };
  }
  if (isTransient(statusCode)) {
    return { kind: RequestVerdictKind.retry, error: `OpenSearch answered the _bulk request with HTTP ${statusCode}${detail}` };
  }
  // Refused credentials or permissions (a rotated password, a changed role): an operator mends
  // them, so the request waits (the worker pauses polling) instead of failing every document.
  if (statusCode === 401 || statusCode === 403) {
    return { kind: RequestVerdictKind.retry, error: `OpenSearch refused the _bulk request with HTTP ${statusCode}${detail}: ${configHint(statusCode)}` };
  }
  return {
    kind: RequestVerdictKind.fatal,
    error: `OpenSearch refused the _bulk request with HTTP ${statusCode}${detail}: a configuration problem (${configHint(statusCode)}), not retried`,
  };
}

/** TLS failures that only a configuration change fixes (the CA bundle, the endpoint's name). */
const TLS_CONFIG_CODES: ReadonlySet<string> = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Classifies an error thrown by the transport, i.e. no HTTP answer at all (ECONNREFUSED,
 * ECONNRESET, socket hang up, timeout, DNS, a certificate that does not verify). All are retried
 * as a whole request, which pauses the worker's polling until OpenSearch answers again; a
 * certificate problem says so, for it needs an operator (verification is never turned off).
 */
export function classifyTransportError(err: unknown): RequestVerdict {
  return { kind: RequestVerdictKind.retry, error: `no answer to the _bulk request: ${describeTransportError(err)}` };
}

/**
 * OpenSSL's words for the same failures: the OpenSearch client's ConnectionError keeps the
 * message of the socket error but not its code.
 */
const TLS_CONFIG_TEXT = /unable to verify the first certificate|self[- ]signed certificate|certificate has expired|unable to get (local )?issuer certificate|does not match certificate's altnames/i;

/** What went wrong when OpenSearch gave no HTTP answer, naming the fix for TLS certificate failures. */
export function describeTransportError(err: unknown): string {
  return tlsProblem(err) ?? describeThrown(err).text;
}

/** For a TLS certificate failure (which only a configuration change fixes), what to do; else undefined. */
export function tlsProblem(err: unknown): string | undefined {
  const { text, codes } = describeThrown(err);
  if (!codes.some((code) => TLS_CONFIG_CODES.has(code)) && !TLS_CONFIG_TEXT.test(text)) return undefined;
  return `TLS certificate of OpenSearch not trusted: ${text}: set OPENSEARCH_CA_FILE to the CA that signed it, or fix the endpoint's name`;
}

/** How OpenSearch starts a `_bulk` answer trimmed by our filter_path when no item failed. */
const NO_ERRORS = '{"errors":false,"items":[';
const STATUS_KEY = '"status":';

/**
 * The verdict on an answer, as text, that says no item failed and holds `expected` items: each
 * created, as {@link classifyItem} says of any 2xx item; undefined for any other answer, which is
 * parsed. This is the worker's every answer, and parsing it built two objects per document only to
 * read 201 from each (~0.2 µs a document). `"status":` can only be a key in JSON text (a quote in
 * a string is escaped), and each item has one status, so counting them counts the items.
 */
function allSucceeded(body: unknown, expected: number): RequestVerdict | undefined {
  if (typeof body !== 'string' || !body.startsWith(NO_ERRORS)) return undefined;
  let items = 0;
  for (let at = body.indexOf(STATUS_KEY, NO_ERRORS.length); at !== -1; at = body.indexOf(STATUS_KEY, at + STATUS_KEY.length)) items += 1;
  return items === expected ? { kind: RequestVerdictKind.items, items: new Array<ItemVerdict>(expected).fill(CREATED) } : undefined;
}

function classifyItems(body: unknown, expected: number): RequestVerdict {
  const items = isRecord(body) ? body['items'] : undefined;
  if (!Array.isArray(items) || items.length !== expected) {
    const got = Array.isArray(items) ? `${items.length} items` : preview(body);
    return { kind: RequestVerdictKind.retry, error: `malformed _bulk response: expected ${expected} items, got ${got}` };
  }
  return { kind: RequestVerdictKind.items, items: items.map(classifyItem) };
}

/** What an operator should look at after a refusal. */
export function configHint(status: number): string {
  if (status === 401) return 'check the credentials (OPENSEARCH_USERNAME, OPENSEARCH_PASSWORD or OPENSEARCH_PASSWORD_FILE)';
  if (status === 403) return 'check the permissions of the user or IAM role on the indices';
  if (status === 400) return 'the endpoint rejected the request format: is it OpenSearch?';
  return 'check the endpoint URL';
}

/** `type: reason (caused by type: reason)` from an OpenSearch error object, or `HTTP <status>`. */
function describeError(error: unknown, status: number): string {
  if (typeof error === 'string') return error;
  if (!isRecord(error)) return `HTTP ${status}`;
  const own = `${String(error['type'] ?? `HTTP ${status}`)}: ${String(error['reason'] ?? '')}`;
  const cause = error['caused_by'];
  return isRecord(cause) ? `${own} (caused by ${String(cause['type'])}: ${String(cause['reason'])})` : own;
}

/** ` (type: reason)` for an error body, empty when there is nothing useful to say. */
function describeBody(body: unknown): string {
  const parsed = parseBody(body);
  if (isRecord(parsed)) {
    const error = parsed['error'];
    if (error !== undefined) return ` (${truncate(describeError(error, 0))})`;
    // AWS's own front ends answer `{"message": …}` / `{"Message": …}`.
    const message = parsed['message'] ?? parsed['Message'];
    if (typeof message === 'string') return ` (${truncate(message)})`;
  }
  return typeof body === 'string' && body.trim() !== '' ? ` (${truncate(body.trim())})` : '';
}

function describeThrown(err: unknown): { text: string; codes: string[] } {
  const parts: string[] = [];
  const codes: string[] = [];
  // Fetch-style clients wrap the socket error: `TypeError: fetch failed` with the code in `cause`.
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (!(current instanceof Error)) {
      parts.push(String(current));
      break;
    }
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    parts.push(`${current.name}: ${current.message}${typeof code === 'string' ? ` [${code}]` : ''}`);
    current = current.cause;
  }
  return { text: truncate(parts.join(' <- ')), codes };
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

function firstValue(item: unknown): unknown {
  if (!isRecord(item)) return undefined;
  for (const key in item) return item[key];
  return undefined;
}

function errorType(result: unknown): unknown {
  const error = isRecord(result) ? result['error'] : undefined;
  return isRecord(error) ? error['type'] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return truncate(text);
}

function truncate(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT)}…`;
}
