/**
 * The flow writer's cache of addresses ({@link AddressBook}): what a document needs of each
 * distinct address, found by a span of the line's bytes.
 */
import { addressBytes, isPublicBytes } from '../../enrich/ip.js';
import type { Enricher } from '../../enrich/types.js';
import { copy, copyView, viewOf, type Fragment } from './bytes.js';

/** The book's hash of an address's bytes, FNV-1a, taken a byte at a time so that a scanner can hash a span while it reads it. */
export const ADDRESS_HASH_START = 0x811c9dc5;
export const addressHashStep = (hash: number, byte: number): number => Math.imul(hash ^ byte, 0x01000193);

/** Distinct addresses remembered; when full the book forgets all at once (cheaper than LRU upkeep on every hit). */
export const ADDRESS_BOOK_SIZE = 1 << 16;
/** Open-addressing slots: twice the entries, so probes stay short. */
const SLOTS = ADDRESS_BOOK_SIZE * 2;
/** Longer spans are no address (IPv6 text takes at most 45 characters) and are not remembered. */
const MAX_ADDRESS_CHARS = 64;

/**
 * An entry's head: three 32-bit words at the start of its place in the arena, before its text.
 * HEAD_SHAPE holds the text's length (bits 0–7), the number of address bytes (8–15: 4, 16, or 0
 * for no address) and whether it is public (bit 16); then the GeoIP and ASN JSON's lengths.
 */
// Stryker disable next-line all: the first word; its offset is added where the others' are, for reading's sake
const HEAD_SHAPE = 0;
const HEAD_GEO = 1;
const HEAD_AS = 2;
const HEAD_WORDS = 3;
const HEAD_BYTES = HEAD_WORDS * 4;
const PUBLIC_BIT = 1 << 16;

/** What the book answers for a span that is no address; it is not an entry. */
// Stryker disable next-line UnaryOperator: no entry is word 1 either (an entry's head takes three words), so +1 would serve as well
export const NO_ADDRESS = -1;

/**
 * One answer per distinct address for everything a flow document needs of it: is it an address at
 * all, is it public, its GeoIP and ASN siblings as JSON, and its bytes for the Community ID. Flows
 * repeat their peers, so each address is parsed, classified and looked up once.
 *
 * An address is an entry: the index of the word where its head starts in one arena, in which its
 * head (lengths and flags), text (`"text"`), GeoIP JSON, ASN JSON and 4 or 16 bytes lie side by
 * side. A slot of the hash table holds the address's hash beside its entry, so a probe that meets
 * another address moves on without reading the arena, and a hit reads one slot and one place in
 * the arena (for most addresses the head and text share a cache line): the lookups of tens of
 * thousands of distinct peers miss the processor's caches, and each read less is a miss less. A
 * hit allocates nothing; the writer copies the JSON from the arena.
 *
 * Use: {@link beginLine} before each line's addresses, then {@link span} for each. An entry holds
 * until the next `beginLine`: a full book forgets everything there, never in the middle of a line.
 */
export class AddressBook {
  readonly #enricher: Enricher;
  /** Two words a slot: the address's hash, and its entry + 1 (0: empty); linear probing. */
  readonly #slots = new Int32Array(SLOTS * 2);
  // Stryker disable next-line ArithmeticOperator: any first size works, the arena grows as needed
  #arena = Buffer.allocUnsafeSlow(64 * 1024);
  /** The arena as 32-bit words, for the heads: each entry starts on a word (a multiple of 4 bytes). */
  #words = new Int32Array(this.#arena.buffer, this.#arena.byteOffset, this.#arena.length >> 2);
  /** The arena as a view, to copy its JSON four bytes at a time. */
  #view = viewOf(this.#arena);
  #used = 0;
  #count = 0;

  constructor(enricher: Enricher) {
    this.#enricher = enricher;
  }

  /** Call before the addresses of each line: a full book forgets all its entries here. */
  beginLine(): void {
    if (this.#count >= ADDRESS_BOOK_SIZE) {
      this.#slots.fill(0);
      this.#count = 0;
      this.#used = 0;
    }
  }

  /**
   * The entry of the address `line[start, end)`, or {@link NO_ADDRESS} when that is none (any
   * bytes may come), `hash` being the span's bytes hashed from {@link ADDRESS_HASH_START} by
   * {@link addressHashStep}, as a scanner does while it reads them.
   */
  span(line: Uint8Array, start: number, end: number, hash: number): number {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a longer span would be learned as no address, the same answer at the cost of memory
    if (end - start > MAX_ADDRESS_CHARS) return NO_ADDRESS;
    const slots = this.#slots;
    let slot = (hash >>> 0) % SLOTS;
    for (let entry = slots[slot * 2 + 1] as number; entry !== 0; entry = slots[slot * 2 + 1] as number) {
      // The hash only spares reading the arena for another address: the text decides (hashes of distinct addresses may be equal).
      // Stryker disable next-line ConditionalExpression: comparing every text gives the same answers, only slower
      if (slots[slot * 2] === (hash | 0) && this.#sameText(entry - 1, line, start, end)) return this.#valid(entry - 1) ? entry - 1 : NO_ADDRESS;
      // Stryker disable next-line ArithmeticOperator: `slot - 1` wraps one slot later, after reading past the end (undefined: taken, not equal): the same answers
      slot = slot + 1 === SLOTS ? 0 : slot + 1;
    }
    // Latin-1: one char per byte, so the text is the bytes; a span with bytes beyond ASCII is no address.
    const entry = this.#learn(Buffer.from(line.buffer, line.byteOffset + start, end - start).toString('latin1'));
    slots[slot * 2] = hash | 0;
    slots[slot * 2 + 1] = entry + 1;
    return this.#valid(entry) ? entry : NO_ADDRESS;
  }

  /** True for a public address (`<field>_public`). */
  isPublic(entry: number): boolean {
    return ((this.#words[entry + HEAD_SHAPE] as number) & PUBLIC_BIT) !== 0;
  }

  /** Bytes of the address's JSON string and its GeoIP and ASN JSON together: what a document may take for it. */
  jsonBytes(entry: number): number {
    const words = this.#words;
    return ((words[entry + HEAD_SHAPE] as number) & 0xff) + 2 + (words[entry + HEAD_GEO] as number) + (words[entry + HEAD_AS] as number);
  }

  /** Writes the address as a JSON string at `out`'s byte `pos`; returns the position after it. */
  writeJson(out: DataView, pos: number, entry: number): number {
    const text = entry * 4 + HEAD_BYTES;
    return copyView(out, pos, this.#view, text, text + ((this.#words[entry + HEAD_SHAPE] as number) & 0xff) + 2);
  }

  /** Writes `key` and the GeoIP JSON, when the enricher knew any; returns the position after it. */
  writeGeo(out: DataView, pos: number, entry: number, key: Fragment): number {
    const length = this.#words[entry + HEAD_GEO] as number;
    if (length === 0) return pos;
    const from = this.#geoStart(entry);
    return copyView(out, key.writeTo(out, pos), this.#view, from, from + length);
  }

  /** Writes `key` and the ASN JSON, when the enricher knew any; returns the position after it. */
  writeAs(out: DataView, pos: number, entry: number, key: Fragment): number {
    const length = this.#words[entry + HEAD_AS] as number;
    if (length === 0) return pos;
    const from = this.#geoStart(entry) + (this.#words[entry + HEAD_GEO] as number);
    return copyView(out, key.writeTo(out, pos), this.#view, from, from + length);
  }

  /** Copies the address's 4 or 16 bytes to `out[0]`; returns how many. */
  copyBytes(entry: number, out: Uint8Array): number {
    const words = this.#words;
    const n = ((words[entry + HEAD_SHAPE] as number) >> 8) & 0xff;
    const from = this.#geoStart(entry) + (words[entry + HEAD_GEO] as number) + (words[entry + HEAD_AS] as number);
    copy(out, 0, this.#arena, from, from + n);
    return n;
  }

  /** Where the entry's GeoIP JSON starts in the arena: after its head and quoted text. */
  #geoStart(entry: number): number {
    return entry * 4 + HEAD_BYTES + ((this.#words[entry + HEAD_SHAPE] as number) & 0xff) + 2;
  }

  #valid(entry: number): boolean {
    return ((this.#words[entry + HEAD_SHAPE] as number) & 0xff00) !== 0;
  }

  #sameText(entry: number, line: Uint8Array, start: number, end: number): boolean {
    if (((this.#words[entry + HEAD_SHAPE] as number) & 0xff) !== end - start) return false;
    const arena = this.#arena;
    const at = entry * 4 + HEAD_BYTES + 1 - start;
    for (let i = start; i < end; i++) if (arena[at + i] !== line[i]) return false;
    return true;
  }

  /** Adds an entry for `address`: looked up, classified and laid out in the arena. */
  #learn(address: string): number {
    const facts = addressFacts(address, this.#enricher);
    this.#reserve(facts.size);
    this.#count++;
    // #used is a multiple of 4: the head's first word.
    const entry = this.#used / 4;
    this.#used = layEntry(this.#arena, this.#words, this.#used, facts);
    return entry;
  }

  /**
   * Room for `bytes` more in the arena. Its length stays a multiple of 4, so that the end of an
   * entry, rounded up to a word for the next head, stays within it.
   */
  #reserve(bytes: number): void {
    // Stryker disable next-line EqualityOperator: growing one byte early changes nothing seen
    if (this.#used + bytes > this.#arena.length) {
      const arena = Buffer.allocUnsafeSlow((Math.max(this.#arena.length * 2, this.#used + bytes) + 3) & ~3);
      this.#arena.copy(arena, 0, 0, this.#used);
      this.#arena = arena;
      this.#words = new Int32Array(arena.buffer, arena.byteOffset, arena.length >> 2);
      this.#view = viewOf(arena);
    }
  }
}

/** What an entry holds of an address, found out before it is laid out ({@link layEntry}). */
export interface AddressFacts {
  readonly text: string;
  /** Its 4 or 16 bytes; undefined when it is no address. */
  readonly bytes: Uint8Array | undefined;
  /** Its GeoIP and ASN JSON, '' when the enricher knew none. */
  readonly geo: string;
  readonly as: string;
  /** Bytes its entry takes (before the next entry's head is rounded up to a word). */
  readonly size: number;
}

/** Parses, classifies and looks `address` up for its entry. */
export function addressFacts(address: string, enricher: Enricher | undefined): AddressFacts {
  // Not an address: zone ids (fe80::1%eth0) included, which flow logs never carry and OpenSearch `ip` refuses.
  const bytes = addressBytes(address);
  const found = bytes === undefined ? undefined : enricher?.lookup(address);
  const geo = found?.geo === undefined ? '' : JSON.stringify(found.geo);
  const as = found?.as === undefined ? '' : JSON.stringify(found.as);
  const size = HEAD_BYTES + address.length + 2 + Buffer.byteLength(geo, 'utf8') + Buffer.byteLength(as, 'utf8') + (bytes?.length ?? 0);
  return { text: address, bytes, geo, as, size };
}

/**
 * Lays an entry out at `arena[at]` (a multiple of 4, `facts.size` bytes free; `words` the arena as
 * 32-bit words): its head, `"text"`, GeoIP JSON, ASN JSON and bytes. The entry is `at / 4`; returns
 * where the next one goes, on a word. The flow writer in WebAssembly reads entries laid out so.
 */
export function layEntry(arena: Buffer, words: Int32Array, at: number, facts: AddressFacts): number {
  const { text, bytes, geo, as } = facts;
  const n = bytes?.length ?? 0;
  const entry = at / 4;
  const isPublic = bytes !== undefined && isPublicBytes(bytes, n);
  // Stryker disable next-line ArithmeticOperator: HEAD_SHAPE is 0
  words[entry + HEAD_SHAPE] = text.length | (n << 8) | (isPublic ? PUBLIC_BIT : 0);
  words[entry + HEAD_GEO] = Buffer.byteLength(geo, 'utf8');
  words[entry + HEAD_AS] = Buffer.byteLength(as, 'utf8');
  // Address characters (hex digits, `:` and `.`) need no escaping.
  let pos = at + HEAD_BYTES;
  arena[pos++] = 34;
  pos += arena.write(text, pos, 'latin1');
  arena[pos++] = 34;
  pos += arena.write(geo, pos, 'utf8');
  pos += arena.write(as, pos, 'utf8');
  if (bytes !== undefined) arena.set(bytes, pos);
  return (pos + n + 3) & ~3;
}

const books = new WeakMap<Enricher, AddressBook>();

/** The process's book for `enricher`: shared by every object read with it, since peers recur across objects. */
export function addressBookOf(enricher: Enricher): AddressBook {
  let book = books.get(enricher);
  if (book === undefined) {
    book = new AddressBook(enricher);
    books.set(enricher, book);
  }
  return book;
}
