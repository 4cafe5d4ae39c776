import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FIELDS, fieldSpec, type FieldType } from '../../../../src/formats/vpc-flow/catalogue.js';
import { MAX_EPOCH_SECONDS, formatFromFields, isParseError, parseHeader, parseRecord } from '../../../../src/formats/vpc-flow/parse.js';

const VALUES: Record<FieldType, fc.Arbitrary<string | number>> = {
  int: fc.integer({ min: 0, max: 2_147_483_647 }),
  long: fc.maxSafeNat(),
  epoch_seconds: fc.integer({ min: 0, max: MAX_EPOCH_SECONDS }),
  ip: fc.oneof(fc.ipV4(), fc.ipV6()),
  keyword: fc.stringMatching(/^\S{1,30}$/).filter((s) => s !== '-'),
};

const knownName = fc.constantFrom(...Object.keys(FIELDS));
const unknownName = fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}$/).filter((n) => fieldSpec(n) === undefined);
const names = fc.uniqueArray(fc.oneof({ weight: 4, arbitrary: knownName }, { weight: 1, arbitrary: unknownName }), { minLength: 1, maxLength: 40 });

/** A value per name, or undefined for "absent" (written as `-`). */
const recordOf = (fieldNames: readonly string[]) =>
  fc.tuple(...fieldNames.map((n) => fc.option(VALUES[fieldSpec(n)?.type ?? 'keyword'], { nil: undefined, freq: 5 })));

const gap = fc.stringMatching(/^[ \t]{1,3}$/);

describe('parseRecord round trip', () => {
  it('gives back the values of any line rendered from any subset and order of fields', () => {
    const scenario = names.chain((fieldNames) =>
      fc.record({
        fieldNames: fc.constant(fieldNames),
        values: recordOf(fieldNames),
        gaps: fc.array(gap, { minLength: fieldNames.length + 1, maxLength: fieldNames.length + 1 }),
        edges: fc.tuple(fc.constantFrom('', ' ', '\t'), fc.constantFrom('', ' ', '\r', ' \r')),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ fieldNames, values, gaps, edges }) => {
        const header = fieldNames.map((n, i) => `${gaps[i]}${n}`).join('');
        const format = parseHeader(header);
        assert.ok(!isParseError(format), JSON.stringify(format));
        assert.deepEqual(format, formatFromFields(fieldNames));
        const line = edges[0] + values.map((v, i) => `${v ?? '-'}${gaps[i + 1]}`).join('').trimEnd() + edges[1];
        const parsed = parseRecord(format, line);
        assert.ok(!isParseError(parsed), `${JSON.stringify(parsed)} for ${JSON.stringify(line)}`);
        const expected = Object.fromEntries(fieldNames.flatMap((n, i) => (values[i] === undefined ? [] : [[n, values[i]]])));
        assert.deepEqual(parsed.fields, expected);
      }),
      { numRuns: 500 },
    );
  });
});
