/**
 * The hot path of flow logs: a writer compiled once per header that scans a line's bytes and
 * copies its document's JSON, as UTF-8 bytes, straight from the line's fields into the buffer its
 * caller gives (the reader gives the `_bulk` operation's own bytes: core/bulk-op.ts), without
 * building the document object, a string per field, a rope of pieces or a string of the whole
 * document. Key fragments (`,"srcaddr":`), the
 * provenance prefix and the derived-field tables are bytes built once per object; each address
 * is answered by one cache ({@link AddressBook}).
 *
 * The output is byte for byte `JSON.stringify` of {@link toDocument} plus the `log` field, the
 * reference path that stays for the golden tests (a property test holds the two equal on random
 * lines of random formats). Lines it cannot read are left to `parseRecord`, whose error text stays
 * the one reported.
 */
import { COMMUNITY_ID_LENGTH, IpProtocol, writeCommunityId } from './community-id.js';
import { Fragment, copyView, viewOf } from './bytes.js';
import { ADDRESS_HASH_START, NO_ADDRESS, addressBookOf, addressHashStep, type AddressBook } from './addresses.js';
import { DERIVED_FIELD_MAPPINGS, LOG_FIELD, isoTime } from './document.js';
import { FieldType } from './catalogue.js';
import { LIMITS, isSpace, type FlowFormat } from './parse.js';
import { protocolName, tcpFlagNames } from './derive.js';
import type { Enricher } from '../../enrich/types.js';
import { writeDecimal } from '../../core/decimal.js';

const KEYWORD = 0;
const IP = 1;
const NUMBER = 2;
/** scan(): a token past the format's fields or after a bad value, only counted. */
const COUNT_ONLY = 3;

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/** `,"protocol_name":"tcp"` by protocol number, `,"tcp_flags_names":[…]` by mask: built once. */
const PROTOCOL_JSON = Array.from({ length: 256 }, (_, n) => {
  const name = protocolName(n);
  return name === undefined ? undefined : new Fragment(`,"protocol_name":${JSON.stringify(name)}`);
});
const FLAGS_JSON = Array.from({ length: 256 }, (_, mask) => {
  const names = tcpFlagNames(mask);
  return names === undefined ? undefined : new Fragment(`,"tcp_flags_names":${JSON.stringify(names)}`);
});
const DURATION = new Fragment(',"duration_s":');
const COMMUNITY_ID = new Fragment(',"community_id":"');
const NODATA = utf8('NODATA');
const SKIPDATA = utf8('SKIPDATA');
/** The Community ID's two addresses, copied out of the address book. */
const FROM = new Uint8Array(16);
const TO = new Uint8Array(16);

/** True when JSON.stringify would escape something in the text of line[start, end): quote, backslash, control. */
function needsEscape(line: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = line[i] as number;
    if (c < 32 || c === 34 || c === 92) return true;
  }
  return false;
}

function equalsAt(line: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (line[start + i] !== word[i]) return false;
  return true;
}

/** Keys a document gets besides the AWS fields: a format naming one of them takes the reference path. */
const GENERATED_KEYS = new Set([...Object.keys(DERIVED_FIELD_MAPPINGS), LOG_FIELD]);

/** Where each field the derivations read sits in the format (-1: not in it). */
function positions(fields: readonly string[]) {
  // The address fields of derive.ts's ADDRESS_FIELDS, one by one: literal keys keep this path monomorphic.
  const at = (name: string) => fields.indexOf(name);
  return {
    start: at('start'), end: at('end'), protocol: at('protocol'), flags: at('tcp-flags'), status: at('log-status'),
    sport: at('srcport'), dport: at('dstport'), src: at('srcaddr'), dst: at('dstaddr'), pktSrc: at('pkt-srcaddr'), pktDst: at('pkt-dstaddr'),
  };
}

/** The key fragments of one address field's derived and enrichment siblings. */
interface AddressKeys {
  readonly publicTrue: Fragment;
  readonly publicFalse: Fragment;
  readonly geo: Fragment;
  readonly as: Fragment;
}
const addressKeys = (field: string): AddressKeys => ({
  publicTrue: new Fragment(`,"${field}_public":true`),
  publicFalse: new Fragment(`,"${field}_public":false`),
  geo: new Fragment(`,"${field}_geo":`),
  as: new Fragment(`,"${field}_as":`),
});
const SRC = addressKeys('srcaddr');
const DST = addressKeys('dstaddr');
const PKT_SRC = addressKeys('pkt-srcaddr');
const PKT_DST = addressKeys('pkt-dstaddr');

/** The longest of some fragments, in bytes. */
const longest = (fragments: readonly (Fragment | undefined)[]): number => Math.max(...fragments.map((f) => f?.length ?? 0));
/** Digits of the longest number written from a value rather than copied (a safe integer). */
const MAX_DIGITS = 16;
/**
 * Bytes a document may take besides its field keys and values, its addresses' JSON and the
 * provenance prefix: the opening `{"@timestamp":"…"` (24 characters of time), every derived
 * fragment at its longest (duration, protocol name, flag names, four `_public`s, the Community
 * ID, four addresses' `_geo`/`_as` keys), the separator before `log`, the line number and `}}`.
 */
const DERIVED_MAX = '{"@timestamp":""'.length + 24
  + DURATION.length + MAX_DIGITS + longest(PROTOCOL_JSON) + longest(FLAGS_JSON)
  + [SRC, DST, PKT_SRC, PKT_DST].reduce((sum, keys) => sum + longest([keys.publicTrue, keys.publicFalse]) + keys.geo.length + keys.as.length, 0)
  + COMMUNITY_ID.length + COMMUNITY_ID_LENGTH + 1
  + 1 + MAX_DIGITS + 2;

/**
 * Scans lines of one format and writes their documents. Use: `scan(line)`; when true, read
 * `time` and `isStatus`, then `write(out, pos, lineNo)` with `bound` bytes of room. Per-line state
 * lives in preallocated arrays.
 */
export class FlowWriter {
  readonly #n: number;
  readonly #kinds: Uint8Array;
  readonly #limits: Float64Array;
  readonly #keyFirst: readonly Fragment[];
  readonly #keyNext: readonly Fragment[];
  readonly #at: ReturnType<typeof positions>;
  readonly #book: AddressBook;
  readonly #logPrefix: Fragment;
  readonly #starts: Int32Array;
  readonly #ends: Int32Array;
  readonly #nums: Float64Array;
  readonly #present: Uint8Array;
  /** Address fields' entries in the address book. */
  readonly #entries: Int32Array;
  /** Bytes any document of this format may take besides its field values and address JSON (see {@link FlowWriter.bound}). */
  readonly #fixed: number;
  #line: Uint8Array = new Uint8Array(0);
  /** A view of the scanned line's whole buffer (the lines of one read chunk share it), and where the line starts in it. */
  #lineView: DataView = new DataView(new ArrayBuffer(0));
  #lineOffset = 0;
  /** The buffer written last, and a view of it. */
  #out: Uint8Array | undefined;
  #outView: DataView = new DataView(new ArrayBuffer(0));
  /** The scanned line's address JSON (values, GeoIP, ASN) in bytes. */
  #addressBytes = 0;
  #lastTime = -1;
  #lastIso = new Fragment('');

  /** `logHead`: the `log` object's JSON from its first key to the colon before its last value (see {@link withLog}). */
  constructor(format: FlowFormat, enricher: Enricher, logHead: string) {
    const n = format.fields.length;
    this.#n = n;
    this.#kinds = Uint8Array.from(format.types, (t) => (t === FieldType.keyword ? KEYWORD : t === FieldType.ip ? IP : NUMBER));
    this.#limits = Float64Array.from(format.types, (t) => LIMITS[t]);
    this.#keyFirst = format.fields.map((f) => new Fragment(`${JSON.stringify(f)}:`));
    this.#keyNext = format.fields.map((f) => new Fragment(`,${JSON.stringify(f)}:`));
    this.#at = positions(format.fields);
    this.#book = addressBookOf(enricher);
    this.#logPrefix = new Fragment(`${JSON.stringify(LOG_FIELD)}:{${logHead}`);
    this.#starts = new Int32Array(n);
    this.#ends = new Int32Array(n);
    this.#nums = new Float64Array(n);
    this.#present = new Uint8Array(n);
    this.#entries = new Int32Array(n);
    this.#fixed = this.#keyNext.reduce((sum, key) => sum + key.length, 0) + this.#logPrefix.length + DERIVED_MAX;
  }

  /**
   * A writer for the lines of S3 object `object` (`log` is `{"object":…,"line":N}`), or undefined
   * when a field name is one of the generated keys (the reference path handles that).
   */
  static compile(format: FlowFormat, enricher: Enricher, object: string): FlowWriter | undefined {
    return FlowWriter.withLog(format, enricher, `"object":${JSON.stringify(object)},"line":`);
  }

  /**
   * A writer whose documents' `log` starts with `logHead`, its keys and values as JSON up to the
   * colon before the last value, which each document gets of its own ({@link write}'s line number,
   * {@link writeLast}'s JSON), or undefined as {@link compile} says.
   */
  static withLog(format: FlowFormat, enricher: Enricher, logHead: string): FlowWriter | undefined {
    return format.fields.some((f) => GENERATED_KEYS.has(f)) ? undefined : new FlowWriter(format, enricher, logHead);
  }

  /**
   * Splits and checks `line` (its UTF-8 bytes: separators are ASCII, so no byte of a multi-byte
   * character is taken for one); false when it has the wrong field count or a bad value. Each byte
   * is read once: a number field's digits are summed, an address field's bytes hashed for the
   * address book, as the scan finds the field's end.
   */
  scan(line: Uint8Array): boolean {
    this.#line = line;
    if (line.buffer !== this.#lineView.buffer) this.#lineView = new DataView(line.buffer);
    this.#lineOffset = line.byteOffset;
    this.#addressBytes = 0;
    this.#book.beginLine();
    const n = this.#n;
    const len = line.length;
    let ok = true;
    let count = 0;
    let i = 0;
    for (;;) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: a read past the end gives undefined, which is no space; the bound keeps reads inside the line
      while (i < len && isSpace(line[i] as number)) i++;
      if (i >= len) break;
      const start = i;
      // Past the format's fields, or after a bad value, the rest is only counted.
      // Stryker disable next-line ConditionalExpression,EqualityOperator: past the fields #kinds gives undefined, which counts only too; the test keeps reads inside the array
      const kind = count < n && ok ? (this.#kinds[count] as number) : COUNT_ONLY;
      if (kind === NUMBER) {
        // The token's unsigned value, negative when it has another character than a digit: from -1
        // on, ten times the value plus a digit stays below zero.
        let value = 0;
        for (; i < len; i++) {
          const c = line[i] as number;
          if (isSpace(c)) break;
          const d = c - 48;
          value = d >= 0 && d <= 9 ? value * 10 + d : -1;
        }
        ok = this.#storeNumber(count, line, start, i, value);
      } else if (kind === IP) {
        let hash = ADDRESS_HASH_START;
        for (; i < len; i++) {
          const c = line[i] as number;
          if (isSpace(c)) break;
          hash = addressHashStep(hash, c);
        }
        ok = this.#storeAddress(count, line, start, i, hash);
      } else {
        while (i < len && !isSpace(line[i] as number)) i++;
        // A keyword is any token. (Marking a token only counted would change nothing seen: past the
        // fields the stores fall outside the arrays, and after a bad value the line is refused.)
        // Stryker disable next-line ConditionalExpression: see above
        if (kind === KEYWORD) this.#mark(count, line, start, i);
      }
      count++;
    }
    return ok && count === n;
  }

  /** Marks field `k` as at line[start, end); false when that is `-`, the field's absence. */
  #mark(k: number, line: Uint8Array, start: number, end: number): boolean {
    if (end - start === 1 && line[start] === 45) {
      this.#present[k] = 0;
      return false;
    }
    this.#present[k] = 1;
    this.#starts[k] = start;
    this.#ends[k] = end;
    return true;
  }

  #storeNumber(k: number, line: Uint8Array, start: number, end: number, value: number): boolean {
    if (!this.#mark(k, line, start, end)) return true;
    this.#nums[k] = value;
    return value >= 0 && value <= (this.#limits[k] as number);
  }

  #storeAddress(k: number, line: Uint8Array, start: number, end: number, hash: number): boolean {
    if (!this.#mark(k, line, start, end)) return true;
    const entry = this.#book.span(line, start, end, hash);
    if (entry === NO_ADDRESS) return false;
    this.#entries[k] = entry;
    this.#addressBytes += this.#book.jsonBytes(entry);
    return true;
  }

  /** The scanned line's `start`, or undefined when the format has none or the line wrote `-`. */
  get time(): number | undefined {
    return this.#number(this.#at.start);
  }

  /** True for a NODATA/SKIPDATA record. */
  get isStatus(): boolean {
    const k = this.#at.status;
    if (k < 0 || this.#present[k] === 0) return false;
    const start = this.#starts[k] as number;
    const end = this.#ends[k] as number;
    return equalsAt(this.#line, start, end, NODATA) || equalsAt(this.#line, start, end, SKIPDATA);
  }

  #number(k: number): number | undefined {
    return k >= 0 && this.#present[k] === 1 ? this.#nums[k] : undefined;
  }

  /** The address book's entry of address field `k`, or NO_ADDRESS when the format has none or the line wrote `-`. */
  #address(k: number): number {
    return k >= 0 && this.#present[k] === 1 ? (this.#entries[k] as number) : NO_ADDRESS;
  }

  /** `{"@timestamp":"…"`, remembered for the last second seen (lines of an object share few). */
  #timestamp(seconds: number): Fragment {
    if (seconds !== this.#lastTime) {
      this.#lastTime = seconds;
      this.#lastIso = new Fragment(`{"@timestamp":"${isoTime(seconds)}"`);
    }
    return this.#lastIso;
  }

  /** Bytes any document of this format may take besides 6 for each byte of its line and its addresses' JSON (see {@link bound}). */
  get fixed(): number {
    return this.#fixed;
  }

  /**
   * Bytes the scanned line's document may take, at most: the format's keys and fixed fragments, six
   * bytes for each byte of the line (the most an escape writes: `\u001f`), and the addresses' JSON.
   */
  get bound(): number {
    return this.#fixed + 6 * this.#line.length + this.#addressBytes;
  }

  /**
   * Writes the scanned line's document as JSON (UTF-8) into `out` from `pos`, `log.line` being
   * `lineNo`, and returns the position after it. The caller gives at least {@link bound} bytes of
   * room, so that each fragment is copied without a check.
   */
  write(out: Uint8Array, pos: number, lineNo: number): number {
    const end = writeDecimal(out, this.#document(out, pos), lineNo);
    out[end] = 125;
    out[end + 1] = 125;
    return this.#within(pos, end + 2, this.bound);
  }

  /**
   * {@link write} with `last`, a JSON value's UTF-8 bytes, as the last value of `log` instead of a
   * line number; the caller gives {@link bound} + `last.length` bytes of room.
   */
  writeLast(out: Uint8Array, pos: number, last: Uint8Array): number {
    const end = this.#document(out, pos);
    out.set(last, end);
    out[end + last.length] = 125;
    out[end + last.length + 1] = 125;
    return this.#within(pos, end + last.length + 2, this.bound + last.length);
  }

  /** Writes the document up to the last value of `log`; returns the position after it. */
  #document(out: Uint8Array, pos: number): number {
    // Stryker disable next-line ConditionalExpression: a view of the buffer made again each time reads the same bytes, only slower
    if (out !== this.#out) {
      this.#out = out;
      this.#outView = viewOf(out);
    }
    const view = this.#outView;
    const time = this.time;
    if (time === undefined) {
      out[pos++] = 123;
    } else {
      pos = this.#timestamp(time).writeTo(view, pos);
    }
    let sep = time !== undefined;
    for (let k = 0; k < this.#n; k++) {
      if (this.#present[k] === 0) continue;
      pos = (sep ? (this.#keyNext[k] as Fragment) : (this.#keyFirst[k] as Fragment)).writeTo(view, pos);
      sep = true;
      pos = this.#value(out, view, pos, k);
    }
    pos = this.#derived(out, view, pos);
    if (sep) out[pos++] = 44;
    return this.#logPrefix.writeTo(view, pos);
  }

  /**
   * `end`, the end of a document written from `start` with `room` bytes. A byte stored past a typed
   * array's end is dropped (a view's store throws), and one past the room but within the buffer lies
   * where the next document goes: a bound too low must fail here, not cut a document.
   */
  #within(start: number, end: number, room: number): number {
    // Stryker disable next-line ConditionalExpression: a guard against a bound too low, which no document reaches (tests write each into exactly its bound)
    if (end - start > room) throw new Error(`flow writer: a document of ${end - start} bytes overran its bound of ${room}`);
    return end;
  }

  #value(out: Uint8Array, view: DataView, pos: number, k: number): number {
    const kind = this.#kinds[k];
    if (kind === IP) return this.#book.writeJson(view, pos, this.#entries[k] as number);
    const line = this.#line;
    const start = this.#starts[k] as number;
    const end = this.#ends[k] as number;
    const at = this.#lineOffset;
    if (kind === NUMBER) {
      // The token is the JSON number unless it starts with 0 (`0`, or leading zeros: the number is written).
      return line[start] !== 48 ? copyView(view, pos, this.#lineView, at + start, at + end) : writeDecimal(out, pos, this.#nums[k] as number);
    }
    if (needsEscape(line, start, end)) {
      const escaped = utf8(JSON.stringify(Buffer.from(line.buffer, at + start, end - start).toString('utf8')));
      out.set(escaped, pos);
      return pos + escaped.length;
    }
    out[pos] = 34;
    pos = copyView(view, pos + 1, this.#lineView, at + start, at + end);
    out[pos] = 34;
    return pos + 1;
  }

  /** Derived fields and enrichment, in the reference path's key order (derive.ts, then document.ts). */
  #derived(out: Uint8Array, view: DataView, pos: number): number {
    const at = this.#at;
    const start = this.#number(at.start);
    const end = this.#number(at.end);
    if (start !== undefined && end !== undefined && end >= start) {
      pos = DURATION.writeTo(view, pos);
      pos = writeDecimal(out, pos, end - start);
    }
    const book = this.#book;
    const src = this.#address(at.src);
    const dst = this.#address(at.dst);
    const pktSrc = this.#address(at.pktSrc);
    const pktDst = this.#address(at.pktDst);
    if (!this.isStatus) {
      const protocol = this.#number(at.protocol);
      // Past 255 the tables have no entry: no name.
      const name = protocol === undefined ? undefined : PROTOCOL_JSON[protocol];
      if (name !== undefined) pos = name.writeTo(view, pos);
      const mask = this.#number(at.flags);
      const flags = mask !== undefined && (protocol === undefined || protocol === IpProtocol.tcp) ? FLAGS_JSON[mask] : undefined;
      if (flags !== undefined) pos = flags.writeTo(view, pos);
      if (src !== NO_ADDRESS) pos = (book.isPublic(src) ? SRC.publicTrue : SRC.publicFalse).writeTo(view, pos);
      if (dst !== NO_ADDRESS) pos = (book.isPublic(dst) ? DST.publicTrue : DST.publicFalse).writeTo(view, pos);
      if (pktSrc !== NO_ADDRESS) pos = (book.isPublic(pktSrc) ? PKT_SRC.publicTrue : PKT_SRC.publicFalse).writeTo(view, pos);
      if (pktDst !== NO_ADDRESS) pos = (book.isPublic(pktDst) ? PKT_DST.publicTrue : PKT_DST.publicFalse).writeTo(view, pos);
      const packetLevel = pktSrc !== NO_ADDRESS && pktDst !== NO_ADDRESS;
      pos = this.#communityId(out, view, pos, protocol, packetLevel ? pktSrc : src, packetLevel ? pktDst : dst);
    }
    if (src !== NO_ADDRESS) pos = this.#enrichment(view, pos, SRC, src);
    if (dst !== NO_ADDRESS) pos = this.#enrichment(view, pos, DST, dst);
    if (pktSrc !== NO_ADDRESS) pos = this.#enrichment(view, pos, PKT_SRC, pktSrc);
    if (pktDst !== NO_ADDRESS) pos = this.#enrichment(view, pos, PKT_DST, pktDst);
    return pos;
  }

  /** `,"<field>_geo":…,"<field>_as":…` as far as the enricher knew the address. */
  #enrichment(out: DataView, pos: number, keys: AddressKeys, entry: number): number {
    return this.#book.writeAs(out, this.#book.writeGeo(out, pos, entry, keys.geo), entry, keys.as);
  }

  /** Packet-level addresses when both are there, else srcaddr/dstaddr (the caller's choice); none for ICMP (see derive.ts). */
  #communityId(out: Uint8Array, view: DataView, pos: number, protocol: number | undefined, from: number, to: number): number {
    if (protocol === undefined || protocol === IpProtocol.icmp || protocol === IpProtocol.icmpv6) return pos;
    if (from === NO_ADDRESS || to === NO_ADDRESS) return pos;
    const n = this.#book.copyBytes(from, FROM);
    if (this.#book.copyBytes(to, TO) !== n) return pos;
    // The ID goes after the key, which stays unwritten (pos unchanged) when there is no ID.
    const at = pos + COMMUNITY_ID.length;
    if (!writeCommunityId(out, at, FROM, TO, n, protocol, this.#number(this.#at.sport), this.#number(this.#at.dport))) return pos;
    COMMUNITY_ID.writeTo(view, pos);
    out[at + COMMUNITY_ID_LENGTH] = 34;
    return at + COMMUNITY_ID_LENGTH + 1;
  }
}
