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
 * Pure and allocation-light (it runs per record): scratch buffers, no regex, SHA-1 in WebAssembly
 * (core/sha1.ts) over the tuple written straight into its input, and the writer takes the ID as
 * bytes ({@link writeCommunityId}).
 */
import { SHA1_INPUT, sha1Short } from '../../core/sha1.js';
import { parseAddress } from '../../enrich/ip.js';

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

/** The hash input, SHA-1's own: seed (2) + two IPv6 addresses (32) + proto and pad (2) + ports (4), at most 40 bytes. */
const INPUT = SHA1_INPUT;
/** Scratch for the two parsed addresses, compared before they are written in order. */
const ADDR_A = new Uint8Array(16);
const ADDR_B = new Uint8Array(16);

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

/** Base64's alphabet by 6-bit value, as char codes. */
const BASE64 = Uint8Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', (c) => c.charCodeAt(0));
/** Length of a Community ID v1: `1:` and the base64 of a 20-byte digest (27 characters and one `=`). */
export const COMMUNITY_ID_LENGTH = 30;
/** Scratch for the string form. */
const TEXT = Buffer.alloc(COMMUNITY_ID_LENGTH);

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
  const digest = sha1Short(length);
  out[at] = 49;
  out[at + 1] = 58;
  let pos = at + 2;
  for (let i = 0; i < 18; i += 3) {
    const triple = ((digest[i] as number) << 16) | ((digest[i + 1] as number) << 8) | (digest[i + 2] as number);
    out[pos++] = BASE64[triple >>> 18] as number;
    out[pos++] = BASE64[(triple >>> 12) & 63] as number;
    out[pos++] = BASE64[(triple >>> 6) & 63] as number;
    out[pos++] = BASE64[triple & 63] as number;
  }
  // The last two bytes: three characters and one `=`.
  const pair = ((digest[18] as number) << 8) | (digest[19] as number);
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
