/**
 * The `_bulk` NDJSON body: the only place that formats it, so the worker and `parse --output bulk`
 * can never disagree about what is sent.
 */
import { Buffer } from 'node:buffer';
import type { IndexOp } from '../core/types.js';

/**
 * The two NDJSON lines of one `_bulk` create: `{"create":{"_index":…,"_id":…}}\n{doc}\n`.
 *
 * `create` (not `index`) is what makes delivery exactly-once: a second delivery of the same
 * deterministic id answers 409 instead of overwriting or duplicating. An empty id leaves `_id` out
 * and lets OpenSearch choose one: only for Serverless time-series collections, which refuse
 * custom ids (and so cannot de-duplicate).
 *
 * @throws TypeError when the document cannot be serialised (BigInt, cycle, or a top-level
 *   `toJSON` returning undefined): the caller should reject that one document.
 */
export function serializeOp(op: IndexOp): string {
  const doc = documentJson(op);
  // Built by hand rather than JSON.stringify({create: …}): one allocation less per document on the
  // hot path, byte-identical output (JSON.stringify escapes the index and id).
  if (op.id === '') return `{"create":{"_index":${JSON.stringify(op.index)}}}\n${doc}\n`;
  return `{"create":{"_index":${JSON.stringify(op.index)},"_id":${JSON.stringify(op.id)}}}\n${doc}\n`;
}

/**
 * The document's JSON: as the reader wrote it, else serialised now.
 * @throws TypeError as {@link serializeOp}.
 */
export function documentJson(op: IndexOp): string {
  const doc: unknown = op.json ?? JSON.stringify(op.doc);
  if (typeof doc !== 'string') {
    throw new TypeError(`document ${op.id} for index ${op.index} serialises to nothing`);
  }
  return doc;
}

/**
 * Joins serialised operations into one request body. Every line already ends in `\n`, which
 * `_bulk` requires after the last line too, so this is plain concatenation: printing each
 * {@link serializeOp} result in turn writes exactly the body the indexer sends.
 */
export function joinBulkBody(lines: readonly string[]): string {
  return lines.join('');
}

/** UTF-8 size of a body made of these lines, without building it. */
export function bodyBytes(lines: readonly string[]): number {
  let total = 0;
  for (const line of lines) total += Buffer.byteLength(line);
  return total;
}
