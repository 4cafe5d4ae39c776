/**
 * The blob decision against a real node: documents the reader builds from ugly events index
 * under cloudTrailTemplate and stay searchable. Needs OpenSearch (OPENSEARCH_URL, default the
 * local stack on 127.0.0.1:9200, which the test run starts). Uses and removes `cttest-*` names.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openEnricher } from '../../src/enrich/geoip.js';
import { cloudTrailTemplate } from '../../src/formats/cloudtrail/reader.js';
import type { IndexOp } from '../../src/core/types.js';
import { body, chunked, context, event, fixture, readAll } from '../unit/formats/cloudtrail/helpers.js';
import { GEOIP_FIXTURES } from '../helpers/stack.js';

const OPENSEARCH = process.env['OPENSEARCH_URL'] ?? 'http://127.0.0.1:9200';
const PREFIX = `cttest-${process.pid}-${Date.now()}`;
const CAP = 32 * 1024;

async function call(method: string, path: string, payload?: unknown, ndjson = false): Promise<Record<string, unknown>> {
  const headers = { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' };
  const init = payload === undefined ? { method, headers } : { method, headers, body: ndjson ? (payload as string) : JSON.stringify(payload) };
  const response = await fetch(`${OPENSEARCH}${path}`, init);
  return (await response.json()) as Record<string, unknown>;
}


/** `_bulk` create of the ops; returns each item's status. */
async function createAll(ops: readonly IndexOp[]): Promise<number[]> {
  const lines = ops.flatMap((op) => [JSON.stringify({ create: { _index: op.index, _id: op.id } }), JSON.stringify(op.doc)]);
  const result = await call('POST', '/_bulk?refresh=true', `${lines.join('\n')}\n`, true);
  const items = result['items'] as { create: { status: number; error?: unknown } }[];
  return items.map((item) => item.create.status);
}

/** Event ids matching a query across this test's indices. */
async function find(query: unknown): Promise<string[]> {
  const result = await call('POST', `/${PREFIX}-*/_search`, { query, size: 50, _source: ['eventID'] });
  const hits = (result['hits'] as { hits: { _source: { eventID: string } }[] } | undefined)?.hits;
  assert.ok(hits, JSON.stringify(result).slice(0, 500));
  return hits.map((h) => h._source.eventID).sort();
}

const words = (n: number): string => Array.from({ length: n }, (_, i) => `word${i % 97}`).join(' ');
const manyKeys = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`key${i}`, i]));

/** The ugly events: every shape that breaks a naive mapping. */
const UGLY = [
  event(1, { requestParameters: { items: [{ a: 1, b: [{ c: 'x' }, { c: 'y', d: [[1, 2], [3]] }] }, { a: 2 }], policy: '{"Version":"2012-10-17"}' }, responseElements: { when: 1689801117 } }),
  event(2, { responseElements: { when: 'Jul 19, 2023 9:11:57 PM', items: 'now a string' } }),
  event(3, { additionalEventData: manyKeys }),
  event(4, { requestParameters: { policy: `needle ${words(40_000)}` } }),
  event(5, { someNewObject: { deep: { x: 1 } }, someNewNumber: 5 }),
  event(6, { someNewNumber: 'five', someNewObject: { deep: 'flat now' } }),
];

describe('CloudTrail documents on a real OpenSearch node', { timeout: 60_000 }, () => {
  before(async () => {
    await call('PUT', `/_index_template/${PREFIX}`, cloudTrailTemplate(PREFIX));
  });
  after(async () => {
    await call('DELETE', `/${PREFIX}-*`);
    await call('DELETE', `/_index_template/${PREFIX}`);
  });

  it('creates every document, however ugly its blobs, and refuses the redelivered one as already there', async () => {
    const enricher = await openEnricher({ cityDbs: [`${GEOIP_FIXTURES}GeoIP2-City-Test.mmdb`] });
    const ctx = context({ indexPrefix: PREFIX, maxBlobBytes: CAP, enricher });
    const ugly = await readAll(chunked(body(UGLY)), ctx);
    // The 200 KB leaf again, under a cap that admits it: it must go to text whole, not fail the term limit.
    const bigCap = await readAll(chunked(body([event(7, { requestParameters: { policy: `haystack ${words(40_000)}` }, responseElements: { ...manyKeys, k: 'v'.repeat(40_000) } })])), { ...ctx, maxBlobBytes: 1024 * 1024 });
    const examples = await readAll(chunked(fixture('ec2-iam-events.json')), ctx);
    const ops = [...ugly.ops, ...bigCap.ops, ...examples.ops];
    assert.equal(ops.length, 11);
    assert.deepEqual(await createAll(ops), ops.map(() => 201));
    const again = await readAll(chunked(fixture('redelivered.json')), ctx);
    assert.deepEqual(await createAll(again.ops), [201, 409]);
  });

  it('finds blob leaves by path: nested arrays, 2000 keys, a number and a date-like string under one path', async () => {
    assert.deepEqual(await find({ term: { 'requestParameters.items.b.c': 'x' } }), ['event-1']);
    assert.deepEqual(await find({ term: { 'responseElements.when': '1689801117' } }), ['event-1']);
    assert.deepEqual(await find({ term: { 'responseElements.when': 'Jul 19, 2023 9:11:57 PM' } }), ['event-2']);
    assert.deepEqual(await find({ term: { 'additionalEventData.key1999': '1999' } }), ['event-3']);
    assert.deepEqual(await find({ prefix: { 'requestParameters.policy': '{"Version"' } }), ['event-1']);
    assert.deepEqual(await find({ term: { 'someNewObject.deep.x': '1' } }), ['event-5']);
    assert.deepEqual(await find({ term: { someNewNumber: 'five' } }), ['event-6']);
  });

  it('finds cut and too-long blobs by their words and marks only the cut ones', async () => {
    assert.deepEqual(await find({ match: { requestParameters_json: 'needle' } }), ['event-4']);
    assert.deepEqual(await find({ term: { truncated: 'requestParameters' } }), ['event-4']);
    assert.deepEqual(await find({ match: { requestParameters_json: 'haystack' } }), ['event-7']);
    assert.deepEqual(await find({ term: { 'responseElements_json': 'vvv' } }), []);
    assert.deepEqual(await find({ exists: { field: 'responseElements_json' } }), ['event-7']);
  });

  it('finds the known fields, source_ip by network and the GeoIP location', async () => {
    const start = 'e755e09c-42f9-4c5c-9064-EXAMPLE228c7';
    assert.deepEqual(await find({ term: { source_ip: '81.2.69.0/24' } }), [start]);
    assert.deepEqual(await find({ term: { 'source_ip_geo.city_name': 'London' } }), [start]);
    assert.deepEqual(await find({ geo_distance: { distance: '50km', 'source_ip_geo.location': { lat: 51.5, lon: -0.1 } } }), [start]);
    const createUser = { bool: { must: [{ term: { 'userIdentity.userName': 'Mateo' } }, { term: { eventSource: 'iam.amazonaws.com' } }] } };
    assert.deepEqual(await find(createUser), ['ba0801a1-87ec-4d26-be87-EXAMPLE75bbb']);
    assert.deepEqual(await find({ bool: { must: [{ term: { eventName: 'AssumeRole' } }, { term: { readOnly: true } }, { term: { 'resources.type': 'AWS::IAM::Role' } }] } }), ['0b5c4a0e-4d5e-4c0a-9c1b-EXAMPLE6c4f1']);
    assert.equal((await find({ range: { '@timestamp': { gte: '2023-07-20T00:00:00Z' } } })).length, 1);
  });
});
