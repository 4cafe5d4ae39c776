/**
 * A CloudTrail body `{"Records":[ … ]}` → its entries, one at a time, without ever holding the
 * whole text: the reader follows the envelope byte by byte, cuts each entry's bytes out of the
 * stream (`../json-value.ts`) and `JSON.parse` reads the entry.
 *
 * Every departure from the envelope is an error that says what was found and where: a JSON array,
 * a digest file or an object without `Records` is never acknowledged as an empty log.
 */
import type { LineItem } from '../../source/lines.js';
import { CLOSE_BRACE, CLOSE_BRACKET, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE, ValueCut, byteText, isBlank, kindOf, parseReason, spanText } from '../json-value.js';

/** The key AWS puts the events under. */
export const RECORDS_KEY = 'Records';

/**
 * An entry whose JSON passed the cap on one record: its end was found by its brackets and strings,
 * but it was neither kept nor parsed. It stands in the entries at its place, so its ordinal counts
 * and the document stage can report it.
 */
export class OversizedRecord {
  constructor(
    /** Bytes of the entry's JSON. */
    readonly bytes: number,
    readonly cap: number,
  ) {}
}

/**
 * An entry cut out and not parsed (a reader made with `{ unparsed: true }`), as a line of a flow
 * log is given: `lineNo` is its 1-based ordinal in `Records`, `bytes` its JSON (`overlongBytes`, its
 * size, when it passed the cap), `at` the byte of the body where it starts. Whoever parses it
 * reports JSON it refuses with {@link invalidRecord}.
 */
export type RecordCut = LineItem & { readonly at: number };

/**
 * Why a body fails at record `ordinal`, whose JSON (`bytes` bytes from the body's byte `at`) is
 * refused by `JSON.parse` for `reason` ({@link parseReason}): the text the reader gives, wherever the
 * record was parsed.
 */
export function invalidRecord(ordinal: number, reason: string, at: number, bytes: number): string {
  return failureText(`invalid JSON in record ${ordinal}: ${reason}`, `within ${spanText(at, bytes)}`, ordinal - 1);
}

/** A failure with its place in the body and the records handed out before it. */
function failureText(what: string, place: string, completed: number): string {
  const read = completed === 1 ? '1 record' : `${completed} records`;
  return `${what} (${place} of the body; ${read} read before it)`;
}

/** Default cap on one record: AWS writes events of at most 256 KB; more is not a CloudTrail event. */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

/** What one chunk of body gave: finished entries, and the failure that stopped reading, if any. */
export interface BodyChunkResult {
  /**
   * Entries completed in this chunk, in order (any JSON value: the document stage judges them; an
   * {@link OversizedRecord} for one over the cap), or {@link RecordCut}s from a reader that does not parse.
   */
  readonly records: unknown[];
  /** Bytes of each entry's JSON, by its place in `records` (a document's blobs fit within a bound of it: blob.ts). */
  readonly sizes: number[];
  /** Why the body is not a CloudTrail log, with where; reading cannot go on after it. */
  readonly error?: string;
}

/** Where the scanner is in the envelope: what the next byte other than a blank may be. */
const At = {
  /** The body's value. */
  start: 0,
  /** A key or `}`, just after `{`. */
  firstKey: 1,
  /** A key, after `,`. */
  key: 2,
  /** `:` after a key. */
  colon: 3,
  /** The value of `Records`. */
  recordsValue: 4,
  /** The value of another top-level key. */
  otherValue: 5,
  /** `,` or `}` after a top-level value. */
  afterValue: 6,
  /** An entry or `]`, just after `[`. */
  firstEntry: 7,
  /** An entry, after `,`. */
  entry: 8,
  /** `,` or `]` after an entry. */
  afterEntry: 9,
  /** Inside a key, an entry or another top-level value (see {@link Value}). */
  inValue: 10,
  /** After the body's object: blanks only. */
  end: 11,
} as const;
type At = (typeof At)[keyof typeof At];

/** What the value being cut out is. */
const Value = { key: 0, entry: 1, other: 2 } as const;
type Value = (typeof Value)[keyof typeof Value];

/** What each place expects, for messages. */
const EXPECTED: Readonly<Record<At, string>> = {
  [At.start]: 'a value',
  [At.firstKey]: "a key or '}'",
  [At.key]: 'a key',
  [At.colon]: "':'",
  [At.recordsValue]: 'a value',
  [At.otherValue]: 'a value',
  [At.afterValue]: "',' or '}'",
  [At.firstEntry]: "a record or ']'",
  [At.entry]: 'a record',
  [At.afterEntry]: "',' or ']'",
  // Stryker disable next-line StringLiteral: never shown, since inside a value the cut reads every byte
  [At.inValue]: 'the end of a value',
  [At.end]: 'the end of the body',
};

/** Top-level keys remembered for the "no Records" message (a digest file shows its own keys). */
const KEYS_SHOWN = 6;
/** Cap on a top-level key, quotes included: longer ones are no key of a CloudTrail file or digest, and are named by their size. */
const MAX_KEY_BYTES = 1024;

const COLON = 0x3a;
const BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * Reads a body chunk by chunk. Feed every chunk to `write`, then call `end`. After a result with
 * an `error`, the reader is finished. Bytes may split anywhere, inside UTF-8 sequences included.
 */
export class CloudTrailBodyReader {
  readonly #maxRecordBytes: number;
  readonly #unparsed: boolean;
  #at: At = At.start;
  /** Bytes of the body before the chunk being read (a leading byte-order mark is not counted). */
  #bytesDone = 0;
  /** Bytes of a byte-order mark matched at the start; -1 once the start is past. */
  #bom = 0;
  #sawRecords = false;
  #completed = 0;
  /** Set by the first failure: the place in the envelope is lost, so reading cannot go on. */
  #failure: string | undefined;
  readonly #rootKeys: string[] = [];
  /** The top-level key whose value comes next. */
  // Stryker disable next-line StringLiteral: every key sets it before a value reads it
  #key = '';
  // Stryker disable next-line ArrayDeclaration: write and end each start their own
  #out: unknown[] = [];
  // Stryker disable next-line ArrayDeclaration: write and end each start their own
  #sizes: number[] = [];

  /** The value being cut out, and what it is. */
  readonly #cut = new ValueCut();
  #value: Value = Value.entry;

  /** `unparsed`: entries are handed out as {@link RecordCut}s, to be parsed elsewhere (the parse threads). */
  constructor(maxRecordBytes: number = DEFAULT_MAX_RECORD_BYTES, options: { readonly unparsed?: boolean } = {}) {
    this.#maxRecordBytes = maxRecordBytes;
    this.#unparsed = options.unparsed === true;
  }

  /** Entries completed so far, over all chunks. */
  get recordsRead(): number {
    return this.#completed;
  }

  write(chunk: Uint8Array): BodyChunkResult {
    if (this.#failure !== undefined) return { records: [], sizes: [], error: this.#failure };
    this.#out = [];
    this.#sizes = [];
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    // A byte-order mark, whole or split across chunks, is passed over and counts for no byte.
    // Stryker disable next-line ConditionalExpression: past the start #bom is -1, which no byte matches, so the block changes nothing
    if (this.#bom !== -1) {
      let i = 0;
      // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: each bound is kept by the comparison too (past the chunk or the mark it reads undefined)
      while (i < bytes.length && this.#bom < BOM.length && bytes[i] === BOM[this.#bom]) {
        this.#bom += 1;
        i += 1;
      }
      // All of the chunk so far the start of a mark: wait for the next.
      // Stryker disable next-line ConditionalExpression,EqualityOperator: a chunk that ends a whole mark passes on with nothing to read, the same
      if (this.#bom < BOM.length && i === bytes.length) return { records: [], sizes: [] };
      if (this.#bom > 0 && this.#bom < BOM.length) return this.#fail(`invalid JSON: unexpected ${byteText(BOM[0])} where a value was expected`, 0);
      this.#bom = -1;
      bytes = bytes.subarray(i);
    }
    const error = this.#scan(bytes);
    this.#bytesDone += bytes.length;
    return error === undefined ? { records: this.#out, sizes: this.#sizes } : { records: this.#out, sizes: this.#sizes, error };
  }

  /** The body has ended: fail when the envelope is not complete. */
  end(): BodyChunkResult {
    if (this.#failure !== undefined) return { records: [], sizes: [], error: this.#failure };
    this.#out = [];
    this.#sizes = [];
    const at = this.#bytesDone;
    // A whole mark has set #bom to -1: a positive one is a mark's start that the body ended in.
    if (this.#bom > 0) return this.#fail(`invalid JSON: unexpected ${byteText(BOM[0])} where a value was expected`, 0);
    if (at === 0) return this.#fail('the body is empty', 0);
    if (this.#at !== At.end) return this.#fail(`the body ends early (truncated?): ${this.#missing()}`, at);
    if (this.#sawRecords) return { records: [], sizes: [] };
    const keys = this.#rootKeys.length > 0 ? `; top-level keys: ${this.#rootKeys.join(', ')}` : '';
    return this.#fail(`no "${RECORDS_KEY}" array in the body (a digest file or another layout${keys})`, at);
  }

  /** What a body that ends here lacks. */
  #missing(): string {
    if (this.#at !== At.inValue) return `expected ${EXPECTED[this.#at]}`;
    if (this.#value === Value.entry) return `inside record ${this.#completed + 1}, which started at byte ${this.#cut.start}`;
    if (this.#value === Value.key) return `inside a key that started at byte ${this.#cut.start}`;
    return `inside the value of "${this.#key}", which started at byte ${this.#cut.start}`;
  }

  /** Reads one chunk's bytes; returns the failure, if any. */
  #scan(bytes: Buffer): string | undefined {
    const n = bytes.length;
    let i = 0;
    while (i < n) {
      if (this.#at === At.inValue) {
        i = this.#inValue(bytes, i);
        if (this.#failure !== undefined) return this.#failure;
        continue;
      }
      const c = bytes[i] as number;
      if (isBlank(c)) {
        i += 1;
        continue;
      }
      const problem = this.#step(c, i);
      if (problem !== undefined) return this.#fail(problem, this.#bytesDone + i).error;
      // A value's first byte (a quote, a bracket, a digit) is #inValue's to read.
      if ((this.#at as At) !== At.inValue) i += 1;
    }
    return undefined;
  }

  /** One byte outside any value, other than a blank: moves through the envelope, or says what is wrong. */
  #step(c: number, i: number): string | undefined {
    switch (this.#at) {
      case At.start:
        if (c === OPEN_BRACE) {
          this.#at = At.firstKey;
          return undefined;
        }
        return this.#notA(c, `the body is %, expected an object {"${RECORDS_KEY}":[…]}`);
      case At.firstKey:
        if (c === CLOSE_BRACE) {
          this.#at = At.end;
          return undefined;
        }
        return c === QUOTE ? this.#begin(Value.key, c, i) : this.#unexpected(c);
      case At.key:
        return c === QUOTE ? this.#begin(Value.key, c, i) : this.#unexpected(c);
      case At.colon:
        if (c !== COLON) return this.#unexpected(c);
        this.#at = this.#key === RECORDS_KEY ? At.recordsValue : At.otherValue;
        return undefined;
      case At.recordsValue:
        if (c === OPEN_BRACKET) {
          this.#sawRecords = true;
          this.#at = At.firstEntry;
          return undefined;
        }
        return this.#notA(c, `"${RECORDS_KEY}" is %, expected an array`);
      case At.otherValue:
        return this.#begin(Value.other, c, i);
      case At.afterValue:
        return this.#after(c, CLOSE_BRACE, At.key, At.end);
      case At.firstEntry:
        if (c === CLOSE_BRACKET) {
          this.#at = At.afterValue;
          return undefined;
        }
        return this.#begin(Value.entry, c, i);
      case At.entry:
        return this.#begin(Value.entry, c, i);
      case At.afterEntry:
        return this.#after(c, CLOSE_BRACKET, At.entry, At.afterValue);
      default:
        return this.#unexpected(c);
    }
  }

  /** After a value in an object or array: `,` leads to `next`, the closing `close` to `closed`. */
  #after(c: number, close: number, next: At, closed: At): string | undefined {
    if (c === COMMA) this.#at = next;
    else if (c === close) this.#at = closed;
    else return this.#unexpected(c);
    return undefined;
  }

  /** `message` with `%` replaced by the kind of value `c` starts, or the invalid byte. */
  #notA(c: number, message: string): string {
    const kind = kindOf(c);
    return kind === undefined ? this.#unexpected(c) : message.replace('%', kind);
  }

  #unexpected(c: number): string {
    return `invalid JSON: unexpected ${byteText(c)} where ${EXPECTED[this.#at]} was expected`;
  }

  /** Starts cutting out a value whose first byte is `c`, at `bytes[i]`; #inValue reads that byte again. */
  #begin(value: Value, c: number, i: number): string | undefined {
    if (kindOf(c) === undefined) return this.#unexpected(c);
    this.#value = value;
    this.#cut.begin(c, this.#bytesDone + i, value === Value.key ? MAX_KEY_BYTES : this.#maxRecordBytes);
    this.#at = At.inValue;
    return undefined;
  }

  /** Reads the value being cut out from `bytes[from]` to its end or the chunk's; returns where it stopped. */
  #inValue(bytes: Buffer, from: number): number {
    const end = this.#cut.read(bytes, from);
    if (end === -1) return bytes.length;
    this.#finish(bytes, from, end);
    return end;
  }

  /** The value ended at `bytes[end]` (read from `from`): parse it, unless it passed its cap, and go on after it. */
  #finish(bytes: Buffer, from: number, end: number): void {
    const cut = this.#cut;
    if (cut.over) {
      if (this.#value === Value.entry) this.#emit(this.#unparsed ? this.#recordCut({ overlongBytes: cut.bytes }) : new OversizedRecord(cut.bytes, this.#maxRecordBytes));
      else if (this.#value === Value.key) this.#keyRead(`(a key of ${cut.bytes} bytes)`);
      else this.#at = At.afterValue;
      return;
    }
    if (this.#value === Value.entry && this.#unparsed) {
      this.#emit(this.#recordCut({ bytes: cut.cutBytes(bytes, from, end) }));
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(cut.text(bytes, from, end));
    } catch (err) {
      if (this.#value === Value.entry) {
        this.#failed(invalidRecord(this.#completed + 1, parseReason(err), cut.start, cut.bytes));
        return;
      }
      const what = this.#value === Value.key ? 'a top-level key' : `the value of "${this.#key}"`;
      this.#fail(`invalid JSON in ${what}: ${parseReason(err)}`, `within ${cut.span}`);
      return;
    }
    if (this.#value === Value.entry) {
      this.#emit(parsed);
    } else if (this.#value === Value.key) {
      this.#keyRead(parsed as string);
    } else {
      this.#at = At.afterValue;
    }
  }

  /** A top-level key was read (a key over the cap is named by its size: it is no `Records`). */
  #keyRead(key: string): void {
    this.#key = key;
    // `Records` among them is never shown: a body with it fails otherwise, or is a log.
    if (this.#rootKeys.length < KEYS_SHOWN) this.#rootKeys.push(key);
    this.#at = At.colon;
  }

  /** The entry being finished, unparsed: its ordinal and start with its bytes (or size). */
  #recordCut(content: { readonly bytes: Buffer } | { readonly overlongBytes: number }): RecordCut {
    return { lineNo: this.#completed + 1, ...content, at: this.#cut.start };
  }

  #emit(record: unknown): void {
    this.#out.push(record);
    this.#sizes.push(this.#cut.bytes);
    this.#completed += 1;
    this.#at = At.afterEntry;
  }

  /**
   * Fails the body for good, adding the place: a byte (or a range of bytes) of the body, and how
   * many records were handed out before.
   */
  #fail(what: string, where: number | string): BodyChunkResult & { error: string } {
    return this.#failed(failureText(what, typeof where === 'number' ? `at byte ${where}` : where, this.#completed));
  }

  /** Fails the body for good with `failure`, the whole text. */
  #failed(failure: string): BodyChunkResult & { error: string } {
    this.#failure = failure;
    return { records: this.#out, sizes: this.#sizes, error: failure };
  }
}
