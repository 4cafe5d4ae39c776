import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kindSpec } from '../../../src/query/fields.js';
import { matches, parseCondition, parseFindip, toOpenSearchQuery, type QueryFilter } from '../../../src/query/filter.js';
import { OutputFormat, RowWriter, cellText } from '../../../src/query/output.js';
import { TopCounter, parseTop } from '../../../src/query/top.js';
import { PassThrough } from 'node:stream';

const flows = kindSpec('flows');
const doc = {
  '@timestamp': '2026-11-22T10:59:30.000Z', srcaddr: '172.20.0.12', dstaddr: '54.245.120.220', 'pkt-dstaddr': '10.9.9.9', dstport: 443,
  action: 'ACCEPT', bytes: 1200, tcp_flags_names: ['SYN', 'ACK'], srcaddr_geo: { country_iso_code: 'US' },
};
const filter = (f: Partial<QueryFilter>): QueryFilter => ({ range: {}, where: [], ...f });

describe('filter on a document', () => {
  it('findip matches either side, pkt-* fields and CIDR blocks, IPv6 too', () => {
    assert.equal(matches(flows, filter({ findip: parseFindip('54.245.120.220') }), doc), true);
    assert.equal(matches(flows, filter({ findip: parseFindip('10.9.0.0/16') }), doc), true);
    assert.equal(matches(flows, filter({ findip: parseFindip('10.8.0.0/16') }), doc), false);
    assert.equal(matches(flows, filter({ findip: parseFindip('2001:db8::/32') }), { ...doc, srcaddr: '2001:db8::5' }), true);
    assert.throws(() => parseFindip('10.0.0.0/33'), /findip "10.0.0.0\/33"/);
  });
  it('--where compares by the field type: numbers, addresses, lists, nested paths; != also matches a missing field', () => {
    const holds = (w: string, d: Record<string, unknown> = doc) => matches(flows, filter({ where: [parseCondition(flows, w)] }), d);
    assert.equal(holds('dstport=443'), true);
    assert.equal(holds('dstport!=443'), false);
    assert.equal(holds('tcp_flags_names=ACK'), true);
    assert.equal(holds('srcaddr_geo.country_iso_code=US'), true);
    assert.equal(holds('srcaddr=172.20.0.0/16'), true);
    assert.equal(holds('reject-reason!=BPA'), true);
    assert.throws(() => parseCondition(flows, 'dstport=https'), /dstport holds numbers/);
    assert.throws(() => parseCondition(flows, 'nope=1'), /"nope" is not a field of the flows index/);
    assert.throws(() => parseCondition(flows, 'dstport'), /field=value or field!=value expected/);
  });
  it('the time range is half-open: since included, until excluded', () => {
    const at = (since: number, until: number) => matches(flows, filter({ range: { since, until } }), doc);
    const t = Date.parse(doc['@timestamp']);
    assert.equal(at(t, t + 1), true);
    assert.equal(at(t - 1, t), false);
  });
  it('builds the OpenSearch query of the same filter', () => {
    const q = toOpenSearchQuery(flows, filter({ range: { since: 1, until: 2 }, findip: parseFindip('10.0.0.0/8'), where: [parseCondition(flows, 'action!=ACCEPT')] }));
    assert.deepEqual(q, {
      bool: {
        filter: [
          { range: { '@timestamp': { gte: 1, lt: 2, format: 'epoch_millis' } } },
          { bool: { should: ['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr'].map((f) => ({ term: { [f]: '10.0.0.0/8' } })), minimum_should_match: 1 } },
        ],
        must_not: [{ term: { action: 'ACCEPT' } }],
      },
    });
  });
});

describe('top and output', () => {
  it('ranks by the summed measure, ties by value', () => {
    const counter = new TopCounter(parseTop(flows, 'srcaddr', 'bytes', 2));
    for (const [srcaddr, bytes] of [['b', 5], ['a', 5], ['c', 1], ['b', 1]] as const) counter.add({ srcaddr, bytes });
    assert.deepEqual(counter.rows(), [{ key: 'b', value: 6 }, { key: 'a', value: 5 }]);
    assert.throws(() => parseTop(kindSpec('cloudtrail'), 'eventName', 'bytes', 2), /CloudTrail events have no bytes/);
    assert.throws(() => parseTop(flows, 'srcaddr_geo.location', 'flows', 2), /geo_point field cannot be ranked/);
  });
  it('prints - for a missing value and quotes CSV fields that need it', async () => {
    assert.equal(cellText(doc, 'srcport'), '-');
    assert.equal(cellText(doc, 'tcp_flags_names'), 'SYN,ACK');
    const out = new PassThrough();
    const writer = new RowWriter(out, OutputFormat.csv, ['a', 'b'], true);
    await writer.start();
    await writer.write(['x,y', 'say "hi"'], {});
    out.end();
    assert.equal(out.read().toString(), 'a,b\n"x,y","say ""hi"""\n');
  });
});
