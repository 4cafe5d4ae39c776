;; Two hashes that run per flow-log record, in WebAssembly text:
;;  - MurmurHash3, x64 128-bit variant (Austin Appleby's public-domain MurmurHash3_x64_128,
;;    https://github.com/aappleby/smhasher/blob/master/src/MurmurHash3.cpp), for document ids;
;;  - SHA-1 (FIPS 180-4) of a message of one block, for the Community ID.
;; JavaScript has no 64-bit integer that does not allocate; WebAssembly's i64 multiplies and rotates
;; in one instruction each, and neither hash here allocates or crosses into C++ as node:crypto does.
;; core/hash-module.ts instantiates it once; core/murmur128.ts and core/sha1.ts are its users.
;;
;; Assembled by `node --import tsx scripts/wasm-module.ts --write` (wabt) into core/hash-wasm.ts,
;; which is committed; test/unit/core/hash-wasm.test.ts fails when the two differ.
;;
;; Memory (one page, never grown; core/hash-module.ts names every address):
;;   [0, 16)      MurmurHash3's state: h1 then h2, each a little-endian 64-bit number
;;   [16, 48)     MurmurHash3's digest: 32 lowercase hex digits, h1 then h2, each most significant first
;;   [64, 128)    SHA-1's block: the message (at most 55 bytes), padded here
;;   [128, 448)   SHA-1's message schedule, 80 words
;;   [448, 468)   SHA-1's digest, 20 bytes
;;   [1024, end)  MurmurHash3's input window
(module
  (memory (export "memory") 1)

  ;; The reference's fmix64: the finaliser that spreads every input bit over the whole lane.
  (func $fmix (param $k i64) (result i64)
    (local.set $k (i64.xor (local.get $k) (i64.shr_u (local.get $k) (i64.const 33))))
    (local.set $k (i64.mul (local.get $k) (i64.const 0xff51afd7ed558ccd)))
    (local.set $k (i64.xor (local.get $k) (i64.shr_u (local.get $k) (i64.const 33))))
    (local.set $k (i64.mul (local.get $k) (i64.const 0xc4ceb9fe1a85ec53)))
    (i64.xor (local.get $k) (i64.shr_u (local.get $k) (i64.const 33))))

  ;; Writes $v as 16 lowercase hex digits at $out, most significant first.
  (func $hex64 (param $v i64) (param $out i32)
    (local $i i32) (local $d i32)
    (local.set $i (i32.const 15))
    (loop $digit
      (local.set $d (i32.wrap_i64 (i64.and (local.get $v) (i64.const 15))))
      (i32.store8 (i32.add (local.get $out) (local.get $i))
        (i32.add (local.get $d) (select (i32.const 48) (i32.const 87) (i32.lt_u (local.get $d) (i32.const 10)))))
      (local.set $v (i64.shr_u (local.get $v) (i64.const 4)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $digit (i32.ge_s (local.get $i) (i32.const 0)))))

  ;; Mixes the whole 16-byte blocks of [$ptr, $ptr + $len) into the state at $state and returns
  ;; the address after the last of them (where the 0 to 15 bytes of the tail start).
  (func $mix (export "mix") (param $state i32) (param $ptr i32) (param $len i32) (result i32)
    (local $h1 i64) (local $h2 i64) (local $end i32)
    (local.set $h1 (i64.load (local.get $state)))
    (local.set $h2 (i64.load offset=8 (local.get $state)))
    (local.set $end (i32.add (local.get $ptr) (i32.and (local.get $len) (i32.const -16))))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
        ;; k1 = block[0]; k1 *= c1; k1 = rotl64(k1, 31); k1 *= c2; h1 ^= k1
        (local.set $h1 (i64.xor (local.get $h1)
          (i64.mul (i64.rotl (i64.mul (i64.load (local.get $ptr)) (i64.const 0x87c37b91114253d5)) (i64.const 31))
                   (i64.const 0x4cf5ad432745937f))))
        ;; h1 = rotl64(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729
        (local.set $h1 (i64.add (i64.mul (i64.add (i64.rotl (local.get $h1) (i64.const 27)) (local.get $h2)) (i64.const 5))
                                (i64.const 0x52dce729)))
        ;; k2 = block[1]; k2 *= c2; k2 = rotl64(k2, 33); k2 *= c1; h2 ^= k2
        (local.set $h2 (i64.xor (local.get $h2)
          (i64.mul (i64.rotl (i64.mul (i64.load offset=8 (local.get $ptr)) (i64.const 0x4cf5ad432745937f)) (i64.const 33))
                   (i64.const 0x87c37b91114253d5))))
        ;; h2 = rotl64(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5
        (local.set $h2 (i64.add (i64.mul (i64.add (i64.rotl (local.get $h2) (i64.const 31)) (local.get $h1)) (i64.const 5))
                                (i64.const 0x38495ab5)))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 16)))
        (br $block)))
    (i64.store (local.get $state) (local.get $h1))
    (i64.store offset=8 (local.get $state) (local.get $h2))
    (local.get $end))

  ;; Hashes [$ptr, $ptr + $len) on from the state at $state and writes the 32 hex digits of the
  ;; digest at $out. $total is the whole message's length, the bytes the state took in before
  ;; included. The state is left mixed, not final: the caller sets it again before each message.
  (func (export "hash128") (param $state i32) (param $ptr i32) (param $len i32) (param $total i32) (param $out i32)
    (local $h1 i64) (local $h2 i64) (local $k1 i64) (local $k2 i64) (local $rem i32)
    (local.set $ptr (call $mix (local.get $state) (local.get $ptr) (local.get $len)))
    (local.set $h1 (i64.load (local.get $state)))
    (local.set $h2 (i64.load offset=8 (local.get $state)))
    ;; The tail, little-endian: bytes 0-7 into k1, 8-14 into k2 (the C++ fall-through switch).
    (local.set $rem (i32.and (local.get $len) (i32.const 15)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.eqz (local.get $rem)))
        (local.set $rem (i32.sub (local.get $rem) (i32.const 1)))
        (if (i32.ge_u (local.get $rem) (i32.const 8))
          (then (local.set $k2 (i64.or (i64.shl (local.get $k2) (i64.const 8))
                                       (i64.load8_u (i32.add (local.get $ptr) (local.get $rem))))))
          (else (local.set $k1 (i64.or (i64.shl (local.get $k1) (i64.const 8))
                                       (i64.load8_u (i32.add (local.get $ptr) (local.get $rem)))))))
        (br $tail)))
    ;; The reference mixes k2 only for a tail of 9 bytes or more and k1 only for one of 1 or more;
    ;; a lane with no tail byte is 0 here, and mixing 0 leaves h unchanged, so both are mixed always.
    (local.set $h2 (i64.xor (local.get $h2)
      (i64.mul (i64.rotl (i64.mul (local.get $k2) (i64.const 0x4cf5ad432745937f)) (i64.const 33)) (i64.const 0x87c37b91114253d5))))
    (local.set $h1 (i64.xor (local.get $h1)
      (i64.mul (i64.rotl (i64.mul (local.get $k1) (i64.const 0x87c37b91114253d5)) (i64.const 31)) (i64.const 0x4cf5ad432745937f))))
    ;; h1 ^= len; h2 ^= len; h1 += h2; h2 += h1; fmix both; h1 += h2; h2 += h1
    (local.set $h1 (i64.xor (local.get $h1) (i64.extend_i32_u (local.get $total))))
    (local.set $h2 (i64.xor (local.get $h2) (i64.extend_i32_u (local.get $total))))
    (local.set $h1 (i64.add (local.get $h1) (local.get $h2)))
    (local.set $h2 (i64.add (local.get $h2) (local.get $h1)))
    (local.set $h1 (call $fmix (local.get $h1)))
    (local.set $h2 (call $fmix (local.get $h2)))
    (local.set $h1 (i64.add (local.get $h1) (local.get $h2)))
    (local.set $h2 (i64.add (local.get $h2) (local.get $h1)))
    (call $hex64 (local.get $h1) (local.get $out))
    (call $hex64 (local.get $h2) (i32.add (local.get $out) (i32.const 16))))

  ;; The 32-bit word whose bytes are $x's in the other order (a big-endian load from a little-endian one).
  (func $bswap (param $x i32) (result i32)
    (i32.or
      (i32.or (i32.shl (local.get $x) (i32.const 24)) (i32.and (i32.shl (local.get $x) (i32.const 8)) (i32.const 0xff0000)))
      (i32.or (i32.and (i32.shr_u (local.get $x) (i32.const 8)) (i32.const 0xff00)) (i32.shr_u (local.get $x) (i32.const 24)))))

  ;; SHA-1 of the $len bytes (0 to 55: one block with its padding) at the block [64, 128), which it
  ;; pads in place; the 20-byte digest goes to [448, 468).
  (func (export "sha1") (param $len i32)
    (local $i i32) (local $w i32) (local $t i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32)
    ;; The marker, zeros, and the message's length in bits (at most 440: the last two bytes).
    (i32.store8 offset=64 (local.get $len) (i32.const 0x80))
    (local.set $i (i32.add (local.get $len) (i32.const 1)))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $i) (i32.const 62)))
        (i32.store8 offset=64 (local.get $i) (i32.const 0))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $zero)))
    (i32.store8 (i32.const 126) (i32.shr_u (local.get $len) (i32.const 5)))
    (i32.store8 (i32.const 127) (i32.shl (local.get $len) (i32.const 3)))
    ;; The schedule: the block's 16 big-endian words, then w[i] = rotl(w[i-3] ^ w[i-8] ^ w[i-14] ^ w[i-16], 1).
    (local.set $i (i32.const 0))
    (loop $load
      (i32.store offset=128 (local.get $i) (call $bswap (i32.load offset=64 (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $load (i32.lt_u (local.get $i) (i32.const 64))))
    (loop $expand
      (i32.store offset=128 (local.get $i)
        (i32.rotl
          (i32.xor (i32.xor (i32.load offset=116 (local.get $i)) (i32.load offset=96 (local.get $i)))
                   (i32.xor (i32.load offset=72 (local.get $i)) (i32.load offset=64 (local.get $i))))
          (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $expand (i32.lt_u (local.get $i) (i32.const 320))))
    (local.set $a (i32.const 0x67452301))
    (local.set $b (i32.const 0xefcdab89))
    (local.set $c (i32.const 0x98badcfe))
    (local.set $d (i32.const 0x10325476))
    (local.set $e (i32.const 0xc3d2e1f0))
    ;; Four loops of 20 rounds, one per round function and constant; $i is the schedule's byte offset.
    (local.set $i (i32.const 0))
    (loop $r0
      ;; Ch(b, c, d) = (b & c) | (~b & d), written d ^ (b & (c ^ d))
      (local.set $t (i32.add (i32.add (i32.rotl (local.get $a) (i32.const 5))
                                      (i32.xor (local.get $d) (i32.and (local.get $b) (i32.xor (local.get $c) (local.get $d)))))
                             (i32.add (i32.add (local.get $e) (i32.const 0x5a827999)) (i32.load offset=128 (local.get $i)))))
      (local.set $e (local.get $d)) (local.set $d (local.get $c)) (local.set $c (i32.rotl (local.get $b) (i32.const 30)))
      (local.set $b (local.get $a)) (local.set $a (local.get $t))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $r0 (i32.lt_u (local.get $i) (i32.const 80))))
    (loop $r1
      ;; Parity(b, c, d) = b ^ c ^ d
      (local.set $t (i32.add (i32.add (i32.rotl (local.get $a) (i32.const 5)) (i32.xor (i32.xor (local.get $b) (local.get $c)) (local.get $d)))
                             (i32.add (i32.add (local.get $e) (i32.const 0x6ed9eba1)) (i32.load offset=128 (local.get $i)))))
      (local.set $e (local.get $d)) (local.set $d (local.get $c)) (local.set $c (i32.rotl (local.get $b) (i32.const 30)))
      (local.set $b (local.get $a)) (local.set $a (local.get $t))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $r1 (i32.lt_u (local.get $i) (i32.const 160))))
    (loop $r2
      ;; Maj(b, c, d) = (b & c) | (b & d) | (c & d), written (b & c) | (d & (b | c))
      (local.set $t (i32.add (i32.add (i32.rotl (local.get $a) (i32.const 5))
                                      (i32.or (i32.and (local.get $b) (local.get $c)) (i32.and (local.get $d) (i32.or (local.get $b) (local.get $c)))))
                             (i32.add (i32.add (local.get $e) (i32.const 0x8f1bbcdc)) (i32.load offset=128 (local.get $i)))))
      (local.set $e (local.get $d)) (local.set $d (local.get $c)) (local.set $c (i32.rotl (local.get $b) (i32.const 30)))
      (local.set $b (local.get $a)) (local.set $a (local.get $t))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $r2 (i32.lt_u (local.get $i) (i32.const 240))))
    (loop $r3
      (local.set $t (i32.add (i32.add (i32.rotl (local.get $a) (i32.const 5)) (i32.xor (i32.xor (local.get $b) (local.get $c)) (local.get $d)))
                             (i32.add (i32.add (local.get $e) (i32.const 0xca62c1d6)) (i32.load offset=128 (local.get $i)))))
      (local.set $e (local.get $d)) (local.set $d (local.get $c)) (local.set $c (i32.rotl (local.get $b) (i32.const 30)))
      (local.set $b (local.get $a)) (local.set $a (local.get $t))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $r3 (i32.lt_u (local.get $i) (i32.const 320))))
    ;; The digest: the initial state plus the block's, big-endian.
    (i32.store (i32.const 448) (call $bswap (i32.add (local.get $a) (i32.const 0x67452301))))
    (i32.store (i32.const 452) (call $bswap (i32.add (local.get $b) (i32.const 0xefcdab89))))
    (i32.store (i32.const 456) (call $bswap (i32.add (local.get $c) (i32.const 0x98badcfe))))
    (i32.store (i32.const 460) (call $bswap (i32.add (local.get $d) (i32.const 0x10325476))))
    (i32.store (i32.const 464) (call $bswap (i32.add (local.get $e) (i32.const 0xc3d2e1f0)))))
)
