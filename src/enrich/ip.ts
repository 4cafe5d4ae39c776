/**
 * Address parsing and classification: is it an address, what are its bytes, is it worth a
 * GeoIP/ASN lookup? Pure, no I/O.
 *
 * Hand-written parsers (held equal to `net.isIP` by property tests) and range tables over the
 * parsed bytes: `net.isIP` runs a regular expression and `BlockList.check` builds a SocketAddress
 * per call, which cost tens of microseconds an IPv6 address where this costs a fraction of one.
 */

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

/** A prefix of an IPv6 range: its first bytes and how many of their bits count. */
interface V6Prefix {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

function prefixesOf(ranges: readonly SpecialRange[]): readonly V6Prefix[] {
  return ranges.map(({ cidr }) => {
    const [base = '', bits = ''] = cidr.split('/');
    const bytes = new Uint8Array(16);
    if (!parseIPv6(base, bytes)) throw new Error(`bad range ${cidr}`);
    return { bytes, bits: Number(bits) };
  });
}

/** True when the 16 bytes of `address` start with `prefix`. */
function inPrefix(address: Uint8Array, { bytes, bits }: V6Prefix): boolean {
  let i = 0;
  for (; 8 * (i + 1) <= bits; i++) if (address[i] !== bytes[i]) return false;
  const rest = bits - 8 * i;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((address[i] as number) & mask) === (bytes[i] as number);
}

const inAny = (address: Uint8Array, prefixes: readonly V6Prefix[]): boolean => prefixes.some((p) => inPrefix(address, p));

const V6_NON_PUBLIC = prefixesOf(NON_PUBLIC_IPV6);
const V6_EMBEDS_V4 = prefixesOf(EMBEDS_IPV4);
const V6_GLOBAL_UNICAST = prefixesOf([{ cidr: '2000::/3', why: 'global unicast' }]);

function isPublicIPv4(n: number): boolean {
  for (const [first, last] of V4_RANGES) {
    if (n >= first && n <= last) return false;
  }
  return true;
}

/** Scratch for parsing an address to classify it. */
const SCRATCH = new Uint8Array(16);

/**
 * The IPv4 address embedded in an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::/96)
 * IPv6 address, in dotted form; undefined for any other input.
 */
export function embeddedIPv4(ip: string): string | undefined {
  if (parseAddress(ip, SCRATCH) !== 16 || !inAny(SCRATCH, V6_EMBEDS_V4)) return undefined;
  return `${SCRATCH[12]}.${SCRATCH[13]}.${SCRATCH[14]}.${SCRATCH[15]}`;
}

/**
 * True when the address can be on the public internet, so a GeoIP/ASN lookup can say something.
 * False for private, loopback, link-local, CGNAT, multicast, documentation, benchmarking and
 * reserved ranges (see the tables above), and for anything that is not an address at all.
 */
export function isPublicAddress(ip: string): boolean {
  const n = parseAddress(ip, SCRATCH);
  return n !== 0 && isPublicBytes(SCRATCH, n);
}

/** {@link isPublicAddress} of an address already parsed: its first `n` bytes (4 or 16). */
export function isPublicBytes(address: Uint8Array, n: number): boolean {
  if (n === 4) return isPublicIPv4(readIPv4(address, 0));
  if (inAny(address, V6_EMBEDS_V4)) return isPublicIPv4(readIPv4(address, 12));
  return inAny(address, V6_GLOBAL_UNICAST) && !inAny(address, V6_NON_PUBLIC);
}

/** The unsigned 32-bit number of the four bytes at `address[at]`. */
function readIPv4(address: Uint8Array, at: number): number {
  return (((address[at] as number) << 24) >>> 0) + ((address[at + 1] as number) << 16) + ((address[at + 2] as number) << 8) + (address[at + 3] as number);
}

/** True for an IPv4 address or an IPv6 address without a zone id: what an OpenSearch `ip` field takes. */
export function isAddress(s: string): boolean {
  return parseAddress(s, SCRATCH) !== 0;
}

/**
 * The address's bytes (4 for IPv4, 16 for IPv6), or undefined when it is no address: parsed
 * once per distinct address by callers that cache it.
 */
export function addressBytes(s: string): Uint8Array | undefined {
  const n = parseAddress(s, SCRATCH);
  return n === 0 ? undefined : SCRATCH.slice(0, n);
}

/** Parses an address into `out`; returns its length in bytes (4 or 16), or 0 when it is none. */
export function parseAddress(s: string, out: Uint8Array): number {
  const v4 = parseIPv4(s);
  if (v4 >= 0) {
    putIPv4(v4, out, 0);
    return 4;
  }
  return parseIPv6(s, out) ? 16 : 0;
}

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

/** Moves the groups written after `::` to the end and zero-fills the gap. */
function expandGap(out: Uint8Array, gap: number, groups: number): void {
  const tail = (groups - gap) * 2;
  out.copyWithin(16 - tail, gap * 2, groups * 2);
  out.fill(0, gap * 2, 16 - tail);
}

/**
 * Parses IPv6 text (RFC 4291 forms: `::` once, 1–4 hex digits a group, an optional dotted IPv4
 * tail) into 16 bytes. Accepts exactly what `net.isIP` calls IPv6 but zone ids (`%eth0`), which
 * flow logs never carry and OpenSearch's `ip` type refuses; false for anything else.
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
      const v4 = groups > 6 ? -1 : parseIPv4(s.slice(start));
      if (v4 < 0) return false;
      putIPv4(v4, out, groups * 2);
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
