/**
 * Address classification: is an address worth a GeoIP/ASN lookup? Pure, no I/O.
 *
 * IPv4 is checked with a hand-written parser and a numeric range table because it is the
 * common case and `BlockList.check` costs ~2 µs a call; IPv6 goes through `node:net` BlockList.
 */
import { BlockList, isIP } from 'node:net';

/** A range that is not globally routable, with the reason it is listed. */
interface SpecialRange {
  readonly cidr: string;
  readonly why: string;
}

/** IPv4 ranges that never identify a place on the internet (IANA special-purpose registry). */
export const NON_PUBLIC_IPV4: readonly SpecialRange[] = [
  { cidr: '0.0.0.0/8', why: '"this network"' },
  { cidr: '10.0.0.0/8', why: 'private (RFC 1918)' },
  { cidr: '100.64.0.0/10', why: 'carrier-grade NAT (RFC 6598)' },
  { cidr: '127.0.0.0/8', why: 'loopback' },
  { cidr: '169.254.0.0/16', why: 'link-local (also the EC2 metadata service)' },
  { cidr: '172.16.0.0/12', why: 'private (RFC 1918)' },
  { cidr: '192.0.0.0/24', why: 'IETF protocol assignments' },
  { cidr: '192.0.2.0/24', why: 'documentation TEST-NET-1' },
  { cidr: '192.168.0.0/16', why: 'private (RFC 1918)' },
  { cidr: '198.18.0.0/15', why: 'benchmarking' },
  { cidr: '198.51.100.0/24', why: 'documentation TEST-NET-2' },
  { cidr: '203.0.113.0/24', why: 'documentation TEST-NET-3' },
  { cidr: '224.0.0.0/4', why: 'multicast' },
  { cidr: '240.0.0.0/4', why: 'reserved, includes broadcast 255.255.255.255' },
];

/**
 * IPv6 ranges inside global unicast 2000::/3 that are still not public. Everything outside
 * 2000::/3 (::, ::1, fc00::/7, fe80::/10, ff00::/8 …) is unallocated or special, so it needs no row.
 */
export const NON_PUBLIC_IPV6: readonly SpecialRange[] = [
  { cidr: '2001:2::/48', why: 'benchmarking' },
  { cidr: '2001:db8::/32', why: 'documentation' },
  { cidr: '3fff::/20', why: 'documentation (RFC 9637)' },
];

/** IPv6 prefixes that embed an IPv4 address in their last 32 bits: judge the IPv4 instead. */
const EMBEDS_IPV4: readonly SpecialRange[] = [
  { cidr: '::ffff:0:0/96', why: 'IPv4-mapped' },
  { cidr: '64:ff9b::/96', why: 'NAT64 well-known prefix' },
];

/**
 * Parses a dotted-quad IPv4 address to an unsigned 32-bit number, or -1 when it is not one.
 * Accepts exactly what `net.isIP` accepts as IPv4 (no leading zeros, no spaces) at a tenth of the cost.
 */
export function parseIPv4(s: string): number {
  const len = s.length;
  if (len < 7 || len > 15) return -1;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // A leading zero is only valid as the whole octet ("0"), as in net.isIP.
      if (digits === 1 && octet === 0) return -1;
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/** [first, last] as unsigned 32-bit numbers, built once from the table. */
const V4_RANGES: readonly (readonly [number, number])[] = NON_PUBLIC_IPV4.map(({ cidr }) => {
  const [base = '', bits = ''] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const first = parseIPv4(base);
  return [first, first + size - 1] as const;
});

function blockListOf(ranges: readonly SpecialRange[]): BlockList {
  const list = new BlockList();
  for (const { cidr } of ranges) {
    const [base = '', bits = ''] = cidr.split('/');
    list.addSubnet(base, Number(bits), 'ipv6');
  }
  return list;
}

const V6_NON_PUBLIC = blockListOf(NON_PUBLIC_IPV6);
const V6_EMBEDS_V4 = blockListOf(EMBEDS_IPV4);
const V6_GLOBAL_UNICAST = blockListOf([{ cidr: '2000::/3', why: 'global unicast' }]);

function isPublicIPv4(n: number): boolean {
  for (const [first, last] of V4_RANGES) {
    if (n >= first && n <= last) return false;
  }
  return true;
}

/**
 * The IPv4 address embedded in an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::/96)
 * IPv6 address, in dotted form; undefined for any other input.
 */
export function embeddedIPv4(ip: string): string | undefined {
  if (isIP(ip) !== 6 || ip.includes('%') || !V6_EMBEDS_V4.check(ip, 'ipv6')) return undefined;
  const tail = ip.slice(ip.lastIndexOf(':') + 1);
  if (tail.includes('.')) return tail;
  // Hex form (::ffff:102:304): the last two groups are the 32 bits; `::` may have eaten zeros.
  const groups = ip.split(':');
  const lo = parseInt(groups[groups.length - 1] || '0', 16);
  const hi = parseInt(groups[groups.length - 2] || '0', 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/**
 * True when the address can be on the public internet, so a GeoIP/ASN lookup can say something.
 * False for private, loopback, link-local, CGNAT, multicast, documentation, benchmarking and
 * reserved ranges (see the tables above), and for anything that is not an address at all.
 */
export function isPublicAddress(ip: string): boolean {
  const v4 = parseIPv4(ip);
  if (v4 >= 0) return isPublicIPv4(v4);
  if (isIP(ip) !== 6 || ip.includes('%')) return false;
  const inner = embeddedIPv4(ip);
  if (inner !== undefined) return isPublicIPv4(parseIPv4(inner));
  return V6_GLOBAL_UNICAST.check(ip, 'ipv6') && !V6_NON_PUBLIC.check(ip, 'ipv6');
}
