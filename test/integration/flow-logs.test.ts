import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SampleFormat, flowLogKey, sampleLines } from '../../src/sample/flow-logs.js';
import { countDocs, dropStack, newStack, putObject, queueDepth, runWorkerUntilEmpty, sendMessage, type TestStack } from '../helpers/stack.js';

const RECORDS = 500;
const START = Date.UTC(2026, 10, 22, 7, 0) / 1000;
const KEY = flowLogKey('123456789012', 'us-east-1', 'fl-0a1b2c3d', START, 'abcd1234');
const text = (format: SampleFormat) => `${[...sampleLines({ seed: 7, records: RECORDS, format, start: START })].join('\n')}\n`;

/** Records of the full-format sample whose `field` passes `test`, counted on the plain text (header on top, space-separated). */
function recordsWhere(field: string, test: (value: string) => boolean): number {
  const [header, ...records] = text(SampleFormat.full).trimEnd().split('\n');
  const at = (header as string).split(' ').indexOf(field);
  assert.ok(at >= 0, `the sample has a ${field} field`);
  return records.filter((line) => test(line.split(' ')[at] as string)).length;
}

describe('a flow-log object put into the bucket', () => {
  let stack: TestStack;
  before(async () => {
    stack = await newStack();
    await putObject(stack, KEY, text(SampleFormat.full));
  });
  after(() => dropStack(stack));

  it('becomes exactly one document per record, and both queues end empty', async () => {
    const stats = await runWorkerUntilEmpty(stack);
    assert.equal(stats.testEvents, 1, 'the s3:TestEvent from setup is consumed');
    assert.equal(stats.documents, RECORDS);
    assert.equal(stats.created, RECORDS);
    assert.equal(await countDocs(stack), RECORDS);
    assert.equal(await queueDepth(stack, 'main'), 0);
    assert.equal(await queueDepth(stack, 'dlq'), 0);
  });

  it('is typed by the catalogue: numbers, ip, dates, and geo for public addresses', async () => {
    const index = `${stack.config.indexPrefix}-2026.11.22`;
    const mapping = (await stack.opensearch.indices.getMapping({ index })).body as Record<string, { mappings: { properties: Record<string, { type?: string; properties?: Record<string, { type: string }> }> } }>;
    const props = mapping[index]!.mappings.properties;
    assert.equal(props.srcaddr?.type, 'ip');
    assert.equal(props.bytes?.type, 'long');
    assert.equal(props.dstport?.type, 'integer');
    assert.equal(props.start?.type, 'date');
    assert.equal(props['dstaddr_geo']?.properties?.location?.type, 'geo_point');
    // The GeoIP test databases place 81.2.69.142 (only) in London and 1.128.0.1 (only) in AS1221.
    const london = recordsWhere('dstaddr', (v) => v === '81.2.69.142');
    const telstra = recordsWhere('dstaddr', (v) => v === '1.128.0.1');
    const someBytes = recordsWhere('bytes', (v) => /^\d+$/.test(v) && Number(v) >= 1);
    assert.ok(london > 0 && telstra > 0 && someBytes > 0 && someBytes < RECORDS, 'the sample has each kind of record (and some without bytes)');
    assert.equal(await countDocs(stack, { term: { 'dstaddr_geo.city_name': 'London' } }), london, 'documents to 81.2.69.142 carry London geo data');
    assert.equal(await countDocs(stack, { term: { 'dstaddr_as.number': 1221 } }), telstra, 'documents to 1.128.0.1 carry AS1221');
    assert.equal(await countDocs(stack, { range: { bytes: { gte: 1 } } }), someBytes, 'bytes are numbers that range queries see');
  });

  it('stays one document per record when the same notification comes again', async () => {
    const event = { Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: stack.bucket }, object: { key: KEY } } }] };
    await sendMessage(stack, JSON.stringify(event));
    const stats = await runWorkerUntilEmpty(stack);
    assert.equal(stats.exists, RECORDS, 'every document was already there');
    assert.equal(stats.created, 0);
    assert.equal(await countDocs(stack), RECORDS);
  });

  it('stays one document per record when the object is uploaded again', async () => {
    await putObject(stack, KEY, text(SampleFormat.full));
    const stats = await runWorkerUntilEmpty(stack);
    assert.equal(stats.documents, RECORDS);
    assert.equal(stats.created, 0);
    assert.equal(await countDocs(stack), RECORDS);
  });
});
