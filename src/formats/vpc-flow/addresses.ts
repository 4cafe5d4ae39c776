/**
 * The flow writer's cache of addresses ({@link AddressBook}): what a document needs of each
 * distinct address, found by a span of the line's bytes.
 */
import { addressBytes, isPublicBytes } from '../../enrich/ip.js';
import type { Enricher } from '../../enrich/types.js';
import { copy, put, putSpan } from './bytes.js';

/** The book's hash of an address's bytes, FNV-1a, taken a byte at a time so that a scanner can hash a span while it reads it. */
export const ADDRESS_HASH_START = 0x811c9dc5;
export const addressHashStep = (hash: number, byte: number): number => Math.imul(hash ^ byte, 0x01000193);

/** Distinct addresses remembered; when full the book forgets all at once (cheaper than LRU upkeep on every hit). */
export const ADDRESS_BOOK_SIZE = 1 << 16;
/** Open-addressing slots: twice the entries, so probes stay short. */
const SLOTS = ADDRESS_BOOK_SIZE * 2;
/** Longer spans are no address (IPv6 text takes at most 45 characters) and are not remembered. */
const MAX_ADDRESS_CHARS = 64;

/** An entry's numbers in {@link AddressBook}'s table, STRIDE a row. */
const AT = 0;
const CHARS = 1;
const GEO = 2;
const AS = 3;
const BYTES = 4;
const PUBLIC = 5;
const STRIDE = 6;

/** What the book answers for a span that is no address; it is not an entry. */
export const NO_ADDRESS = -1;

/**
 * One answer per distinct address for everything a flow document needs of it: is it an address at
 * all, is it public, its GeoIP and ASN siblings as JSON, and its bytes for the Community ID. Flows
 * repeat their peers, so each address is parsed, classified and looked up once.
 *
 * An address is an entry number: its numbers are a row of one Int32Array, and its text, JSON and
 * bytes lie side by side in one arena (`"text"`, GeoIP JSON, ASN JSON, 4 or 16 bytes). A hit reads
 * a slot, a row and a few neighbouring bytes, not half a dozen objects strewn over the heap, and
 * allocates nothing; the writer copies the JSON from the arena.
 *
 * Use: {@link beginLine} before each line's addresses, then {@link span} for each. An entry holds
 * until the next `beginLine`: a full book forgets everything there, never in the middle of a line.
 */
export class AddressBook {
  readonly #enricher: Enricher;
  /** Entry + 1 by slot (0: empty); linear probing. */
  readonly #slots = new Int32Array(SLOTS);
  #rows = new Int32Array(STRIDE * 1024);
  // Stryker disable next-line ArithmeticOperator: any first size works, the arena grows as needed
  #arena = Buffer.allocUnsafeSlow(64 * 1024);
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
    let slot = (hash >>> 0) % SLOTS;
    for (let entry = this.#slots[slot] as number; entry !== 0; entry = this.#slots[slot] as number) {
      if (this.#sameText(entry - 1, line, start, end)) return this.#valid(entry - 1) ? entry - 1 : NO_ADDRESS;
      slot = slot + 1 === SLOTS ? 0 : slot + 1;
    }
    // Latin-1: one char per byte, so the text is the bytes; a span with bytes beyond ASCII is no address.
    const entry = this.#learn(Buffer.from(line.buffer, line.byteOffset + start, end - start).toString('latin1'));
    this.#slots[slot] = entry + 1;
    return this.#valid(entry) ? entry : NO_ADDRESS;
  }

  /** True for a public address (`<field>_public`). */
  isPublic(entry: number): boolean {
    return this.#rows[entry * STRIDE + PUBLIC] === 1;
  }

  /** Bytes of the address's JSON string and its GeoIP and ASN JSON together: what a document may take for it. */
  jsonBytes(entry: number): number {
    const row = entry * STRIDE;
    return (this.#rows[row + CHARS] as number) + 2 + (this.#rows[row + GEO] as number) + (this.#rows[row + AS] as number);
  }

  /** Writes the address as a JSON string at `out[pos]`; returns the position after it. */
  writeJson(out: Uint8Array, pos: number, entry: number): number {
    const at = this.#rows[entry * STRIDE + AT] as number;
    return copy(out, pos, this.#arena, at, at + (this.#rows[entry * STRIDE + CHARS] as number) + 2);
  }

  /** Writes `key` and the GeoIP JSON, when the enricher knew any; returns the position after it. */
  writeGeo(out: Uint8Array, pos: number, entry: number, key: Uint8Array): number {
    return this.#writeKeyed(out, pos, entry, key, GEO);
  }

  /** Writes `key` and the ASN JSON, when the enricher knew any; returns the position after it. */
  writeAs(out: Uint8Array, pos: number, entry: number, key: Uint8Array): number {
    return this.#writeKeyed(out, pos, entry, key, AS);
  }

  /** Copies the address's 4 or 16 bytes to `out[0]`; returns how many. */
  copyBytes(entry: number, out: Uint8Array): number {
    const row = entry * STRIDE;
    const n = this.#rows[row + BYTES] as number;
    const from = this.#start(row, BYTES);
    copy(out, 0, this.#arena, from, from + n);
    return n;
  }

  /** Writes `key` and part GEO or AS of the entry, unless that part is empty. */
  #writeKeyed(out: Uint8Array, pos: number, entry: number, key: Uint8Array, part: typeof GEO | typeof AS): number {
    const row = entry * STRIDE;
    const length = this.#rows[row + part] as number;
    if (length === 0) return pos;
    const from = this.#start(row, part);
    return putSpan(out, put(out, pos, key), this.#arena, from, from + length);
  }

  /** Where part GEO, AS or BYTES of the entry at `row` starts in the arena: after its quoted text and the parts before it. */
  #start(row: number, part: typeof GEO | typeof AS | typeof BYTES): number {
    const rows = this.#rows;
    let at = (rows[row + AT] as number) + (rows[row + CHARS] as number) + 2;
    if (part !== GEO) at += rows[row + GEO] as number;
    if (part === BYTES) at += rows[row + AS] as number;
    return at;
  }

  #valid(entry: number): boolean {
    return this.#rows[entry * STRIDE + BYTES] !== 0;
  }

  #sameText(entry: number, line: Uint8Array, start: number, end: number): boolean {
    const row = entry * STRIDE;
    if (this.#rows[row + CHARS] !== end - start) return false;
    const arena = this.#arena;
    const at = (this.#rows[row + AT] as number) + 1 - start;
    for (let i = start; i < end; i++) if (arena[at + i] !== line[i]) return false;
    return true;
  }

  /** Adds an entry for `address`: looked up, classified and laid out in the arena. */
  #learn(address: string): number {
    // Not an address: zone ids (fe80::1%eth0) included, which flow logs never carry and OpenSearch `ip` refuses.
    const bytes = addressBytes(address);
    const found = bytes === undefined ? undefined : this.#enricher.lookup(address);
    const geo = found?.geo === undefined ? '' : JSON.stringify(found.geo);
    const as = found?.as === undefined ? '' : JSON.stringify(found.as);
    const geoLength = Buffer.byteLength(geo, 'utf8');
    const asLength = Buffer.byteLength(as, 'utf8');
    const n = bytes?.length ?? 0;
    this.#reserve(address.length + 2 + geoLength + asLength + n);
    const entry = this.#count++;
    const row = entry * STRIDE;
    const rows = this.#rows;
    const arena = this.#arena;
    const at = this.#used;
    // Stryker disable next-line ArithmeticOperator: AT is 0
    rows[row + AT] = at;
    rows[row + CHARS] = address.length;
    rows[row + GEO] = geoLength;
    rows[row + AS] = asLength;
    rows[row + BYTES] = n;
    rows[row + PUBLIC] = bytes !== undefined && isPublicBytes(bytes, n) ? 1 : 0;
    // Address characters (hex digits, `:` and `.`) need no escaping.
    let pos = at;
    arena[pos++] = 34;
    pos += arena.write(address, pos, 'latin1');
    arena[pos++] = 34;
    pos += arena.write(geo, pos, 'utf8');
    pos += arena.write(as, pos, 'utf8');
    if (bytes !== undefined) arena.set(bytes, pos);
    this.#used = pos + n;
    return entry;
  }

  /** Room for one more row, and `bytes` more in the arena. */
  #reserve(bytes: number): void {
    // Stryker disable next-line EqualityOperator: growing one row early changes nothing seen
    if ((this.#count + 1) * STRIDE > this.#rows.length) {
      const rows = new Int32Array(this.#rows.length * 2);
      rows.set(this.#rows);
      this.#rows = rows;
    }
    // Stryker disable next-line EqualityOperator: growing one byte early changes nothing seen
    if (this.#used + bytes > this.#arena.length) {
      const arena = Buffer.allocUnsafeSlow(Math.max(this.#arena.length * 2, this.#used + bytes));
      this.#arena.copy(arena, 0, 0, this.#used);
      this.#arena = arena;
    }
  }
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
