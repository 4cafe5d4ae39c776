import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LineItem } from '../../../../src/source/lines.js';
import { readHeaderlessFlow, recordBytes } from '../../../../src/formats/vpc-flow/headerless.js';
import type { BatchParser } from '../../../../src/formats/vpc-flow/reader.js';
import type { OpBatch } from '../../../../src/core/records.js';
import { holdingParser } from '../../../helpers/holding-parser.js';
import { formatFromFields, isParseError, type FlowFormat } from '../../../../src/formats/vpc-flow/parse.js';

/**
 * Which first tokens of a CloudWatch Logs line are the export's timestamp (both sides of each
 * part of its shape and of its length cap), what a JSON-wrapped line must hold, and how an
 * overlong line is reported.
 */
const RECORD = '2 1418530010 ACCEPT';
const stripped = (line: string): string | undefined => {
  const out = recordBytes(Buffer.from(line));
  if (isParseError(out)) assert.fail(out.error);
  return out.toString('utf8');
};

describe('recordBytes, the export timestamp', () => {
  it('strips every shape CreateExportTask and ISO-8601 allow', () => {
    for (const stamp of ['2014-12-14T04:06:50.000Z', '2014-12-14T04:06:50Z', '2014-12-14T04:06Z', '2014-12-14T04:06:50.1-05:00', '2014-12-14T04:06:50-0500', '2014-12-14T04:06+01:30', '0000-00-00T00:00Z']) {
      assert.equal(stripped(`${stamp} ${RECORD}`), RECORD, stamp);
    }
  });

  it('keeps a first token that is not such a timestamp', () => {
    for (const token of [
      'x2014-12-14T04:06:50Z', '2014-12-14T04:06:50Zx', '2014-12-14T04:06:50', '2014-12-14T04:06:50.Z', '2014-12-14T04Z', '2014-12-14T04:06:5Z',
      '14-12-14T04:06:50Z', '2014-1-14T04:06:50Z', '2014-12-1T04:06:50Z', '2014-12-14T4:06:50Z', '2014-12-14 04:06:50Z', '2014-12-14T04:06:50+1:00',
      '2014-12-14T04:06:50+01:0', '2014-12-14T04:06:50*01:00', 'abcd-ef-ghTij:klZ', '2014/12/14T04:06Z', '2014-12-14T04-06Z', '2014-12-14T04:06:50,1Z',
    ]) {
      assert.equal(stripped(`${token} ${RECORD}`), `${token} ${RECORD}`, token);
    }
  });

  it('strips a timestamp of up to 40 characters, and only before the first space', () => {
    const forty = `2014-12-14T04:06:50.${'1'.repeat(14)}+01:00`;
    assert.equal(forty.length, 40);
    assert.equal(stripped(`${forty} ${RECORD}`), RECORD);
    assert.equal(stripped(`${forty.replace('.1', '.11')} ${RECORD}`), `${forty.replace('.1', '.11')} ${RECORD}`, '41 characters');
    assert.equal(stripped(` 2014-12-14T04:06Z ${RECORD}`), ` 2014-12-14T04:06Z ${RECORD}`);
    assert.equal(stripped('2014-12-14T04:06Z'), '2014-12-14T04:06Z', 'no space: no record after it');
    assert.equal(stripped('2014-12-14T04:06Z '), '');
  });
});

describe('recordBytes, JSON-wrapped events', () => {
  it('takes the message, as UTF-8, from any object that has a string message', () => {
    assert.equal(stripped('{"message":"2 é 3"}'), '2 é 3');
    assert.equal(stripped('{"id":1,"message":""}'), '');
  });

  it('refuses JSON that is broken or has no string message, naming which', () => {
    const broken = recordBytes(Buffer.from('{"message":'));
    // The parser's own words in the parentheses (they differ between Node versions).
    assert.match(isParseError(broken) ? broken.error : '', /^line starts with "\{" but is not JSON \(\S.*\)$/);
    assert.deepEqual(recordBytes(Buffer.from('{"message":2}')), { error: 'JSON line has no string "message" field' });
    assert.deepEqual(recordBytes(Buffer.from('{}')), { error: 'JSON line has no string "message" field' });
    assert.equal(stripped(' {"message":"x"}'), ' {"message":"x"}', 'only a line starting with "{" is JSON');
  });
});

describe('readHeaderlessFlow', () => {
  it('reports an overlong line as over the line cap, among the other lines in order', async () => {
    const format = formatFromFields(['version', 'start', 'action']) as FlowFormat;
    const ctx = { ref: { bucket: 'b', key: 'k' }, enricher: { lookup: () => undefined }, indexPrefix: 'p' };
    const items: LineItem[] = [
      { lineNo: 1, bytes: Buffer.from('{"message":2}') }, { lineNo: 2, overlongBytes: 900 }, { lineNo: 3, bytes: Buffer.from(`{"message":"${RECORD}"}`) }, { lineNo: 4, bytes: Buffer.from('x') },
    ];
    const batches = [];
    for await (const batch of readHeaderlessFlow((async function* () { yield items; })(), format, ctx)) batches.push(batch);
    assert.equal(batches.length, 1);
    assert.deepEqual(batches[0]?.problems, [
      { lineNo: 1, reason: 'JSON line has no string "message" field', text: '{"message":2}' },
      { lineNo: 2, reason: 'line of 900 bytes is over the line cap' },
      { lineNo: 4, reason: 'expected 3 fields (per the format), got 1', text: 'x' },
    ]);
    assert.deepEqual(batches[0]?.ops.map((op) => [op.index, op.doc['action'], op.doc['log']]), [['p-2014.12.14', 'ACCEPT', { object: 's3://b/k', line: 3 }]]);
  });
});

describe('readHeaderlessFlow with a parser', () => {
  it('gives the operations and problems this thread gives, the wrappers\' problems reported once each', async () => {
    const format = formatFromFields(['version', 'start', 'action']) as FlowFormat;
    const ctx = { ref: { bucket: 'b', key: 'k' }, enricher: { lookup: () => undefined }, indexPrefix: 'p' };
    // Batches as the splitter gives them: plain, wrapped, timestamped and bad lines, the last batch all bad.
    const batches = (): AsyncIterable<LineItem[]> => (async function* () {
      let lineNo = 0;
      for (let b = 0; b < 30; b++) {
        yield Array.from({ length: 70 }, (): LineItem => {
          lineNo += 1;
          const record = `2 ${1418530010 + lineNo} ${lineNo % 3 === 0 ? 'REJECT' : 'ACCEPT'}`;
          const text = b === 29 || lineNo % 97 === 0 ? '{"message":2}' : lineNo % 5 === 0 ? `{"message":"${record}"}` : lineNo % 7 === 0 ? `2014-12-14T04:06:50.000Z ${record}` : lineNo % 89 === 0 ? 'x' : record;
          return { lineNo, bytes: Buffer.from(text) };
        });
      }
    })();
    const read = async (parser?: BatchParser) => {
      const out: OpBatch[] = [];
      for await (const batch of readHeaderlessFlow(batches(), format, { ...ctx, parser })) out.push(batch);
      return out;
    };
    const ops = (out: OpBatch[]) => out.flatMap((b) => b.ops.map((op) => [op.index, op.id, op.json]));
    const problems = (out: OpBatch[]) => out.flatMap((b) => b.problems).sort((a, b) => a.lineNo - b.lineNo);
    const here = await read();
    // The object is what the test needs: the parser's problems and the wrappers', and a last batch of wrappers' only.
    assert.ok(problems(here).filter((p) => p.reason === 'expected 3 fields (per the format), got 1').length > 10);
    assert.deepEqual(problems(here).filter((p) => p.lineNo > 2030).map((p) => p.reason), Array<string>(70).fill('JSON line has no string "message" field'));
    assert.ok(problems(here).filter((p) => p.lineNo <= 2030 && p.reason === 'JSON line has no string "message" field').length > 10);
    assert.ok(ops(here).length > 1500);
    for (const [size, ahead] of [[1000, 2], [1, 0], [5000, 0]] as const) {
      const there = await read(holdingParser(size, ahead));
      assert.deepEqual(ops(there), ops(here), `tasks of ${size}, ${ahead} ahead`);
      assert.deepEqual(problems(there), problems(here), `tasks of ${size}, ${ahead} ahead`);
    }
  });
});

