/**
 * The `_bulk` NDJSON body, so the worker and `parse --output bulk` can never disagree about what
 * is sent: operations encoded once (core/bulk-op.ts formats each), joined into one body.
 */
import { Buffer } from 'node:buffer';
import { EncodedOp, type IndexOp } from '../core/types.js';
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
 * {@link encodeOp}'s bytes as an operation: `op` itself when it is one, else a new one whose bytes
 * are lent as a reader's are, for a holder that releases what it is done with (the bulk indexer).
 * @throws TypeError as {@link serializeOp}.
 */
export function encodedOp(op: IndexOp): EncodedOp {
  if (op instanceof EncodedOp) return op;
  if (op.bulk !== undefined) return new EncodedOp(op.index, op.bulk);
  return opWriter.text(op.index, op.id, documentJson(op));
}

/**
 * Joins encoded operations into one request body. Every operation already ends in `\n`, which
 * `_bulk` requires after the last line too, so this is plain concatenation: printing each
 * {@link serializeOp} result in turn writes exactly the body the indexer sends.
 */
export function joinBulkBody(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

/**
 * Request bodies made in buffers that are used again. A fresh body is a few MiB outside V8's heap
 * for every request, and that memory is what made V8 run most of its full mark-compacts: in the
 * worker's path without a network (a script that is now the `indexer` row of `npm run bench`;
 * 1,000,000 records, 8 alternating pairs), reusing bodies took the median count of mark-compacts
 * from 27 to 3 and the median CPU down by 14 % (see BENCHMARKS.md).
 *
 * A body is lent: {@link join} takes a free buffer (or makes one), {@link release} gives it back
 * once nothing reads it any more. Buffers hold `size` bytes (the indexer's maxBytes), which only
 * a single larger operation passes: a body for it is made to measure and not kept.
 */
export class BodyPool {
  readonly #free: Buffer[] = [];

  /** @param size bytes of each kept buffer; @param keep free buffers kept at most. */
  constructor(
    private readonly size: number,
    private readonly keep: number,
  ) {}

  /** The operations joined ({@link writeOps}), as {@link joinBulkBody} joins their bytes, in a lent buffer. */
  join(ops: readonly EncodedOp[]): Buffer {
    const bytes = bodyBytes(ops);
    const buffer = bytes > this.size ? Buffer.allocUnsafeSlow(bytes) : (this.#free.pop() ?? Buffer.allocUnsafeSlow(this.size));
    writeOps(ops, buffer);
    return buffer.subarray(0, bytes);
  }

  /** Takes a body from {@link join} back; its bytes may be overwritten from now on. */
  release(body: Buffer): void {
    if (body.buffer.byteLength === this.size && this.#free.length < this.keep) this.#free.push(Buffer.from(body.buffer, 0, this.size));
  }
}

/**
 * Writes the operations' bytes one after the other into `target` from its byte 0. Operations a
 * reader wrote one after the other lie end to end in its memory: each run of them is copied at
 * once (a copy costs about as much for one operation as for a few hundred).
 */
export function writeOps(ops: readonly EncodedOp[], target: Uint8Array): void {
  let at = 0;
  for (let i = 0; i < ops.length; ) {
    const first = ops[i] as EncodedOp;
    const memory = first.memory;
    const start = first.offset;
    let end = start + first.byteLength;
    // Stryker disable ConditionalExpression: a run cut short, down to one operation, is copied in more steps to the same bytes
    for (i++; i < ops.length; i++) {
      const next = ops[i] as EncodedOp;
      if (next.offset !== end || next.memory !== memory) break;
      end += next.byteLength;
    }
    // Stryker restore ConditionalExpression
    target.set(memory.subarray(start, end), at);
    at += end - start;
  }
}

/** Size of a body made of these operations. */
export function bodyBytes(ops: readonly EncodedOp[]): number {
  let total = 0;
  for (const op of ops) total += op.byteLength;
  return total;
}
