/**
 * Structural check of a MaxMind DB (.mmdb) buffer, run once at open time.
 *
 * Why: mmdb-lib decodes lazily and trusts the file. A malformed value is not an error there but
 * a wrong answer later (it reads a 4-byte "double" as 8 bytes and returns latitudes like 1e-52),
 * so a corrupt database would silently poison every document. Checking every record of a
 * production database would cost seconds, so this follows a fixed set of pseudo-random paths
 * through the search tree and checks every data value (and pointer target) those paths reach:
 * systematic corruption (wrong writer, truncation, wrong file) shows up in any sample.
 */

/** The metadata fields the check needs (mmdb-lib's Metadata has them). */
export interface TreeShape {
  readonly nodeCount: number;
  readonly recordSize: number;
  readonly ipVersion: number;
}

/** Paths followed through the search tree by default. */
export const DEFAULT_DESCENTS = 2048;

const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');
const SEPARATOR_BYTES = 16;
const MAX_NESTING = 64;
const IPV4_SUBTREE_DEPTH = 96;

const TYPE_NAMES = [
  'extended', 'pointer', 'string', 'double', 'bytes', 'uint16', 'uint32', 'map',
  'int32', 'uint64', 'uint128', 'array', 'container', 'end marker', 'boolean', 'float',
] as const;
/** Payload sizes the format allows for fixed-width types: exact for floats, a maximum for integers. */
const EXACT_SIZE: Partial<Record<number, number>> = { 3: 8, 15: 4 };
const MAX_SIZE: Partial<Record<number, number>> = { 5: 2, 6: 4, 8: 4, 9: 8, 10: 16 };

class Corrupt extends Error {}

function fail(message: string): never {
  throw new Corrupt(message);
}

/**
 * Checks the layout (record size, separator, data section bounds) and the values reached by
 * `descents` paths. Returns what is wrong, or undefined when nothing was found.
 */
export function verifyMmdb(db: Buffer, shape: TreeShape, descents = DEFAULT_DESCENTS): string | undefined {
  try {
    new Verifier(db, shape).run(descents);
    return undefined;
  } catch (err) {
    if (err instanceof Corrupt) return err.message;
    throw err;
  }
}

class Verifier {
  readonly #db: Buffer;
  readonly #shape: TreeShape;
  readonly #dataStart: number;
  readonly #dataEnd: number;
  readonly #seen = new Set<number>();

  constructor(db: Buffer, shape: TreeShape) {
    this.#db = db;
    this.#shape = shape;
    const { nodeCount, recordSize } = shape;
    if (![24, 28, 32].includes(recordSize)) fail(`record size ${recordSize} is not 24, 28 or 32`);
    if (!(nodeCount > 0)) fail('the search tree has no nodes');
    const treeSize = (nodeCount * recordSize) / 4;
    this.#dataStart = treeSize + SEPARATOR_BYTES;
    this.#dataEnd = db.lastIndexOf(METADATA_MARKER);
    if (this.#dataEnd < this.#dataStart) fail(`the search tree (${treeSize} bytes) runs past the end of the data`);
    for (let i = treeSize; i < this.#dataStart; i++) {
      if (db[i] !== 0) fail('the 16 zero bytes after the search tree are missing (wrong node count?)');
    }
  }

  run(descents: number): void {
    let state = 0x9e3779b9;
    const nextBit = (): number => {
      // xorshift32: deterministic, so a verdict never depends on luck.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state & 1;
    };
    const v4Root = this.#shape.ipVersion === 6 ? this.#ipv4Root() : -1;
    for (let k = 0; k < descents; k++) {
      // Half the paths start at ::/96 so IPv4 data inside an IPv6 tree is sampled too.
      const fromV4 = k % 2 === 1 && v4Root >= 0 && v4Root < this.#shape.nodeCount;
      this.#descend(fromV4 ? v4Root : 0, fromV4 ? IPV4_SUBTREE_DEPTH : 0, nextBit);
    }
  }

  #ipv4Root(): number {
    let node = 0;
    for (let i = 0; i < IPV4_SUBTREE_DEPTH && node < this.#shape.nodeCount; i++) node = this.#record(node, 0);
    return node;
  }

  #record(node: number, side: 0 | 1): number {
    const db = this.#db;
    switch (this.#shape.recordSize) {
      case 24: return db.readUIntBE(node * 6 + side * 3, 3);
      case 28: {
        const o = node * 7;
        const high = side === 0 ? (db[o + 3]! & 0xf0) << 20 : (db[o + 3]! & 0x0f) << 24;
        return high + db.readUIntBE(o + side * 4, 3);
      }
      default: return db.readUInt32BE(node * 8 + side * 4);
    }
  }

  #descend(start: number, depth: number, nextBit: () => number): void {
    const { nodeCount, ipVersion } = this.#shape;
    const maxDepth = ipVersion === 4 ? 32 : 128;
    let node = start;
    for (let d = depth; d < maxDepth; d++) {
      const left = this.#record(node, 0);
      const right = this.#record(node, 1);
      if (left > nodeCount) this.#data(left);
      if (right > nodeCount) this.#data(right);
      // Prefer a side that leads somewhere, so paths do not end in empty space.
      const [pick, other] = nextBit() === 1 ? [right, left] : [left, right];
      const next = pick < nodeCount ? pick : other;
      if (next >= nodeCount) return;
      node = next;
    }
    fail(`the search tree is deeper than ${maxDepth} bits (corrupt node records)`);
  }

  #data(recordValue: number): void {
    const offset = this.#dataStart + (recordValue - this.#shape.nodeCount - SEPARATOR_BYTES);
    if (offset < this.#dataStart || offset >= this.#dataEnd) fail(`a search tree record (${recordValue}) points outside the data section`);
    if (this.#seen.has(offset)) return;
    this.#seen.add(offset);
    this.#value(offset, 0);
  }

  #byte(p: number): number {
    if (p >= this.#dataEnd) fail('a value runs past the end of the data section');
    return this.#db[p]!;
  }

  #uint(p: number, n: number): number {
    if (p + n > this.#dataEnd) fail('a value runs past the end of the data section');
    return this.#db.readUIntBE(p, n);
  }

  /** Checks the value at `at` and returns the offset just after it. */
  #value(at: number, depth: number): number {
    if (depth > MAX_NESTING) fail(`values nest deeper than ${MAX_NESTING} levels`);
    let p = at;
    const ctrl = this.#byte(p++);
    let type = ctrl >> 5;
    if (type === 1) return this.#pointer(at, depth);
    if (type === 0) {
      type = this.#byte(p++) + 7;
      if (type < 8 || type > 15) fail(`invalid extended type ${type} at data offset ${at - this.#dataStart}`);
    }
    // Sizes 29-31 say "the size continues in the next 1, 2 or 3 bytes", with these offsets added.
    let size = ctrl & 0x1f;
    if (size >= 29) {
      const extra = size - 28;
      size = [29, 285, 65_821][extra - 1]! + this.#uint(p, extra);
      p += extra;
    }
    return this.#payload(type, size, p, at, depth);
  }

  #payload(type: number, size: number, p: number, at: number, depth: number): number {
    const where = `${TYPE_NAMES[type]} at data offset ${at - this.#dataStart}`;
    if (type === 7) {
      for (let i = 0; i < size; i++) p = this.#value(this.#key(p, depth), depth + 1);
      return p;
    }
    if (type === 11) {
      for (let i = 0; i < size; i++) p = this.#value(p, depth + 1);
      return p;
    }
    if (type === 14) return size <= 1 ? p : fail(`${where} has size ${size}, must be 0 or 1`);
    if (type === 12 || type === 13) fail(`${where}: this type is not allowed in the data section`);
    const exact = EXACT_SIZE[type];
    if (exact !== undefined && size !== exact) fail(`${where} has size ${size}, the format requires ${exact}`);
    const max = MAX_SIZE[type];
    if (max !== undefined && size > max) fail(`${where} has size ${size}, at most ${max} allowed`);
    if (p + size > this.#dataEnd) fail(`${where} runs past the end of the data section`);
    return p + size;
  }

  /** Checks a map key (a string, or a pointer to one) and returns the offset after it. */
  #key(p: number, depth: number): number {
    const ctrl = this.#byte(p);
    const target = ctrl >> 5 === 1 ? this.#pointerTarget(p).target : p;
    if (this.#byte(target) >> 5 !== 2) fail(`map key at data offset ${p - this.#dataStart} is not a string`);
    return this.#value(p, depth + 1);
  }

  #pointerTarget(at: number): { target: number; end: number } {
    const ctrl = this.#byte(at);
    const size = (ctrl >> 3) & 3;
    const high = ctrl & 7;
    const p = at + 1;
    let pointer: number;
    if (size === 0) pointer = high * 0x100 + this.#uint(p, 1);
    else if (size === 1) pointer = high * 0x10000 + this.#uint(p, 2) + 2048;
    else if (size === 2) pointer = high * 0x1000000 + this.#uint(p, 3) + 526_336;
    else pointer = this.#uint(p, 4);
    const target = this.#dataStart + pointer;
    if (target >= this.#dataEnd) fail(`pointer at data offset ${at - this.#dataStart} points past the data section`);
    return { target, end: p + size + 1 };
  }

  #pointer(at: number, depth: number): number {
    const { target, end } = this.#pointerTarget(at);
    if (this.#byte(target) >> 5 === 1) fail(`pointer at data offset ${at - this.#dataStart} points to another pointer`);
    if (!this.#seen.has(target)) {
      this.#seen.add(target);
      this.#value(target, depth + 1);
    }
    return end;
  }
}
