/**
 * Drives the flow writer compiled to WebAssembly (writer.as.ts, its binary in writer-wasm.ts): one
 * instance per thread, whose memory holds the format and object of the writer that used it last,
 * the address book, the line being written and the operations written since they were last copied
 * out. {@link WasmFlowWriter} is what the reader (reader.ts) sees: scan a line, read its time and
 * status, write its operation, copy the operations written into an {@link OpWriter} as one run.
 *
 * Its output is byte for byte that of writer.ts, core/id.ts and core/bulk-op.ts for the same line
 * (test/unit/formats/vpc-flow/wasm-writer.property.test.ts); a line it hands back is theirs.
 */
import { Buffer } from 'node:buffer';
import type { Enricher } from '../../enrich/types.js';
import { actionHead, type OpWriter } from '../../core/bulk-op.js';
import { lineIdPrefix } from '../../core/id.js';
import type { IndexOp } from '../../core/types.js';
import { FieldType } from './catalogue.js';
import { ADDRESS_FIELDS, protocolName, tcpFlagNames } from './derive.js';
import { LOG_FIELD, isoTime } from './document.js';
import { LIMITS, type FlowFormat } from './parse.js';
import { ADDRESS_BOOK_SIZE, addressFacts, layEntry } from './addresses.js';
import { FLOW_WRITER_WASM } from './writer-wasm.js';

/** What {@link WasmFlowWriter.scan} says of a line: bad, written by the module, or handed back to writer.ts. */
export const Scanned = { bad: 0, here: 1, handedBack: 2 } as const;
export type Scanned = (typeof Scanned)[keyof typeof Scanned];

/** An exported global (the WebAssembly types of @types/node have none). */
interface Global { value: number }
interface Exports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  scan(len: number): number;
  write(len: number, lineNo: number): number;
  forgetAll(): void;
  readonly [name: string]: unknown;
}

const LAYOUT = ['KINDS', 'LIMITS', 'KEY_FIRST', 'KEY_NEXT', 'MAX_FIELDS', 'POS', 'FRAG', 'PROTO_T', 'FLAGS_T', 'PREFIX', 'POOL', 'POOL_END',
  'TS_BUF', 'HEAD_BUF', 'HEAD_BYTES_MAX', 'TIME', 'INPUT', 'INPUT_BYTES', 'OUTPUT', 'ARENA', 'OVER'] as const;
type Layout = Record<(typeof LAYOUT)[number], number>;

/** The fields the derivations read, in the module's POS order. */
const DERIVED_FROM = ['start', 'end', 'protocol', 'tcp-flags', 'log-status', 'srcport', 'dstport', 'srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr'];
/** The named fragments in the module's F_* order, the object's `log` prefix (per writer) third. */
const namedFragments = (logPrefix: string): string[] => [',"duration_s":', ',"community_id":"', logPrefix,
  ...ADDRESS_FIELDS.flatMap((f) => [`,"${f}_public":true`, `,"${f}_public":false`, `,"${f}_geo":`, `,"${f}_as":`]),
  ',"_id":"'];
/** Operations are copied out once this many bytes are written: a run that fits one of OpWriter's pooled chunks. */
// Stryker disable next-line ArithmeticOperator: copying out after every operation gives the same operations, only slower
const COPY_OUT_AT = 192 * 1024;
// Stryker disable next-line ArithmeticOperator: a smaller page grows the memory by more pages: the same output, more memory
const PAGE = 64 * 1024;
/** Pages the memory grows by beyond an entry's need: a megabyte, room for thousands of entries. */
const ARENA_PAGES = 16;

/** The thread's instance of the module, and what its memory holds. */
class FlowWasm {
  readonly exports: Exports;
  readonly at: Layout;
  bytes = Buffer.alloc(0);
  words = new Int32Array(0);
  time = new Float64Array(0);
  /** Where the next address entry goes. */
  arena: number;
  /** The enricher the book's entries were looked up with. */
  enricher: Enricher | undefined;
  /** The writer whose format and object the memory holds. */
  owner: WasmFlowWriter | undefined;
  /** The index whose action head is at HEAD_BUF. */
  head: string | undefined;
  /** The operations written and not yet copied out: their ends in OUTPUT, and their indices. */
  readonly ends: number[] = [];
  // Stryker disable next-line ArrayDeclaration: the first writer to take the instance empties it
  readonly indices: string[] = [];
  /** The start of every writer's configuration. */
  readonly tables: Image;

  constructor(module: WebAssembly.Module) {
    // @types/node types the constructor without its imports.
    const Instance = WebAssembly.Instance as unknown as new (module: WebAssembly.Module, imports: object) => { exports: unknown };
    const env = {
      learn: (start: number, len: number): number => this.#learn(start, len),
      // Stryker disable next-line BlockStatement: an arena not reused grows instead: the same output, observable only as memory
      forget: (): void => {
        this.arena = this.at.ARENA;
      },
      timestamp: (seconds: number): number => this.bytes.write(`{"@timestamp":"${isoTime(seconds)}"`, this.at.TS_BUF, 'latin1'),
    };
    this.exports = new Instance(module, { env }).exports as Exports;
    this.at = Object.fromEntries(LAYOUT.map((name) => [name, (this.exports[name] as Global).value])) as Layout;
    this.arena = this.at.ARENA;
    this.#views();
    this.global('bookCapacity').value = ADDRESS_BOOK_SIZE;
    this.tables = tables(this.at);
  }

  global(name: string): Global {
    return this.exports[name] as Global;
  }

  /** Views of the memory, made again when it grows (growing detaches the old ones). */
  #views(): void {
    const { buffer } = this.exports.memory;
    this.bytes = Buffer.from(buffer);
    this.words = new Int32Array(buffer);
    this.time = new Float64Array(buffer, this.at.TIME, 1);
  }

  /** The entry of the address at [start, start + len), laid out in the arena as addresses.ts lays its own. */
  #learn(start: number, len: number): number {
    const facts = addressFacts(this.bytes.toString('latin1', start, start + len), this.enricher);
    // Room for the entry, the rounding up to a word after it, and what the module's copies read past it.
    const end = this.arena + facts.size + 3 + this.at.OVER;
    // Stryker disable next-line EqualityOperator,ArithmeticOperator: growing early, or by more, changes nothing but memory
    if (end > this.bytes.length) {
      // Stryker disable next-line ArithmeticOperator: see above
      this.exports.memory.grow(Math.ceil((end - this.bytes.length) / PAGE) + ARENA_PAGES);
      this.#views();
    }
    const entry = this.arena / 4;
    this.arena = layEntry(this.bytes, this.words, this.arena, facts);
    return entry;
  }
}

let thread: FlowWasm | undefined;
/** This thread's instance, made when first asked for. */
function flowWasm(): FlowWasm {
  thread ??= new FlowWasm(new WebAssembly.Module(Buffer.from(FLOW_WRITER_WASM, 'base64')));
  return thread;
}

/**
 * Bytes of the module's memory from 0 on, being laid out: `fragment` writes a fragment's text into
 * the pool and its (offset, length) at `where`. The pool holds any format's fragments: the tables
 * (~12 KB), 64 keys of 64 characters twice (~9 KB), and the `log` prefix of any S3 key or local
 * path (~12 KB at most, escaped).
 */
class Image {
  readonly bytes: Buffer;
  readonly words: Int32Array;
  pool: number;

  constructor(readonly at: Layout, from?: Image) {
    this.bytes = Buffer.alloc(at.POOL_END);
    this.words = new Int32Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length >> 2);
    this.pool = from?.pool ?? at.POOL;
    from?.bytes.copy(this.bytes, 0, 0, from.pool);
  }

  fragment(where: number, text: string): void {
    const length = this.bytes.write(text, this.pool, 'utf8');
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a guard; see above
    if (length !== Buffer.byteLength(text, 'utf8')) throw new RangeError(`flow writer (WebAssembly): no room for the fragment ${text.slice(0, 80)}`);
    this.words[where / 4] = this.pool - this.at.POOL;
    this.words[where / 4 + 1] = length;
    this.pool += length;
  }
}

/** What no format or object changes, laid out once per thread: each protocol's name and each flag mask's names by number. */
function tables(at: Layout): Image {
  const image = new Image(at);
  // Stryker disable next-line EqualityOperator: no protocol or mask is numbered 256
  for (let number = 0; number < 256; number++) {
    const name = protocolName(number);
    if (name !== undefined) image.fragment(at.PROTO_T + 8 * number, `,"protocol_name":${JSON.stringify(name)}`);
    const flags = tcpFlagNames(number);
    if (flags !== undefined) image.fragment(at.FLAGS_T + 8 * number, `,"tcp_flags_names":${JSON.stringify(flags)}`);
  }
  return image;
}

/**
 * The module's configuration for one format and object: the bytes of its memory from 0 to the end
 * of the fragments (kinds, limits, key and named fragments, the tables, the id's hash state), copied
 * in when the writer takes the instance; undefined for a format of more fields than it has room for.
 */
function configuration(wasm: FlowWasm, format: FlowFormat, object: string, bucket: string, key: string): Buffer | undefined {
  const at = wasm.at;
  // Stryker disable next-line EqualityOperator: a format the module could hold left to writer.ts gives the same output, only slower
  if (format.fields.length > at.MAX_FIELDS) return undefined;
  const image = new Image(at, wasm.tables);
  format.types.forEach((type, k) => {
    image.bytes[at.KINDS + k] = type === FieldType.keyword ? 0 : type === FieldType.ip ? 1 : 2;
    image.bytes.writeBigInt64LE(BigInt(LIMITS[type]), at.LIMITS + 8 * k);
    image.fragment(at.KEY_FIRST + 8 * k, `${JSON.stringify(format.fields[k])}:`);
    image.fragment(at.KEY_NEXT + 8 * k, `,${JSON.stringify(format.fields[k])}:`);
  });
  namedFragments(`${JSON.stringify(LOG_FIELD)}:{"object":${JSON.stringify(object)},"line":`).forEach((text, i) => image.fragment(at.FRAG + 8 * i, text));
  DERIVED_FROM.forEach((field, i) => (image.words[at.POS / 4 + i] = format.fields.indexOf(field)));
  const prefix = lineIdPrefix(bucket, key);
  image.bytes.set(new Uint8Array(prefix.state.buffer, prefix.state.byteOffset, 16), at.PREFIX);
  image.bytes.writeInt32LE(prefix.mixed, at.PREFIX + 16);
  image.bytes.writeInt32LE(prefix.rest.length, at.PREFIX + 20);
  image.bytes.set(prefix.rest, at.PREFIX + 24);
  return image.bytes.subarray(0, image.pool);
}

/**
 * The flow writer of writer.ts for one format and object, run as WebAssembly. Use: `scan(line)`;
 * on {@link Scanned.here} read `time` and `isStatus`, then `write(index, lineNo, …)`; and
 * `copyOut(…)` before any other operation joins the same list, and at the end of each batch.
 */
export class WasmFlowWriter {
  readonly #wasm: FlowWasm;
  readonly #enricher: Enricher;
  readonly #image: Buffer;
  readonly #nFields: number;
  readonly #fixed: number;
  #len = 0;
  // Stryker disable next-line BooleanLiteral: every scan sets it
  #status = false;
  #time: number | undefined;

  private constructor(wasm: FlowWasm, enricher: Enricher, image: Buffer, nFields: number, fixed: number) {
    this.#wasm = wasm;
    this.#enricher = enricher;
    this.#image = image;
    this.#nFields = nFields;
    this.#fixed = fixed;
  }

  /**
   * The writer for the lines of S3 object `object` (s3://bucket/key) in `format`, or undefined when
   * the format has more fields than the module has room for. `fixed`:
   * writer.ts's bytes of a document besides its line's and its addresses' ({@link FlowWriter.fixed}).
   */
  static compile(format: FlowFormat, enricher: Enricher, object: string, bucket: string, key: string, fixed: number): WasmFlowWriter | undefined {
    const wasm = flowWasm();
    const image = configuration(wasm, format, object, bucket, key);
    return image === undefined ? undefined : new WasmFlowWriter(wasm, enricher, image, format.fields.length, fixed);
  }

  /** Takes the instance: its memory gets this writer's format and object, its book this writer's enricher. */
  #take(): void {
    const wasm = this.#wasm;
    if (wasm.owner === this) return;
    // A batch copies out before it ends: operations still here are those of a batch that threw, whose object failed.
    wasm.ends.length = 0;
    wasm.indices.length = 0;
    wasm.global('outUsed').value = 0;
    wasm.bytes.set(this.#image, 0);
    wasm.global('nFields').value = this.#nFields;
    wasm.global('fixedBytes').value = this.#fixed;
    // Stryker disable next-line ConditionalExpression: forgetting at every turn gives the same output, only slower
    if (wasm.enricher !== this.#enricher) {
      wasm.enricher = this.#enricher;
      wasm.exports.forgetAll();
    }
    wasm.owner = this;
  }

  /** Scans `line` (its bytes); a line longer than the module's room for one is handed back. */
  scan(line: Uint8Array): Scanned {
    const wasm = this.#wasm;
    // Stryker disable next-line EqualityOperator: a line handed back is written the same by writer.ts
    if (line.length > wasm.at.INPUT_BYTES) return Scanned.handedBack;
    this.#take();
    wasm.bytes.set(line, wasm.at.INPUT);
    const result = wasm.exports.scan(line.length);
    this.#len = line.length;
    this.#status = (result & 4) !== 0;
    this.#time = (result & 8) !== 0 ? wasm.time[0] : undefined;
    return (result & 3) as Scanned;
  }

  /** The scanned line's `start`, or undefined when the format has none or the line wrote `-`. */
  get time(): number | undefined {
    return this.#time;
  }

  /** True for a NODATA/SKIPDATA record. */
  get isStatus(): boolean {
    return this.#status;
  }

  /**
   * Writes the scanned line's operation: a create in `index` of its document, `log.line` being
   * `lineNo`; copies out into `ops` when the memory's room is used. False (nothing written) when the
   * operation might not fit the room left (addresses whose GeoIP JSON takes hundreds of kilobytes):
   * writer.ts writes it then.
   */
  write(index: string, lineNo: number, opWriter: OpWriter, ops: IndexOp[]): boolean {
    const wasm = this.#wasm;
    // Stryker disable next-line ConditionalExpression: the head written again for every line is the same head
    if (index !== wasm.head) {
      const head = actionHead(index);
      const length = Buffer.byteLength(head, 'utf8');
      // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: a guard: index names are checked at configuration (255 bytes at most)
      if (length > wasm.at.HEAD_BYTES_MAX) throw new RangeError(`flow writer (WebAssembly): an index name of ${index.length} characters`);
      wasm.bytes.write(head, wasm.at.HEAD_BUF, 'utf8');
      wasm.global('headLen').value = length;
      wasm.head = index;
    }
    const end = wasm.exports.write(this.#len, lineNo);
    if (end < 0) return false;
    wasm.ends.push(end);
    wasm.indices.push(index);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: copying out sooner or later gives the same operations
    if (end >= COPY_OUT_AT) this.copyOut(opWriter, ops);
    return true;
  }

  /** Copies the operations written so far into `opWriter` (one run) and appends them to `ops`. */
  copyOut(opWriter: OpWriter, ops: IndexOp[]): void {
    const wasm = this.#wasm;
    if (wasm.ends.length === 0) return;
    opWriter.copied(wasm.bytes, wasm.at.OUTPUT, wasm.ends, wasm.indices, ops);
    wasm.ends.length = 0;
    wasm.indices.length = 0;
    wasm.global('outUsed').value = 0;
  }
}
