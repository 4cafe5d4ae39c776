import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import murmur from 'murmurhash3js-revisited';
import { lineIdFactory } from '../../../helpers/line-id.js';
import { OBJECT, lineBytes, scenario, testEnricher } from '../../../helpers/flow-lines.js';
import type { Enricher } from '../../../../src/enrich/types.js';
import { isStatusRecord } from '../../../../src/formats/vpc-flow/derive.js';
import { LOG_FIELD, recordTime, toDocument } from '../../../../src/formats/vpc-flow/document.js';
import { formatFromFields, isParseError, parseRecord, type FlowFormat } from '../../../../src/formats/vpc-flow/parse.js';
import { FlowWriter } from '../../../../src/formats/vpc-flow/writer.js';
import { written } from '../../../helpers/flow-writer.js';

/**
 * The compiled writer against the reference path it replaces on the hot path:
 * JSON.stringify(toDocument(parseRecord(line)) + log) must be its output byte for byte, on random
 * lines of random formats, bad values, escapes and bytes that are no UTF-8 included.
 */
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
    enricher = await testEnricher();
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
