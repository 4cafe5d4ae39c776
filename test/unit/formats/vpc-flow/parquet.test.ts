import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isParseError } from '../../../../src/formats/vpc-flow/parse.js';
import fc from 'fast-check';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { RowGroup } from 'hyparquet';
import { ParquetBudget, ParquetBudgetError } from '../../../../src/formats/vpc-flow/parquet-budget.js';
import { readParquetObject } from '../../../../src/pipeline/read-object.js';
import type { Enricher, Enrichment } from '../../../../src/enrich/types.js';
import {
  PARQUET_FOOTER_FETCH_BYTES, fieldOfColumn, isParquet, readParquetFlow, RowWriter, writeDigits,
} from '../../../../src/formats/vpc-flow/parquet.js';
import { readVpcFlow } from '../../../../src/formats/vpc-flow/reader.js';
import { ObjectError } from '../../../../src/core/errors.js';
import type { LineProblem } from '../../../../src/core/records.js';
import type { IndexOp, S3ObjectRef } from '../../../../src/core/types.js';
import { lineIdFactory } from '../../../helpers/line-id.js';
import { lineOfRow } from '../../../helpers/parquet-rows.js';
import { fileAsyncBuffer } from '../../../../src/source/range-reader.js';
import { splitLines } from '../../../../src/source/lines.js';
import { recordContent } from '../../../helpers/documents.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/vpc-flow/parquet/', import.meta.url));
const REF: S3ObjectRef = {
  bucket: 'flow-bucket',
  key: 'AWSLogs/123456789010/vpcflowlogs/us-east-1/2014/12/14/123456789010_vpcflowlogs_us-east-1_fl-1_20141214T0405Z_abc.log.parquet',
};

/** An enricher that knows one public address, so enrichment is compared too. */
const enricher: Enricher = {
  lookup: (ip): Enrichment | undefined => (ip === '81.2.69.142' ? { geo: { country_iso_code: 'GB' }, as: { number: 5089 } } : undefined),
};
const ctx = { ref: REF, enricher, indexPrefix: 'vpcflowlogs' };


interface Read {
  ops: IndexOp[];
  problems: LineProblem[];
  batches: number;
}

async function readParquetFixture(name: string): Promise<Read & { stats: { requests: number; bytes: number; largest: number }; size: number }> {
  const source = await fileAsyncBuffer(`${FIXTURES}${name}`);
  try {
    const out: Read = { ops: [], problems: [], batches: 0 };
    for await (const batch of readParquetFlow(source, ctx)) {
      out.ops.push(...batch.ops);
      out.problems.push(...batch.problems);
      out.batches += 1;
    }
    return { ...out, stats: { ...source.stats }, size: source.byteLength };
  } finally {
    await source.close();
  }
}

/** The text object AWS would have written for the same records, read by the text reader. */
async function readTextFixture(name: string): Promise<Read> {
  const read = await readVpcFlow(splitLines(createReadStream(`${FIXTURES}${name}`), 1 << 20), { ...ctx, strict: true });
  if (read.kind !== 'read') assert.fail(`${name}: ${read.kind}`);
  const out: Read = { ops: [], problems: [], batches: 0 };
  for await (const batch of read.batches) {
    out.ops.push(...batch.ops);
    out.problems.push(...batch.problems);
  }
  return out;
}

/** Text line N+1 (after the header) of a text fixture, as bytes: what row N's id must hash. */
async function textLines(name: string): Promise<Buffer[]> {
  const text = await readFile(`${FIXTURES}${name}`, 'utf8');
  return text.split('\n').slice(1, -1).map((line) => Buffer.from(line, 'utf8'));
}

async function assertSameAsText(parquetName: string, textName: string): Promise<Read> {
  const parquet = await readParquetFixture(parquetName);
  const text = await readTextFixture(textName);
  // Same typed documents (values, @timestamp, enrichment) in the same daily indices.
  assert.deepEqual(parquet.ops.map((op) => [op.index, recordContent(op.doc)]), text.ops.map((op) => [op.index, recordContent(op.doc)]));
  // Same problems, row N standing where text line N+1 stands (the text's line 1 is its header).
  assert.deepEqual(parquet.problems, text.problems.map((p) => ({ ...p, lineNo: p.lineNo - 1 })));
  // Ids hash the row number and the rendered row, which is exactly the text line.
  const idOf = lineIdFactory(REF.bucket, REF.key);
  const lines = await textLines(textName);
  const failed = new Set(parquet.problems.map((p) => p.lineNo));
  const rowNos = lines.map((_, i) => i + 1).filter((n) => !failed.has(n));
  assert.deepEqual(parquet.ops.map((op) => op.id), rowNos.map((n) => idOf(n, lines[n - 1] as Buffer)));
  return parquet;
}

describe('readParquetFlow', () => {
  it('gives the default format the documents, indices and ids of the equivalent text lines', async () => {
    const read = await assertSameAsText('default.log.parquet', 'default.txt');
    assert.equal(read.ops.length, 6);
  });

  it('types int32 and int64 columns as numbers and adds @timestamp from start', async () => {
    const [first] = (await readParquetFixture('default.log.parquet')).ops;
    assert.deepEqual(recordContent(first?.doc), {
      '@timestamp': '2014-12-14T04:06:50.000Z', version: 2, 'account-id': '123456789010',
      'interface-id': 'eni-1235b8ca123456789', srcaddr: '81.2.69.142', dstaddr: '172.31.16.21',
      srcport: 20641, dstport: 22, protocol: 6, packets: 20, bytes: 4249, start: 1418530010, end: 1418530070,
      action: 'ACCEPT', 'log-status': 'OK',
      srcaddr_geo: { country_iso_code: 'GB' }, srcaddr_as: { number: 5089 },
    });
    assert.equal(first?.index, 'vpcflowlogs-2014.12.14');
  });

  it('leaves null columns out of the document, as `-` in text', async () => {
    const { ops } = await readParquetFixture('default.log.parquet');
    assert.deepEqual(recordContent(ops[2]?.doc), {
      '@timestamp': '2015-05-10T18:01:16.000Z', version: 2, 'account-id': '123456789010', 'interface-id': 'eni-1a2b3c4d',
      start: 1431280876, end: 1431280934, 'log-status': 'NODATA',
    });
  });

  it('reports an invalid address and an int64 past 2^53 as problems of their rows, and goes on', async () => {
    const { ops, problems } = await readParquetFixture('default.log.parquet');
    assert.deepEqual(problems.map((p) => [p.lineNo, p.reason]), [
      [5, 'field "srcaddr": "not-an-ip" is not an IPv4 or IPv6 address'],
      [6, 'field "bytes": "1152921504606846976" exceeds 2^53 and cannot be kept exactly'],
    ]);
    assert.match(problems[0]?.text ?? '', /^2 123456789010 eni-1235b8ca123456789 not-an-ip /);
    assert.equal(ops.length, 6);
    assert.equal(ops[4]?.index, 'vpcflowlogs-2014.12.15', 'the row after the bad ones is read, on its own day');
  });

  it('maps a v5 custom format column by column and an unknown column as the text header names it, as a string', async () => {
    const { ops } = await assertSameAsText('custom-v5.log.parquet', 'custom-v5.txt');
    const doc = ops[0]?.doc ?? {};
    assert.equal(doc['pkt-dst-aws-service'], 'S3');
    assert.equal(doc['traffic-path'], 8);
    assert.equal(doc['tcp-flags'], 19);
    assert.equal(doc['future-field'], 'x1');
    assert.equal('future_field' in doc, false);
    assert.equal('sublocation-id' in doc, false);
    assert.equal('traffic-path' in (ops[1]?.doc ?? {}), false);
  });

  it('reads several row groups, numbering rows across them, a batch at a time', async () => {
    const read = await readParquetFixture('many-groups.log.parquet');
    assert.equal(read.ops.length, 4000);
    assert.equal(read.problems.length, 0);
    assert.equal(new Set(read.ops.map((op) => op.id)).size, 4000);
    assert.equal(read.batches, 4, 'one batch per 1000-row group');
  });

  it('fetches each byte about once, in slices no larger than the footer read, never the object whole', async () => {
    const { stats, size } = await readParquetFixture('many-groups.log.parquet');
    assert.ok(size > 2 * PARQUET_FOOTER_FETCH_BYTES, `fixture of ${size} bytes is large enough to tell`);
    assert.ok(stats.bytes <= size, `fetched ${stats.bytes} of ${size} bytes`);
    assert.equal(stats.largest, PARQUET_FOOTER_FETCH_BYTES);
    assert.equal(stats.requests, 4, 'the footer read, then the three row groups it does not hold');
  });

  it('reads a row group only when the batches before it are taken', async () => {
    const source = await fileAsyncBuffer(`${FIXTURES}many-groups.log.parquet`);
    try {
      const batches = readParquetFlow(source, ctx);
      await batches.next();
      assert.equal(source.stats.requests, 2, 'the footer read and the first row group');
      assert.ok(source.stats.bytes < source.byteLength, `after one batch: ${source.stats.bytes} of ${source.byteLength} bytes`);
      await batches.return(undefined);
    } finally {
      await source.close();
    }
  });

  it('reads a small object in one request: the footer read holds every row group', async () => {
    const { stats, size } = await readParquetFixture('default.log.parquet');
    assert.deepEqual(stats, { requests: 1, bytes: size, largest: size });
  });

  it('fails for good, naming the object, when the bytes are no Parquet', async () => {
    const source = await fileAsyncBuffer(`${FIXTURES}default.txt`);
    try {
      await assert.rejects(readParquetFlow(source, ctx).next(), (err: unknown) => {
        assert.ok(err instanceof ObjectError);
        assert.equal(err.retryable, false);
        assert.match(err.message, /^s3:\/\/flow-bucket\/AWSLogs\/.*: not a readable Parquet file/);
        return true;
      });
    } finally {
      await source.close();
    }
  });

  it('fails for good, naming the codec, when pages use one it cannot read', async () => {
    const source = await fileAsyncBuffer(`${FIXTURES}zstd.log.parquet`);
    try {
      await assert.rejects(readParquetFlow(source, ctx).next(), { name: 'ObjectError', retryable: false, detail: /codec ZSTD is not supported/ });
    } finally {
      await source.close();
    }
  });
});

describe('fieldOfColumn', () => {
  it('maps every underscored column as the text header spells it', () => {
    assert.equal(fieldOfColumn('account_id'), 'account-id');
    assert.equal(fieldOfColumn('pkt_src_aws_service'), 'pkt-src-aws-service');
    assert.equal(fieldOfColumn('srcaddr'), 'srcaddr');
    assert.equal(fieldOfColumn('log-status'), 'log-status');
    assert.equal(fieldOfColumn('future_field'), 'future-field', 'a field AWS adds later: as its text header names it');
    assert.equal(fieldOfColumn('community_id'), 'community-id', 'never the name of a derived field');
  });
});

/** A row's line as text, or the error: what RowWriter writes, read back. */
function renderRow(columns: readonly string[], values: readonly unknown[]): string | { error: string } {
  const line = lineOfRow(new RowWriter(), columns, values);
  return isParseError(line) ? line : line.toString('utf8');
}

/** The reference rendering: each value as String() writes it, one space apart (what RowWriter wrote before it wrote bytes). */
function byStrings(values: readonly unknown[]): string {
  return values.map((v) => (v === null || v === '' ? '-' : v instanceof Date ? String(Math.floor(v.getTime() / 1000)) : String(v))).join(' ');
}

describe('RowWriter', () => {
  const columns = ['version', 'bytes', 'start', 'srcaddr', 'action'];

  it('writes the text line AWS would have: one space apart, `-` for null, bigint and Date as digits', () => {
    assert.equal(renderRow(columns, [2, 4249n, new Date(1418530010_000), null, 'ACCEPT']), '2 4249 1418530010 - ACCEPT');
    assert.equal(renderRow(columns, [2, undefined, 1418530010n, '', 'ACCEPT']), '2 - 1418530010 - ACCEPT');
    // Past the safe integers, and below 0, as String() writes them.
    assert.equal(renderRow(['a', 'b', 'c', 'd', 'e'], [-1n, -0, 2n ** 53n, 2 ** 53, -1]), '-1 0 9007199254740992 9007199254740992 -1');
  });

  it('refuses values no text line could hold', () => {
    const refused = (values: unknown[]): string => {
      const out = renderRow(columns, values);
      return typeof out === 'string' ? assert.fail(`rendered ${out}`) : out.error;
    };
    assert.match(refused([2, 1, 1, '10.0.0.1', 'AC CEPT']), /column "action": value contains whitespace/);
    // Every character JavaScript's \s takes, ASCII or not, alone or after other text of either kind.
    for (const space of ['\t', '\n', '\v', '\f', '\r', ' ', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff']) {
      for (const text of [space, `x${space}`, `é${space}`, `${space}é`]) assert.match(refused([2, 1, 1, null, text]), /column "action": value contains whitespace/, JSON.stringify(text));
    }
    assert.equal(renderRow(columns, [2, 1, 1, 'é\u0085ü', 'A\u0000\u007f\u0080']), '2 1 1 é\u0085ü A\u0000\u007f\u0080', 'no whitespace for \\s, so kept');
    assert.match(refused([2, 1, 1, new Uint8Array([1]), 'ACCEPT']), /column "srcaddr": binary values/);
    assert.match(refused([2, { a: 1 }, 1, null, 'ACCEPT']), /column "bytes": nested values/);
    assert.match(refused([2, Number.NaN, 1, null, 'ACCEPT']), /column "bytes": NaN/);
  });

  it('writes every number, bigint, string and date as String() does, in lines that stay intact as more are written', () => {
    const value = fc.oneof(
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.maxSafeInteger(), fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }),
      fc.string({ unit: 'grapheme', maxLength: 40 }).filter((t) => !/\s/.test(t)), fc.constant(null), fc.boolean(),
      fc.date({ noInvalidDate: true }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(value, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 60 }), (rows) => {
        const writer = new RowWriter();
        const lines = rows.map((row, r) => lineOfRow(writer, row.map((_, i) => `c${i}`), row, r));
        assert.deepEqual(lines.map((line) => (isParseError(line) ? line : line.toString('utf8'))), rows.map(byStrings));
      }),
      { numRuns: 300 },
    );
  });

  it('moves a line that outgrows its chunk whole, keeping the lines before it, and writes over a refused row', () => {
    const writer = new RowWriter();
    const first = lineOfRow(writer, ['a'], ['x'.repeat(60_000)]) as Buffer;
    assert.deepEqual(lineOfRow(writer, ['a', 'b'], ['y'.repeat(3000), 'a b']), { error: 'column "b": value contains whitespace, which no flow-log field can hold' });
    const long = lineOfRow(writer, ['a', 'b', 'c'], [7, 'é'.repeat(100_000), 8n]) as Buffer;
    const after = lineOfRow(writer, ['a'], [9]) as Buffer;
    assert.equal(first.toString(), 'x'.repeat(60_000));
    assert.equal(long.toString(), `7 ${'é'.repeat(100_000)} 8`);
    assert.equal(after.toString(), '9');
  });

  it('writes the lines after a rewind over those before it, into a chunk grown until a whole batch fits', () => {
    const writer = new RowWriter();
    const texts = (tag: string) => Array.from({ length: 100 }, (_, i) => `${tag.repeat(1000)} ${i}`);
    const batch = (tag: string) => Array.from({ length: 100 }, (_, i) => lineOfRow(writer, ['a', 'b'], [tag.repeat(1000), i]) as Buffer);
    // ~100 KB: the first chunk (64 KiB) and one twice as large.
    const first = batch('x');
    assert.deepEqual(first.map(String), texts('x'));
    const chunks = [...new Set(first.map((line) => line.buffer))];
    assert.deepEqual(chunks.map((c) => c.byteLength), [65_536, 131_072]);
    writer.rewind();
    const second = batch('y');
    assert.deepEqual(second.map(String), texts('y'));
    assert.deepEqual([...new Set(second.map((line) => line.buffer))], [chunks[1]]);
    assert.equal(second[0]?.byteOffset, 0);
    assert.deepEqual(first.slice(0, 60).map(String), texts('x').slice(0, 60), 'lines in the chunk left behind stay as written');
  });

  it('writes the digits of any non-negative safe integer as String() does', () => {
    const out = new Uint8Array(20);
    // Each digit count's first and last number, and either side of int32's end, where the division changes.
    const edges = [...Array.from({ length: 16 }, (_, i) => [10 ** i, 10 ** (i + 1) - 1]).flat(), 0, 2 ** 31 - 1, 2 ** 31, 4294967295, 4294967296, Number.MAX_SAFE_INTEGER];
    for (const n of edges.filter((e) => e <= Number.MAX_SAFE_INTEGER)) assert.equal(Buffer.from(out.subarray(3, writeDigits(out, 3, n))).toString(), String(n));
    fc.assert(fc.property(fc.maxSafeNat(), (n) => Buffer.from(out.subarray(0, writeDigits(out, 0, n))).toString() === String(n)));
  });
});

describe('isParquet', () => {
  it('recognises the PAR1 magic bytes', async () => {
    assert.equal(isParquet(await readFile(`${FIXTURES}default.log.parquet`)), true);
    assert.equal(isParquet(Buffer.from('version account-id')), false);
    assert.equal(isParquet(Buffer.from('PAR')), false);
    assert.equal(isParquet(Buffer.from('PAR1')), true, 'the magic alone');
    assert.equal(isParquet(Buffer.from('PAR2')), false, 'one byte off');
  });
});

describe('Parquet under MAX_OBJECT_BYTES', () => {
  it('stops before a row group that would decode past the cap, after yielding the groups before it', async () => {
    const source = await fileAsyncBuffer(`${FIXTURES}many-groups.log.parquet`);
    const ops: IndexOp[] = [];
    try {
      await assert.rejects(async () => {
        for await (const batch of readParquetFlow(source, { ...ctx, maxObjectBytes: 250_000 })) ops.push(...batch.ops);
      }, (err: unknown) => err instanceof ObjectError && !err.retryable && /MAX_OBJECT_BYTES \(250000 bytes\): row group \d/.test(err.message));
    } finally {
      await source.close();
    }
    assert.ok(ops.length > 0 && ops.length < 4000 && ops.length % 1000 === 0, `${ops.length} rows read, whole row groups only`);
  });
  it('charges pages that inflate past what the footer declared', () => {
    const budget = new ParquetBudget(100_000);
    budget.chargeRowGroup({ columns: [], num_rows: 10n, total_byte_size: 0n } as unknown as RowGroup, 1, 'row group 1');
    const gzip = budget.compressors().GZIP as (input: Uint8Array, size: number) => Uint8Array;
    assert.equal(gzip(gzipSync(Buffer.alloc(60_000)), 60_000).length, 60_000);
    assert.throws(() => gzip(gzipSync(Buffer.alloc(60_000)), 60_000), ParquetBudgetError);
  });
  it('gives the format its rows are rendered in, so a dead-lettered row can be parsed again', async () => {
    const source = await fileAsyncBuffer(`${FIXTURES}custom-v5.log.parquet`);
    try {
      const read = await readParquetObject(REF, source, { enricher, indexPrefix: 'vpcflowlogs', maxLineBytes: 1 << 20, maxObjectBytes: 1 << 30 });
      assert.equal(read.kind, 'read');
      const format = read.kind === 'read' ? read.format : undefined;
      assert.ok(format?.startsWith('version '), `format: ${format}`);
      assert.ok(format?.includes('account-id'), 'hyphenated as a text header');
    } finally {
      await source.close();
    }
  });
});
