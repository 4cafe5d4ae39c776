/**
 * Builds small MaxMind DB files in memory, for schemas and layouts no shipped test file has
 * (DB-IP's flat records, IPv4-only trees, private ranges). Follows the MaxMind DB spec v2.0:
 * 24-bit records, a 16-byte separator, data values, then the metadata map.
 */

/** A value to store: integers become uint32, `{ double }` / `{ float }` pick the float width. */
export type MmdbValue = string | number | { double: number } | { float: number } | MmdbValue[] | { [key: string]: MmdbValue };

export interface MmdbNetwork {
  readonly cidr: string;
  readonly data: { [key: string]: MmdbValue };
}

export interface MmdbSpec {
  readonly ipVersion: 4 | 6;
  readonly databaseType: string;
  readonly networks: readonly MmdbNetwork[];
}

const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');

function control(type: number, size: number): number[] {
  const [head, extra] = size < 29 ? [size, []] : [29, [size - 29]];
  return type <= 7 ? [(type << 5) | head, ...extra] : [head, type - 7, ...extra];
}

function uintBytes(n: number): number[] {
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return out;
}

function encode(value: MmdbValue): number[] {
  if (typeof value === 'string') {
    const bytes = [...Buffer.from(value, 'utf8')];
    return [...control(2, bytes.length), ...bytes];
  }
  if (typeof value === 'number') {
    const bytes = uintBytes(value);
    return [...control(6, bytes.length), ...bytes];
  }
  if (Array.isArray(value)) return [...control(11, value.length), ...value.flatMap(encode)];
  if ('double' in value && typeof value.double === 'number') {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(value.double);
    return [...control(3, 8), ...b];
  }
  if ('float' in value && typeof value.float === 'number') {
    const b = Buffer.alloc(4);
    b.writeFloatBE(value.float);
    return [...control(15, 4), ...b];
  }
  const entries = Object.entries(value as Record<string, MmdbValue>);
  return [...control(7, entries.length), ...entries.flatMap(([k, v]) => [...encode(k), ...encode(v)])];
}

function addressBits(address: string, ipVersion: 4 | 6): number[] {
  let bytes: number[];
  if (ipVersion === 4) {
    bytes = address.split('.').map(Number);
  } else {
    const [head = '', tail] = address.split('::');
    const h = head === '' ? [] : head.split(':');
    const t = tail === undefined || tail === '' ? [] : tail.split(':');
    const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
    bytes = groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]);
  }
  return bytes.flatMap((byte) => [7, 6, 5, 4, 3, 2, 1, 0].map((i) => (byte >> i) & 1));
}

interface TrieNode {
  children: [Child, Child];
}
type Child = TrieNode | { leaf: number } | undefined;

function buildTrie(spec: MmdbSpec): TrieNode {
  const root: TrieNode = { children: [undefined, undefined] };
  spec.networks.forEach(({ cidr }, index) => {
    const [address = '', prefix = ''] = cidr.split('/');
    const bits = addressBits(address, spec.ipVersion).slice(0, Number(prefix));
    let node = root;
    bits.forEach((bit, depth) => {
      const side = bit as 0 | 1;
      if (depth === bits.length - 1) node.children[side] = { leaf: index };
      else node = (node.children[side] ??= { children: [undefined, undefined] }) as TrieNode;
    });
  });
  return root;
}

/** The .mmdb bytes for `spec`. */
export function buildMmdb(spec: MmdbSpec): Buffer {
  const nodes: TrieNode[] = [];
  const queue: TrieNode[] = [buildTrie(spec)];
  while (queue.length > 0) {
    const node = queue.shift() as TrieNode;
    nodes.push(node);
    for (const child of node.children) if (child !== undefined && 'children' in child) queue.push(child);
  }
  const data: number[] = [];
  const offsets = spec.networks.map(({ data: record }) => {
    const at = data.length;
    data.push(...encode(record));
    return at;
  });
  const nodeCount = nodes.length;
  const recordOf = (child: Child): number =>
    child === undefined ? nodeCount : 'leaf' in child ? nodeCount + 16 + (offsets[child.leaf] as number) : nodes.indexOf(child);
  const tree = Buffer.alloc(nodeCount * 6);
  nodes.forEach((node, i) => {
    tree.writeUIntBE(recordOf(node.children[0]), i * 6, 3);
    tree.writeUIntBE(recordOf(node.children[1]), i * 6 + 3, 3);
  });
  const metadata = encode({
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_700_000_000,
    database_type: spec.databaseType,
    description: { en: 'test database' },
    ip_version: spec.ipVersion,
    languages: ['en'],
    node_count: nodeCount,
    record_size: 24,
  });
  return Buffer.concat([tree, Buffer.alloc(16), Buffer.from(data), METADATA_MARKER, Buffer.from(metadata)]);
}
