import type { Client } from '@opensearch-project/opensearch';
import { indexTemplate } from '../core/index-template.js';
import { murmur3x64Hash128 } from '../core/murmur128.js';
import type { DeadLetter, DeadLetterSink } from './types.js';

/**
 * Dead letters as documents of one OpenSearch index. The id is derived from what failed (kind,
 * object, line, document id), so a redelivered message records the same letter again instead of
 * adding a copy; `index` (not `create`) lets the newest reason win.
 */
export class OpenSearchDeadLetters implements DeadLetterSink {
  constructor(
    private readonly client: Client,
    readonly index: string,
  ) {}

  async record(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const now = new Date().toISOString();
    const body = letters
      .map((l) => `${JSON.stringify({ index: { _index: this.index, _id: deadLetterId(l) } })}\n${JSON.stringify({ '@timestamp': now, ...l })}\n`)
      .join('');
    const res = await this.client.transport.request({ method: 'POST', path: '/_bulk', bulkBody: body });
    const result = res.body as { errors?: boolean; items?: Array<{ index?: { error?: { type?: string; reason?: string } } }> };
    if (result.errors) {
      const first = result.items?.find((i) => i.index?.error)?.index?.error;
      throw new Error(`dead-letter index ${this.index} refused letters: ${first?.type ?? '?'}: ${first?.reason ?? '?'}`);
    }
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
