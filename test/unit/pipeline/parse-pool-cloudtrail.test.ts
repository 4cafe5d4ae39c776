/**
 * CloudTrail objects parsed on the pool's threads: the main thread cuts the records out of the
 * body, the threads parse them, and the object gives the documents, ids, problems and failure it
 * gives on the main thread alone.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { EnricherOptions } from '../../../src/enrich/geoip.js';
import type { Enricher } from '../../../src/enrich/types.js';
import { ParsePool } from '../../../src/pipeline/parse-pool.js';
import type { Placement } from '../../../src/pipeline/parse-placement.js';
import { readGzipped, suitePools } from '../../helpers/suite-pools.js';

const GEO = new URL('../../fixtures/geoip/', import.meta.url);
const ENRICHMENT: EnricherOptions = { cityDbs: [fileURLToPath(new URL('GeoIP2-City-Test.mmdb', GEO))], asnDb: fileURLToPath(new URL('GeoLite2-ASN-Test.mmdb', GEO)) };
const KEY = 'AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/19/123456789012_CloudTrail_us-east-1_20230719T2120Z_x.json.gz';
const EVENTS = (JSON.parse(readFileSync(new URL('../../fixtures/cloudtrail/ec2-iam-events.json', import.meta.url), 'utf8')) as { Records: Record<string, unknown>[] }).Records;
/** Addresses the test databases know (GeoIP and ASN), and one they do not. */
const ADDRESSES = ['81.2.69.142', '2.125.160.216', '1.128.0.1', '192.0.2.7', '2001:218::1'];
/** Records over this many bytes of JSON are passed over: a few of those below are. */
const CAP = 4000;

/** `n` records of the fixture's events, each its own, with what a worker meets: records with no identity and records over the cap. */
function recordTexts(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const event: Record<string, unknown> = { ...EVENTS[i % EVENTS.length], eventID: `event-${i}`, sourceIPAddress: ADDRESSES[i % ADDRESSES.length] };
    if (i % 97 === 5) delete event['eventTime'];
    if (i % 389 === 7) event['requestParameters'] = { blob: 'x'.repeat(CAP) };
    return JSON.stringify(event);
  });
}

const envelope = (texts: readonly string[]): string => `{"Records":[${texts.join(',')}]}`;

/** Everything the batches of an object of `text` said, documents as sent, and the failure it ended with. */
async function read(enricher: Enricher, text: string, pool?: ParsePool) {
  const { batches, ops, failure } = await readGzipped(KEY, text, {
    enricher, indexPrefix: 'vpcflowlogs', maxLineBytes: 4096, maxObjectBytes: 1 << 30, cloudtrailMaxRecordBytes: CAP, cloudTrailParser: pool?.parseCloudTrail,
  });
  return { ops, problems: batches.flatMap((b) => b.problems), failure };
}

describe('ParsePool with CloudTrail objects', () => {
  const suite = suitePools(ENRICHMENT);
  const pool = (size: number, placement?: Placement) => suite.pool(size, { placement });

  it('gives the same documents, ids and problems on 1 and 2 threads as on the main thread, in order', async () => {
    const texts = envelope(recordTexts(2600));
    const here = await read(suite.enricher, texts);
    assert.equal(here.failure, undefined);
    assert.ok(here.ops.length > 2500 && here.problems.length > 30, `${here.ops.length} documents, ${here.problems.length} problems`);
    assert.ok(here.problems.some((p) => /over CLOUDTRAIL_MAX_RECORD_BYTES/.test(p.reason)) && here.problems.some((p) => /no eventTime/.test(p.reason)));
    assert.ok(here.ops.some(([, , json]) => /"source_ip_geo":/.test(json as string)) && here.ops.some(([, , json]) => /"source_ip_as":/.test(json as string)), 'some documents are enriched');
    assert.deepEqual(await read(suite.enricher, texts, pool(1)), here);
    assert.deepEqual(await read(suite.enricher, texts, pool(2)), here);
    let task = 0;
    const turns: Placement = { onThread: () => task++ % 3 !== 0, parsedHere: () => undefined };
    assert.deepEqual(await read(suite.enricher, texts, pool(2, turns)), here, 'one task in three here');
  });

  it('a record that is no JSON: the records before it become the same documents, then the object fails the same way, and nothing after it is indexed', async () => {
    const records = recordTexts(3000);
    records[1733] = '{"eventID":"event-1733","eventTime":x}';
    const texts = envelope(records);
    const here = await read(suite.enricher, texts);
    assert.match(here.failure ?? '', /invalid JSON in record 1734: .*1733 records read before it.*\(retryable: false\)$/);
    assert.ok(here.ops.every(([, id]) => typeof id === 'string') && here.ops.length + here.problems.length === 1733);
    assert.deepEqual(await read(suite.enricher, texts, pool(2)), here);
  });

  it('a truncated body: the records before the cut, then the envelope\'s failure', async () => {
    const whole = envelope(recordTexts(1800));
    const cut = whole.slice(0, Math.floor(whole.length * 0.7));
    const here = await read(suite.enricher, cut);
    assert.match(here.failure ?? '', /the body ends early \(truncated\?\)/);
    assert.ok(here.ops.length > 1000);
    assert.deepEqual(await read(suite.enricher, cut, pool(2)), here);
  });
});
