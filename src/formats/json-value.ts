/**
 * Cuts JSON values out of a stream of bytes, one at a time, so that `JSON.parse` reads each whole:
 * told where a value starts, {@link ValueCut} follows its strings and brackets to its end across
 * chunks, keeping its bytes up to a cap. Finding the end needs nothing else (a bracket inside a
 * string counts for nothing); `JSON.parse` then checks everything, and refuses what is not JSON.
 *
 * Why not a streaming tokenizer (stream-json read CloudTrail bodies and CloudWatch Logs envelopes
 * before): it makes an object for every key, string and number, and an assembler builds the value
 * from them, several times what `JSON.parse` of the same bytes costs (BENCHMARKS.md, "CloudTrail
 * events cut out and parsed whole"). The cut works on bytes: every byte it looks for is ASCII, which
 * no byte of a multi-byte UTF-8 character can be taken for, so chunks may split anywhere.
 */

export const QUOTE = 0x22;
const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;

/** JSON's blanks: space, tab, line feed, carriage return. */
export function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** What a value's first byte says it is, for messages; undefined when no JSON value starts so. */
export function kindOf(c: number): string | undefined {
  if (c === OPEN_BRACE) return 'an object';
  if (c === OPEN_BRACKET) return 'an array';
  if (c === QUOTE) return 'a string';
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return 'a number';
  if (c === 0x6e) return 'null';
  if (c === 0x74 || c === 0x66) return 'a boolean';
  return undefined;
}

/** A byte as a message shows it: the character when printable ASCII, else its code. */
export function byteText(c: number): string {
  // Stryker disable next-line EqualityOperator: a space is a blank, never an unexpected byte
  return c > 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/**
 * The reason JSON.parse gave, without the excerpt of the text V8 quotes in some of its messages
 * (`Unexpected token 'x', "{"a":x}" is not valid JSON`): a body's content stays out of logs. The
 * caller places the value by its bytes; the fault's place within it stays.
 */
export function parseReason(err: unknown): string {
  // Stryker disable Regex: each message ends where the patterns do, anchored or not
  return (err instanceof Error ? err.message : String(err))
    .replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '')
    // V8 counts UTF-16 characters of the value's text (newer versions add a line and column).
    .replace(/ in JSON at position (\d+).*$/s, ' at its character $1');
  // Stryker restore Regex
}

/** Where the run of backslashes that ends just before `bytes[at]` starts, looking back no further than `lowest`. */
function runStart(bytes: Uint8Array, at: number, lowest: number): number {
  let start = at;
  while (start > lowest && bytes[start - 1] === BACKSLASH) start -= 1;
  return start;
}

const EMPTY = Buffer.alloc(0);

/** `bytes` bytes of a stream from its byte `start`, for messages: "bytes 120–4216". */
export function spanText(start: number, bytes: number): string {
  return `bytes ${start}–${start + bytes}`;
}

/**
 * One value being cut out. Use: {@link begin} at the value's first byte, then {@link read} each
 * chunk from where the value goes on until it returns the value's end, then {@link text}.
 */
export class ValueCut {
  #start = 0;
  #bytes = 0;
  // Stryker disable next-line BooleanLiteral: begin sets it, as the three below
  #over = false;
  #cap = 0;
  /** Its bytes from earlier chunks, while it is within the cap. */
  #parts: Buffer[] = [];
  // Where the cut is inside the value: bracket depth, inside a string, after a backslash, a bare number or word.
  #depth = 0;
  // Stryker disable next-line BooleanLiteral: begin sets it
  #inString = false;
  // Stryker disable next-line BooleanLiteral: begin sets it
  #escaped = false;
  // Stryker disable next-line BooleanLiteral: begin sets it
  #bare = false;

  /** Starts a value whose first byte, `first` (one {@link kindOf} knows), is byte `at` of the stream; `cap` bytes are kept at most. */
  begin(first: number, at: number, cap: number): void {
    this.#start = at;
    this.#bytes = 0;
    this.#over = false;
    this.#cap = cap;
    this.#parts = [];
    this.#depth = 0;
    this.#inString = false;
    this.#escaped = false;
    this.#bare = first !== QUOTE && first !== OPEN_BRACE && first !== OPEN_BRACKET;
  }

  /** Byte of the stream where the value starts. */
  get start(): number {
    return this.#start;
  }

  /** Bytes of the value read so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The value's place in the stream, for messages: "bytes 120–4216". */
  get span(): string {
    return spanText(this.#start, this.#bytes);
  }

  /** True once the value passed its cap: it is only followed to its end, never held. */
  get over(): boolean {
    return this.#over;
  }

  /** True for a number, true, false or null: those end at the first byte that cannot be in them, or at the end of the stream. */
  get bare(): boolean {
    return this.#bare;
  }

  /**
   * Reads the value from `bytes[from]` (its first byte included, for the first chunk): returns the
   * index just after its last byte, or -1 when it goes on in the next chunk.
   */
  read(bytes: Buffer, from: number): number {
    const n = bytes.length;
    let i = from;
    let end = -1;
    if (this.#bare) {
      // A bare value ends before the first byte that cannot be in it; JSON.parse judges the rest.
      // Stryker disable next-line EqualityOperator: one read past the chunk gives undefined, which ends nothing
      for (; i < n; i++) {
        const c = bytes[i] as number;
        if (isBlank(c) || c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE || c === OPEN_BRACE || c === OPEN_BRACKET || c === QUOTE) {
          end = i;
          break;
        }
      }
    } else {
      let depth = this.#depth;
      let inString = this.#inString;
      let escaped = this.#escaped;
      // Stryker disable next-line EqualityOperator: one step past the chunk finds no quote and reads undefined, which changes nothing
      for (; i < n; i++) {
        if (inString) {
          if (escaped) {
            escaped = false;
            continue;
          }
          // Most of a log is text: a string's closing quote is found by indexOf, then told from an
          // escaped one by the backslashes before it (an odd run escapes it).
          const quote = bytes.indexOf(QUOTE, i);
          if (quote === -1) {
            // The string goes on in the next chunk, escaped there when this one ends in an odd run.
            // Stryker disable next-line ArithmeticOperator: a sum has the difference's parity
            escaped = (n - runStart(bytes, n, i)) % 2 === 1;
            i = n;
            break;
          }
          // Stryker disable next-line ArithmeticOperator: only its parity is read, which a sum shares
          const escapes = quote - runStart(bytes, quote, i);
          i = quote;
          if (escapes % 2 === 1) continue;
          inString = false;
          if (depth === 0) {
            end = i + 1;
            break;
          }
          continue;
        }
        const c = bytes[i] as number;
        if (c === QUOTE) {
          inString = true;
        } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          depth += 1;
        } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          depth -= 1;
          if (depth === 0) {
            end = i + 1;
            break;
          }
        }
      }
      this.#depth = depth;
      this.#inString = inString;
      this.#escaped = escaped;
    }
    this.#bytes += (end === -1 ? n : end) - from;
    if (!this.#over && this.#bytes > this.#cap) {
      this.#over = true;
      this.#parts = [];
    }
    // Copied: the caller may use its chunk's memory again once it has read it.
    if (end === -1 && !this.#over) this.#parts.push(Buffer.from(bytes.subarray(from, n)));
    return end;
  }

  /**
   * The value's text, once {@link read} returned `end` for `bytes` read from `from` (for a bare
   * value the stream ended in, call it with no bytes). A value {@link over} its cap has none: ask first.
   */
  text(bytes: Buffer = EMPTY, from = 0, end = 0): string {
    if (this.#over) throw new Error(`the value at ${this.span} passed its cap of ${this.#cap} bytes: its text was not kept`);
    const parts = this.#parts;
    this.#parts = [];
    // Stryker disable next-line ConditionalExpression: joining no earlier parts gives the same text, with a copy
    return parts.length === 0 ? bytes.toString('utf8', from, end) : Buffer.concat([...parts, bytes.subarray(from, end)]).toString('utf8');
  }

  /**
   * The value's bytes, as {@link text} takes its arguments: a view of `bytes` when the value lies
   * within that chunk (the caller must not write over the chunk while it holds the view), else a copy.
   */
  cutBytes(bytes: Buffer = EMPTY, from = 0, end = 0): Buffer {
    if (this.#over) throw new Error(`the value at ${this.span} passed its cap of ${this.#cap} bytes: its bytes were not kept`);
    const parts = this.#parts;
    this.#parts = [];
    // Stryker disable next-line ConditionalExpression: joining no earlier parts gives the same bytes, in a copy
    return parts.length === 0 ? bytes.subarray(from, end) : Buffer.concat([...parts, bytes.subarray(from, end)]);
  }
}
