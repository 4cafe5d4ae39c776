/**
 * VPC flow logs delivered as Apache Parquet (`….log.parquet`). The schema names the object's
 * fields (with `_` where the text header has `-`); each row is rendered as the text line AWS would
 * have written for it and goes through the very per-line work text objects get (`batchReader`),
 * so a record gives the same typed document, daily index and problem whichever format carried it.
 *
 * Parquet keeps its index (the footer) at the end, so the object is read through an AsyncBuffer of
 * ranged reads (src/source/range-reader.ts), one row group at a time: memory follows the row-group
 * size, not the object size.
 */
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type ColumnData, type Compressors, type FileMetaData } from 'hyparquet';
import { ParquetBudget, ParquetBudgetError } from './parquet-budget.js';
import { ObjectError, messageOf } from '../../core/errors.js';
import type { LineProblem, OpBatch } from '../../core/records.js';
import type { S3ObjectRef } from '../../core/types.js';
import type { LineItem } from '../../source/lines.js';
import { withCachedTail } from '../../source/range-reader.js';
import { fieldSpec } from './catalogue.js';
import { formatFromFields, isParseError, isSpace, type FlowFormat, type ParseError } from './parse.js';
import { preparedBatches, type FlowObjectContext, type PreparedLines } from './reader.js';

/** The four bytes a Parquet file starts (and ends) with. */
export const PARQUET_MAGIC = Buffer.from('PAR1', 'latin1');

/** Rows per yielded batch: about what one chunk of a text object holds, so bulk requests fill alike. */
export const PARQUET_ROWS_PER_BATCH = 1000;

/**
 * Bytes of the object's tail read first, hoping to hold the whole footer (a flow log's is a few KB
 * per row group); a larger footer costs one more read of exactly its size.
 */
export const PARQUET_FOOTER_FETCH_BYTES = 64 * 1024;

/**
 * Page codecs read. AWS writes GZIP (its docs: "Parquet format with Gzip compression"); hyparquet
 * itself reads only Snappy, so GZIP and Brotli come from node:zlib (parquet-budget.ts), which reads
 * multi-member pages and stops at the page's declared size and at MAX_OBJECT_BYTES.
 */
const READABLE_CODECS = new Set(['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI']);

/** Is this the start of a Parquet file? (For detection by content when the key does not say.) */
export function isParquet(head: Uint8Array): boolean {
  return head.length >= PARQUET_MAGIC.length && PARQUET_MAGIC.every((byte, i) => head[i] === byte);
}

/**
 * The flow-log field a Parquet column holds: its name with `-` for `_` (`account_id` →
 * `account-id`), for every column, known or not, since AWS names a Parquet column after its text
 * field that way: a field AWS adds later (`future_count`) gets the name the text header gives it
 * (`future-count`), and no column can take the name of a derived field (`community_id`, always
 * with `_`) and be overwritten by it. A name the catalogue knows as it is stays as it is.
 */
export function fieldOfColumn(column: string): string {
  return fieldSpec(column) !== undefined ? column : column.replaceAll('_', '-');
}

const SPACE = 0x20;
const DASH = 0x2d;
/** Rows are written into a chunk of this size first; a full chunk is followed by one twice as large, up to ROW_CHUNK_MAX_BYTES (a larger row gets one of twice its size). */
const ROW_CHUNK_BYTES = 64 * 1024;
const ROW_CHUNK_MAX_BYTES = 1024 * 1024;
/** Characters of the longest non-negative safe integer (2^53 - 1). */
const SAFE_DIGITS = 16;
/** 10^i: a number's digit count by comparisons, not divisions. */
const POWERS_OF_TEN = Float64Array.from({ length: SAFE_DIGITS }, (_, i) => 10 ** i);
/** "00" to "99" end to end: the two ASCII digits of n at 2n and 2n + 1, two digits a division. */
const DIGIT_PAIRS = Buffer.from(Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0')).join(''), 'latin1');
const INT32_MAX = 0x7fffffff;

/** Writes a non-negative safe integer's digits, as String() gives them, at `out[pos]`; returns the position after them. */
export function writeDigits(out: Uint8Array, pos: number, n: number): number {
  let length = 1;
  while (length < SAFE_DIGITS && n >= (POWERS_OF_TEN[length] as number)) length += 1;
  let at = pos + length;
  let rest = n;
  // Two digits at a time from the right; in int32 range (ports, sizes, Unix seconds) the division is
  // an integer one: ~12 ns a number of the bench's mix against ~16 with Math.floor alone (a scratch script).
  if (rest <= INT32_MAX) {
    while (rest >= 100) {
      const q = (rest / 100) | 0;
      const pair = (rest - q * 100) << 1;
      out[--at] = DIGIT_PAIRS[pair + 1] as number;
      out[--at] = DIGIT_PAIRS[pair] as number;
      rest = q;
    }
  } else {
    // Exact: below 2^53 the quotient is below 2^47, so it is rounded by at most 2^-7, less than the
    // 1/100 that separates it from the next whole number.
    while (rest >= 100) {
      const q = Math.floor(rest / 100);
      const pair = (rest - q * 100) * 2;
      out[--at] = DIGIT_PAIRS[pair + 1] as number;
      out[--at] = DIGIT_PAIRS[pair] as number;
      rest = q;
    }
  }
  if (rest >= 10) {
    out[--at] = DIGIT_PAIRS[rest * 2 + 1] as number;
    out[--at] = DIGIT_PAIRS[rest * 2] as number;
  } else {
    out[--at] = 0x30 + rest;
  }
  return pos + length;
}

const whitespaceIn = (column: string): ParseError => ({ error: `column "${column}": value contains whitespace, which no flow-log field can hold` });

/**
 * Writes rows as the text lines AWS would have written: values in column order, one space apart,
 * `-` for null. This line is what the id hashes (with the 1-based row number, as a text line's
 * number), so reading the object again gives the same ids (whether the Parquet library hands a
 * value over as a number or a bigint), and it is what parsing, problems and dead-letter replay
 * see, exactly as for a text object.
 *
 * Lines are written end to end into shared chunks, each line a view of its chunk: no string per
 * value or per line, no copy of a line. A line stays as written until {@link rewind}: then the
 * next lines are written over it, so that a batch of rows is written into the memory of the last.
 */
export class RowWriter {
  #chunk = Buffer.allocUnsafeSlow(0);
  /** Where the next line starts in the chunk. */
  #used = 0;
  /** The line being written: where it starts, and where its next byte goes. */
  #start = 0;
  #pos = 0;

  /** The line of row `row` of `values` (one array per column), or why no text line could hold it. */
  line(columns: readonly string[], values: readonly ArrayLike<unknown>[], row: number): Buffer | ParseError {
    this.#start = this.#used;
    this.#pos = this.#used;
    for (let i = 0; i < columns.length; i++) {
      // Room for the separator and any safe integer's digits; a longer value asks for its own.
      this.#room(1 + SAFE_DIGITS);
      if (i > 0) this.#chunk[this.#pos++] = SPACE;
      const value = (values[i] as ArrayLike<unknown>)[row];
      // What flow-log columns hold, tested first and written in place: int64 arrives as bigint, whose
      // Number() is exact up to 2^53 and past it above the bound (rounding keeps order), so the
      // check on the number decides as one on the bigint would; past it the bigint's own digits go
      // to the parser, which refuses the row as it would the text line. Then int32 and strings. The
      // rest, and every value no text line holds as it is, go the general way.
      let problem: ParseError | undefined;
      if (typeof value === 'bigint') {
        const n = Number(value);
        if (n >= 0 && n <= Number.MAX_SAFE_INTEGER) this.#pos = writeDigits(this.#chunk, this.#pos, n);
        else problem = this.#ascii(String(value));
      } else if (typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER && Number.isInteger(value)) {
        this.#pos = writeDigits(this.#chunk, this.#pos, value);
      } else if (typeof value === 'string' && value !== '') {
        problem = this.#string(columns[i] as string, value);
      } else {
        problem = this.#value(columns[i] as string, value);
      }
      // The row's bytes so far lie past #used: the next row writes over them.
      if (problem !== undefined) return problem;
    }
    this.#used = this.#pos;
    return this.#chunk.subarray(this.#start, this.#pos);
  }

  /** Every line written so far is done with: the next ones are written from the current chunk's start. */
  rewind(): void {
    this.#used = 0;
  }

  /** Writes a value that is no safe non-negative integer nor non-empty string as a text-format token; the error when no flow-log line could hold it. */
  #value(column: string, value: unknown): ParseError | undefined {
    // The text format has no empty value: null and an empty string are "nothing here", as `-` is.
    if (value === null || value === undefined || value === '') return this.#byte(DASH);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return { error: `column "${column}": ${value} is not a number a field can hold` };
      return this.#ascii(String(value));
    }
    if (typeof value === 'boolean') return this.#ascii(value ? 'true' : 'false');
    // A TIMESTAMP column is decoded as a Date; the text format writes Unix seconds.
    if (value instanceof Date) return this.#ascii(String(Math.floor(value.getTime() / 1000)));
    return { error: `column "${column}": ${value instanceof Uint8Array ? 'binary' : 'nested'} values are not flow-log fields` };
  }

  /**
   * Writes a string that holds no whitespace (JavaScript's `\s`: a text line splits at it). ASCII,
   * what flow-log values are, is copied a character at a time: a Buffer.write per value costs more
   * than the few bytes it writes. Any other character sends the whole value the general way.
   */
  #string(column: string, value: string): ParseError | undefined {
    // A UTF-16 unit takes at most 3 bytes in UTF-8.
    this.#room(3 * value.length);
    const out = this.#chunk;
    let pos = this.#pos;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      // One test for the printable ASCII that flow-log values are; the rest is sorted out inside.
      if (c <= SPACE || c >= 0x80) {
        if (c >= 0x80) {
          if (/\s/.test(value)) return whitespaceIn(column);
          this.#pos += out.write(value, this.#pos, 'utf8');
          return undefined;
        }
        // ASCII's whitespace for `\s` is what splits a text line.
        if (isSpace(c)) return whitespaceIn(column);
      }
      out[pos++] = c;
    }
    this.#pos = pos;
    return undefined;
  }

  #byte(byte: number): undefined {
    this.#room(1);
    this.#chunk[this.#pos++] = byte;
    return undefined;
  }

  #ascii(text: string): undefined {
    this.#room(text.length);
    this.#pos += this.#chunk.write(text, this.#pos, 'latin1');
    return undefined;
  }

  /** Room for `bytes` more after the line's bytes so far: a new chunk (the line so far copied to its start) when this one is full. */
  #room(bytes: number): void {
    if (this.#pos + bytes <= this.#chunk.length) return;
    const line = this.#pos - this.#start;
    // Growing, so that after a rewind or two a whole batch fits in the chunk and none is made anew.
    const chunk = Buffer.allocUnsafeSlow(Math.max(ROW_CHUNK_BYTES, Math.min(2 * this.#chunk.length, ROW_CHUNK_MAX_BYTES), 2 * (line + bytes)));
    this.#chunk.copy(chunk, 0, this.#start, this.#pos);
    this.#chunk = chunk;
    this.#used = 0;
    this.#start = 0;
    this.#pos = line;
  }
}

/** Row `row` as JSON, for a problem about a row that has no text form. */
function rowJson(columns: readonly string[], values: readonly ArrayLike<unknown>[], row: number): string {
  const fields = Object.fromEntries(columns.map((c, i) => [c, (values[i] as ArrayLike<unknown>)[row] ?? null]));
  return JSON.stringify(fields, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** The object's column names (flat schema only) and the flow-log format they make. */
export function parquetFlowFormat(metadata: FileMetaData): { columns: string[]; format: FlowFormat } | ParseError {
  const children = parquetSchema(metadata).children;
  const nested = children.find((child) => child.children.length > 0);
  if (nested !== undefined) return { error: `column "${nested.element.name}" is nested; flow-log columns are flat` };
  const columns = children.map((child) => child.element.name);
  const format = formatFromFields(columns.map(fieldOfColumn), 'Parquet schema');
  return isParseError(format) ? format : { columns, format };
}

/** The first codec in the file that cannot be read here, if any. */
function unreadableCodec(metadata: FileMetaData): string | undefined {
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const codec = chunk.meta_data?.codec;
      if (codec !== undefined && !READABLE_CODECS.has(codec)) return codec;
    }
  }
  return undefined;
}

/**
 * A failure of the file's bytes becomes a permanent ObjectError (re-reading gives the same bytes);
 * ObjectErrors and I/O errors (a `code` like EIO; zlib's Z_ codes are the bytes' fault) pass as they
 * are, for the caller to judge as retryable.
 */
function corrupt(ref: S3ObjectRef, err: unknown, detail: string, rowNo?: number): unknown {
  if (err instanceof ObjectError) return err;
  if (err instanceof ParquetBudgetError) return new ObjectError(ref, err.message, false, rowNo, { cause: err });
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && !code.startsWith('Z_')) return err;
  return new ObjectError(ref, `${detail}: ${messageOf(err)}`, false, rowNo, { cause: err });
}

/** What reading a Parquet flow log needs: the per-line context, and the cap on decompressed bytes. */
export interface ParquetFlowContext extends FlowObjectContext {
  /** MAX_OBJECT_BYTES: row groups and pages are charged against it before they are decoded. */
  readonly maxObjectBytes?: number;
}

/** An opened object: its bytes (tail cached), footer, columns and format. */
interface ParquetFlow {
  readonly file: AsyncBuffer;
  readonly metadata: FileMetaData;
  readonly columns: string[];
  readonly format: FlowFormat;
}

/** Reads the footer and checks the object can be read as a flow log; fails with a permanent ObjectError otherwise. */
async function openFlowParquet(source: AsyncBuffer, ref: S3ObjectRef): Promise<ParquetFlow> {
  let file: AsyncBuffer;
  let metadata: FileMetaData;
  try {
    file = await withCachedTail(source, PARQUET_FOOTER_FETCH_BYTES);
    metadata = await parquetMetadataAsync(file, { initialFetchSize: PARQUET_FOOTER_FETCH_BYTES });
  } catch (err) {
    throw corrupt(ref, err, 'not a readable Parquet file');
  }
  const codec = unreadableCodec(metadata);
  if (codec !== undefined) throw new ObjectError(ref, `Parquet codec ${codec} is not supported (GZIP, SNAPPY, BROTLI, none)`, false);
  const layout = parquetFlowFormat(metadata);
  if (isParseError(layout)) throw new ObjectError(ref, `not a flow-log Parquet schema: ${layout.error}`, false);
  return { file, metadata, ...layout };
}

/**
 * The values of one row group, one array per column in `columns`' order, row `i` of the group at
 * index `i` of each. Read as columns, not as rows: no array per row for the collector (a row
 * group is ~100,000 rows), and a column that comes in one piece is handed over as it is.
 */
async function readRowGroup(
  source: AsyncBuffer, metadata: FileMetaData, columns: readonly string[], rowStart: number, rowEnd: number, compressors: Compressors,
): Promise<ArrayLike<unknown>[]> {
  const rows = rowEnd - rowStart;
  const chunks = new Map<string, ColumnData[]>(columns.map((c) => [c, []]));
  await parquetRead({ file: source, metadata, rowStart, rowEnd, compressors, onChunk: (chunk) => chunks.get(chunk.columnName)?.push(chunk) });
  return columns.map((column) => {
    const parts = chunks.get(column) as ColumnData[];
    const [first] = parts;
    if (first !== undefined && first.rowStart === rowStart && first.rowEnd === rowEnd) return first.columnData;
    // Pages may reach past the range asked for: each value goes to its row, and every row must get one.
    const values: unknown[] = new Array(rows);
    let filled = 0;
    for (const part of parts) {
      const from = Math.max(part.rowStart, rowStart);
      const to = Math.min(part.rowEnd, rowEnd);
      for (let row = from; row < to; row++) values[row - rowStart] = part.columnData[row - part.rowStart];
      filled += Math.max(0, to - from);
    }
    if (filled !== rows) throw new Error(`column "${column}" holds ${filled} values for the row group's ${rows} rows`);
    return values;
  });
}

/** Rows [from, to) of a row group (its values by column) rendered as lines, and the rows no text line could hold. */
function renderRows(
  columns: readonly string[], values: readonly ArrayLike<unknown>[], from: number, to: number, firstRowNo: number, lines: RowWriter,
): PreparedLines {
  const items: LineItem[] = [];
  const problems: LineProblem[] = [];
  for (let i = from; i < to; i++) {
    const lineNo = firstRowNo + i;
    const line = lines.line(columns, values, i);
    if (isParseError(line)) problems.push({ lineNo, reason: line.error, text: rowJson(columns, values, i) });
    else items.push({ lineNo, bytes: line });
  }
  return { items, problems };
}

/**
 * Reads a Parquet flow-log object into batches of index operations. Row numbers are 1-based over
 * the whole object and stand where a text object's line numbers stand (ids, problems, errors).
 * A row with an invalid value becomes a problem and the others go on. An object that is no
 * Parquet, has a nested schema or an unreadable codec, or whose row group is corrupt, fails with a
 * permanent ObjectError (rows of earlier row groups have been yielded by then).
 */
export async function* readParquetFlow(source: AsyncBuffer, ctx: ParquetFlowContext): AsyncGenerator<OpBatch> {
  yield* (await openParquetFlow(source, ctx)).batches;
}

/**
 * Opens a Parquet flow-log object (its footer) and gives its format, the header its rows are
 * rendered in (what a dead-lettered row needs to be parsed again), with its batches as
 * {@link readParquetFlow} reads them. Fails as readParquetFlow does when the footer is unusable.
 */
export async function openParquetFlow(source: AsyncBuffer, ctx: ParquetFlowContext): Promise<{ format: FlowFormat; batches: AsyncGenerator<OpBatch> }> {
  const opened = await openFlowParquet(source, ctx.ref);
  return { format: opened.format, batches: rowGroups(opened, ctx) };
}

/** The object's rows, row group by row group, rendered as lines into `lines` in batches of PARQUET_ROWS_PER_BATCH. */
async function* renderedRows({ file, metadata, columns }: ParquetFlow, ctx: ParquetFlowContext, lines: RowWriter): AsyncGenerator<PreparedLines> {
  const budget = new ParquetBudget(ctx.maxObjectBytes ?? Number.MAX_SAFE_INTEGER);
  const compressors = budget.compressors();
  let groupStart = 0;
  for (const [g, group] of metadata.row_groups.entries()) {
    const groupEnd = groupStart + Number(group.num_rows);
    const label = `row group ${g + 1} (rows ${groupStart + 1}–${groupEnd})`;
    let values: ArrayLike<unknown>[];
    try {
      budget.chargeRowGroup(group, columns.length, label);
      values = await readRowGroup(file, metadata, columns, groupStart, groupEnd, compressors);
    } catch (err) {
      throw corrupt(ctx.ref, err, `${label} is unreadable`, groupStart + 1);
    }
    const rows = groupEnd - groupStart;
    for (let at = 0; at < rows; at += PARQUET_ROWS_PER_BATCH) {
      yield renderRows(columns, values, at, Math.min(at + PARQUET_ROWS_PER_BATCH, rows), groupStart + 1, lines);
    }
    groupStart = groupEnd;
  }
}

/**
 * The rows' lines go through the per-line work here, the writer written over once each batch's
 * lines are read no more, or to the parse threads, which hold them (the writer then only moves on
 * to new memory), while this thread reads and decodes the next row groups.
 */
async function* rowGroups(opened: ParquetFlow, ctx: ParquetFlowContext): AsyncGenerator<OpBatch> {
  const lines = new RowWriter();
  // Stryker disable next-line ArrowFunction: without the rewind lines only take new memory; the operations are the same
  yield* preparedBatches(opened.format, ctx, renderedRows(opened, ctx, lines), () => lines.rewind());
}
