import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isParseError } from '../../../../src/formats/vpc-flow/parse.js';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { parquetMetadata, parquetRead, type AsyncBuffer, type CompressionCodec, type FileMetaData, type RowGroup } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ObjectError } from '../../../../src/core/errors.js';
import type { OpBatch } from '../../../../src/core/records.js';
import { ParquetBudget, ParquetBudgetError } from '../../../../src/formats/vpc-flow/parquet-budget.js';
import { parquetFlowFormat, readParquetFlow, RowWriter, type ParquetFlowContext } from '../../../../src/formats/vpc-flow/parquet.js';
import { lineOfRow } from '../../../helpers/parquet-rows.js';

/**
 * Parquet objects written here with hyparquet-writer (the fixtures' pyarrow files cover AWS's own
 * layout): rows that have no text form, schemas that make no format, failures of the bytes and of
 * I/O, and the decompression budget's arithmetic.
 */
const ctx: ParquetFlowContext = { ref: { bucket: 'b', key: 'k.log.parquet' }, enricher: { lookup: () => undefined }, indexPrefix: 'p' };
type Column = { name: string; data: unknown[]; type: 'INT32' | 'INT64' | 'STRING' | 'BOOLEAN' };
const file = (columns: Column[], codec: CompressionCodec = 'SNAPPY'): ArrayBuffer => parquetWriteBuffer({
  columnData: columns.map((c) => ({ ...c, nullable: true })), codec, compressors: { GZIP: (b: Uint8Array) => gzipSync(b), BROTLI: (b: Uint8Array) => brotliCompressSync(b) },
} as Parameters<typeof parquetWriteBuffer>[0]);

async function read(source: AsyncBuffer, more: Partial<ParquetFlowContext> = {}): Promise<OpBatch[]> {
  const out: OpBatch[] = [];
  for await (const batch of readParquetFlow(source, { ...ctx, ...more })) out.push(batch);
  return out;
}

describe('readParquetFlow, rows', () => {
  it('reports a row with no text form as JSON (int64 as a string, null for nothing), sorted among the parser\'s problems', async () => {
    const [batch] = await read(file([
      { name: 'version', data: [2, 2, 2, 2], type: 'INT32' },
      { name: 'action', data: ['AC\tCEPT', 'ACCEPT', 'OK', null], type: 'STRING' },
      { name: 'bytes', data: [5n, 1n, null, 2n], type: 'INT64' },
      { name: 'srcaddr', data: [null, 'nowhere', '10.0.0.1', '10.0.0.2'], type: 'STRING' },
      { name: 'start', data: [1418530010n, 1418530010n, 1418530010n, 1418530010n], type: 'INT64' },
    ]));
    assert.deepEqual(batch?.problems, [
      { lineNo: 1, reason: 'column "action": value contains whitespace, which no flow-log field can hold', text: '{"version":2,"action":"AC\\tCEPT","bytes":"5","srcaddr":null,"start":"1418530010"}' },
      { lineNo: 2, reason: 'field "srcaddr": "nowhere" is not an IPv4 or IPv6 address', text: '2 ACCEPT 1 nowhere 1418530010' },
    ]);
    assert.deepEqual(batch?.ops.map((op) => op.json), [
      '{"@timestamp":"2014-12-14T04:06:50.000Z","version":2,"action":"OK","srcaddr":"10.0.0.1","start":1418530010,"srcaddr_public":false,"log":{"object":"s3://b/k.log.parquet","line":3}}',
      '{"@timestamp":"2014-12-14T04:06:50.000Z","version":2,"bytes":2,"srcaddr":"10.0.0.2","start":1418530010,"srcaddr_public":false,"log":{"object":"s3://b/k.log.parquet","line":4}}',
    ]);
  });

  it('sorts a rendering refusal after a parser problem of an earlier row', async () => {
    const [batch] = await read(file([
      { name: 'version', data: [2, 2], type: 'INT32' },
      { name: 'srcaddr', data: ['nowhere', 'a b'], type: 'STRING' },
    ]));
    assert.deepEqual(batch?.problems.map((p) => [p.lineNo, p.text]), [[1, '2 nowhere'], [2, '{"version":2,"srcaddr":"a b"}']]);
  });

  it('reads pages stored uncompressed, Snappy, GZIP or Brotli alike', async () => {
    const columns: Column[] = [
      { name: 'version', data: [2, 3], type: 'INT32' }, { name: 'action', data: ['ACCEPT', 'REJECT'], type: 'STRING' }, { name: 'start', data: [1418530010n, 1418530011n], type: 'INT64' },
    ];
    for (const codec of ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI'] as const) {
      const bytes = file(columns, codec);
      assert.equal(parquetMetadata(bytes).row_groups[0]?.columns[0]?.meta_data?.codec, codec);
      assert.deepEqual((await read(bytes)).flatMap((b) => b.ops.map((op) => op.json)), [
        '{"@timestamp":"2014-12-14T04:06:50.000Z","version":2,"action":"ACCEPT","start":1418530010,"log":{"object":"s3://b/k.log.parquet","line":1}}',
        '{"@timestamp":"2014-12-14T04:06:51.000Z","version":3,"action":"REJECT","start":1418530011,"log":{"object":"s3://b/k.log.parquet","line":2}}',
      ], codec);
    }
  });

  it('gives each row its own values when columns come in many pages, across row groups', async () => {
    const ROWS = 700;
    const versions = Array.from({ length: ROWS }, (_, i) => 2 + (i % 4));
    const bytes = Array.from({ length: ROWS }, (_, i) => (i % 7 === 0 ? null : BigInt(i * 1000 + 1)));
    const addresses = Array.from({ length: ROWS }, (_, i) => (i % 5 === 0 ? null : `10.0.${i >> 8}.${i & 255}`));
    const starts = Array.from({ length: ROWS }, (_, i) => BigInt(1418530010 + i));
    const data = parquetWriteBuffer({
      columnData: [
        // A required column's pages are typed arrays of their own; a nullable one's run on in one array.
        { name: 'version', data: versions, type: 'INT32', nullable: false },
        { name: 'bytes', data: bytes, type: 'INT64', nullable: true },
        { name: 'srcaddr', data: addresses, type: 'STRING', nullable: true },
        { name: 'start', data: starts, type: 'INT64', nullable: false },
      ],
      rowGroupSize: 300, pageSize: 200,
    } as Parameters<typeof parquetWriteBuffer>[0]);
    // The file is what the test needs: several row groups, and a column that comes in several pages.
    const metadata = parquetMetadata(data);
    assert.equal(metadata.row_groups.length, 3);
    const pages = new Map<string, number>();
    await parquetRead({ file: data, metadata, rowStart: 0, rowEnd: 300, onChunk: (c) => pages.set(c.columnName, (pages.get(c.columnName) ?? 0) + 1) });
    assert.ok((pages.get('version') ?? 0) > 1 && (pages.get('start') ?? 0) > 1, `pages by column: ${JSON.stringify([...pages])}`);

    const ops = (await read(data)).flatMap((b) => b.ops);
    assert.equal(ops.length, ROWS);
    ops.forEach((op, i) => {
      const doc = JSON.parse(String(op.json)) as Record<string, unknown>;
      const wanted = { version: versions[i], bytes: bytes[i] === null ? undefined : Number(bytes[i]), srcaddr: addresses[i] ?? undefined, start: Number(starts[i]) };
      assert.deepEqual({ version: doc['version'], bytes: doc['bytes'], srcaddr: doc['srcaddr'], start: doc['start'] }, wanted, `row ${i + 1}`);
      assert.deepEqual(doc['log'], { object: 's3://b/k.log.parquet', line: i + 1 });
    });
  });

  it('renders booleans, infinite numbers, dates and nested values as a text line would hold them, or refuses them', () => {
    const columns = ['a', 'b'];
    const renderRow = (names: string[], values: unknown[]): string | { error: string } => {
      const line = lineOfRow(new RowWriter(), names, values);
      return isParseError(line) ? line : line.toString('utf8');
    };
    assert.equal(renderRow(columns, [true, false]), 'true false');
    assert.equal(renderRow(columns, [new Date(1418530010_999), 0]), '1418530010 0');
    assert.equal(renderRow(columns, [1.5, -2]), '1.5 -2');
    assert.deepEqual(renderRow(columns, [1, Number.POSITIVE_INFINITY]), { error: 'column "b": Infinity is not a number a field can hold' });
    assert.deepEqual(renderRow(columns, [Number.NEGATIVE_INFINITY, 1]), { error: 'column "a": -Infinity is not a number a field can hold' });
    assert.deepEqual(renderRow(columns, [[1], 1]), { error: 'column "a": nested values are not flow-log fields' });
    assert.deepEqual(renderRow(columns, ['x', 'a\nb']), { error: 'column "b": value contains whitespace, which no flow-log field can hold' });
    assert.equal(renderRow([], []), '');
  });
});

describe('readParquetFlow, the schema and the bytes', () => {
  it('refuses a schema whose columns name one field twice, for good and naming the object', async () => {
    const twice = file([{ name: 'account_id', data: ['1'], type: 'STRING' }, { name: 'account-id', data: ['2'], type: 'STRING' }]);
    await assert.rejects(read(twice), (err: unknown) => err instanceof ObjectError && !err.retryable
      && err.message === 's3://b/k.log.parquet: not a flow-log Parquet schema: Parquet schema names field "account-id" twice (tokens 1 and 2)');
  });

  it('refuses a nested column, naming it', () => {
    const metadata = {
      version: 2, num_rows: 0n, row_groups: [], metadata_length: 0,
      schema: [{ name: 'root', num_children: 2 }, { name: 'version', type: 'INT32' }, { name: 'tags', num_children: 1 }, { name: 'element', type: 'BYTE_ARRAY' }],
    } as unknown as FileMetaData;
    assert.deepEqual(parquetFlowFormat(metadata), { error: 'column "tags" is nested; flow-log columns are flat' });
  });

  it('fails for good at a row group whose columns hold fewer values than it has rows, never writing `-` for them', async () => {
    const bytes = new Uint8Array(parquetWriteBuffer({
      columnData: [{ name: 'version', data: [2, 2, 2], type: 'INT32', nullable: false }, { name: 'start', data: [1n, 2n, 3n], type: 'INT64', nullable: false }],
    } as Parameters<typeof parquetWriteBuffer>[0]));
    // The footer says 5 rows where the pages hold 3: each i64 count of 3 (compact protocol, field
    // delta 1: 0x16, then zigzag 6) becomes 5 (zigzag 10).
    const footerStart = bytes.length - 8 - new DataView(bytes.buffer).getUint32(bytes.length - 8, true);
    for (let i = footerStart; i < bytes.length - 9; i++) if (bytes[i] === 0x16 && bytes[i + 1] === 0x06) bytes[i + 1] = 0x0a;
    assert.deepEqual(parquetMetadata(bytes.buffer).row_groups.map((g) => g.num_rows), [5n]);
    await assert.rejects(read(bytes.buffer), (err: unknown) => err instanceof ObjectError && !err.retryable && err.lineNo === 1
      && err.message === 's3://b/k.log.parquet line 1: row group 1 (rows 1–5) is unreadable: column "version" holds 3 values for the row group\'s 5 rows');
  });

  it('fails for good at the row group whose pages are corrupt, naming its rows, at its first row', async () => {
    const bytes = new Uint8Array(file([{ name: 'version', data: [2, 2], type: 'INT32' }], 'GZIP'));
    const chunk = parquetMetadata(bytes.buffer).row_groups[0]?.columns[0]?.meta_data;
    // The column's pages, dictionary first, end to end; the footer after them stays whole.
    const from = Number(chunk?.dictionary_page_offset ?? chunk?.data_page_offset);
    bytes.fill(0xff, from, from + Number(chunk?.total_compressed_size));
    await assert.rejects(read(bytes.buffer), (err: unknown) => err instanceof ObjectError && !err.retryable && err.lineNo === 1
      && /^s3:\/\/b\/k\.log\.parquet line 1: row group 1 \(rows 1–2\) is unreadable: ./.test(err.message));
  });

  it('passes an I/O error on as it is, and makes a zlib error a permanent ObjectError', async () => {
    const bytes = file([{ name: 'version', data: [2], type: 'INT32' }]);
    const failing = (err: Error & { code?: string }): AsyncBuffer => ({ byteLength: bytes.byteLength, slice: () => Promise.reject(err) });
    const io = Object.assign(new Error('disk gone'), { code: 'EIO' });
    await assert.rejects(read(failing(io)), (err: unknown) => err === io);
    const zlib = Object.assign(new Error('bad data'), { code: 'Z_DATA_ERROR' });
    await assert.rejects(read(failing(zlib)), (err: unknown) => err instanceof ObjectError && !err.retryable && err.cause === zlib
      && err.message === 's3://b/k.log.parquet: not a readable Parquet file: bad data');
    const gone = new ObjectError(ctx.ref, 'the object is gone', true);
    await assert.rejects(read(failing(gone)), (err: unknown) => err === gone);
    const plain = new Error('odd');
    await assert.rejects(read(failing(plain)), (err: unknown) => err instanceof ObjectError && err.message === 's3://b/k.log.parquet: not a readable Parquet file: odd');
  });

  it('stops at the first row group past MAX_OBJECT_BYTES, naming its rows, at its first row', async () => {
    const bytes = file([{ name: 'version', data: [2, 2, 2], type: 'INT32' }, { name: 'start', data: [1n, 2n, 3n], type: 'INT64' }]);
    await assert.rejects(read(bytes, { maxObjectBytes: 47 }), (err: unknown) => err instanceof ObjectError && !err.retryable && err.lineNo === 1
      && err.cause instanceof ParquetBudgetError
      && /^s3:\/\/b\/k\.log\.parquet line 1: decompressed size passed MAX_OBJECT_BYTES \(47 bytes\): row group 1 \(rows 1–3\) would decode to at least \d+ bytes; reading stopped$/.test(err.message));
    assert.equal((await read(bytes, { maxObjectBytes: 1 << 20 })).flatMap((b) => b.ops).length, 3);
  });
});

describe('ParquetBudget', () => {
  const group = (rows: number, sizes: (number | undefined)[]): RowGroup =>
    ({ num_rows: BigInt(rows), columns: sizes.map((s) => ({ meta_data: s === undefined ? undefined : { total_uncompressed_size: BigInt(s) } })) }) as unknown as RowGroup;

  it('charges a row group the larger of its declared size and 8 bytes a value, adding up across groups', () => {
    assert.throws(() => new ParquetBudget(99).chargeRowGroup(group(2, [60, 40, undefined]), 3, 'g'), {
      name: 'ParquetBudgetError', message: 'decompressed size passed MAX_OBJECT_BYTES (99 bytes): g would decode to at least 100 bytes; reading stopped',
    });
    const budget = new ParquetBudget(148);
    budget.chargeRowGroup(group(2, [60, 40]), 3, 'g1');
    budget.chargeRowGroup(group(2, [1]), 3, 'g2');
    assert.throws(() => budget.chargeRowGroup(group(1, []), 1, 'g3'), { message: /at least 8 bytes/ });
    assert.throws(() => new ParquetBudget(47).chargeRowGroup(group(2, [1]), 3, 'g'), { message: /at least 48 bytes/ });
  });

  it('charges pages only for what they inflate past the row group\'s charge, once', () => {
    const budget = new ParquetBudget(250);
    budget.chargeRowGroup(group(1, []), 1, 'g');
    const gzip = budget.compressors().GZIP as (input: Uint8Array, size: number) => Uint8Array;
    assert.equal(gzip(gzipSync(Buffer.alloc(100)), 100).length, 100);
    assert.equal(gzip(gzipSync(Buffer.alloc(100)), 100).length, 100);
    assert.throws(() => gzip(gzipSync(Buffer.alloc(51)), 51), { name: 'ParquetBudgetError', message: 'decompressed size passed MAX_OBJECT_BYTES (250 bytes): its pages inflate past what the footer declares; reading stopped' });
  });

  it('inflates no page past the size it declares, nor past the cap, with GZIP and Brotli', () => {
    const budget = new ParquetBudget(1000);
    budget.chargeRowGroup(group(100, []), 1, 'g');
    const { GZIP: gzip, BROTLI: brotli } = budget.compressors() as Record<string, (input: Uint8Array, size: number) => Uint8Array>;
    assert.throws(() => gzip?.(gzipSync(Buffer.alloc(600)), 10), RangeError);
    assert.throws(() => brotli?.(brotliCompressSync(Buffer.alloc(600)), 599), RangeError);
    assert.throws(() => gzip?.(gzipSync(Buffer.alloc(1001)), 5000), RangeError);
    assert.equal(brotli?.(brotliCompressSync(Buffer.alloc(600)), 600).length, 600);
    assert.equal(gzip?.(gzipSync(Buffer.alloc(0)), 0).length, 0);
  });
});
