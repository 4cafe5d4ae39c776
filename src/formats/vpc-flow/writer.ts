/**
 * The hot path of flow logs: a writer compiled once per header that scans a line and writes its
 * document's JSON straight from the line's fields, without building the document object and
 * serialising it. Key fragments (`,"srcaddr":`), the provenance prefix and the derived-field tables
 * are built once per object; each address is answered by one cache ({@link AddressBook}).
 *
 * The output is byte for byte `JSON.stringify` of {@link toDocument} plus the `log` field, the
 * reference path that stays for the golden tests (a property test holds the two equal on random
 * lines of random formats). Lines it cannot read are left to `parseRecord`, whose error text stays
 * the one reported.
 */
import { IpProtocol, communityIdOfBytes } from './community-id.js';
import { addressBookOf, type AddressBook, type AddressFacts } from './addresses.js';
import { DERIVED_FIELD_MAPPINGS, LOG_FIELD, isoTime } from './document.js';
import { FieldType } from './catalogue.js';
import { LIMITS, isSpace, readUnsigned, type FlowFormat } from './parse.js';
import { protocolName, tcpFlagNames } from './derive.js';
import type { Enricher } from '../../enrich/types.js';

const KEYWORD = 0;
const IP = 1;
const NUMBER = 2;

/** `,"protocol_name":"tcp"` by protocol number, `,"tcp_flags_names":[…]` by mask: built once. */
const PROTOCOL_JSON = Array.from({ length: 256 }, (_, n) => {
  const name = protocolName(n);
  return name === undefined ? undefined : `,"protocol_name":${JSON.stringify(name)}`;
});
const FLAGS_JSON = Array.from({ length: 256 }, (_, mask) => {
  const names = tcpFlagNames(mask);
  return names === undefined ? undefined : `,"tcp_flags_names":${JSON.stringify(names)}`;
});

/** True when JSON.stringify would escape something in line[start, end): quote, backslash, control, surrogate. */
function needsEscape(line: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
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

/**
 * Scans lines of one format and writes their documents. Use: `scan(line)`; when true, read
 * `time` and `isStatus`, then `json(lineNo)`. Per-line state lives in preallocated arrays.
 */
export class FlowWriter {
  readonly #n: number;
  readonly #kinds: Uint8Array;
  readonly #limits: Float64Array;
  readonly #keyFirst: readonly string[];
  readonly #keyNext: readonly string[];
  readonly #at: ReturnType<typeof positions>;
  readonly #book: AddressBook;
  readonly #logPrefix: string;
  readonly #starts: Int32Array;
  readonly #ends: Int32Array;
  readonly #nums: Float64Array;
  readonly #present: Uint8Array;
  readonly #facts: (AddressFacts | undefined)[];
  #line = '';
  #lastTime = -1;
  #lastIso = '';

  constructor(format: FlowFormat, enricher: Enricher, object: string) {
    const n = format.fields.length;
    this.#n = n;
    this.#kinds = Uint8Array.from(format.types, (t) => (t === FieldType.keyword ? KEYWORD : t === FieldType.ip ? IP : NUMBER));
    this.#limits = Float64Array.from(format.types, (t) => LIMITS[t]);
    this.#keyFirst = format.fields.map((f) => `${JSON.stringify(f)}:`);
    this.#keyNext = format.fields.map((f) => `,${JSON.stringify(f)}:`);
    this.#at = positions(format.fields);
    this.#book = addressBookOf(enricher);
    this.#logPrefix = `${JSON.stringify(LOG_FIELD)}:{"object":${JSON.stringify(object)},"line":`;
    this.#starts = new Int32Array(n);
    this.#ends = new Int32Array(n);
    this.#nums = new Float64Array(n);
    this.#present = new Uint8Array(n);
    this.#facts = new Array<AddressFacts | undefined>(n).fill(undefined);
  }

  /** A writer for `format`, or undefined when a field name is one of the generated keys (the reference path handles that). */
  static compile(format: FlowFormat, enricher: Enricher, object: string): FlowWriter | undefined {
    return format.fields.some((f) => GENERATED_KEYS.has(f)) ? undefined : new FlowWriter(format, enricher, object);
  }

  /** Splits and checks `line`; false when it has the wrong field count or a bad value. */
  scan(line: string): boolean {
    this.#line = line;
    const n = this.#n;
    const len = line.length;
    let ok = true;
    let count = 0;
    let i = 0;
    for (;;) {
      while (i < len && isSpace(line.charCodeAt(i))) i++;
      if (i >= len) break;
      const start = i;
      while (i < len && !isSpace(line.charCodeAt(i))) i++;
      if (count < n && ok) ok = this.#store(count, line, start, i);
      count++;
    }
    return ok && count === n;
  }

  #store(k: number, line: string, start: number, end: number): boolean {
    if (end - start === 1 && line.charCodeAt(start) === 45) {
      this.#present[k] = 0;
      return true;
    }
    this.#present[k] = 1;
    this.#starts[k] = start;
    this.#ends[k] = end;
    const kind = this.#kinds[k];
    if (kind === KEYWORD) return true;
    if (kind === IP) {
      const facts = this.#book.span(line, start, end);
      this.#facts[k] = facts;
      return facts.valid;
    }
    const value = readUnsigned(line, start, end);
    this.#nums[k] = value;
    return value >= 0 && value <= (this.#limits[k] as number);
  }

  /** The scanned line's `start`, or undefined when the format has none or the line wrote `-`. */
  get time(): number | undefined {
    return this.#number(this.#at.start);
  }

  /** True for a NODATA/SKIPDATA record. */
  get isStatus(): boolean {
    const k = this.#at.status;
    if (k < 0 || this.#present[k] === 0) return false;
    const line = this.#line;
    const start = this.#starts[k] as number;
    const length = (this.#ends[k] as number) - start;
    return (length === 6 && line.startsWith('NODATA', start)) || (length === 8 && line.startsWith('SKIPDATA', start));
  }

  #number(k: number): number | undefined {
    return k >= 0 && this.#present[k] === 1 ? this.#nums[k] : undefined;
  }

  #address(k: number): AddressFacts | undefined {
    return k >= 0 && this.#present[k] === 1 ? this.#facts[k] : undefined;
  }

  #iso(seconds: number): string {
    if (seconds !== this.#lastTime) {
      this.#lastTime = seconds;
      this.#lastIso = isoTime(seconds);
    }
    return this.#lastIso;
  }

  /** The scanned line's document as JSON, `log.line` being `lineNo`. */
  json(lineNo: number): string {
    const time = this.time;
    let s = time === undefined ? '{' : `{"@timestamp":"${this.#iso(time)}"`;
    let sep = time !== undefined;
    for (let k = 0; k < this.#n; k++) {
      if (this.#present[k] === 0) continue;
      s += sep ? this.#keyNext[k] : this.#keyFirst[k];
      sep = true;
      s += this.#value(k);
    }
    s += this.#derived();
    return `${s}${sep ? ',' : ''}${this.#logPrefix}${lineNo}}}`;
  }

  #value(k: number): string {
    const kind = this.#kinds[k];
    if (kind === IP) return (this.#facts[k] as AddressFacts).json;
    const line = this.#line;
    const start = this.#starts[k] as number;
    const end = this.#ends[k] as number;
    if (kind === NUMBER) {
      // The token is the JSON number unless it has leading zeros.
      return end - start === 1 || line.charCodeAt(start) !== 48 ? line.slice(start, end) : String(this.#nums[k]);
    }
    const raw = line.slice(start, end);
    return needsEscape(line, start, end) ? JSON.stringify(raw) : `"${raw}"`;
  }

  /** Derived fields and enrichment, in the reference path's key order (derive.ts, then document.ts). */
  #derived(): string {
    const at = this.#at;
    let s = '';
    const start = this.#number(at.start);
    const end = this.#number(at.end);
    if (start !== undefined && end !== undefined && end >= start) s += `,"duration_s":${end - start}`;
    const src = this.#address(at.src);
    const dst = this.#address(at.dst);
    const pktSrc = this.#address(at.pktSrc);
    const pktDst = this.#address(at.pktDst);
    if (!this.isStatus) {
      const protocol = this.#number(at.protocol);
      if (protocol !== undefined && protocol < 256) s += PROTOCOL_JSON[protocol] ?? '';
      const mask = this.#number(at.flags);
      if (mask !== undefined && mask < 256 && (protocol === undefined || protocol === IpProtocol.tcp)) s += FLAGS_JSON[mask] ?? '';
      if (src !== undefined) s += `,"srcaddr_public":${src.publicJson}`;
      if (dst !== undefined) s += `,"dstaddr_public":${dst.publicJson}`;
      if (pktSrc !== undefined) s += `,"pkt-srcaddr_public":${pktSrc.publicJson}`;
      if (pktDst !== undefined) s += `,"pkt-dstaddr_public":${pktDst.publicJson}`;
      const packetLevel = pktSrc !== undefined && pktDst !== undefined;
      s += this.#communityId(protocol, packetLevel ? pktSrc : src, packetLevel ? pktDst : dst);
    }
    if (src !== undefined) s += enrichment('srcaddr', src);
    if (dst !== undefined) s += enrichment('dstaddr', dst);
    if (pktSrc !== undefined) s += enrichment('pkt-srcaddr', pktSrc);
    if (pktDst !== undefined) s += enrichment('pkt-dstaddr', pktDst);
    return s;
  }

  /** Packet-level addresses when both are there, else srcaddr/dstaddr (the caller's choice); none for ICMP (see derive.ts). */
  #communityId(protocol: number | undefined, from: AddressFacts | undefined, to: AddressFacts | undefined): string {
    if (protocol === undefined || protocol === IpProtocol.icmp || protocol === IpProtocol.icmpv6) return '';
    const a = from?.bytes;
    const b = to?.bytes;
    if (a === undefined || b === undefined || a.length !== b.length) return '';
    const id = communityIdOfBytes(a, b, a.length, protocol, this.#number(this.#at.sport), this.#number(this.#at.dport));
    return id === undefined ? '' : `,"community_id":"${id}"`;
  }
}

/** `,"<field>_geo":…,"<field>_as":…` as far as the enricher knew the address. */
function enrichment(field: string, facts: AddressFacts): string {
  let s = '';
  if (facts.geoJson !== undefined) s += `,"${field}_geo":${facts.geoJson}`;
  if (facts.asJson !== undefined) s += `,"${field}_as":${facts.asJson}`;
  return s;
}
