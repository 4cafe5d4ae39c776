/**
 * The flow-log writer in AssemblyScript, compiled to WebAssembly (writer-wasm.ts holds the binary;
 * `node --import tsx scripts/wasm-module.ts --write` makes it again). For one line at a time it
 * does what writer.ts (scan, address book, document, derived fields, Community ID), core/id.ts
 * (MurmurHash3 x64 128 over the id's window) and core/bulk-op.ts (the action line) do, and writes
 * the finished `_bulk` operation: about twice as fast as the same work in JavaScript
 * (BENCHMARKS.md). wasm-writer.ts drives it: it configures the format and the object, copies each
 * line in, and copies the operations out.
 *
 * The JavaScript stays the reference: a line the module does not write is handed back (a keyword
 * JSON would escape), and the tests hold the two equal byte for byte. What the module leaves to
 * JavaScript, by imports: learning a new address (parse, classify, GeoIP and ASN as JSON, laid out
 * in the arena as addresses.ts lays its entries out) and the ISO time of a new second.
 *
 * Memory: its regions below, then the arena, which the `learn` import grows.
 */

// ---- layout (bytes); wasm-writer.ts reads it from these exports ----
/** Per field (64 at most): its kind (u8), its largest value (i64), its key's fragment first and after a comma ((u32 offset in POOL, u32 length) each). */
export const KINDS: usize = 0;
export const LIMITS: usize = 64;
export const KEY_FIRST: usize = 576;
export const KEY_NEXT: usize = 1088;
export const MAX_FIELDS: i32 = 64;
/** Where the fields the derivations read sit (i32, -1: not in the format): start, end, protocol, tcp-flags, log-status, srcport, dstport, srcaddr, dstaddr, pkt-srcaddr, pkt-dstaddr. */
export const POS: usize = 1600;
/** The named fragments (F_* below), then the protocol-name and flag-names fragments by number ((offset, length); length 0: none). */
export const FRAG: usize = 1664;
export const PROTO_T: usize = 2048;
export const FLAGS_T: usize = 4096;
/** The id's hash state after the object's prefix: h1 and h2 (u64), bytes mixed (i32), the rest's length (i32), the rest (16 bytes). */
export const PREFIX: usize = 7168;
/** Fragment bytes, to POOL_END. */
export const POOL: usize = 8192;
export const POOL_END: usize = 65536;
/** `{"@timestamp":"…"` (the `timestamp` import writes it) and `{"create":{"_index":"…"` (the caller). */
export const TS_BUF: usize = 65536;
export const HEAD_BUF: usize = 65536 + 128;
export const HEAD_BYTES_MAX: i32 = 1024;
/** The scanned line's `start` (f64), for the caller. */
export const TIME: usize = 65536 + 1152;
/** The scanned line's fields: starts and ends (i32), numbers (i64), present (u8), address entries (i32). */
const STARTS: usize = 65536 + 2048;
const ENDS: usize = STARTS + 256;
const NUMS: usize = STARTS + 512;
const PRESENT: usize = STARTS + 1024;
const ENTRIES: usize = STARTS + 1088;
/** Base64's alphabet, and each byte's class for the scan (SEPARATOR, ESCAPED or 0), laid out when the module starts. */
const B64: usize = 65536 + 3456;
const CLASS: usize = 65536 + 3584;
/** SHA-1's block: the Community ID's tuple, then the digest. */
const SHA: usize = 65536 + 4096;
/**
 * The line, copied in by the caller; a longer line is the JavaScript writer's. The id's hash window
 * ends with it: the prefix's rest (< 16 bytes) and `#<line>:` (< 22) are written right before it.
 */
export const INPUT: usize = 196608;
export const INPUT_BYTES: i32 = 65536 - 64;
/**
 * The address book's slots: the hash and entry + 1 (0: empty), linear probing. The table is as
 * small as the book allows (a small one stays in the cache): it starts at MIN_SLOTS and doubles
 * into the other of two regions once three quarters full, up to MAX_SLOTS, twice the book's
 * capacity (bookCapacity is at most MAX_SLOTS / 2).
 */
const SLOTS: usize = 262144;
const MIN_SLOTS: u32 = 4096;
const MAX_SLOTS: u32 = 131072;
/** Operations written end to end, until the caller copies them out. */
export const OUTPUT: usize = SLOTS + (<usize>MAX_SLOTS << 4);
export const OUTPUT_BYTES: i32 = 1 << 20;
/** Address entries (an entry is its byte offset / 4), from here to the end of the memory. */
export const ARENA: usize = OUTPUT + <usize>OUTPUT_BYTES;

/** The named fragments, in FRAG's order. */
const F_DURATION = 0;
const F_CID = 1;
const F_LOGPREFIX = 2;
const F_SRC_T = 3; const F_SRC_F = 4; const F_SRC_GEO = 5; const F_SRC_AS = 6;
const F_DST_T = 7; const F_DST_F = 8; const F_DST_GEO = 9; const F_DST_AS = 10;
const F_PSRC_T = 11; const F_PSRC_F = 12; const F_PSRC_GEO = 13; const F_PSRC_AS = 14;
const F_PDST_T = 15; const F_PDST_F = 16; const F_PDST_GEO = 17; const F_PDST_AS = 18;
const F_ID_KEY = 19;

/** The entry of the address at [start, start + len): looked up and laid out in the arena by the caller. */
@external("env", "learn") declare function learn(start: usize, len: i32): i32;
/** The book forgot every entry: the arena is free again. */
@external("env", "forget") declare function forget(): void;
/** Writes `{"@timestamp":"<ISO time>"` at TS_BUF; returns its length. */
@external("env", "timestamp") declare function timestamp(seconds: f64): i32;

/** Set by the caller: the format's field count, the book's capacity, the head's length, the most bytes a document takes besides 6 a byte of the line and its addresses' JSON. */
export let nFields: i32 = 0;
export let bookCapacity: i32 = 65536;
export let headLen: i32 = 0;
export let fixedBytes: i32 = 0;
/** Bytes written at OUTPUT. */
export let outUsed: i32 = 0;
let bookCount: i32 = 0;
let slots: usize = SLOTS;
let nSlots: u32 = MIN_SLOTS;
let addressBytes: usize = 0;
let lastTime: i64 = -1;
let tsLen: i32 = 0;

const KEYWORD: u8 = 0; const IP: u8 = 1; const NUMBER: u8 = 2; const COUNT_ONLY: u8 = 3;

/** A byte's class: what separates fields (writer.ts's isSpace), what JSON escapes in a keyword, or neither (0). */
const SEPARATOR: u8 = 1; const ESCAPED: u8 = 2;
for (let c: u32 = 0; c < 256; c++) {
  store<u8>(CLASS + <usize>c, c == 32 || (c >= 9 && c <= 13) ? SEPARATOR : c < 32 || c == 34 || c == 92 ? ESCAPED : 0);
}
@inline function classOf(c: u32): u8 { return load<u8>(CLASS + <usize>c); }

// Small copies by words: memory.copy is a call for any size. The last word overlaps the one before
// it rather than a loop finishing byte by byte. Never between overlapping regions (none here are).
@inline function copyBytes(dst: usize, src: usize, n: usize): usize {
  if (n > 64) { memory.copy(dst, src, n); return dst + n; }
  if (n >= 8) {
    for (let i: usize = 0; i + 8 < n; i += 8) store<u64>(dst + i, load<u64>(src + i));
    store<u64>(dst + n - 8, load<u64>(src + n - 8));
  } else if (n >= 4) {
    store<u32>(dst, load<u32>(src)); store<u32>(dst + n - 4, load<u32>(src + n - 4));
  } else if (n >= 2) {
    store<u16>(dst, load<u16>(src)); store<u16>(dst + n - 2, load<u16>(src + n - 2));
  } else if (n == 1) {
    store<u8>(dst, load<u8>(src));
  }
  return dst + n;
}
/**
 * Bytes a copy by copyOver may write past its end, and read past its source's: the output's room
 * and the arena keep this much slack after their last byte.
 */
export const OVER: usize = 32;
/**
 * The copy of the document's parts: by whole 16-byte words, without a branch on the length for up
 * to 32 bytes (the lengths of fields vary from line to line, and a mispredicted branch costs more
 * than the copy). For a destination that is written in order, whose bytes after the n are written
 * later or never read.
 */
@inline function copyOver(dst: usize, src: usize, n: usize): usize {
  v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16);
  for (let i: usize = 32; i < n; i += 16) v128.store(dst + i, v128.load(src + i));
  return dst + n;
}
/** True when the n bytes at a and b are the same. */
@inline function sameBytes(a: usize, b: usize, n: usize): bool {
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false;
  for (; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}
/** The order of the n bytes at a and those at b, byte by byte: negative, 0 or positive. */
@inline function compareBytes(a: usize, b: usize, n: usize): i32 {
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) {
    const x = bswap<u64>(load<u64>(a + i)); const y = bswap<u64>(load<u64>(b + i));
    if (x != y) return x < y ? -1 : 1;
  }
  for (; i < n; i++) {
    const x = <i32>load<u8>(a + i); const y = <i32>load<u8>(b + i);
    if (x != y) return x - y;
  }
  return 0;
}
/** A named fragment, by copyOver. */
@inline function frag(dst: usize, id: i32): usize {
  const e = FRAG + (<usize>id << 3);
  return copyOver(dst, POOL + <usize>load<u32>(e), <usize>load<u32>(e, 4));
}
@inline function fragAt(dst: usize, table: usize, k: i32): usize {
  const e = table + (<usize>k << 3);
  return copyOver(dst, POOL + <usize>load<u32>(e), <usize>load<u32>(e, 4));
}

/** How many decimal digits a non-negative integer has. */
function decimalDigits(v: i64): usize {
  let digits: usize = 1;
  while (v >= 10) { digits++; v /= 10; }
  return digits;
}
/** The `digits` decimal digits of a non-negative integer at `out`; returns the position after them. */
function writeDigits(out: usize, v: i64, digits: usize): usize {
  let p = out + digits;
  do { p--; store<u8>(p, <u8>(48 + v % 10)); v /= 10; } while (v > 0);
  return out + digits;
}
/** The decimal digits of a non-negative integer at `out`; returns the position after them. */
function writeDecimal(out: usize, v: i64): usize {
  if (v < 10) { store<u8>(out, <u8>(48 + v)); return out + 1; }
  return writeDigits(out, v, decimalDigits(v));
}

// ---- address book: an entry's head is three words (shape, GeoIP and ASN JSON lengths), then its text ----
const HEAD_BYTES: usize = 12;
@inline function entryShape(e: i32): u32 { return load<u32>(<usize>e << 2); }
@inline function entryValid(e: i32): bool { return (entryShape(e) & 0xff00) != 0; }

function sameText(e: i32, line: usize, start: usize, end: usize): bool {
  const n = end - start;
  if (<usize>(entryShape(e) & 0xff) != n) return false;
  return sameBytes((<usize>e << 2) + HEAD_BYTES + 1, line + start, n);
}

function span(line: usize, start: usize, end: usize, hash: u32): i32 {
  if (end - start > 64) return -1;
  const mask = nSlots - 1;
  let slot = hash & mask;
  while (true) {
    const p = slots + (<usize>slot << 3);
    const e = load<i32>(p, 4);
    if (e == 0) break;
    if (load<u32>(p) == hash && sameText(e - 1, line, start, end)) return entryValid(e - 1) ? e - 1 : -1;
    slot = (slot + 1) & mask;
  }
  const e = learn(line + start, <i32>(end - start));
  bookCount++;
  const p = slots + (<usize>slot << 3);
  store<u32>(p, hash);
  store<i32>(p, e + 1, 4);
  if (<u32>bookCount * 4 > nSlots * 3 && nSlots < MAX_SLOTS) grow();
  return entryValid(e) ? e : -1;
}

/** Doubles the table into the other region. */
function grow(): void {
  const from = slots; const n = nSlots;
  slots = from == SLOTS ? SLOTS + (<usize>MAX_SLOTS << 3) : SLOTS;
  nSlots = n << 1;
  memory.fill(slots, 0, <usize>nSlots << 3);
  const mask = nSlots - 1;
  for (let i: usize = 0; i < <usize>n; i++) {
    const e = load<i32>(from + (i << 3), 4);
    if (e == 0) continue;
    const hash = load<u32>(from + (i << 3));
    let slot = hash & mask;
    while (load<i32>(slots + (<usize>slot << 3), 4) != 0) slot = (slot + 1) & mask;
    store<u32>(slots + (<usize>slot << 3), hash);
    store<i32>(slots + (<usize>slot << 3), e, 4);
  }
}

// ---- murmur3 x64 128 ----
@inline function fmix(k: u64): u64 {
  k ^= k >> 33; k *= 0xff51afd7ed558ccd; k ^= k >> 33; k *= 0xc4ceb9fe1a85ec53; k ^= k >> 33; return k;
}
/** The 16 lowercase hex digits of v at out, most significant first: its nibbles a byte each, then each byte's digit by a table lookup. */
@inline function hex64(v: u64, out: usize): void {
  const bytes = i64x2.splat(<i64>bswap<u64>(v));
  const nibbles = i8x16.shuffle(i8x16.shr_u(bytes, 4), v128.and(bytes, i8x16.splat(15)), 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  v128.store(out, i8x16.swizzle(i8x16(48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102), nibbles));
}
/** The mask of a word's low m bytes (m from 0 to 8). */
@inline function lowBytes(m: usize): u64 { return m == 0 ? 0 : <u64>-1 >> ((8 - <u64>m) << 3); }
function murmurId(ptr: usize, len: usize, out: usize): void {
  const c1: u64 = 0x87c37b91114253d5; const c2: u64 = 0x4cf5ad432745937f;
  let h1 = load<u64>(PREFIX); let h2 = load<u64>(PREFIX, 8);
  const total = <u64>(load<i32>(PREFIX, 16)) + <u64>len;
  const blocks = len >> 4;
  for (let i: usize = 0; i < blocks; i++) {
    let k1 = load<u64>(ptr + (i << 4)); let k2 = load<u64>(ptr + (i << 4), 8);
    k1 *= c1; k1 = rotl<u64>(k1, 31); k1 *= c2; h1 ^= k1;
    h1 = rotl<u64>(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729;
    k2 *= c2; k2 = rotl<u64>(k2, 33); k2 *= c1; h2 ^= k2;
    h2 = rotl<u64>(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5;
  }
  const tail = ptr + (blocks << 4);
  // The tail (under 16 bytes) as two little-endian words (the input's room goes on after the line),
  // the bytes past it masked off, without a branch on its length: a word of no bytes is 0 and leaves
  // h1 or h2 as the reference, skipping it, does.
  const rem = len & 15;
  let k2 = load<u64>(tail, 8) & lowBytes(rem > 8 ? rem - 8 : 0);
  k2 *= c2; k2 = rotl<u64>(k2, 33); k2 *= c1; h2 ^= k2;
  let k1 = load<u64>(tail) & lowBytes(rem > 8 ? 8 : rem);
  k1 *= c1; k1 = rotl<u64>(k1, 31); k1 *= c2; h1 ^= k1;
  h1 ^= total; h2 ^= total;
  h1 += h2; h2 += h1;
  h1 = fmix(h1); h2 = fmix(h2);
  h1 += h2; h2 += h1;
  hex64(h1, out); hex64(h2, out + 16);
}

// ---- SHA-1 of a message of one block (under 56 bytes), laid out by the caller at SHA on zeros; the digest (big-endian) to SHA[0, 20) ----
@inline function clearBlock(): void {
  for (let i: usize = 0; i < 64; i += 8) store<u64>(SHA + i, 0);
}
@inline function ch(b: u32, c: u32, d: u32): u32 { return d ^ (b & (c ^ d)); }
@inline function parity(b: u32, c: u32, d: u32): u32 { return b ^ c ^ d; }
@inline function maj(b: u32, c: u32, d: u32): u32 { return (b & c) | (d & (b | c)); }
/**
 * Unrolled, the schedule in 16 locals (w[i] for i >= 16 written over w[i - 16]), each round
 * adding into the word that is `e` in it: no memory traffic but the block's 16 loads (~2x a loop
 * over a schedule in memory).
 */
function sha1(len: usize): void {
  store<u8>(SHA + len, 0x80);
  store<u32>(SHA + 60, bswap<u32>(<u32>(len << 3)));
  let w0: u32 = bswap<u32>(load<u32>(SHA + 0));
  let w1: u32 = bswap<u32>(load<u32>(SHA + 4));
  let w2: u32 = bswap<u32>(load<u32>(SHA + 8));
  let w3: u32 = bswap<u32>(load<u32>(SHA + 12));
  let w4: u32 = bswap<u32>(load<u32>(SHA + 16));
  let w5: u32 = bswap<u32>(load<u32>(SHA + 20));
  let w6: u32 = bswap<u32>(load<u32>(SHA + 24));
  let w7: u32 = bswap<u32>(load<u32>(SHA + 28));
  let w8: u32 = bswap<u32>(load<u32>(SHA + 32));
  let w9: u32 = bswap<u32>(load<u32>(SHA + 36));
  let w10: u32 = bswap<u32>(load<u32>(SHA + 40));
  let w11: u32 = bswap<u32>(load<u32>(SHA + 44));
  let w12: u32 = bswap<u32>(load<u32>(SHA + 48));
  let w13: u32 = bswap<u32>(load<u32>(SHA + 52));
  let w14: u32 = bswap<u32>(load<u32>(SHA + 56));
  let w15: u32 = bswap<u32>(load<u32>(SHA + 60));
  let a: u32 = 0x67452301, b: u32 = 0xefcdab89, c: u32 = 0x98badcfe, d: u32 = 0x10325476, e: u32 = 0xc3d2e1f0;
  e += rotl<u32>(a, 5) + ch(b, c, d) + 0x5a827999 + w0; b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + ch(a, b, c) + 0x5a827999 + w1; a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + ch(e, a, b) + 0x5a827999 + w2; e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + ch(d, e, a) + 0x5a827999 + w3; d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + ch(c, d, e) + 0x5a827999 + w4; c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + ch(b, c, d) + 0x5a827999 + w5; b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + ch(a, b, c) + 0x5a827999 + w6; a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + ch(e, a, b) + 0x5a827999 + w7; e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + ch(d, e, a) + 0x5a827999 + w8; d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + ch(c, d, e) + 0x5a827999 + w9; c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + ch(b, c, d) + 0x5a827999 + w10; b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + ch(a, b, c) + 0x5a827999 + w11; a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + ch(e, a, b) + 0x5a827999 + w12; e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + ch(d, e, a) + 0x5a827999 + w13; d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + ch(c, d, e) + 0x5a827999 + w14; c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + ch(b, c, d) + 0x5a827999 + w15; b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + ch(a, b, c) + 0x5a827999 + (w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1)); a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + ch(e, a, b) + 0x5a827999 + (w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1)); e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + ch(d, e, a) + 0x5a827999 + (w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1)); d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + ch(c, d, e) + 0x5a827999 + (w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1)); c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + parity(b, c, d) + 0x6ed9eba1 + (w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1)); b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + parity(a, b, c) + 0x6ed9eba1 + (w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1)); a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + parity(e, a, b) + 0x6ed9eba1 + (w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1)); e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + parity(d, e, a) + 0x6ed9eba1 + (w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1)); d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + parity(c, d, e) + 0x6ed9eba1 + (w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1)); c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + parity(b, c, d) + 0x6ed9eba1 + (w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1)); b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + parity(a, b, c) + 0x6ed9eba1 + (w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1)); a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + parity(e, a, b) + 0x6ed9eba1 + (w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1)); e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + parity(d, e, a) + 0x6ed9eba1 + (w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1)); d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + parity(c, d, e) + 0x6ed9eba1 + (w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1)); c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + parity(b, c, d) + 0x6ed9eba1 + (w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1)); b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + parity(a, b, c) + 0x6ed9eba1 + (w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1)); a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + parity(e, a, b) + 0x6ed9eba1 + (w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1)); e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + parity(d, e, a) + 0x6ed9eba1 + (w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1)); d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + parity(c, d, e) + 0x6ed9eba1 + (w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1)); c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + parity(b, c, d) + 0x6ed9eba1 + (w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1)); b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + parity(a, b, c) + 0x6ed9eba1 + (w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1)); a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + parity(e, a, b) + 0x6ed9eba1 + (w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1)); e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + parity(d, e, a) + 0x6ed9eba1 + (w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1)); d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + parity(c, d, e) + 0x6ed9eba1 + (w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1)); c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + maj(b, c, d) + 0x8f1bbcdc + (w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1)); b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + maj(a, b, c) + 0x8f1bbcdc + (w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1)); a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + maj(e, a, b) + 0x8f1bbcdc + (w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1)); e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + maj(d, e, a) + 0x8f1bbcdc + (w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1)); d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + maj(c, d, e) + 0x8f1bbcdc + (w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1)); c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + maj(b, c, d) + 0x8f1bbcdc + (w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1)); b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + maj(a, b, c) + 0x8f1bbcdc + (w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1)); a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + maj(e, a, b) + 0x8f1bbcdc + (w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1)); e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + maj(d, e, a) + 0x8f1bbcdc + (w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1)); d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + maj(c, d, e) + 0x8f1bbcdc + (w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1)); c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + maj(b, c, d) + 0x8f1bbcdc + (w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1)); b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + maj(a, b, c) + 0x8f1bbcdc + (w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1)); a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + maj(e, a, b) + 0x8f1bbcdc + (w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1)); e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + maj(d, e, a) + 0x8f1bbcdc + (w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1)); d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + maj(c, d, e) + 0x8f1bbcdc + (w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1)); c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + maj(b, c, d) + 0x8f1bbcdc + (w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1)); b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + maj(a, b, c) + 0x8f1bbcdc + (w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1)); a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + maj(e, a, b) + 0x8f1bbcdc + (w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1)); e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + maj(d, e, a) + 0x8f1bbcdc + (w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1)); d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + maj(c, d, e) + 0x8f1bbcdc + (w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1)); c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + parity(b, c, d) + 0xca62c1d6 + (w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1)); b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + parity(a, b, c) + 0xca62c1d6 + (w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1)); a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + parity(e, a, b) + 0xca62c1d6 + (w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1)); e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + parity(d, e, a) + 0xca62c1d6 + (w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1)); d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + parity(c, d, e) + 0xca62c1d6 + (w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1)); c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + parity(b, c, d) + 0xca62c1d6 + (w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1)); b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + parity(a, b, c) + 0xca62c1d6 + (w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1)); a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + parity(e, a, b) + 0xca62c1d6 + (w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1)); e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + parity(d, e, a) + 0xca62c1d6 + (w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1)); d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + parity(c, d, e) + 0xca62c1d6 + (w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1)); c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + parity(b, c, d) + 0xca62c1d6 + (w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1)); b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + parity(a, b, c) + 0xca62c1d6 + (w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1)); a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + parity(e, a, b) + 0xca62c1d6 + (w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1)); e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + parity(d, e, a) + 0xca62c1d6 + (w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1)); d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + parity(c, d, e) + 0xca62c1d6 + (w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1)); c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + parity(b, c, d) + 0xca62c1d6 + (w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1)); b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + parity(a, b, c) + 0xca62c1d6 + (w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1)); a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + parity(e, a, b) + 0xca62c1d6 + (w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1)); e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + parity(d, e, a) + 0xca62c1d6 + (w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1)); d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + parity(c, d, e) + 0xca62c1d6 + (w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1)); c = rotl<u32>(c, 30);
  store<u32>(SHA, bswap<u32>(a + 0x67452301)); store<u32>(SHA + 4, bswap<u32>(b + 0xefcdab89)); store<u32>(SHA + 8, bswap<u32>(c + 0x98badcfe));
  store<u32>(SHA + 12, bswap<u32>(d + 0x10325476)); store<u32>(SHA + 16, bswap<u32>(e + 0xc3d2e1f0));
}

// A table, not a choice of ranges: the digest's digits are random, the branches would be mispredicted.
for (let v: u32 = 0; v < 64; v++) store<u8>(B64 + <usize>v, <u8>(v < 26 ? 65 + v : v < 52 ? 71 + v : v < 62 ? v - 4 : v == 62 ? 43 : 47));
@inline function b64(v: u32): u8 { return load<u8>(B64 + <usize>v); }

/** Writes the Community ID v1 at `out` (30 bytes; 0 when there is none), as community-id.ts does for protocols other than ICMP. */
function communityId(out: usize, from: i32, to: i32, proto: i64, sport: i64, dport: i64, hasPorts: bool): usize {
  if (proto < 0 || proto > 255) return 0;
  const ports = proto == 6 || proto == 17 || proto == 132;
  if (ports && !hasPorts) return 0;
  if (ports && (sport < 0 || sport > 0xffff || dport < 0 || dport > 0xffff)) return 0;
  const n = <usize>((entryShape(from) >> 8) & 0xff);
  if (<usize>((entryShape(to) >> 8) & 0xff) != n) return 0;
  const fromBytes = bytesAt(from); const toBytes = bytesAt(to);
  // ICMP never comes here (the writer gives it no Community ID), so ports only break ties.
  const p1: u32 = ports ? <u32>sport : 0; const p2: u32 = ports ? <u32>dport : 0;
  const order = compareBytes(fromBytes, toBytes, n);
  const keep = order < 0 || (order == 0 && p1 <= p2);
  clearBlock(); // the seed, 0, is its first two bytes
  const a = keep ? fromBytes : toBytes; const b = keep ? toBytes : fromBytes;
  const q1 = keep ? p1 : p2; const q2 = keep ? p2 : p1;
  copyBytes(SHA + 2, a, n); copyBytes(SHA + 2 + n, b, n);
  store<u8>(SHA + 2 + 2 * n, <u8>proto);
  let len: usize = 4 + 2 * n;
  if (ports) {
    store<u8>(SHA + len, <u8>(q1 >> 8)); store<u8>(SHA + len + 1, <u8>q1);
    store<u8>(SHA + len + 2, <u8>(q2 >> 8)); store<u8>(SHA + len + 3, <u8>q2);
    len += 4;
  }
  sha1(len);
  store<u8>(out, 49); store<u8>(out + 1, 58);
  let pos = out + 2;
  for (let i: usize = 0; i < 18; i += 3) {
    const t = (<u32>load<u8>(SHA + i) << 16) | (<u32>load<u8>(SHA + i + 1) << 8) | <u32>load<u8>(SHA + i + 2);
    store<u8>(pos, b64(t >> 18)); store<u8>(pos + 1, b64((t >> 12) & 63)); store<u8>(pos + 2, b64((t >> 6) & 63)); store<u8>(pos + 3, b64(t & 63));
    pos += 4;
  }
  const pair = (<u32>load<u8>(SHA + 18) << 8) | <u32>load<u8>(SHA + 19);
  store<u8>(pos, b64(pair >> 10)); store<u8>(pos + 1, b64((pair >> 4) & 63)); store<u8>(pos + 2, b64((pair << 2) & 63)); store<u8>(pos + 3, 61);
  return 30;
}

@inline function geoStart(e: i32): usize { return (<usize>e << 2) + HEAD_BYTES + <usize>(entryShape(e) & 0xff) + 2; }
@inline function bytesAt(e: i32): usize { return geoStart(e) + <usize>load<u32>((<usize>e << 2) + 4) + <usize>load<u32>((<usize>e << 2) + 8); }
@inline function isPublic(e: i32): bool { return (entryShape(e) & 0x10000) != 0; }
/** Bytes of the address's JSON string and its GeoIP and ASN JSON: what a document may take for it. */
@inline function jsonBytes(e: i32): usize {
  return <usize>(entryShape(e) & 0xff) + 2 + <usize>load<u32>((<usize>e << 2) + 4) + <usize>load<u32>((<usize>e << 2) + 8);
}
function writeEnrichment(pos: usize, e: i32, geoKey: i32, asKey: i32): usize {
  const g = <usize>load<u32>((<usize>e << 2) + 4);
  const a = <usize>load<u32>((<usize>e << 2) + 8);
  const from = geoStart(e);
  if (g != 0) { pos = frag(pos, geoKey); pos = copyOver(pos, from, g); }
  if (a != 0) { pos = frag(pos, asKey); pos = copyOver(pos, from + g, a); }
  return pos;
}

@inline function present(k: i32): bool { return k >= 0 && load<u8>(PRESENT + <usize>k) == 1; }
@inline function num(k: i32): i64 { return load<i64>(NUMS + (<usize>k << 3)); }
@inline function entryOf(k: i32): i32 { return k >= 0 && load<u8>(PRESENT + <usize>k) == 1 ? load<i32>(ENTRIES + (<usize>k << 2)) : -1; }
@inline function posOf(i: i32): i32 { return load<i32>(POS + (<usize>i << 2)); }

/** True for a NODATA or SKIPDATA record. */
function statusAt(line: usize): bool {
  const k = posOf(4);
  if (!present(k)) return false;
  const s = line + <usize>load<i32>(STARTS + (<usize>k << 2));
  const n = load<i32>(ENDS + (<usize>k << 2)) - load<i32>(STARTS + (<usize>k << 2));
  if (n == 6) return load<u32>(s) == 0x41444f4e && load<u16>(s + 4) == 0x4154; // NODATA
  if (n == 8) return load<u64>(s) == 0x4154414450494b53; // SKIPDATA
  return false;
}

// ---- the scan, sixteen bytes at a time ----
/** A bit for each of the 16 bytes at p below 33 (space and every control byte). */
@inline function belowMarks(p: usize): u32 { return <u32>i8x16.bitmask(i8x16.lt_u(v128.load(p), i8x16.splat(33))); }
/** A bit for each of the 16 bytes at p below 33, or `"`, or `\`: what ends a keyword or needs escaping in it. */
@inline function keywordMarks(p: usize): u32 {
  const x = v128.load(p);
  return <u32>i8x16.bitmask(v128.or(i8x16.lt_u(x, i8x16.splat(33)), v128.or(i8x16.eq(x, i8x16.splat(34)), i8x16.eq(x, i8x16.splat(92)))));
}
/**
 * Where the field from `i` ends: at its first separator (the scan puts one after the line). A
 * control byte on the way is part of the field: it makes no number, and no address.
 */
function fieldEnd(line: usize, i: usize): usize {
  while (true) {
    const marks = belowMarks(line + i);
    if (marks == 0) { i += 16; continue; }
    const at = i + <usize>ctz(marks);
    if (classOf(load<u8>(line + at)) == SEPARATOR) return at;
    i = at + 1;
  }
}

/** True unless each byte of t, a byte of text XOR 48, is 0 to 9: a digit's (bytes shifted in, 0, count as digits). */
@inline function notDigits(t: u64): bool { return (((t + 0x0606060606060606) | t) & 0xf0f0f0f0f0f0f0f0) != 0; }
/** The value of eight digits (0 to 9 a byte, the most significant in the lowest byte). */
@inline function eightDigits(t: u64): u64 {
  t = ((t & 0x0f0f0f0f0f0f0f0f) * 2561) >> 8;
  t = ((t & 0x00ff00ff00ff00ff) * 6553601) >> 16;
  return ((t & 0x0000ffff0000ffff) * 42949672960001) >> 32;
}
/**
 * The value of a number field's n bytes at p, -1 for any byte not a digit; past 17 digits, -1 once
 * the value reaches 10^17. Up to 16 digits by words (no value of 16 digits comes near that limit).
 */
function numberAt(p: usize, n: usize): i64 {
  if (n <= 8) {
    const t = (load<u64>(p) ^ 0x3030303030303030) << ((8 - <u64>n) << 3);
    return notDigits(t) ? -1 : <i64>eightDigits(t);
  }
  if (n <= 16) {
    const high = (load<u64>(p) ^ 0x3030303030303030) << ((16 - <u64>n) << 3);
    const low = load<u64>(p + n - 8) ^ 0x3030303030303030;
    return notDigits(high) || notDigits(low) ? -1 : <i64>(eightDigits(high) * 100000000 + eightDigits(low));
  }
  let value: i64 = 0;
  for (let i: usize = 0; i < n; i++) {
    const d = <u32>load<u8>(p + i) - 48;
    if (d > 9) return -1;
    value = <u64>value < 100000000000000000 ? value * 10 + <i64>d : -1;
  }
  return value;
}

@inline function mixWord(h: u64, w: u64): u64 { h = (h ^ w) * 0xff51afd7ed558ccd; return h ^ (h >> 32); }
/** The book's hash of an address's n bytes (at least 1) at p, by words; up to 16 bytes (IPv4's) without a branch on n. */
function addressHash(p: usize, n: usize): u32 {
  let h: u64 = <u64>n * 0x9e3779b97f4a7c15;
  let i: usize = 0;
  for (; n - i > 16; i += 16) h = mixWord(mixWord(h, load<u64>(p + i)), load<u64>(p + i, 8));
  const rest = n - i;
  h = mixWord(h, load<u64>(p + i) & lowBytes(rest > 8 ? 8 : rest));
  h = mixWord(h, load<u64>(p + i, 8) & lowBytes(rest > 8 ? rest - 8 : 0));
  return <u32>h;
}

/** Scans the line at [line, line + len) as writer.ts's scan does: 1 when it can be written here, 0 when it is bad, 2 when a keyword needs escaping. */
function scanLine(line: usize, len: usize): i32 {
  const n = nFields;
  let ok = true; let count: i32 = 0; let i: usize = 0; let escape = false;
  addressBytes = 0;
  store<u8>(line + len, 32); // every field ends at a separator (the room for a line has bytes after it)
  while (true) {
    while (i < len && classOf(load<u8>(line + i)) == SEPARATOR) i++;
    if (i >= len) break;
    const start = i;
    const kind = count < n && ok ? load<u8>(KINDS + <usize>count) : COUNT_ONLY;
    if (kind == KEYWORD) {
      // Ends at a separator; a control byte, `"` or `\` on the way needs escaping.
      while (true) {
        const marks = keywordMarks(line + i);
        if (marks == 0) { i += 16; continue; }
        i += <usize>ctz(marks);
        if (classOf(load<u8>(line + i)) == SEPARATOR) break;
        escape = true;
        i++;
      }
    } else {
      i = fieldEnd(line, i);
    }
    if (kind == COUNT_ONLY) { count++; continue; }
    if (i - start == 1 && load<u8>(line + start) == 45) {
      store<u8>(PRESENT + <usize>count, 0);
      count++;
      continue;
    }
    store<u8>(PRESENT + <usize>count, 1);
    store<i32>(STARTS + (<usize>count << 2), <i32>start); store<i32>(ENDS + (<usize>count << 2), <i32>i);
    if (kind == NUMBER) {
      const value = numberAt(line + start, i - start);
      store<i64>(NUMS + (<usize>count << 3), value);
      ok = value >= 0 && value <= load<i64>(LIMITS + (<usize>count << 3));
    } else if (kind == IP) {
      const e = span(line, start, i, addressHash(line + start, i - start));
      if (e < 0) ok = false;
      else { store<i32>(ENTRIES + (<usize>count << 2), e); addressBytes += jsonBytes(e); }
    }
    count++;
  }
  if (!(ok && count == n)) return 0;
  return escape ? 2 : 1;
}

/** The scanned line's document, as writer.ts writes it, up to and with `}}`. */
function document(out: usize, line: usize, lineNoAt: usize, lineNoDigits: usize): usize {
  let pos = out;
  const timed = present(posOf(0));
  if (timed) {
    const time = num(posOf(0));
    if (time != lastTime) { lastTime = time; tsLen = timestamp(<f64>time); }
    pos = copyOver(pos, TS_BUF, <usize>tsLen);
  } else {
    store<u8>(pos++, 123);
  }
  let sep = timed;
  const n = nFields;
  for (let k: i32 = 0; k < n; k++) {
    if (load<u8>(PRESENT + <usize>k) == 0) continue;
    pos = fragAt(pos, sep ? KEY_NEXT : KEY_FIRST, k);
    sep = true;
    const kind = load<u8>(KINDS + <usize>k);
    if (kind == IP) {
      const e = load<i32>(ENTRIES + (<usize>k << 2));
      pos = copyOver(pos, (<usize>e << 2) + HEAD_BYTES, <usize>(entryShape(e) & 0xff) + 2);
      continue;
    }
    const s = <usize>load<i32>(STARTS + (<usize>k << 2));
    const en = <usize>load<i32>(ENDS + (<usize>k << 2));
    if (kind == NUMBER) {
      pos = load<u8>(line + s) != 48 ? copyOver(pos, line + s, en - s) : writeDecimal(pos, num(k));
    } else {
      store<u8>(pos, 34);
      pos = copyOver(pos + 1, line + s, en - s);
      store<u8>(pos++, 34);
    }
  }
  // derived
  const kStart = posOf(0); const kEnd = posOf(1);
  if (present(kStart) && present(kEnd) && num(kEnd) >= num(kStart)) {
    pos = frag(pos, F_DURATION);
    pos = writeDecimal(pos, num(kEnd) - num(kStart));
  }
  const src = entryOf(posOf(7)); const dst = entryOf(posOf(8));
  const psrc = entryOf(posOf(9)); const pdst = entryOf(posOf(10));
  if (!statusAt(line)) {
    const kp = posOf(2);
    const hasProto = present(kp);
    const proto = hasProto ? num(kp) : -1;
    if (hasProto && proto < 256 && load<u32>(PROTO_T + (<usize>proto << 3), 4) != 0) pos = fragAt(pos, PROTO_T, <i32>proto);
    const kf = posOf(3);
    if (present(kf) && (!hasProto || proto == 6)) {
      const mask = num(kf);
      if (mask < 256 && load<u32>(FLAGS_T + (<usize>mask << 3), 4) != 0) pos = fragAt(pos, FLAGS_T, <i32>mask);
    }
    if (src >= 0) pos = frag(pos, isPublic(src) ? F_SRC_T : F_SRC_F);
    if (dst >= 0) pos = frag(pos, isPublic(dst) ? F_DST_T : F_DST_F);
    if (psrc >= 0) pos = frag(pos, isPublic(psrc) ? F_PSRC_T : F_PSRC_F);
    if (pdst >= 0) pos = frag(pos, isPublic(pdst) ? F_PDST_T : F_PDST_F);
    const packet = psrc >= 0 && pdst >= 0;
    const from = packet ? psrc : src; const to = packet ? pdst : dst;
    if (hasProto && proto != 1 && proto != 58 && from >= 0 && to >= 0) {
      const ks = posOf(5); const kd = posOf(6);
      const hasPorts = present(ks) && present(kd);
      const e = FRAG + (<usize>F_CID << 3);
      const keyLen = <usize>load<u32>(e, 4);
      const written = communityId(pos + keyLen, from, to, proto, hasPorts ? num(ks) : -1, hasPorts ? num(kd) : -1, hasPorts);
      if (written != 0) {
        copyBytes(pos, POOL + <usize>load<u32>(e), keyLen); // exactly: the value after it is written
        pos += keyLen + 30;
        store<u8>(pos++, 34);
      }
    }
  }
  if (src >= 0) pos = writeEnrichment(pos, src, F_SRC_GEO, F_SRC_AS);
  if (dst >= 0) pos = writeEnrichment(pos, dst, F_DST_GEO, F_DST_AS);
  if (psrc >= 0) pos = writeEnrichment(pos, psrc, F_PSRC_GEO, F_PSRC_AS);
  if (pdst >= 0) pos = writeEnrichment(pos, pdst, F_PDST_GEO, F_PDST_AS);
  if (sep) store<u8>(pos++, 44);
  pos = frag(pos, F_LOGPREFIX);
  pos = copyOver(pos, lineNoAt, lineNoDigits);
  store<u8>(pos, 125); store<u8>(pos + 1, 125);
  return pos + 2;
}


/** Forgets every address (another enricher's book, or a full one). */
export function forgetAll(): void {
  slots = SLOTS;
  nSlots = MIN_SLOTS;
  memory.fill(slots, 0, <usize>nSlots << 3);
  bookCount = 0;
  forget();
}

/**
 * Scans the line at INPUT[0, len): 0 when it is bad, 1 when `write` can write it, 2 when the
 * JavaScript writer must (a keyword JSON would escape); bit 2: a NODATA/SKIPDATA record; bit 3:
 * it has a `start` (at TIME). A full book forgets here, before the line's addresses.
 */
export function scan(len: i32): i32 {
  if (bookCount >= bookCapacity) forgetAll();
  const r = scanLine(INPUT, <usize>len);
  if (r == 0) return 0;
  const k = posOf(0);
  const timed = present(k);
  if (timed) store<f64>(TIME, <f64>num(k));
  return r | (statusAt(INPUT) ? 4 : 0) | (timed ? 8 : 0);
}

/**
 * Writes the scanned line's operation at OUTPUT + outUsed: the head at HEAD_BUF, its id, `}}`, the
 * document (`log.line` being `lineNo`) and a newline. Returns the new outUsed, or -1 (nothing
 * written) when it might not fit.
 */
export function write(len: i32, lineNo: f64): i32 {
  const room = <usize>headLen + 48 + <usize>fixedBytes + 6 * <usize>len + addressBytes + OVER;
  if (<usize>outUsed + room > <usize>OUTPUT_BYTES) return -1;
  const line = INPUT;
  const no = <i64>lineNo;
  let out = copyOver(OUTPUT + <usize>outUsed, HEAD_BUF, <usize>headLen);
  out = frag(out, F_ID_KEY);
  // The window, `<rest>#<lineNo>:<line>`, in place: its start written right before the line.
  const restLen = <usize>load<i32>(PREFIX, 20);
  const digits = decimalDigits(no);
  const window = line - restLen - digits - 2;
  const noAt = copyBytes(window, PREFIX + 24, restLen) + 1;
  store<u8>(noAt - 1, 35);
  store<u8>(writeDigits(noAt, no, digits), 58);
  murmurId(window, line + <usize>len - window, out);
  out += 32;
  store<u8>(out, 34); store<u8>(out + 1, 125); store<u8>(out + 2, 125); store<u8>(out + 3, 10);
  out = document(out + 4, line, noAt, digits); // `log.line`: the digits the window has
  store<u8>(out++, 10);
  outUsed = <i32>(out - OUTPUT);
  return outUsed;
}
