import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import murmur from 'murmurhash3js-revisited';
import { lineIdFactory } from '../../../helpers/line-id.js';
import { openEnricher } from '../../../../src/enrich/geoip.js';
import type { Enricher } from '../../../../src/enrich/types.js';
import { FIELDS, fieldSpec, type FieldType } from '../../../../src/formats/vpc-flow/catalogue.js';
import { isStatusRecord } from '../../../../src/formats/vpc-flow/derive.js';
import { LOG_FIELD, recordTime, toDocument } from '../../../../src/formats/vpc-flow/document.js';
import { formatFromFields, isParseError, parseRecord, type FlowFormat } from '../../../../src/formats/vpc-flow/parse.js';
import { FlowWriter } from '../../../../src/formats/vpc-flow/writer.js';
import { written } from '../../../helpers/flow-writer.js';
import { PUBLIC_ADDRESSES } from '../../../../src/sample/flow-logs.js';

/**
 * The compiled writer against the reference path it replaces on the hot path:
 * JSON.stringify(toDocument(parseRecord(line)) + log) must be its output byte for byte, on random
 * lines of random formats, bad values, escapes and bytes that are no UTF-8 included.
 */
const GEO = new URL('../../../fixtures/geoip/', import.meta.url);
/** Stands in for bytes that are no UTF-8 (see {@link lineBytes}). */
const BAD_UTF8 = '\uE000';

/** The line's bytes, each BAD_UTF8 replaced by invalid UTF-8 (a stray continuation byte, a truncated sequence, 0xFF). */
function lineBytes(line: string): Buffer {
  const parts = line.split(BAD_UTF8).map((p) => Buffer.from(p, 'utf8'));
  return Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from([0x80, 0xe2, 0x82, 0xff]), p])));
}
const OBJECT = 's3://b/AWSLogs/1/vpcflowlogs/"quoted"\\key.log.gz';

const address = fc.oneof(
  fc.constantFrom(...PUBLIC_ADDRESSES, '10.0.0.1', '::ffff:81.2.69.142', '2001:db8::1', '1.2.3', 'fe80::1%eth0', '01.2.3.4', '::', 'zz'),
  fc.ipV4(),
  fc.ipV6(),
);
const number = (max: number) => fc.oneof(
  fc.integer({ min: 0, max }).map(String),
  fc.integer({ min: 0, max: 999 }).map((n) => `00${n}`),
  fc.constantFrom('0', '1', '6', '17', '58', '18', '255', '256', '65536', '2147483648', '9007199254740993', '-1', '1e3', 'x'),
);
const keyword = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9:/._-]{1,20}$/) },
  { weight: 1, arbitrary: fc.constantFrom('NODATA', 'SKIPDATA', 'OK', 'a"b', 'back\\slash', 'ctl\u0001x', 'é€😀', '\u007f', 'ünï', `x${BAD_UTF8}y`, BAD_UTF8) },
);
const VALUES: Record<FieldType, fc.Arbitrary<string>> = {
  int: number(2_147_483_647),
  long: number(Number.MAX_SAFE_INTEGER),
  epoch_seconds: fc.oneof(number(253_402_300_799), fc.integer({ min: 1_700_000_000, max: 1_800_000_000 }).map(String)),
  ip: address,
  keyword,
};

const knownName = fc.constantFrom(...Object.keys(FIELDS));
const unknownName = fc.stringMatching(/^[a-z][a-z0-9_-]{0,12}$/).filter((n) => fieldSpec(n) === undefined);
const names = fc.uniqueArray(fc.oneof({ weight: 6, arbitrary: knownName }, { weight: 1, arbitrary: unknownName }), { minLength: 1, maxLength: 30 });

const scenario = names.chain((fieldNames) => fc.record({
  fieldNames: fc.constant(fieldNames),
  values: fc.tuple(...fieldNames.map((n) => fc.oneof({ weight: 1, arbitrary: fc.constant('-') }, { weight: 5, arbitrary: VALUES[fieldSpec(n)?.type ?? 'keyword'] }))),
  extra: fc.constantFrom('', '', '', ' extra'),
  lineNo: fc.integer({ min: 1, max: 10_000_000 }),
}));

function reference(format: FlowFormat, line: string, enricher: Enricher, lineNo: number) {
  const record = parseRecord(format, line);
  if (isParseError(record)) return undefined;
  const doc = toDocument(record, enricher, { derived: true });
  doc[LOG_FIELD] = { object: OBJECT, line: lineNo };
  return { json: JSON.stringify(doc), time: recordTime(record), isStatus: isStatusRecord(record) };
}

describe('FlowWriter', () => {
  let enricher: Enricher;
  before(async () => {
    enricher = await openEnricher({ cityDbs: [fileURLToPath(new URL('GeoIP2-City-Test.mmdb', GEO))], asnDb: fileURLToPath(new URL('GeoLite2-ASN-Test.mmdb', GEO)) });
  });

  it('writes exactly JSON.stringify of the reference document, on random lines of random formats', () => {
    fc.assert(
      fc.property(scenario, ({ fieldNames, values, extra, lineNo }) => {
        const format = formatFromFields(fieldNames);
        assert.ok(!isParseError(format));
        const writer = FlowWriter.compile(format, enricher, OBJECT);
        if (writer === undefined) return; // a generated key as a field name: the reference path runs
        const bytes = lineBytes(`${values.join(' ')}${extra}`);
        // The reference reads the line as the reader decodes it; the writer reads its bytes.
        const line = bytes.toString('utf8');
        const expected = reference(format, line, enricher, lineNo);
        const scanned = writer.scan(bytes);
        assert.equal(scanned, expected !== undefined, line);
        if (expected === undefined) return;
        assert.equal(written(writer, lineNo), expected.json);
        assert.equal(writer.time, expected.time);
        assert.equal(writer.isStatus, expected.isStatus);
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves a format naming a generated key to the reference path', () => {
    for (const name of ['log', 'duration_s', 'srcaddr_geo', 'community_id']) {
      assert.equal(FlowWriter.compile(formatFromFields(['srcaddr', name]) as FlowFormat, enricher, OBJECT), undefined, name);
    }
  });
});

describe('lineIdBytesFactory (its ids read as text)', () => {
  it('hashes prefix, ordinal and line exactly as the reference library does on their concatenation, at any line length', () => {
    const id = lineIdFactory('bucket', 'a/key');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (line, lineNo) => {
        const whole = Buffer.concat([Buffer.from(`6:bucket5:a/key#${lineNo}:`), line]);
        assert.equal(id(lineNo, line), murmur.x64.hash128(whole));
      }),
      { numRuns: 300 },
    );
  });
});
