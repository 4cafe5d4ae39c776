import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { toDocument } from '../../../../src/formats/vpc-flow/document.js';
import { isParseError, parseHeader, parseRecord } from '../../../../src/formats/vpc-flow/parse.js';

/**
 * Every flow-log version, from AWS's documented example lines where AWS gives them (see
 * test/fixtures/vpc-flow/golden/README.md for which lines are AWS's and which are built to the
 * field reference): each `<name>.txt` (header, then records; `.txt` because .gitignore drops
 * `*.log`) against the full documents in `<name>.expected.json`. `UPDATE_GOLDEN=1` rewrites the
 * expected files instead (review the diff).
 */
const DIR = new URL('../../../fixtures/vpc-flow/golden/', import.meta.url);
const FIXTURES = readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort();

function documentsOf(name: string): Record<string, unknown>[] {
  const [header = '', ...lines] = readFileSync(new URL(name, DIR), 'utf8').split('\n').filter((l) => l.length > 0);
  const format = parseHeader(header);
  if (isParseError(format)) assert.fail(`${name}: ${format.error}`);
  return lines.map((line, i) => {
    const record = parseRecord(format, line);
    if (isParseError(record)) assert.fail(`${name} line ${i + 2}: ${record.error}`);
    return toDocument(record, undefined, { derived: true });
  });
}

describe('golden flow-log documents', () => {
  it('cover every version: 2, 3, 4, 5, Transit Gateway 6, 7 and 8', () => {
    const versions = FIXTURES.map((f) => f.slice(0, 2));
    for (const v of ['v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8']) assert.ok(versions.includes(v), v);
  });

  for (const name of FIXTURES) {
    it(`${name} gives exactly the documents of its .expected.json`, () => {
      const expectedFile = new URL(name.replace(/\.txt$/, '.expected.json'), DIR);
      const actual = documentsOf(name);
      if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
      const expected: unknown = JSON.parse(readFileSync(expectedFile, 'utf8'));
      assert.ok(Array.isArray(expected) && expected.length === actual.length, `${name}: one document per record`);
      actual.forEach((doc, i) => assert.deepEqual(doc, expected[i], `${name} record ${i + 1}`));
    });
  }
});
