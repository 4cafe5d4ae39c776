declare module 'murmurhash3js-revisited' {
  /** MurmurHash3 variants over bytes; each returns the hash as lowercase hex. */
  interface Murmur {
    x86: { hash32(bytes: Uint8Array, seed?: number): number; hash128(bytes: Uint8Array, seed?: number): string };
    x64: { hash128(bytes: Uint8Array, seed?: number): string };
  }
  const murmur: Murmur;
  export default murmur;
}
