/**
 * Community ID flow hash, version 1 (https://github.com/corelight/community-id-spec), as Zeek,
 * Suricata, Arkime and Elastic compute it: the same flow gets the same string in every tool,
 * whichever direction it was seen in, so a flow-log record can be joined with IDS events by equality.
 *
 * `"1:" + base64(SHA1(seed ‖ saddr ‖ daddr ‖ proto ‖ 0 ‖ sport ‖ dport))`, all big-endian: seed 2
 * bytes, addresses 4 (IPv4) or 16 (IPv6) bytes, proto 1 byte, a zero pad byte, ports 2 bytes each.
 * The endpoints are first ordered so the smaller address (then the smaller port) comes first.
 * TCP, UDP and SCTP hash their ports; ICMP and ICMPv6 hash their type and the type's counterpart
 * (or the code), as Zeek maps them; every other protocol hashes no ports at all.
 *
 * Pure and allocation-light (it runs per record): scratch buffers, no regex, SHA-1 in registers
 * (core/sha1.ts), and the writer takes the ID as bytes ({@link writeCommunityId}).
 */
import { sha1Short } from '../../core/sha1.js';
import { parseIPv4 } from '../../enrich/ip.js';

/** IANA protocol numbers the spec treats specially. */
export const IpProtocol = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58, sctp: 132 } as const;
export type IpProtocol = (typeof IpProtocol)[keyof typeof IpProtocol];

/** The flow 5-tuple. Addresses are IPv4 dotted quads or IPv6 text, both of the same family. */
export interface FlowTuple {
  readonly saddr: string;
  readonly daddr: string;
  /** IANA protocol number, 0–255. */
  readonly proto: number;
  /** Source port (TCP, UDP, SCTP) or ICMP/ICMPv6 message type; ignored for other protocols. */
  readonly sport?: number;
  /** Destination port (TCP, UDP, SCTP) or ICMP/ICMPv6 message code; ignored for other protocols. */
  readonly dport?: number;
}

/**
 * ICMP type → the type of its answer (Zeek's ICMP4_counterpart / ICMP6_counterpart, as in
 * corelight/pycommunityid icmp.py and icmp6.py): such pairs are one two-way flow. Types without a
 * counterpart are one-way: their endpoints are never swapped and the code stands in for the port.
 */
const ICMP4_PAIRS: readonly (readonly [number, number])[] = [[8, 0], [13, 14], [15, 16], [10, 9], [17, 18]];
const ICMP6_PAIRS: readonly (readonly [number, number])[] = [[128, 129], [130, 131], [133, 134], [135, 136], [139, 140], [144, 145]];

function counterparts(pairs: readonly (readonly [number, number])[]): Int16Array {
  const table = new Int16Array(256).fill(-1);
  for (const [a, b] of pairs) {
    table[a] = b;
    table[b] = a;
  }
  return table;
}
const ICMP4_COUNTERPART = counterparts(ICMP4_PAIRS);
const ICMP6_COUNTERPART = counterparts(ICMP6_PAIRS);

/** The hash input, reused: seed (2) + two IPv6 addresses (32) + proto and pad (2) + ports (4). */
const INPUT = Buffer.alloc(40);
/** Scratch for the two parsed addresses, compared before they are written in order. */
const ADDR_A = new Uint8Array(16);
const ADDR_B = new Uint8Array(16);

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Writes an IPv4 address (from {@link parseIPv4}) big-endian at `out[at]`. */
function putIPv4(n: number, out: Uint8Array, at: number): void {
  out[at] = n >>> 24;
  out[at + 1] = (n >>> 16) & 255;
  out[at + 2] = (n >>> 8) & 255;
  out[at + 3] = n & 255;
}

/** Writes dotted-quad text at `out[at]`; false when it is not an IPv4 address. */
function putIPv4Text(text: string, out: Uint8Array, at: number): boolean {
  const v4 = parseIPv4(text);
  if (v4 >= 0) putIPv4(v4, out, at);
  return v4 >= 0;
}

/** Moves the groups written after `::` to the end and zero-fills the gap. */
function expandGap(out: Uint8Array, gap: number, groups: number): void {
  const tail = (groups - gap) * 2;
  out.copyWithin(16 - tail, gap * 2, groups * 2);
  out.fill(0, gap * 2, 16 - tail);
}

/**
 * Parses IPv6 text (RFC 4291 forms: `::` once, 1–4 hex digits a group, an optional dotted IPv4
 * tail) into 16 bytes. Returns false for anything else, zone ids (`%eth0`) included.
 */
export function parseIPv6(s: string, out: Uint8Array): boolean {
  // No length check: the loop itself refuses text shorter than `::` or longer than the longest
  // form (45 characters: six 4-digit groups and a 15-character IPv4 tail).
  const len = s.length;
  let groups = 0;
  let gap = -1;
  let i = 0;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  while (i < len) {
    if (groups === 8) return false;
    const start = i;
    let value = 0;
    for (let h = hexValue(s.charCodeAt(i)); h >= 0 && i - start < 4; h = hexValue(s.charCodeAt(i))) {
      value = value * 16 + h;
      i++;
    }
    if (s.charCodeAt(i) === 46) {
      // A dotted IPv4 tail (::ffff:192.0.2.1) ends the address and fills two groups.
      if (groups > 6 || !putIPv4Text(s.slice(start), out, groups * 2)) return false;
      groups += 2;
      break;
    }
    if (i === start) return false;
    out[groups * 2] = value >>> 8;
    out[groups * 2 + 1] = value & 255;
    groups++;
    if (i === len) break;
    if (s.charCodeAt(i) !== 58 || i + 1 === len) return false;
    i++;
    if (s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = groups;
      i++;
    }
  }
  if (gap < 0) return groups === 8;
  if (groups > 7) return false;
  expandGap(out, gap, groups);
  return true;
}

/** Parses an address into `out`; returns its length in bytes (4 or 16), or 0 when it is none. */
function parseAddress(s: string, out: Uint8Array): number {
  if (putIPv4Text(s, out, 0)) return 4;
  return parseIPv6(s, out) ? 16 : 0;
}

/** -1, 0 or 1 as `a` sorts before, with or after `b` (the first `n` bytes, unsigned). */
function compareBytes(a: Uint8Array, b: Uint8Array, n: number): number {
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function isUint(value: number | undefined, max: number): value is number {
  return value !== undefined && Number.isInteger(value) && value >= 0 && value <= max;
}

/** The port-like value ICMP pairs `type` with (its answer's type), or -1 when it is one-way (types past 255 are not in the table). */
function icmpCounterpart(proto: number, type: number): number {
  return (proto === IpProtocol.icmp ? ICMP4_COUNTERPART : ICMP6_COUNTERPART)[type] ?? -1;
}

function hasPorts(proto: number): boolean {
  return proto === IpProtocol.tcp || proto === IpProtocol.udp || proto === IpProtocol.sctp
    || proto === IpProtocol.icmp || proto === IpProtocol.icmpv6;
}

/** Writes the ordered tuple after the seed and returns the hash input's length. */
function writeTuple(first: Uint8Array, second: Uint8Array, n: number, proto: number, ports: boolean, p1: number, p2: number): number {
  for (let i = 0; i < n; i++) {
    INPUT[2 + i] = first[i] as number;
    INPUT[2 + n + i] = second[i] as number;
  }
  INPUT[2 + 2 * n] = proto;
  INPUT[3 + 2 * n] = 0;
  if (!ports) return 4 + 2 * n;
  INPUT.writeUInt16BE(p1, 4 + 2 * n);
  INPUT.writeUInt16BE(p2, 6 + 2 * n);
  return 8 + 2 * n;
}

/**
 * The Community ID v1 of a flow, e.g. `1:LQU9qZlK+B5F3KDmev6m5PMibrg=`; undefined when it cannot
 * be computed: an address that is not one, mixed IPv4/IPv6, a protocol or seed out of range, or
 * a TCP/UDP/SCTP/ICMP tuple without both ports (for ICMP: type and code).
 */
export function communityId(t: FlowTuple, seed = 0): string | undefined {
  const n = parseAddress(t.saddr, ADDR_A);
  if (n === 0 || parseAddress(t.daddr, ADDR_B) !== n) return undefined;
  return communityIdOfBytes(ADDR_A, ADDR_B, n, t.proto, t.sport, t.dport, seed);
}

/**
 * The address's bytes (4 for IPv4, 16 for IPv6) as {@link communityIdOfBytes} takes them, or
 * undefined when it is no address: parsed once per distinct address by callers that cache it.
 */
export function addressBytes(s: string): Uint8Array | undefined {
  const n = parseAddress(s, ADDR_A);
  return n === 0 ? undefined : ADDR_A.slice(0, n);
}

/** The SHA-1 digest of the last tuple, as five big-endian words. */
const DIGEST = new Int32Array(5);
/** Base64's alphabet by 6-bit value, as char codes. */
const BASE64 = Uint8Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', (c) => c.charCodeAt(0));
/** Length of a Community ID v1: `1:` and the base64 of a 20-byte digest (27 characters and one `=`). */
export const COMMUNITY_ID_LENGTH = 30;
/** Scratch for the string form. */
const TEXT = Buffer.alloc(COMMUNITY_ID_LENGTH);

/** Byte `i` (0–19) of the digest. */
function digestByte(i: number): number {
  return ((DIGEST[i >>> 2] as number) >>> (24 - ((i & 3) << 3))) & 255;
}

/**
 * Writes the Community ID v1 of addresses already parsed (the first `n` bytes of `a` and `b`, see
 * {@link addressBytes}) as {@link COMMUNITY_ID_LENGTH} ASCII bytes at `out[at]`; false (nothing
 * written) when it cannot be computed, as {@link communityId} says. The caller makes the room.
 */
export function writeCommunityId(
  out: Uint8Array, at: number, a: Uint8Array, b: Uint8Array, n: number, proto: number, sport: number | undefined, dport: number | undefined, seed = 0,
): boolean {
  const length = tupleInput(a, b, n, proto, sport, dport, seed);
  if (length === 0) return false;
  sha1Short(INPUT, length, DIGEST);
  out[at] = 49;
  out[at + 1] = 58;
  let pos = at + 2;
  for (let i = 0; i < 18; i += 3) {
    const triple = (digestByte(i) << 16) | (digestByte(i + 1) << 8) | digestByte(i + 2);
    out[pos++] = BASE64[triple >>> 18] as number;
    out[pos++] = BASE64[(triple >>> 12) & 63] as number;
    out[pos++] = BASE64[(triple >>> 6) & 63] as number;
    out[pos++] = BASE64[triple & 63] as number;
  }
  // The last two bytes: three characters and one `=`.
  const pair = (digestByte(18) << 8) | digestByte(19);
  out[pos++] = BASE64[pair >>> 10] as number;
  out[pos++] = BASE64[(pair >>> 4) & 63] as number;
  out[pos++] = BASE64[(pair << 2) & 63] as number;
  out[pos] = 61;
  return true;
}

/** {@link communityId} of addresses already parsed (the first `n` bytes of `a` and `b`, see {@link addressBytes}). */
export function communityIdOfBytes(
  a: Uint8Array, b: Uint8Array, n: number, proto: number, sport: number | undefined, dport: number | undefined, seed = 0,
): string | undefined {
  return writeCommunityId(TEXT, 0, a, b, n, proto, sport, dport, seed) ? TEXT.toString('latin1') : undefined;
}

/** Writes the seed and the ordered tuple to INPUT; returns the hash input's length, or 0 when there is no Community ID. */
function tupleInput(a: Uint8Array, b: Uint8Array, n: number, proto: number, sport: number | undefined, dport: number | undefined, seed: number): number {
  if (!isUint(proto, 255) || !isUint(seed, 0xffff)) return 0;
  const ports = hasPorts(proto);
  if (ports && (!isUint(sport, 0xffff) || !isUint(dport, 0xffff))) return 0;
  const p1 = ports ? (sport as number) : 0;
  let p2 = ports ? (dport as number) : 0;
  let oneWay = false;
  if (proto === IpProtocol.icmp || proto === IpProtocol.icmpv6) {
    // Type and code in, Zeek's port equivalents out: (type, counterpart type) or (type, code) one-way.
    const other = icmpCounterpart(proto, p1);
    if (other >= 0) p2 = other;
    else oneWay = true;
  }
  const order = compareBytes(a, b, n);
  // Ports only break ties between equal addresses (and are 0 for protocols without them).
  const keep = oneWay || order < 0 || (order === 0 && p1 <= p2);
  INPUT.writeUInt16BE(seed, 0);
  return keep
    ? writeTuple(a, b, n, proto, ports, p1, p2)
    : writeTuple(b, a, n, proto, ports, p2, p1);
}
