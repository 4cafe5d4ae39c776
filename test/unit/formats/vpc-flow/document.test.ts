import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openEnricher } from '../../../../src/enrich/geoip.js';
import type { Enricher, Enrichment } from '../../../../src/enrich/types.js';
import { FIELDS } from '../../../../src/formats/vpc-flow/catalogue.js';
import { DERIVED_MAPPINGS } from '../../../../src/formats/vpc-flow/derive.js';
import { DERIVED_FIELD_MAPPINGS, flowLogMappings, recordTime, toDocument } from '../../../../src/formats/vpc-flow/document.js';
import { DEFAULT_FORMAT, isParseError, parseHeader, parseRecord, type FlowRecord } from '../../../../src/formats/vpc-flow/parse.js';
import { fileURLToPath } from 'node:url';

function parsed(line: string, header?: string): FlowRecord {
  const format = header === undefined ? DEFAULT_FORMAT : parseHeader(header);
  if (isParseError(format)) assert.fail(format.error);
  const r = parseRecord(format, line);
  if (isParseError(r)) assert.fail(r.error);
  return r;
}

/** An enricher answering from a fixed table, recording what it was asked. */
function fakeEnricher(table: Record<string, Enrichment>): Enricher & { asked: string[] } {
  const asked: string[] = [];
  return { asked, lookup: (ip) => (asked.push(ip), table[ip]) };
}

const ACCEPT = '2 123456789010 eni-1235b8ca123456789 81.2.69.142 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';

describe('toDocument', () => {
  it('keeps AWS field names and typed values, and adds @timestamp from start', () => {
    const doc = toDocument(parsed(ACCEPT));
    assert.equal(doc['@timestamp'], '2014-12-14T04:06:50.000Z');
    assert.equal(doc['start'], 1418530010);
    assert.equal(doc['end'], 1418530070);
    assert.equal(doc['log-status'], 'OK');
    assert.equal(doc['srcport'], 20641);
    assert.equal(doc['srcaddr'], '81.2.69.142');
    assert.equal(Object.keys(doc).length, 15);
  });

  it('leaves @timestamp out when the record has no start', () => {
    const record = parsed('2 eni-1 OK', 'version interface-id log-status');
    assert.equal(recordTime(record), undefined);
    assert.deepEqual(toDocument(record), { version: 2, 'interface-id': 'eni-1', 'log-status': 'OK' });
  });

  it('adds <field>_geo and <field>_as siblings for each address the enricher knows', () => {
    const enricher = fakeEnricher({
      '81.2.69.142': { geo: { country_iso_code: 'GB', city_name: 'London' }, as: { number: 5089 } },
      '52.95.128.179': { as: { number: 16509, organization: 'AMAZON-02' } },
    });
    const header = 'version srcaddr dstaddr pkt-srcaddr pkt-dstaddr start';
    const doc = toDocument(parsed('5 81.2.69.142 10.0.0.1 52.95.128.179 10.0.0.1 1418530010', header), enricher);
    assert.deepEqual(doc['srcaddr_geo'], { country_iso_code: 'GB', city_name: 'London' });
    assert.deepEqual(doc['srcaddr_as'], { number: 5089 });
    assert.deepEqual(doc['pkt-srcaddr_as'], { number: 16509, organization: 'AMAZON-02' });
    assert.equal('pkt-srcaddr_geo' in doc, false);
    assert.equal('dstaddr_geo' in doc, false);
    assert.deepEqual(enricher.asked, ['81.2.69.142', '10.0.0.1', '52.95.128.179', '10.0.0.1']);
  });

  it('asks nothing for absent addresses', () => {
    const enricher = fakeEnricher({});
    toDocument(parsed('2 123456789010 eni-1a2b3c4d - - - - - - - 1431280876 1431280934 - NODATA'), enricher);
    assert.deepEqual(enricher.asked, []);
  });

  it('adds no derived field unless asked', () => {
    for (const key of Object.keys(DERIVED_MAPPINGS)) assert.equal(key in toDocument(parsed(ACCEPT)), false, key);
  });

  it('adds the derived fields when asked', () => {
    const doc = toDocument(parsed(ACCEPT), undefined, { derived: true });
    assert.equal(doc['protocol_name'], 'tcp');
    assert.equal(doc['duration_s'], 60);
    assert.equal(doc['srcaddr_public'], true);
    assert.equal(doc['dstaddr_public'], false);
    assert.match(String(doc['community_id']), /^1:[A-Za-z0-9+/]{27}=$/);
    assert.equal(Object.keys(doc).length, 20);
  });

  it('makes a NODATA or SKIPDATA record a status document: AWS fields, @timestamp and duration', () => {
    const enricher = fakeEnricher({});
    for (const status of ['NODATA', 'SKIPDATA']) {
      const doc = toDocument(parsed(`2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - ${status}`), enricher, { derived: true });
      assert.deepEqual(doc, {
        '@timestamp': '2015-05-10T18:01:16.000Z', version: 2, 'account-id': '123456789010', 'interface-id': 'eni-1235b8ca123456789',
        start: 1431280876, end: 1431280934, 'log-status': status, duration_s: 58,
      });
    }
    assert.deepEqual(enricher.asked, []);
  });

  it('enriches from the GeoIP2 test database end to end', async () => {
    const enricher = await openEnricher({ cityDbs: [fileURLToPath(new URL('../../../fixtures/geoip/GeoIP2-City-Test.mmdb', import.meta.url))] });
    const doc = toDocument(parsed(ACCEPT), enricher);
    assert.equal((doc['srcaddr_geo'] as { city_name?: string }).city_name, 'London');
    assert.equal('dstaddr_geo' in doc, false);
  });
});

describe('flowLogMappings', () => {
  const mappings = flowLogMappings();

  it('maps every catalogue field, epoch seconds as dates', () => {
    for (const name of Object.keys(FIELDS)) assert.ok(mappings[name], name);
    assert.deepEqual(mappings['start'], { type: 'date', format: 'epoch_second' });
    assert.deepEqual(mappings['srcaddr'], { type: 'ip' });
    assert.deepEqual(mappings['bytes'], { type: 'long' });
  });

  it('maps @timestamp and the enrichment siblings of all four address fields', () => {
    assert.deepEqual(mappings['@timestamp'], { type: 'date' });
    for (const field of ['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr']) {
      assert.deepEqual(mappings[`${field}_geo`], {
        properties: {
          country_iso_code: { type: 'keyword' }, country_name: { type: 'keyword' }, region_name: { type: 'keyword' },
          city_name: { type: 'keyword' }, location: { type: 'geo_point' },
        },
      });
      assert.deepEqual(mappings[`${field}_as`], { properties: { number: { type: 'long' }, organization: { type: 'keyword' } } });
    }
  });

  it('maps the derived fields: names as keywords, flags as booleans, duration as long', () => {
    assert.deepEqual(mappings['protocol_name'], { type: 'keyword' });
    assert.deepEqual(mappings['tcp_flags_names'], { type: 'keyword' });
    assert.deepEqual(mappings['duration_s'], { type: 'long' });
    assert.deepEqual(mappings['community_id'], { type: 'keyword' });
    for (const field of ['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr']) assert.deepEqual(mappings[`${field}_public`], { type: 'boolean' });
    // @timestamp, 8 derived, and the _geo and _as siblings of 4 address fields.
    assert.equal(Object.keys(DERIVED_FIELD_MAPPINGS).length, 1 + 8 + 8);
  });
});
