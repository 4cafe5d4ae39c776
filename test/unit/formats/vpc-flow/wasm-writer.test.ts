import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { testEnricher } from '../../../helpers/flow-lines.js';
import { jsOperation } from '../../../helpers/flow-writer.js';
import type { S3ObjectRef } from '../../../../src/core/types.js';
import { objectUri } from '../../../../src/core/errors.js';
import { dailyIndexFor } from '../../../../src/core/index-name.js';
import type { Enricher } from '../../../../src/enrich/types.js';
import { ADDRESS_BOOK_SIZE } from '../../../../src/formats/vpc-flow/addresses.js';
import { DEFAULT_FORMAT, formatFromFields, type FlowFormat } from '../../../../src/formats/vpc-flow/parse.js';
import { batchReader } from '../../../../src/formats/vpc-flow/reader.js';
import { WasmFlowWriter } from '../../../../src/formats/vpc-flow/wasm-writer.js';
import { FlowWriter } from '../../../../src/formats/vpc-flow/writer.js';
import { encodedOp } from '../../../../src/sink/bulk-body.js';
import type { LineItem } from '../../../../src/source/lines.js';

/**
 * The reader with the writer compiled to WebAssembly, on what the property test's single lines do
 * not reach: batches whose operations come from both writers, a book that fills, a memory that
 * grows, writers and enrichers taking turns, formats the module cannot hold. Each batch is held
 * byte for byte to the JavaScript path (writer.ts, its id and action line) line by line.
 */
const REF: S3ObjectRef = { bucket: 'b', key: 'AWSLogs/1/vpcflowlogs/eu-west-1/2014/12/14/1_vpcflowlogs_eu-west-1_fl-1_20141214T0405Z_h.log.gz' };
const PREFIX = 'flows';
const line = (n: number, src = '81.2.69.142', account = '123456789010'): string =>
  `2 ${account} eni-${n} ${src} 10.0.${n % 250}.1 ${20000 + (n % 40000)} 443 6 20 4249 ${1418515200 + n * 40} ${1418515260 + n * 40} ACCEPT OK`;
const items = (lines: readonly string[], first = 1): LineItem[] => lines.map((l, i) => ({ lineNo: first + i, bytes: Buffer.from(l) }));

/** Each line's operation as the JavaScript path writes it, in order; bad lines left out. */
function expected(format: FlowFormat, enricher: Enricher, batch: readonly LineItem[], ref = REF): string[] {
  const writer = FlowWriter.compile(format, enricher, objectUri(ref));
  assert.ok(writer !== undefined);
  const indexOf = dailyIndexFor(PREFIX);
  return batch.flatMap((item) => {
    if (!('bytes' in item) || !writer.scan(item.bytes)) return [];
    return [jsOperation(writer, ref.bucket, ref.key, indexOf(writer.time as number), item.lineNo, item.bytes).toString('latin1')];
  });
}

/** The reader's operations for the batch, as text. */
function actual(read: (items: LineItem[]) => { ops: readonly unknown[] }, batch: LineItem[]): string[] {
  return read(batch).ops.map((op) => Buffer.from(encodedOp(op as Parameters<typeof encodedOp>[0]).bulk).toString('latin1'));
}

describe('batchReader with the writer compiled to WebAssembly', () => {
  let enricher: Enricher;
  before(async () => {
    enricher = await testEnricher();
  });

  it('keeps line order when lines the module hands back (escapes, a line past its room) and bad lines come between its own', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => line(i));
    lines[10] = lines[10]?.replace('eni-10', 'eni-"quoted"') as string;
    lines[1500] = lines[1500]?.replace('eni-1500', `eni-${'x'.repeat(70_000)}`) as string;
    lines[2000] = lines[2000]?.replace('ACCEPT', 'back\\slash') as string;
    lines[2500] = lines[2500]?.replace(' 443 ', ' 99999999999 ') as string;
    // A flow that ended in the second it started: a duration of 0.
    lines[2700] = line(2700).replace(/ (\d+) \d+ ACCEPT/, ' $1 $1 ACCEPT');
    const batch = items(lines);
    const read = batchReader(DEFAULT_FORMAT, { ref: REF, enricher, indexPrefix: PREFIX });
    const result = read(batch);
    assert.deepEqual(result.problems.map((p) => p.lineNo), [2501]);
    const ops = actual(read, batch);
    const want = expected(DEFAULT_FORMAT, enricher, batch);
    assert.equal(ops.length, 2999);
    // Operations of ~400 bytes, 3,000 of them: copied out of the module's memory in several runs.
    assert.ok(ops.join('').length > 3 * 192 * 1024);
    assert.deepEqual(ops, want);
    assert.match(ops[10] as string, /"interface-id":"eni-\\"quoted\\""/);
    assert.match(ops[2699] as string, /"duration_s":0,/);
    // The lines' days differ (a start every 40 s from 2014-12-14): operations of two daily indices.
    assert.deepEqual(new Set(ops.map((op) => /"_index":"([^"]+)"/.exec(op)?.[1])), new Set(['flows-2014.12.14', 'flows-2014.12.15']));
  });

  it('forgets every address when its book is full, as the JavaScript book does, growing its memory for them', () => {
    const count = ADDRESS_BOOK_SIZE + 5000;
    const address = (n: number) => `${11 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}.7`;
    const batch = items(Array.from({ length: count }, (_, n) => line(n, address(n))));
    const read = batchReader(DEFAULT_FORMAT, { ref: REF, enricher, indexPrefix: PREFIX });
    const ops = actual(read, batch);
    assert.equal(ops.length, count);
    assert.deepEqual(ops, expected(DEFAULT_FORMAT, enricher, batch));
    // Again: the addresses of the first lines, forgotten, are learned anew.
    assert.deepEqual(actual(read, batch.slice(0, 100)), expected(DEFAULT_FORMAT, enricher, batch.slice(0, 100)));
  });

  it('learns each address once while its table of slots grows: a second pass looks nothing up', () => {
    let lookups = 0;
    const counting: Enricher = { lookup: (ip) => ((lookups += 1), enricher.lookup(ip)) };
    // 30,000 public sources and 250 private destinations: the table doubles five times, the book never fills.
    const address = (n: number) => `${11 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}.9`;
    const batch = items(Array.from({ length: 30_000 }, (_, n) => line(n, address(n))));
    const read = batchReader(DEFAULT_FORMAT, { ref: REF, enricher: counting, indexPrefix: PREFIX });
    actual(read, batch);
    const learned = lookups;
    assert.ok(learned >= 30_000, `${learned} lookups`);
    assert.deepEqual(actual(read, batch), expected(DEFAULT_FORMAT, enricher, batch));
    assert.equal(lookups, learned, 'no address looked up again');
  });

  it('tells apart addresses of one hash and length, and orders IPv6 pairs for the Community ID either way round', () => {
    // The same hash in the book, 0x7149344b, and length: only the text tells them apart.
    const twins = ['1:2:3371:aa:0000::1', '1:2:9881:aa:0000::1'];
    const lines = Array.from({ length: 8 }, (_, n) => {
      const [a, b] = n % 2 === 0 ? twins : [...twins].reverse();
      return line(n, a).replace(/ 10\.0\.\d+\.1 /, ` ${n < 4 ? b : '2600:1f18::1'} `);
    });
    const batch = items(lines);
    const ops = actual(batchReader(DEFAULT_FORMAT, { ref: REF, enricher, indexPrefix: PREFIX }), batch);
    assert.deepEqual(ops, expected(DEFAULT_FORMAT, enricher, batch));
    assert.match(ops[0] as string, /"srcaddr":"1:2:3371:aa:0000::1","dstaddr":"1:2:9881:aa:0000::1"/);
    assert.match(ops[1] as string, /"srcaddr":"1:2:9881:aa:0000::1","dstaddr":"1:2:3371:aa:0000::1"/);
    assert.ok(ops.every((op) => op.includes('"community_id":"1:')));
  });

  it("holds each writer's format and object, and each enricher's answers, when readers take turns", () => {
    const narrow = formatFromFields(['srcaddr', 'dstaddr', 'protocol', 'start']) as FlowFormat;
    const other: S3ObjectRef = { bucket: 'c', key: 'other.log' };
    const stub: Enricher = { lookup: () => ({ geo: { country_iso_code: 'XX' } }) };
    const wide = batchReader(DEFAULT_FORMAT, { ref: REF, enricher, indexPrefix: PREFIX });
    const short = batchReader(narrow, { ref: other, enricher: stub, indexPrefix: PREFIX });
    const shortLines = (from: number) => items(Array.from({ length: 50 }, (_, i) => `81.2.69.${(from + i) % 250} 10.0.0.${i} 6 ${1418515200 + i}`), from);
    for (let turn = 0; turn < 3; turn++) {
      const a = items(Array.from({ length: 50 }, (_, i) => line(turn * 50 + i)), turn * 50 + 1);
      assert.deepEqual(actual(wide, a), expected(DEFAULT_FORMAT, enricher, a));
      const b = shortLines(turn * 50 + 1);
      assert.deepEqual(actual(short, b), expected(narrow, stub, b, other));
      assert.match(actual(short, b)[0] as string, /"srcaddr_geo":\{"country_iso_code":"XX"\}/);
    }
  });

  it('leaves to the JavaScript writer an operation too large for its room: addresses whose GeoIP JSON takes most of it', () => {
    const city: Record<string, number> = { '81.2.69.160': 600_000 };
    const stub: Enricher = { lookup: (ip) => ({ geo: { city_name: 'x'.repeat(city[ip] ?? 10) } }) };
    const lines = Array.from({ length: 20 }, (_, i) => line(i));
    lines[5] = line(5, '81.2.69.160').replace(' 10.0.5.1 ', ' 81.2.69.160 ');
    const batch = items(lines);
    const ops = actual(batchReader(DEFAULT_FORMAT, { ref: REF, enricher: stub, indexPrefix: PREFIX }), batch);
    assert.equal(ops.length, 20);
    assert.ok((ops[5] as string).length > 1_200_000);
    assert.deepEqual(ops, expected(DEFAULT_FORMAT, stub, batch));
  });

  it('reads an address entry that ends at the end of its memory without reading past it (its copies read whole words past a part)', async () => {
    // A thread of its own: this one's memory has grown to an unknown size.
    const fixture = new URL('../../../fixtures/threads/flow-memory-end.ts', import.meta.url).href;
    const code = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(fixture)}); })`;
    const [results] = (await once(new Worker(code, { eval: true }), 'message')) as [{ gap: number; byModule: number; same: boolean; bytes: number }[]];
    assert.equal(results.length, 41);
    for (const { gap, byModule, same, bytes } of results) {
      assert.equal(byModule, 1, `the module wrote the line whose entry ends ${gap} bytes before the memory's end`);
      assert.ok(same, `the same operation as writer.ts's, the entry ending ${gap} bytes before the memory's end`);
      assert.ok(bytes > 700_000);
    }
  });

  it('leaves a format of more fields than its room to the JavaScript writer', () => {
    const format = formatFromFields(['start', ...Array.from({ length: 64 }, (_, i) => `future-${i}`)]) as FlowFormat;
    const writer = FlowWriter.compile(format, enricher, objectUri(REF));
    assert.ok(writer !== undefined);
    assert.equal(WasmFlowWriter.compile(format, enricher, objectUri(REF), REF.bucket, REF.key, writer.fixed), undefined);
    const batch = items([format.fields.map((f, i) => (i === 0 ? '1418515200' : f.slice(0, 5))).join(' ')]);
    const ops = actual(batchReader(format, { ref: REF, enricher, indexPrefix: PREFIX }), batch);
    assert.equal(ops.length, 1);
    assert.deepEqual(ops, expected(format, enricher, batch));
  });
});
