import type { Client } from '@opensearch-project/opensearch';
import { indexTemplate } from '../core/index-template.js';
import { murmur3x64Hash128 } from '../core/murmur128.js';
import type { DeadLetter, DeadLetterSink } from './types.js';
import { messageOf } from '../core/errors.js';
import { backoffDelay, sleep, type BackoffOptions } from '../core/backoff.js';

/** How dead-letter writes are sized and retried. */
export interface DeadLetterWriteOptions {
  /** Most bytes per `_bulk` body; a single larger letter goes alone. */
  readonly maxBytes?: number;
  /** Resends of one body after its first request (429, 5xx, no answer). */
  readonly maxRetries?: number;
  readonly backoff?: BackoffOptions;
}

const WRITE_DEFAULTS = { maxBytes: 5 * 1024 * 1024, maxRetries: 6, backoff: { baseMs: 200, maxMs: 10_000 } } as const;

type BulkItems = Array<{ index?: { status?: number; error?: { type?: string; reason?: string } } }>;

/**
 * Dead letters as documents of one OpenSearch index. The id is derived from what failed (kind,
 * object, line, document id), so a redelivered message records the same letter again instead of
 * adding a copy; `index` (not `create`) lets the newest reason win, and makes a resend harmless.
 * Letters go in `_bulk` bodies of at most `maxBytes`, each resent with backoff while OpenSearch
 * answers 429/5xx or not at all: a message is deleted only after its letters are stored, so a
 * passing overload must not turn into a redelivery of the whole message.
 */
export class OpenSearchDeadLetters implements DeadLetterSink {
  readonly #options: Required<DeadLetterWriteOptions>;

  constructor(
    private readonly client: Client,
    readonly index: string,
    options: DeadLetterWriteOptions = {},
  ) {
    this.#options = { ...WRITE_DEFAULTS, ...options };
  }

  async record(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const now = new Date().toISOString();
    let body: string[] = [];
    let bytes = 0;
    for (const l of letters) {
      const entry = `${JSON.stringify({ index: { _index: this.index, _id: deadLetterId(l) } })}\n${JSON.stringify({ '@timestamp': now, ...l })}\n`;
      const size = Buffer.byteLength(entry);
      if (body.length > 0 && bytes + size > this.#options.maxBytes) {
        await this.#send(body.join(''));
        body = [];
        bytes = 0;
      }
      body.push(entry);
      bytes += size;
    }
    await this.#send(body.join(''));
  }

  /** One body, resent while the failure is one a wait can mend. */
  async #send(body: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const failure = await this.#attempt(body);
      if (failure === undefined) return;
      if (!failure.retryable || attempt >= this.#options.maxRetries) throw new Error(failure.message);
      await sleep(backoffDelay(attempt + 1, this.#options.backoff));
    }
  }

  async #attempt(body: string): Promise<{ message: string; retryable: boolean } | undefined> {
    let result: { errors?: boolean; items?: BulkItems };
    try {
      result = (await this.client.transport.request({ method: 'POST', path: '/_bulk', bulkBody: body })).body as typeof result;
    } catch (err) {
      const status = (err as { statusCode?: unknown }).statusCode;
      const retryable = typeof status !== 'number' || status === 429 || status >= 500;
      return { message: `dead-letter index ${this.index}: _bulk failed: ${messageOf(err)}`, retryable };
    }
    if (!result.errors) return undefined;
    const failed = (result.items ?? []).filter((i) => i.index?.error);
    const first = failed[0]?.index;
    const retryable = failed.every((i) => i.index?.status === 429 || (i.index?.status ?? 0) >= 500);
    return { message: `dead-letter index ${this.index} refused letters: ${first?.error?.type ?? '?'}: ${first?.error?.reason ?? '?'}`, retryable };
  }
}

/** Stable identity of a dead letter. */
export function deadLetterId(l: DeadLetter): string {
  const parts = [l.kind, l.bucket ?? '', l.key ?? '', l.lineNo ?? '', l.id ?? '', l.kind === 'message' ? (l.messageId ?? l.body ?? '') : ''];
  return murmur3x64Hash128(Buffer.from(parts.join('\u0000'), 'utf8'));
}

/** Template of the dead-letter index: searchable by kind, object and reason; payloads stored, not indexed. */
export function deadLetterTemplate(index: string): Record<string, unknown> {
  return indexTemplate(index, {
    dynamic: false,
    properties: {
      '@timestamp': { type: 'date' },
      kind: { type: 'keyword' },
      reason: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } },
      bucket: { type: 'keyword' },
      key: { type: 'keyword' },
      lineNo: { type: 'long' },
      index: { type: 'keyword' },
      id: { type: 'keyword' },
      messageId: { type: 'keyword' },
      // line, format, document and body stay in _source only (dynamic: false): kept whole for
      // replay, never indexed, so no payload can break this index's mapping.
    },
  });
}
