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
  return `${actionLine(op)}${documentJson(op)}\n`;
}

/** `{"create":{…}}\n`. */
function actionLine(op: IndexOp): string {
  // Built by hand rather than JSON.stringify({create: …}): one allocation less per document on the
  // hot path, byte-identical output (JSON.stringify escapes the index and id).
  if (op.id === '') return `{"create":{"_index":${JSON.stringify(op.index)}}}\n`;
  return `{"create":{"_index":${JSON.stringify(op.index)},"_id":${JSON.stringify(op.id)}}}\n`;
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

/** Operations up to this many UTF-16 units (a third of it in bytes, at most) are encoded through the scratch buffer. */
// Stryker disable next-line ArithmeticOperator: the size only picks which of two paths encodes an operation, and both give the same bytes
const SCRATCH_BYTES = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/**
 * {@link serializeOp}'s two lines as UTF-8 bytes. The indexer keeps bodies as bytes from here to
 * the socket: each operation is encoded once, its size is its length, and a body is one copy of
 * its operations' bytes. Joined as strings, a body was flattened, measured and encoded again.
 * An operation a parse thread encoded ({@link IndexOp.bulk}) is returned as it is.
 * @throws TypeError as {@link serializeOp}.
 */
export function encodeOp(op: IndexOp): Uint8Array {
  // Encoded already, by a parse thread.
  if (op.bulk !== undefined) return op.bulk;
  const text = serializeOp(op);
  // A UTF-16 unit takes at most 3 bytes in UTF-8; a larger operation is encoded on its own.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: both paths give the same bytes; this one keeps the scratch buffer from growing
  if (3 * text.length > SCRATCH_BYTES) return Buffer.from(text, 'utf8');
  const n = scratch.write(text, 0, 'utf8');
  const bytes = Buffer.allocUnsafe(n);
  scratch.copy(bytes, 0, 0, n);
  return bytes;
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
