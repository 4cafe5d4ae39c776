/**
 * One answer per distinct address for everything a flow document needs of it: is it an address
 * at all, is it public, its GeoIP and ASN siblings as finished JSON bytes, and its bytes for the
 * Community ID. Flows repeat their peers, so each address is parsed, classified and looked up once
 * instead of going through a validator, a memo, the enricher's cache and a parser on every line.
 */
import { addressBytes, isPublicBytes } from '../../enrich/ip.js';
import type { Enricher } from '../../enrich/types.js';

/** What is known of one address; JSON is kept as UTF-8 bytes, ready to copy into a document. */
export interface AddressFacts {
  /** The address as the `ip` field type accepts it (IPv4, or IPv6 without a zone id). */
  readonly valid: boolean;
  /** The address as a JSON string value. */
  readonly json: Uint8Array;
  /** For `<field>_public`. */
  readonly isPublic: boolean;
  /** `<field>_geo` / `<field>_as` values as JSON, when the enricher knows them. */
  readonly geoJson: Uint8Array | undefined;
  readonly asJson: Uint8Array | undefined;
  /** 4 or 16 bytes, for the Community ID. */
  readonly bytes: Uint8Array | undefined;
  /** Bytes of `json`, `geoJson` and `asJson` together: what a document may take for this address. */
  readonly jsonBytes: number;
}

/** The book's hash of an address's bytes, FNV-1a, taken a byte at a time so that a scanner can hash a span while it reads it. */
export const ADDRESS_HASH_START = 0x811c9dc5;
export const addressHashStep = (hash: number, byte: number): number => Math.imul(hash ^ byte, 0x01000193);

/** Distinct addresses remembered; when full the book forgets all at once (cheaper than LRU upkeep on every hit). */
export const ADDRESS_BOOK_SIZE = 1 << 16;
/** Open-addressing slots: twice the entries, so probes stay short. */
const SLOTS = ADDRESS_BOOK_SIZE * 2;

const INVALID: AddressFacts = Object.freeze({ valid: false, json: Buffer.from('""'), isPublic: false, geoJson: undefined, asJson: undefined, bytes: undefined, jsonBytes: 2 });
const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/**
 * A cache of {@link AddressFacts} over one enricher, looked up by a span of the line's bytes: a hit
 * allocates nothing (no substring, no Map hashing of a fresh string), which matters at two to four
 * addresses a line.
 */
export class AddressBook {
  readonly #enricher: Enricher;
  /** Entry index + 1 by slot (0: empty); linear probing. */
  readonly #slots = new Int32Array(SLOTS);
  #keys: string[] = [];
  #facts: AddressFacts[] = [];

  constructor(enricher: Enricher) {
    this.#enricher = enricher;
  }

  /**
   * The facts of the address `line[start, end)` (any bytes; what is no address gives `valid:
   * false`), `hash` being the span's bytes hashed from {@link ADDRESS_HASH_START} by
   * {@link addressHashStep}, as a scanner does while it reads them.
   */
  span(line: Uint8Array, start: number, end: number, hash: number): AddressFacts {
    let slot = (hash >>> 0) % SLOTS;
    for (let entry = this.#slots[slot] as number; entry !== 0; entry = this.#slots[slot] as number) {
      if (sameText(this.#keys[entry - 1] as string, line, start, end)) return this.#facts[entry - 1] as AddressFacts;
      slot = slot + 1 === SLOTS ? 0 : slot + 1;
    }
    // Latin-1: one char per byte, so keys compare byte for byte; an address is ASCII, and a span
    // with other bytes is none (#learn refuses it).
    const address = Buffer.from(line.buffer, line.byteOffset + start, end - start).toString('latin1');
    const facts = this.#learn(address);
    if (this.#keys.length >= ADDRESS_BOOK_SIZE) {
      this.#slots.fill(0);
      this.#keys = [];
      this.#facts = [];
      return facts;
    }
    this.#keys.push(address);
    this.#facts.push(facts);
    this.#slots[slot] = this.#keys.length;
    return facts;
  }

  #learn(address: string): AddressFacts {
    // Not an address: zone ids (fe80::1%eth0) included, which flow logs never carry and OpenSearch `ip` refuses.
    const bytes = addressBytes(address);
    if (bytes === undefined) return INVALID;
    const found = this.#enricher.lookup(address);
    // Address characters (hex digits, `:` and `.`) need no escaping.
    const json = utf8(`"${address}"`);
    const geoJson = found?.geo === undefined ? undefined : utf8(JSON.stringify(found.geo));
    const asJson = found?.as === undefined ? undefined : utf8(JSON.stringify(found.as));
    return {
      valid: true, json, isPublic: isPublicBytes(bytes, bytes.length), geoJson, asJson, bytes,
      jsonBytes: json.length + (geoJson?.length ?? 0) + (asJson?.length ?? 0),
    };
  }
}

function sameText(key: string, line: Uint8Array, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) !== line[start + i]) return false;
  return true;
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
