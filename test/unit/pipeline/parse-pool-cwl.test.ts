/**
 * CloudWatch Logs subscription objects (Firehose envelopes) parsed on the pool's threads: the main
 * thread cuts and parses the envelopes, the threads turn their events into documents, and the
 * object gives the documents, ids, problems, counts and failure it gives on the main thread alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { EnricherOptions } from '../../../src/enrich/geoip.js';
import type { Enricher } from '../../../src/enrich/types.js';
import { groupFormats } from '../../../src/formats/cwl/groups.js';
import { DEFAULT_FORMAT, isParseError } from '../../../src/formats/vpc-flow/parse.js';
import type { ParsePool } from '../../../src/pipeline/parse-pool.js';
import type { Placement } from '../../../src/pipeline/parse-placement.js';
import { SampleFormat, fieldsOf, sampleLines } from '../../../src/sample/flow-logs.js';
import { readGzipped, suitePools } from '../../helpers/suite-pools.js';

const GEO = new URL('../../fixtures/geoip/', import.meta.url);
const ENRICHMENT: EnricherOptions = { cityDbs: [fileURLToPath(new URL('GeoIP2-City-Test.mmdb', GEO))], asnDb: fileURLToPath(new URL('GeoLite2-ASN-Test.mmdb', GEO)) };
/** Firehose's key says nothing of what it holds: the first bytes decide. */
const KEY = 'subscriptions/2026/11/22/00/to-s3-1-2026-11-22-00-00-00-x';
const FULL_GROUP = '/vpc/full';
const FORMATS = groupFormats(JSON.stringify({ [FULL_GROUP]: fieldsOf(SampleFormat.full).map((f) => `\${${f}}`).join(' ') }), DEFAULT_FORMAT);
if (isParseError(FORMATS)) throw new Error(FORMATS.error);

const messages = (format: SampleFormat, seed: number, n: number): string[] => [...sampleLines({ seed, records: n, format, start: 1795305600 })].slice(1);

/**
 * `envelopes` DATA_MESSAGEs of 1 to 300 events, in two groups of two formats and several streams,
 * with what a worker meets: bad records, a lone surrogate, a line break at a message's end,
 * numeric ids, CONTROL_MESSAGEs, and envelopes that are no DATA_MESSAGE.
 */
function envelopes(count: number): string[] {
  const defaults = messages(SampleFormat.default, 1, 20_000);
  const fulls = messages(SampleFormat.full, 2, 20_000);
  const out: string[] = [];
  let id = 1;
  for (let e = 0; e < count; e++) {
    const full = e % 3 === 1;
    const logEvents = Array.from({ length: 1 + ((e * 53) % 300) }, (_, i) => {
      const n = id++;
      let message = (full ? fulls : defaults)[n % 20_000] as string;
      if (n % 211 === 0) message = 'not a flow record';
      if (n % 509 === 0) message = `bad \ud800 record`;
      if (n % 7 === 0) message += '\n';
      return { id: n % 5 === 0 ? n : String(n), timestamp: 1795305600000 + i, message };
    });
    out.push(JSON.stringify({ messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: full ? FULL_GROUP : '/vpc/default', logStream: `eni-${e % 4}`, subscriptionFilters: ['s'], logEvents }));
    if (e % 10 === 4) out.push(JSON.stringify({ messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', logEvents: [] }));
    if (e % 17 === 9) out.push(JSON.stringify({ messageType: 'DATA_MESSAGE', logStream: 'no group', logEvents: [] }));
  }
  return out;
}

/**
 * Everything the batches of an object of `text` said, documents as sent, and the failure it ended
 * with. Problems in ordinal order: on the threads, an envelope's own problem goes with the next
 * batch given back, not in a batch of its own.
 */
async function read(enricher: Enricher, text: string, pool?: ParsePool, dropStatusRecords = false) {
  const { batches, ops, failure } = await readGzipped(KEY, text, {
    enricher, indexPrefix: 'vpcflowlogs', maxLineBytes: 4096, maxObjectBytes: 1 << 30, groupFormats: FORMATS as never, dropStatusRecords, cwlParser: pool?.parseCwl,
  });
  return {
    ops,
    problems: batches.flatMap((b) => b.problems).sort((a, b) => a.lineNo - b.lineNo),
    statusRecords: batches.reduce((sum, b) => sum + (b.statusRecords ?? 0), 0),
    dropped: batches.reduce((sum, b) => sum + (b.dropped ?? 0), 0),
    failure,
  };
}

describe('ParsePool with CloudWatch Logs subscription objects', () => {
  const suite = suitePools(ENRICHMENT);
  const pool = (size: number, placement?: Placement) => suite.pool(size, { placement });

  it('gives the same documents, ids, problems and counts on 1 and 2 threads as on the main thread, in order', async () => {
    const text = envelopes(40).join('');
    const here = await read(suite.enricher, text);
    assert.equal(here.failure, undefined);
    assert.ok(here.ops.length > 5000 && here.statusRecords > 0, `${here.ops.length} documents, ${here.statusRecords} status records`);
    const reasons = here.problems.map((p) => p.reason);
    assert.ok(reasons.some((r) => /^\/vpc\/full eni-\d event \d+: /.test(r)) && reasons.some((r) => /^envelope \d+: DATA_MESSAGE without logGroup/.test(r)), reasons.slice(0, 3).join('; '));
    assert.ok(here.problems.some((p) => p.text === 'bad \ud800 record'), 'a problem keeps its message as it came, lone surrogate and all');
    assert.ok(here.ops.some(([, , json]) => /"srcaddr":.*"log":\{"group":"\/vpc\/full"/.test(json as string)), 'the full format\'s group is read in its format');
    assert.ok(here.ops.some(([, , json]) => /"dstaddr_geo":/.test(json as string)), 'some documents are enriched');
    assert.deepEqual(await read(suite.enricher, text, pool(1)), here);
    assert.deepEqual(await read(suite.enricher, text, pool(2)), here);
    let task = 0;
    let weighed = 0;
    const turns: Placement = {
      onThread: (chars) => {
        weighed += chars;
        return task++ % 3 !== 0;
      },
      parsedHere: () => undefined,
    };
    assert.deepEqual(await read(suite.enricher, text, pool(2, turns)), here, 'one task in three here');
    const messages = envelopes(40).flatMap((e) => (JSON.parse(e) as { logEvents?: Array<{ message: string }> }).logEvents ?? []);
    assert.equal(weighed, messages.reduce((sum, e) => sum + e.message.length, 0), 'tasks weighed by their messages\' characters');
  });

  it('drops status records the same way when told to', async () => {
    const text = envelopes(25).join('');
    const here = await read(suite.enricher, text, undefined, true);
    assert.ok(here.dropped > 0 && here.dropped === here.statusRecords, `${here.dropped} dropped of ${here.statusRecords}`);
    assert.deepEqual(await read(suite.enricher, text, pool(2), true), here);
  });

  it('an envelope that is no JSON: the envelopes before it become the same documents and problems, then the object fails the same way', async () => {
    const parts = envelopes(30);
    const text = `${parts.slice(0, 21).join('')}{"messageType":"DATA_MESSAGE",x}${parts.slice(21).join('')}`;
    const here = await read(suite.enricher, text);
    assert.match(here.failure ?? '', /not CloudWatch Logs envelopes after envelope \d+: invalid JSON: .*\(retryable: false\)$/);
    assert.ok(here.ops.length > 2000 && here.problems.length > 0);
    assert.deepEqual(await read(suite.enricher, text, pool(2)), here);
  });
});
