/**
 * A CloudTrail body `{"Records":[ … ]}` → its entries, one at a time, without ever holding the
 * whole text: stream-json's tokenizer turns each chunk into tokens, a small router follows where
 * the tokens are in the envelope, and stream-json's Assembler builds one entry at a time.
 *
 * The router exists (instead of stream-json's `pick` + `streamArray`) because those accept any
 * layout silently: a JSON array, a digest file or an object without `Records` would simply yield
 * nothing, and an object that is not a log would be acknowledged as empty. Here every departure
 * from the envelope is an error that says what was found and where.
 *
 * Why stream-json rather than @streamparser/json: on a generated 50 MB body it tokenized about
 * 1.5–2× faster here, its dependency-free core is plain synchronous functions (no Node stream
 * glue between our async iterable and it), and it has been maintained since 2013 with wide use.
 */
import { jsonParser, type Token } from 'stream-json/core/parser.js';
import Assembler from 'stream-json/core/assembler.js';
import { getManyValues, isMany, none } from 'stream-chain/defs.js';

/** The key AWS puts the events under. */
export const RECORDS_KEY = 'Records';

/**
 * An entry whose JSON passed the cap on one record: it was passed over token by token, never
 * assembled. It stands in the entries at its place, so its ordinal counts and the document stage
 * can report it.
 */
export class OversizedRecord {
  constructor(
    /** Characters of JSON (strings, keys and numbers, plus one per other token) seen before it was given up. */
    readonly chars: number,
    readonly cap: number,
  ) {}
}

/** Default cap on one record: AWS writes events of at most 256 KB; more is not a CloudTrail event. */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

/** What one chunk of body gave: finished entries, and the failure that stopped reading, if any. */
export interface BodyChunkResult {
  /** Entries completed in this chunk, in order (any JSON value: the document stage judges them). */
  readonly records: unknown[];
  /** Why the body is not a CloudTrail log, with where; reading cannot go on after it. */
  readonly error?: string;
}

/** Where the router is in the envelope. */
const At = {
  start: 'start',
  rootKeys: 'root-keys',
  recordsValue: 'records-value',
  recordsArray: 'records-array',
  record: 'record',
  /** Inside a record over the cap: its tokens are counted for depth only. */
  oversized: 'oversized',
  skipValue: 'skip-value',
  end: 'end',
} as const;
type At = (typeof At)[keyof typeof At];

/**
 * Most text per tokenizer call. The tokenizer returns a call's tokens only when the whole call
 * parsed, so a JSON error loses the records completed earlier in the same call and is placed
 * only to within it; this bounds both for callers that pass huge chunks. Smaller is not free:
 * 4 KiB calls cost 15–20 % of the tokenizer's speed here, while gunzip and S3 chunks (16–64 KiB)
 * pass whole. Truncated bodies lose nothing: they fail at the end, after every whole record.
 */
const SLICE_CHARS = 64 * 1024;

/** Top-level keys remembered for the "no Records" message (a digest file shows its own keys). */
const KEYS_SHOWN = 6;

/** The value of a scalar token (the only tokens besides a start that open an entry). */
function scalarOf(token: Token): unknown {
  switch (token.name) {
    case 'stringValue': return token.value;
    case 'numberValue': return Number(token.value);
    case 'nullValue': return null;
    case 'trueValue': return true;
    default: return false;
  }
}

/** What a value's first token says it is, for messages. */
function kindOf(token: Token): string {
  switch (token.name) {
    case 'startObject': return 'an object';
    case 'startArray': return 'an array';
    case 'stringValue': return 'a string';
    case 'numberValue': return 'a number';
    case 'nullValue': return 'null';
    default: return 'a boolean';
  }
}

/**
 * Reads a body chunk by chunk. Feed every chunk to `write`, then call `end`. After a result with
 * an `error`, the reader is finished. Bytes may split anywhere, inside UTF-8 sequences included.
 */
export class CloudTrailBodyReader {
  // Strings, keys and numbers arrive in chunks (never packed by the tokenizer, which would hold a
  // whole 256 MiB string before we could look at it); #token packs them again, within the cap.
  readonly #tokenize = jsonParser({ packValues: false, streamValues: true });
  // fatal: false keeps going on invalid UTF-8 (U+FFFD) as JSON.parse of a decoded body would.
  readonly #decoder = new TextDecoder('utf-8');
  #assembler = new Assembler();
  /** Characters of the record being read (see OversizedRecord.chars). */
  #recordChars = 0;
  /** Depth inside an oversized record, to find its end. */
  #oversizedDepth = 0;
  /** The string, key or number being packed. */
  #value = '';

  constructor(private readonly maxRecordChars: number = DEFAULT_MAX_RECORD_BYTES) {}

  #at: At = At.start;
  #skipDepth = 0;
  #sawRecords = false;
  #completed = 0;
  /** UTF-8 bytes of the text tokenized so far (after the decoder: a BOM is not counted). */
  #bytesDone = 0;
  /** Set by the first failure: the tokenizer's state is lost, so reading cannot go on. */
  #failure: string | undefined;
  readonly #rootKeys: string[] = [];
  #out: unknown[] = [];

  /** Entries completed so far, over all chunks. */
  get recordsRead(): number {
    return this.#completed;
  }

  write(chunk: Uint8Array): BodyChunkResult {
    if (this.#failure !== undefined) return { records: [], error: this.#failure };
    const text = this.#decoder.decode(chunk, { stream: true });
    this.#out = [];
    for (let at = 0; at < text.length; at += SLICE_CHARS) {
      const error = this.#run(text.length <= SLICE_CHARS ? text : text.slice(at, at + SLICE_CHARS));
      if (error !== undefined) return { records: this.#out, error };
    }
    return { records: this.#out };
  }

  /** The body has ended: flush, and fail when the envelope is not complete. */
  end(): BodyChunkResult {
    if (this.#failure !== undefined) return { records: [], error: this.#failure };
    this.#out = [];
    const tail = this.#decoder.decode();
    if (this.#bytesDone === 0 && tail === '') return { records: [], error: this.#where('the body is empty', 0, 0) };
    const error = this.#run(tail) ?? this.#run(none) ?? this.#notEnvelope();
    return error === undefined ? { records: this.#out } : { records: this.#out, error };
  }

  /** Tokenizes text (`none` flushes) and routes the tokens; returns what went wrong, with where. */
  #run(text: string | typeof none): string | undefined {
    if (text === '') return undefined;
    const bytes = text === none ? 0 : Buffer.byteLength(text, 'utf8');
    try {
      this.#route(this.#tokenize(text as string));
      this.#bytesDone += bytes;
      return undefined;
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      const what = err instanceof EnvelopeError ? detail
        : text === none ? `the body ends early (truncated?): ${detail}` : `invalid JSON: ${detail}`;
      this.#failure = this.#where(what, this.#bytesDone, this.#bytesDone + bytes);
      return this.#failure;
    }
  }

  #route(produced: unknown): void {
    if (produced === none) return;
    if (isMany(produced)) {
      for (const token of getManyValues(produced) as Token[]) this.#token(token);
    } else {
      this.#token(produced as Token);
    }
  }

  /** Packs streamed values again, counting a record's size, then routes the packed token. */
  #token(token: Token): void {
    switch (token.name) {
      case 'startString': case 'startKey': case 'startNumber':
        this.#value = '';
        return;
      case 'stringChunk': case 'numberChunk':
        this.#grow(token.value.length);
        // Kept while under the cap: a record's value passes it only when the record is given up, and
        // a passed-over value or a root key name (shown in a message) is worth no more.
        if (this.#value.length <= this.maxRecordChars) this.#value += token.value;
        return;
      case 'endString': return this.#step({ name: 'stringValue', value: this.#take() });
      case 'endKey': return this.#step({ name: 'keyValue', value: this.#take() });
      case 'endNumber': return this.#step({ name: 'numberValue', value: this.#take() });
      default:
        // The bracket that closes Records belongs to no record.
        if (token.name !== 'endArray' || this.#at !== At.recordsArray) this.#grow(1);
        return this.#step(token);
    }
  }

  #take(): string {
    const value = this.#value;
    this.#value = '';
    return value;
  }

  /** Counts characters of the record in work; past the cap, the record is given up before it is assembled. */
  #grow(chars: number): void {
    if (this.#at !== At.record && this.#at !== At.recordsArray) return;
    this.#recordChars += chars;
    if (this.#recordChars <= this.maxRecordChars) return;
    // An object or array ends at the assembler's depth; a scalar entry still arriving at depth 0,
    // the depth of an assembler that holds nothing.
    this.#oversizedDepth = this.#assembler.depth;
    this.#assembler = new Assembler();
    this.#at = At.oversized;
  }

  /** A token inside an oversized record: only its depth matters, to find where the record ends. */
  #passOver(token: Token): void {
    if (token.name === 'startObject' || token.name === 'startArray') this.#oversizedDepth += 1;
    else if (token.name === 'endObject' || token.name === 'endArray') this.#oversizedDepth -= 1;
    if (this.#oversizedDepth === 0) this.#emit(new OversizedRecord(this.#recordChars, this.maxRecordChars));
  }

  /** One token through the envelope's state machine. */
  #step(token: Token): void {
    switch (this.#at) {
      case At.record: return this.#inRecord(token);
      case At.oversized: return this.#passOver(token);
      case At.recordsArray: return this.#nextRecord(token);
      case At.skipValue: return this.#skip(token);
      case At.rootKeys: return this.#rootKey(token);
      case At.recordsValue:
        if (token.name !== 'startArray') throw new EnvelopeError(`"${RECORDS_KEY}" is ${kindOf(token)}, expected an array`);
        this.#sawRecords = true;
        this.#at = At.recordsArray;
        return;
      case At.start:
        if (token.name !== 'startObject') throw new EnvelopeError(`the body is ${kindOf(token)}, expected an object {"${RECORDS_KEY}":[…]}`);
        this.#at = At.rootKeys;
        return;
      // At.end: no token comes, the tokenizer itself refuses anything after the root value.
    }
  }

  #inRecord(token: Token): void {
    this.#assembler.consume(token);
    if (this.#assembler.done) this.#emit(this.#assembler.current);
  }

  #nextRecord(token: Token): void {
    if (token.name === 'endArray') {
      this.#at = At.rootKeys;
    } else if (token.name === 'startObject' || token.name === 'startArray') {
      this.#at = At.record;
      this.#assembler.consume(token);
    } else {
      // A scalar entry is still an entry: its ordinal counts, and the document stage reports it.
      this.#emit(scalarOf(token));
    }
  }

  #emit(record: unknown): void {
    this.#out.push(record);
    this.#completed += 1;
    this.#recordChars = 0;
    this.#at = At.recordsArray;
  }

  #rootKey(token: Token): void {
    if (token.name === 'endObject') {
      this.#at = At.end;
    } else if (token.name === 'keyValue') {
      if (token.value === RECORDS_KEY) {
        this.#at = At.recordsValue;
      } else {
        // Other top-level keys are not events; their values are passed over, token by token.
        if (this.#rootKeys.length < KEYS_SHOWN) this.#rootKeys.push(token.value);
        // #skipDepth is 0 here: a skipped value ends when it is back at 0.
        this.#at = At.skipValue;
      }
    }
  }

  #skip(token: Token): void {
    if (token.name === 'startObject' || token.name === 'startArray') this.#skipDepth += 1;
    else if (token.name === 'endObject' || token.name === 'endArray') this.#skipDepth -= 1;
    if (this.#skipDepth === 0) this.#at = At.rootKeys;
  }

  /** Why a whole JSON body is not an envelope (with where), or undefined when it is one. */
  #notEnvelope(): string | undefined {
    // The tokenizer refuses to end an incomplete value, so the router is at the end here.
    const at = (what: string): string => this.#where(what, this.#bytesDone, this.#bytesDone);
    if (this.#sawRecords) return undefined;
    const keys = this.#rootKeys.length > 0 ? `; top-level keys: ${this.#rootKeys.join(', ')}` : '';
    return at(`no "${RECORDS_KEY}" array in the body (a digest file or another layout${keys})`);
  }

  /**
   * Adds the place: the bytes being read and how many records were handed out before. The
   * tokenizer gives a slice's tokens only when the whole slice parsed, so a JSON error loses the
   * records that end in its slice before it: the count is what was read, the bytes where it broke.
   */
  #where(what: string, from: number, to: number): string {
    const bytes = from === to ? `at byte ${from}` : `within bytes ${from}–${to}`;
    const read = this.#completed === 1 ? '1 record' : `${this.#completed} records`;
    return `${what} (${bytes} of the body; ${read} read before it)`;
  }
}

/** The body is valid JSON so far but not the CloudTrail envelope. */
class EnvelopeError extends Error {}
