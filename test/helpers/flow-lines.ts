import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { openEnricher } from '../../src/enrich/geoip.js';
import type { Enricher } from '../../src/enrich/types.js';
import { FIELDS, fieldSpec, type FieldType } from '../../src/formats/vpc-flow/catalogue.js';
import { PUBLIC_ADDRESSES } from '../../src/sample/flow-logs.js';

/**
 * Random flow-log lines of random formats for the writers' property tests: bad values, escapes
 * and bytes that are no UTF-8 included.
 */
const GEO = new URL('../fixtures/geoip/', import.meta.url);
/** Stands in for bytes that are no UTF-8 (see {@link lineBytes}). */
const BAD_UTF8 = '\uE000';

/** The line's bytes, each BAD_UTF8 replaced by invalid UTF-8 (a stray continuation byte, a truncated sequence, 0xFF). */
export function lineBytes(line: string): Buffer {
  const parts = line.split(BAD_UTF8).map((p) => Buffer.from(p, 'utf8'));
  return Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from([0x80, 0xe2, 0x82, 0xff]), p])));
}
/** The object the lines come from: a key JSON escapes. */
export const BUCKET = 'b';
export const KEY = 'AWSLogs/1/vpcflowlogs/"quoted"\\key.log.gz';
export const OBJECT = `s3://${BUCKET}/${KEY}`;

const address = fc.oneof(
  fc.constantFrom(...PUBLIC_ADDRESSES, '10.0.0.1', '::ffff:81.2.69.142', '2001:db8::1', '1.2.3', 'fe80::1%eth0', '01.2.3.4', '::', 'zz', '10.0.\u0001.1'),
  fc.ipV4(),
  fc.ipV6(),
);
const number = (max: number) => fc.oneof(
  fc.integer({ min: 0, max }).map(String),
  fc.integer({ min: 0, max: 999 }).map((n) => `00${n}`),
  fc.constantFrom('0', '1', '6', '17', '58', '18', '255', '256', '65536', '2147483648', '9007199254740993', '-1', '1e3', 'x', '4\u00015', '12\u000b3',
    // Past 16 digits: leading zeros, and values past 10^17.
    '00000000000000000001', '123456789012345678', '99999999999999999999'),
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

export const scenario = names.chain((fieldNames) => fc.record({
  fieldNames: fc.constant(fieldNames),
  values: fc.tuple(...fieldNames.map((n) => fc.oneof({ weight: 1, arbitrary: fc.constant('-') }, { weight: 5, arbitrary: VALUES[fieldSpec(n)?.type ?? 'keyword'] }))),
  extra: fc.constantFrom('', '', '', ' extra'),
  lineNo: fc.integer({ min: 1, max: 10_000_000 }),
}));

/** The MaxMind test databases' enricher. */
export function testEnricher(): Promise<Enricher> {
  return openEnricher({ cityDbs: [fileURLToPath(new URL('GeoIP2-City-Test.mmdb', GEO))], asnDb: fileURLToPath(new URL('GeoLite2-ASN-Test.mmdb', GEO)) });
}
