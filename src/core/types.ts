/** Values exchanged between pipeline stages. Pure data, no I/O. */

/**
 * One S3 object a notification or a listing points at. Keys are already URL-decoded. S3 has no
 * bucket named '': `parse` names a local file it reads under its own name as `{ bucket: '', key: path }`
 * (`localRef`), so that messages and `log.object` can say it is a file.
 */
export interface S3ObjectRef {
  readonly bucket: string;
  readonly key: string;
  /** Size in bytes when the notification says it. */
  readonly size?: number;
  /**
   * When the object was written, epoch seconds: the S3 event's time, else LastModified. It dates
   * records that carry no time of their own (never the clock: a re-read must land in the same index).
   */
  readonly time?: number;
  /** The bucket's region when the notification says it (`awsRegion`): the object is read there. */
  readonly region?: string;
}

/** A JSON document to index. */
export type Doc = Record<string, unknown>;

/** One `_bulk` create operation: where the document goes and under which deterministic id. */
export interface IndexOp {
  readonly index: string;
  readonly id: string;
  readonly doc: Doc;
  /** The document serialised, exactly `JSON.stringify(doc)`, when the operation has it (see {@link EncodedOp}). */
  readonly json?: string;
  /**
   * The whole operation already encoded, its action line and document in UTF-8 as
   * core/bulk-op.ts writes them, when a reader wrote it so (see {@link EncodedOp}): the sink sends
   * these bytes as they are.
   */
  readonly bulk?: Uint8Array;
}

/**
 * What an operation's bytes are lent from (a chunk of core/bulk-op.ts's OpWriter): told once, when
 * nothing reads them any more, so that the memory can be written again.
 */
export interface ByteLease {
  release(): void;
}

/**
 * A lease counted by its holders: each {@link lend} adds one, each release takes one, and `onFree`
 * is told when the last one lets go (an OpWriter's chunk, a parse thread's answer buffer).
 */
export class CountedLease implements ByteLease {
  #holders: number;

  constructor(
    holders: number,
    private readonly onFree: () => void,
  ) {
    this.#holders = holders;
  }

  /** One holder more; returns the lease. */
  lend(): this {
    this.#holders += 1;
    return this;
  }

  release(): void {
    this.#holders -= 1;
    if (this.#holders === 0) this.onFree();
  }
}

/**
 * An operation already encoded (by core/bulk-op.ts's OpWriter, on this thread or a parse thread):
 * `bulk` holds its action line and its document, each ending in `\n`. `id`, `json` and `doc` decode
 * the action line or the document on demand, for the rare reader of them (dead letters, `parse`,
 * tests); the hot path only sends `bulk`.
 *
 * Bytes written by a reader's OpWriter are lent: whoever is done with the operation last (the bulk
 * indexer, once its outcome is told) calls {@link release}, and the chunk they lie in is written
 * again once all its operations are released. A released operation's bytes are gone: reading them
 * throws rather than read what was written over them.
 */
export class EncodedOp implements IndexOp {
  /**
   * The memory the bytes lie in, and where: `[#start, #end)`. No view is made of each operation:
   * an operation waits for OpenSearch's answer, and a view (~100 bytes of heap) each was most of
   * what the collector copied while they waited. Operations a reader wrote one after the other
   * share one memory, end to end, and are copied into a body as one run.
   */
  #memory: Uint8Array | undefined;
  readonly #start: number;
  readonly #end: number;
  #lease: ByteLease | undefined;

  /** The operation is `memory[start, end)`, lent by `lease` when given. */
  constructor(
    readonly index: string,
    memory: Uint8Array,
    lease?: ByteLease,
    start = 0,
    end = memory.length,
  ) {
    this.#memory = memory;
    this.#start = start;
    this.#end = end;
    this.#lease = lease;
  }

  /** A view of the bytes (made at each read: the hot path reads {@link memory} and {@link offset}). */
  get bulk(): Uint8Array {
    return this.memory.subarray(this.#start, this.#end);
  }

  /** The memory the bytes lie in, from {@link offset} on, {@link byteLength} of them. */
  get memory(): Uint8Array {
    const memory = this.#memory;
    if (memory === undefined) throw new Error(`operation for ${this.index} read after its bytes were released`);
    return memory;
  }

  get offset(): number {
    return this.#start;
  }

  get byteLength(): number {
    return this.#end - this.#start;
  }

  /** Nothing reads this operation any more. A second call, or one for bytes not lent, does nothing. */
  release(): void {
    const lease = this.#lease;
    if (lease === undefined) return;
    this.#lease = undefined;
    this.#memory = undefined;
    lease.release();
  }

  /** The action line's `_id`, `''` when it has none. */
  get id(): string {
    const bulk = this.bulk;
    const action = Buffer.from(bulk.buffer, bulk.byteOffset, bulk.indexOf(10)).toString('utf8');
    return (JSON.parse(action) as { create: { _id?: string } }).create._id ?? '';
  }

  get json(): string {
    // The action line's JSON escapes any newline in the index or id: its first `\n` ends it.
    const bulk = this.bulk;
    const start = bulk.indexOf(10) + 1;
    return Buffer.from(bulk.buffer, bulk.byteOffset + start, bulk.length - start - 1).toString('utf8');
  }

  get doc(): Doc {
    return JSON.parse(this.json) as Doc;
  }
}

/** Tells the lender of an operation's bytes, if any, that nothing reads them any more (see {@link EncodedOp}). */
export function releaseOp(op: IndexOp): void {
  if (op instanceof EncodedOp) op.release();
}

/** How OpenSearch answered for one operation, after retries. */
export const ItemStatus = {
  /** Written now. */
  created: 'created',
  /** Already there under the same id (a redelivery): success. */
  exists: 'exists',
  /** Refused for good (mapping conflict, too large): retrying cannot help. */
  rejected: 'rejected',
  /** Still failing after every retry (429, 5xx, connection): a redelivery may help. */
  failed: 'failed',
} as const;
export type ItemStatus = (typeof ItemStatus)[keyof typeof ItemStatus];

export interface ItemOutcome {
  readonly status: ItemStatus;
  /** OpenSearch's error type and reason, when there was one. */
  readonly error?: string;
}

/** One CloudWatch Logs event, as the API (FilterLogEvents) and subscription envelopes both give it. */
export interface LogEvent {
  /** CloudWatch's event id (a string of digits, unique per event). */
  readonly id: string;
  /** Event time, epoch milliseconds. */
  readonly timestamp: number;
  readonly message: string;
}
