/**
 * The one instance of core/hash.wat (MurmurHash3 x64 128 and one-block SHA-1 in WebAssembly),
 * compiled synchronously when first imported, and the addresses of its memory, as hash.wat lays
 * them out. core/murmur128.ts and core/sha1.ts are its users; each owns its own regions.
 */
import { Buffer } from 'node:buffer';
import { HASH_WASM } from './hash-wasm.js';

interface HashExports {
  readonly memory: WebAssembly.Memory;
  mix(state: number, ptr: number, len: number): number;
  hash128(state: number, ptr: number, len: number, total: number, out: number): void;
  sha1(len: number): void;
}

export const HASH = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(HASH_WASM, 'base64'))).exports as unknown as HashExports;

/** The memory is one page and never grows, so views of it stay valid. */
export const HASH_MEMORY: ArrayBuffer = HASH.memory.buffer;

export const MURMUR_STATE_AT = 0;
export const MURMUR_DIGEST_AT = 16;
export const SHA1_BLOCK_AT = 64;
export const SHA1_DIGEST_AT = 448;
export const MURMUR_WINDOW_AT = 1024;
