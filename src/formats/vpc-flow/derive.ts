/**
 * Derived fields: what analysts otherwise compute by hand from a flow record (protocol name, TCP
 * flag names, duration, public or not, Community ID). One object per concern in {@link DERIVED}
 * holds its fields' names, mappings and descriptions, so the document, the index template and the
 * README table cannot disagree.
 *
 * Names use `_`, which no AWS flow-log field uses (AWS writes `-`), so a future AWS field cannot
 * collide with one. Runs on every record: table lookups, no regex, no allocation beyond the values.
 */
import { isPublicAddress } from '../../enrich/ip.js';
import type { Doc } from '../../core/types.js';
import type { KnownField } from './catalogue.js';
import { communityId, IpProtocol } from './community-id.js';
import type { FlowRecord } from './parse.js';
import { boundedMemo } from '../../core/memo.js';

type Fields = FlowRecord['fields'];

/** Values of `log-status`. */
export const LogStatus = { ok: 'OK', noData: 'NODATA', skipData: 'SKIPDATA' } as const;
export type LogStatus = (typeof LogStatus)[keyof typeof LogStatus];

/**
 * True for NODATA (no traffic on the interface in the window) and SKIPDATA (records AWS could not
 * capture; one line can stand for many flows) records. AWS writes them with every flow field `-`:
 * `2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA` — account,
 * interface and window only, no addresses, ports, protocol, counters or action.
 */
export function isStatusRecord(record: FlowRecord): boolean {
  return isStatus(record.fields);
}

function isStatus(fields: Fields): boolean {
  const status = fields['log-status'];
  return status === LogStatus.noData || status === LogStatus.skipData;
}

/** The address fields that get a `<field>_public` flag (and GeoIP/ASN siblings in document.ts). */
export const ADDRESS_FIELDS = ['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr'] as const satisfies readonly KnownField[];

/** A derived field's OpenSearch mapping. */
export interface DerivedLeafMapping {
  readonly type: 'keyword' | 'boolean' | 'long';
}

/** One derived field, as the template and the README table describe it. */
export interface DerivedFieldSpec {
  /** Document key; with `perAddress`, the suffix appended to each of {@link ADDRESS_FIELDS}. */
  readonly name: string;
  readonly perAddress?: boolean;
  /** JSON value in the document (`keyword[]`: an array of strings). */
  readonly type: 'keyword' | 'keyword[]' | 'boolean' | 'long';
  readonly mapping: DerivedLeafMapping;
  readonly description: string;
}

/** One concern: the fields it may add, and the function adding them (each only when computable). */
export interface DerivedConcern {
  readonly fields: readonly DerivedFieldSpec[];
  readonly derive: (fields: Fields, doc: Doc) => void;
}

/** IANA keywords (lower case) of the protocols seen in practice; others get no name. */
const PROTOCOL_KEYWORDS: Readonly<Record<number, string>> = {
  0: 'hopopt', 1: 'icmp', 2: 'igmp', 4: 'ipv4', 6: 'tcp', 8: 'egp', 17: 'udp', 41: 'ipv6', 43: 'ipv6-route',
  44: 'ipv6-frag', 46: 'rsvp', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'ipv6-icmp', 59: 'ipv6-nonxt', 60: 'ipv6-opts',
  88: 'eigrp', 89: 'ospfigp', 94: 'ipip', 97: 'etherip', 103: 'pim', 108: 'ipcomp', 112: 'vrrp', 115: 'l2tp',
  132: 'sctp', 136: 'udplite', 137: 'mpls-in-ip',
};
const PROTOCOL_NAMES: readonly (string | undefined)[] = Array.from({ length: 256 }, (_, n) => PROTOCOL_KEYWORDS[n]);

/**
 * The IANA keyword of a protocol number (`tcp`, `ipv6-icmp` …), or undefined for numbers outside
 * the table: the number itself is in `protocol`, and a name field mixing names and numbers would
 * make "what is this protocol called" unanswerable.
 */
export function protocolName(protocol: number): string | undefined {
  return PROTOCOL_NAMES[protocol];
}

/** TCP header flag bits, in header order. AWS's "SYN-ACK" (18) is SYN + ACK. */
export const TcpFlag = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128 } as const;

/** Names for every 8-bit mask, built once and frozen: documents share them. */
const FLAG_NAMES: readonly (readonly string[])[] = Array.from({ length: 256 }, (_, mask) =>
  Object.freeze(Object.entries(TcpFlag).filter(([, bit]) => (mask & bit) !== 0).map(([name]) => name)));

/** Names of the flags set in `mask` (`[ 'SYN', 'ACK' ]` for 18); undefined for 0 or beyond 8 bits. */
export function tcpFlagNames(mask: number): readonly string[] | undefined {
  // Beyond 8 bits the table has no entry.
  return mask > 0 ? FLAG_NAMES[mask] : undefined;
}

/**
 * isPublicAddress costs ~150 ns for IPv4 and ~350 ns for IPv6 (parsed, then range tables); flows
 * repeat their addresses, so remember answers.
 */
const isPublic = boundedMemo(isPublicAddress, 16_384);

const PUBLIC_SUFFIX = '_public';

function deriveProtocolName(f: Fields, doc: Doc): void {
  const protocol = f['protocol'];
  const name = typeof protocol === 'number' ? PROTOCOL_NAMES[protocol] : undefined;
  if (name !== undefined) doc['protocol_name'] = name;
}

function deriveTcpFlags(f: Fields, doc: Doc): void {
  const mask = f['tcp-flags'];
  const protocol = f['protocol'];
  // AWS writes 0 for UDP and ICMP too: names only where TCP is (or may be, with no protocol field).
  if (typeof mask !== 'number' || (protocol !== undefined && protocol !== IpProtocol.tcp)) return;
  const names = tcpFlagNames(mask);
  if (names !== undefined) doc['tcp_flags_names'] = names;
}

function deriveDuration(f: Fields, doc: Doc): void {
  const start = f['start'];
  const end = f['end'];
  if (typeof start === 'number' && typeof end === 'number' && end >= start) doc['duration_s'] = end - start;
}

/**
 * Literal keys on purpose: a store with a computed key into an object of this many properties
 * makes V8 turn it into a dictionary (~1.5 µs a document); literal keys keep its fast shape.
 */
function deriveAddressClass(f: Fields, doc: Doc): void {
  const src = f['srcaddr'];
  const dst = f['dstaddr'];
  const pktSrc = f['pkt-srcaddr'];
  const pktDst = f['pkt-dstaddr'];
  if (typeof src === 'string') doc['srcaddr_public'] = isPublic(src);
  if (typeof dst === 'string') doc['dstaddr_public'] = isPublic(dst);
  if (typeof pktSrc === 'string') doc['pkt-srcaddr_public'] = isPublic(pktSrc);
  if (typeof pktDst === 'string') doc['pkt-dstaddr_public'] = isPublic(pktDst);
}

/**
 * The flow's Community ID. Packet-level addresses when the format has both: they are what a
 * sensor sees on the wire, so the NAT gateway's and the instance's records of one connection get
 * one id; srcaddr/dstaddr otherwise. ICMP and ICMPv6 get none: the spec hashes their type and
 * code, which flow logs do not carry (ports are 0), and a guessed id would match Zeek or Suricata
 * only by chance.
 */
function deriveCommunityId(f: Fields, doc: Doc): void {
  const proto = f['protocol'];
  if (typeof proto !== 'number' || proto === IpProtocol.icmp || proto === IpProtocol.icmpv6) return;
  const pktSrc = f['pkt-srcaddr'];
  const pktDst = f['pkt-dstaddr'];
  const packetLevel = typeof pktSrc === 'string' && typeof pktDst === 'string';
  const saddr = packetLevel ? pktSrc : f['srcaddr'];
  const daddr = packetLevel ? pktDst : f['dstaddr'];
  if (typeof saddr !== 'string' || typeof daddr !== 'string') return;
  const sport = f['srcport'];
  const dport = f['dstport'];
  const id = communityId({
    saddr, daddr, proto, sport: typeof sport === 'number' ? sport : undefined, dport: typeof dport === 'number' ? dport : undefined,
  });
  if (id !== undefined) doc['community_id'] = id;
}

const keyword = { type: 'keyword' } as const;

/** Every derived field, one object per concern. */
export const DERIVED = {
  protocolName: {
    fields: [{ name: 'protocol_name', type: 'keyword', mapping: keyword, description: 'IANA keyword of `protocol` (tcp, udp, icmp, ipv6-icmp, gre, esp …); absent for numbers without a common name' }],
    derive: deriveProtocolName,
  },
  tcpFlags: {
    fields: [{ name: 'tcp_flags_names', type: 'keyword[]', mapping: keyword, description: 'Names of the bits set in `tcp-flags` (FIN, SYN, RST, PSH, ACK, URG, ECE, CWR; 18 is SYN + ACK); absent when 0 or not TCP' }],
    derive: deriveTcpFlags,
  },
  duration: {
    fields: [{ name: 'duration_s', type: 'long', mapping: { type: 'long' }, description: '`end` − `start`, seconds (also on NODATA/SKIPDATA records: the window)' }],
    derive: deriveDuration,
  },
  addressClass: {
    fields: [{ name: PUBLIC_SUFFIX, perAddress: true, type: 'boolean', mapping: { type: 'boolean' }, description: 'Whether the address is publicly routable (false for private, CGNAT, loopback, link-local, documentation, multicast, reserved)' }],
    derive: deriveAddressClass,
  },
  communityId: {
    fields: [{ name: 'community_id', type: 'keyword', mapping: keyword, description: 'Community ID v1 flow hash (seed 0), as Zeek and Suricata compute it; from `pkt-srcaddr`/`pkt-dstaddr` when present; absent for ICMP/ICMPv6' }],
    derive: deriveCommunityId,
  },
} as const satisfies Record<string, DerivedConcern>;

/** The document keys a spec stands for: one, or one per address field. */
export function derivedKeys(spec: DerivedFieldSpec): string[] {
  return spec.perAddress === true ? ADDRESS_FIELDS.map((f) => `${f}${spec.name}`) : [spec.name];
}

/** Mappings of every derived field, by document key. */
export const DERIVED_MAPPINGS: Readonly<Record<string, DerivedLeafMapping>> = Object.fromEntries(
  Object.values(DERIVED).flatMap((c): DerivedFieldSpec[] => [...c.fields]).flatMap((s) => derivedKeys(s).map((k) => [k, s.mapping])),
);

/**
 * Adds the derived fields the record allows to `doc`. A status record (NODATA, SKIPDATA) gets only
 * `duration_s`: it has no addresses, protocol or flags to derive anything else from.
 */
export function deriveFields(fields: Fields, doc: Doc): void {
  deriveDuration(fields, doc);
  if (isStatus(fields)) return;
  deriveProtocolName(fields, doc);
  deriveTcpFlags(fields, doc);
  deriveAddressClass(fields, doc);
  deriveCommunityId(fields, doc);
}
