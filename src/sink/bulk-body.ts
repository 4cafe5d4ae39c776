/**
 * The `_bulk` NDJSON body, so the worker and `parse --output bulk` can never disagree about what
 * is sent: operations encoded once (core/bulk-op.ts formats each), joined into one body.
 */
import { Buffer } from 'node:buffer';
import type { IndexOp } from '../core/types.js';
import { OpWriter, actionLine } from '../core/bulk-op.js';

/**
 * The two NDJSON lines of one `_bulk` create: `{"create":{"_index":…,"_id":…}}\n{doc}\n` (the
 * action line is core/bulk-op.ts's).
 *
 * @throws TypeError when the document cannot be serialised (BigInt, cycle, or a top-level
 *   `toJSON` returning undefined): the caller should reject that one document.
 */
export function serializeOp(op: IndexOp): string {
  return `${actionLine(op.index, op.id)}${documentJson(op)}\n`;
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

const opWriter = new OpWriter();

/**
 * {@link serializeOp}'s two lines as UTF-8 bytes. The indexer keeps bodies as bytes from here to
 * the socket: each operation is encoded once, its size is its length, and a body is one copy of
 * its operations' bytes. An operation a reader or a parse thread encoded already
 * ({@link IndexOp.bulk}) is returned as it is.
 * @throws TypeError as {@link serializeOp}.
 */
export function encodeOp(op: IndexOp): Uint8Array {
  if (op.bulk !== undefined) return op.bulk;
  return opWriter.text(op.index, op.id, documentJson(op)).bulk;
}

/**
 * Joins encoded operations into one request body. Every operation already ends in `\n`, which
 * `_bulk` requires after the last line too, so this is plain concatenation: printing each
 * {@link serializeOp} result in turn writes exactly the body the indexer sends.
 */
export function joinBulkBody(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts, bodyBytes(parts));
}

/** Size of a body made of these operations. */
export function bodyBytes(parts: readonly Uint8Array[]): number {
  let total = 0;
  for (const part of parts) total += part.length;
  return total;
}
