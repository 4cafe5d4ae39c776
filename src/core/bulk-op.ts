/**
 * One `_bulk` create operation in its wire form: the only place that formats the action line, as
 * text ({@link actionLine}) and as bytes ({@link OpWriter}), so that every path to the socket
 * writes the same bytes.
 *
 * `create` (not `index`) is what makes delivery exactly-once: a second delivery of the same
 * deterministic id answers 409 instead of overwriting or duplicating. An empty id leaves `_id` out
 * and lets OpenSearch choose one: only for Serverless time-series collections, which refuse
 * custom ids (and so cannot de-duplicate).
 */
import { Buffer } from 'node:buffer';
import { CountedLease, EncodedOp, type IndexOp } from './types.js';

/** `{"create":{"_index":…` up to where the id goes. */
export const actionHead = (index: string): string => `{"create":{"_index":${JSON.stringify(index)}`;
const ID_KEY = ',"_id":';
/** `,"_id":…`, nothing for the empty id. */
const idPart = (id: string): string => (id === '' ? '' : `${ID_KEY}${JSON.stringify(id)}`);
const TAIL = '}}\n';

/**
 * `{"create":{"_index":…,"_id":…}}\n`. Built by hand rather than JSON.stringify({create: …}): one
 * allocation less per document, byte-identical output (JSON.stringify escapes the index and id).
 */
export function actionLine(index: string, id: string): string {
  return `${actionHead(index)}${idPart(id)}${TAIL}`;
}

/**
 * The same operation with no `_id`, for OpenSearch to choose one (OPENSEARCH_DOCUMENT_IDS=false).
 * An operation already encoded gets a new action line before its document's bytes: copying its
 * fields would keep the id inside them.
 */
export function withoutId(op: IndexOp): IndexOp {
  if (op.bulk === undefined) return { ...op, id: '' };
  const action = Buffer.from(actionLine(op.index, ''), 'utf8');
  // The action line's JSON escapes any newline in the index or id: its first `\n` ends it.
  const doc = op.bulk.subarray(op.bulk.indexOf(10) + 1);
  return new EncodedOp(op.index, Buffer.concat([action, doc], action.length + doc.length));
}

/**
 * True when JSON.stringify writes `text` as itself between quotes, one byte a character: printable
 * ASCII but `"` and `\`. It only picks the fast way to write an id (byte by byte) over the general
 * one (JSON.stringify, then UTF-8), which gives the same bytes for such ids: a mutant that sends
 * more ids the general way changes nothing, so its mutants are not counted; the ids of every kind
 * of character are held to JSON.stringify by test/unit/core/bulk-op.test.ts.
 */
// Stryker disable all
function isPlainAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c > 126 || c === 34 || c === 92) return false;
  }
  return true;
}
// Stryker restore all

/** What a writer writes into before its first operation and after a rewind: no memory. */
const NO_CHUNK = Buffer.allocUnsafeSlow(0);

/** A writer's first chunk: a small object's few operations hold little memory. */
const FIRST_CHUNK_BYTES = 16 * 1024;
/** Chunks double up to this (a few hundred flow-log operations). */
const CHUNK_BYTES = 256 * 1024;
/** Chunks of CHUNK_BYTES kept for writing again once all their operations were released (8 MiB). */
const MAX_POOLED_CHUNKS = 32;

/**
 * Chunks whose operations were all released, for any writer of this thread to write again. New
 * memory outside V8's heap counts towards its old generation's limit until the next mark-compact:
 * a chunk made anew for every few hundred operations (~840 MB for a million flow-log records) had
 * V8 run a mark-compact every ~90 ms with 21 MB live, and the full path take ~30 % more CPU
 * (BENCHMARKS.md, "Operation chunks written again").
 */
const pooled: Buffer<ArrayBuffer>[] = [];

/**
 * A chunk lent to the operations written in it: one holder per operation, plus one for the writer
 * until it moves on to another chunk. When none is left the chunk goes back to the pool.
 */
function lentChunk(chunk: Buffer<ArrayBuffer>): CountedLease {
  return new CountedLease(1, () => {
    if (chunk.length === CHUNK_BYTES && pooled.length < MAX_POOLED_CHUNKS) pooled.push(chunk);
  });
}

/**
 * Writes operations end to end into shared chunks of memory, each operation a view of its chunk:
 * a reader writes a document's JSON straight after its action line, with no string, no encoding
 * and no copy in between. Use: `begin(index, id, docBound)` (or `beginWithIdBytes`) gives where
 * the document goes in `buffer`; write at most `docBound` bytes there; `end(docEnd)` gives the
 * operation. A chunk lives as long as any operation in it (one batch's operations are sent and
 * dropped together), and is written again, by any writer, once each of its operations was
 * released (`EncodedOp.release`; an operation never released leaves its chunk to the collector).
 * A writer made with `rewinds` writes its own chunks again after {@link rewind} instead, for a
 * caller that copies each batch's bytes away (a parse thread, whose answer is one buffer).
 */
export class OpWriter {
  #chunk = NO_CHUNK;
  /** The current chunk's lease, for a writer that does not rewind. */
  #lent: CountedLease | undefined;
  /** Chunks written since the last rewind (only a writer that rewinds keeps them), and those free to write again. */
  readonly #written: Buffer<ArrayBuffer>[] | undefined;
  readonly #free: Buffer<ArrayBuffer>[] = [];
  #used = 0;
  #nextChunk = FIRST_CHUNK_BYTES;
  /** The index of the operation begun last, and its action line's head in bytes. */
  #index: string | undefined;
  #head: Uint8Array = new Uint8Array(0);
  #opStart = 0;
  #docStart = 0;
  #docBound = 0;

  constructor(options: { readonly rewinds?: boolean } = {}) {
    this.#written = options.rewinds === true ? [] : undefined;
  }

  /**
   * Every operation written so far is done with (its bytes were copied): the next ones are written
   * over them, into the same chunks, instead of into new memory each batch.
   */
  rewind(): void {
    const written = this.#written;
    if (written === undefined) throw new Error('rewind needs an OpWriter made with { rewinds: true }');
    // Popped in the order they were first written.
    while (written.length > 0) this.#free.push(written.pop() as Buffer<ArrayBuffer>);
    this.#chunk = NO_CHUNK;
    this.#used = 0;
  }

  /** The chunk the document of the operation begun last goes into. */
  get buffer(): Buffer {
    return this.#chunk;
  }

  /**
   * Writes the action line of a create of `id` in `index` and makes room after it for a document
   * of at most `docBound` bytes and its newline. Returns where the document starts in {@link buffer}.
   */
  begin(index: string, id: string, docBound: number): number {
    const plain = isPlainAscii(id);
    // A plain id is written as itself between quotes.
    const idBytes = plain ? (id === '' ? 0 : ID_KEY.length + id.length + 2) : Buffer.byteLength(idPart(id), 'utf8');
    let pos = this.#open(index, idBytes, docBound);
    const chunk = this.#chunk;
    // Stryker disable next-line ConditionalExpression: the general way gives the same bytes for a plain id (see isPlainAscii)
    if (!plain) {
      pos += chunk.write(idPart(id), pos, 'utf8');
    } else if (id !== '') {
      pos = ascii(chunk, pos, ID_KEY);
      chunk[pos++] = 34;
      pos = ascii(chunk, pos, id);
      chunk[pos++] = 34;
    }
    return this.#close(pos, docBound);
  }

  /**
   * {@link begin} with the id given as its bytes, each a printable ASCII character other than `"`
   * and `\` (a hash's hex digits), which JSON writes as they are: no string is made of them.
   */
  beginWithIdBytes(index: string, id: Uint8Array, docBound: number): number {
    let pos = this.#open(index, ID_KEY.length + id.length + 2, docBound);
    const chunk = this.#chunk;
    pos = ascii(chunk, pos, ID_KEY);
    chunk[pos++] = 34;
    for (let i = 0; i < id.length; i++) chunk[pos++] = id[i] as number;
    chunk[pos++] = 34;
    return this.#close(pos, docBound);
  }

  /** Makes room for an operation whose id part takes `idBytes` and writes its head; returns where the id part goes. */
  #open(index: string, idBytes: number, docBound: number): number {
    // Stryker disable next-line ConditionalExpression: a cache of the head's bytes, the same bytes when made again
    if (index !== this.#index) {
      this.#index = index;
      this.#head = Buffer.from(actionHead(index), 'utf8');
    }
    const at = this.#room(this.#head.length + idBytes + TAIL.length + docBound + 1);
    this.#chunk.set(this.#head, at);
    return at + this.#head.length;
  }

  /** Makes room for `need` bytes in the chunk, moving on to another when this one is short of it; returns where they go. */
  #room(need: number): number {
    if (this.#used + need > this.#chunk.length) {
      const written = this.#written;
      // A pooled chunk holds CHUNK_BYTES; a free chunk too small for this operation is left to the collector.
      const free = written === undefined ? (need <= CHUNK_BYTES ? pooled.pop() : undefined) : this.#free.pop();
      if (free !== undefined && free.length >= need) {
        this.#chunk = free;
      } else {
        this.#chunk = Buffer.allocUnsafeSlow(Math.max(this.#nextChunk, need));
        this.#nextChunk = Math.min(2 * this.#nextChunk, CHUNK_BYTES);
      }
      if (written === undefined) {
        this.#lent?.release();
        this.#lent = lentChunk(this.#chunk);
      } else {
        written.push(this.#chunk);
      }
      this.#used = 0;
    }
    return this.#used;
  }

  /**
   * Operations encoded elsewhere, end to end from `source[start]`: the i-th ends at
   * `start + ends[i]` and is a create in `indices[i]`. They are copied into a chunk as one run and
   * appended to `ops`, each an operation of this writer like those it writes itself.
   */
  copied(source: Uint8Array, start: number, ends: readonly number[], indices: readonly string[], ops: IndexOp[]): void {
    const total = ends[ends.length - 1] ?? 0;
    const at = this.#room(total);
    const chunk = this.#chunk;
    chunk.set(source.subarray(start, start + total), at);
    let from = at;
    for (let i = 0; i < ends.length; i++) {
      const end = at + (ends[i] as number);
      ops.push(new EncodedOp(indices[i] as string, chunk, this.#lent?.lend(), from, end));
      from = end;
    }
    this.#used = at + total;
  }

  /** Ends the action line at `pos`; returns where the document starts. */
  #close(pos: number, docBound: number): number {
    pos = ascii(this.#chunk, pos, TAIL);
    this.#opStart = this.#used;
    this.#docStart = pos;
    this.#docBound = docBound;
    return pos;
  }

  /** The operation begun last, its document ending at `docEnd` in {@link buffer}. */
  end(docEnd: number): EncodedOp {
    if (docEnd < this.#docStart || docEnd > this.#docStart + this.#docBound) {
      throw new RangeError(`document of ${docEnd - this.#docStart} bytes for an operation with room for ${this.#docBound}`);
    }
    this.#chunk[docEnd] = 10;
    this.#used = docEnd + 1;
    // Its place in the chunk, no view of it (see EncodedOp).
    return new EncodedOp(this.#index as string, this.#chunk, this.#lent?.lend(), this.#opStart, this.#used);
  }

  /** The operation for a document already serialised; `id` as {@link begin} or {@link beginWithIdBytes} take it. */
  text(index: string, id: string | Uint8Array, json: string): EncodedOp {
    // A UTF-16 unit takes at most 3 bytes in UTF-8.
    const at = typeof id === 'string' ? this.begin(index, id, 3 * json.length) : this.beginWithIdBytes(index, id, 3 * json.length);
    return this.end(at + this.#chunk.write(json, at, 'utf8'));
  }
}

/** Writes an ASCII string to `out[pos]`, returning the position after it. */
function ascii(out: Uint8Array, pos: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[pos++] = text.charCodeAt(i);
  return pos;
}
