import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Enricher, Enrichment } from '../../../../src/enrich/types.js';
import {
  AS_SUFFIX, GEO_SUFFIX, LOG_FIELD, LOG_MAPPING, isoTime, recordTime, toDocument,
} from '../../../../src/formats/vpc-flow/document.js';
import { MAX_EPOCH_SECONDS, type FlowRecord } from '../../../../src/formats/vpc-flow/parse.js';

/**
 * toDocument at its edges: the event time at both ends of its range (a hand-built record may hold
 * any number), enrichment of each of the four address fields, and the provenance field's mapping.
 */
const rec = (fields: FlowRecord['fields']): FlowRecord => ({ fields });

describe('toDocument, the event time', () => {
  it('writes @timestamp for start from 0 to the end of year 9999', () => {
    assert.deepEqual(toDocument(rec({ start: 0 })), { '@timestamp': '1970-01-01T00:00:00.000Z', start: 0 });
    assert.deepEqual(toDocument(rec({ start: MAX_EPOCH_SECONDS })), { '@timestamp': '9999-12-31T23:59:59.000Z', start: MAX_EPOCH_SECONDS });
  });

  it('writes none, and does not throw, for a start outside that range or not a number', () => {
    assert.deepEqual(toDocument(rec({ start: -1 })), { start: -1 });
    assert.deepEqual(toDocument(rec({ start: MAX_EPOCH_SECONDS + 1 })), { start: MAX_EPOCH_SECONDS + 1 });
    assert.deepEqual(toDocument(rec({ start: '1418530010' })), { start: '1418530010' });
    assert.equal(recordTime(rec({ start: '1418530010' })), undefined);
    assert.equal(recordTime(rec({ start: 0 })), 0);
  });

  it('adds derived fields only when asked with true', () => {
    const record = rec({ start: 10, end: 12 });
    assert.deepEqual(toDocument(record, undefined, {}), { '@timestamp': '1970-01-01T00:00:10.000Z', start: 10, end: 12 });
    assert.deepEqual(toDocument(record, undefined, { derived: false }), { '@timestamp': '1970-01-01T00:00:10.000Z', start: 10, end: 12 });
    assert.deepEqual(toDocument(record, undefined, { derived: true }), { '@timestamp': '1970-01-01T00:00:10.000Z', start: 10, end: 12, duration_s: 2 });
  });

  it('formats times as ISO-8601 UTC with milliseconds', () => {
    assert.equal(isoTime(1418530010), '2014-12-14T04:06:50.000Z');
    assert.equal(isoTime(1418530010), '2014-12-14T04:06:50.000Z');
  });
});

describe('toDocument, enrichment', () => {
  const known: Record<string, Enrichment> = {
    '1.1.1.1': { geo: { country_iso_code: 'AU' }, as: { number: 13335 } },
    '2.2.2.2': { geo: { country_iso_code: 'FR' }, as: { number: 3215 } },
    '3.3.3.3': { geo: { country_iso_code: 'US' }, as: { number: 16509 } },
    '4.4.4.4': { geo: { country_iso_code: 'DE' }, as: { number: 3356 } },
    '5.5.5.5': { as: { number: 1 } },
    '6.6.6.6': { geo: { city_name: 'Nowhere' } },
  };
  const enricher: Enricher = { lookup: (ip) => known[ip] };

  it('adds _geo and _as for each of the four address fields, under its own name', () => {
    const fields = { srcaddr: '1.1.1.1', dstaddr: '2.2.2.2', 'pkt-srcaddr': '3.3.3.3', 'pkt-dstaddr': '4.4.4.4' };
    assert.deepEqual(toDocument(rec(fields), enricher), {
      ...fields,
      srcaddr_geo: { country_iso_code: 'AU' }, srcaddr_as: { number: 13335 },
      dstaddr_geo: { country_iso_code: 'FR' }, dstaddr_as: { number: 3215 },
      'pkt-srcaddr_geo': { country_iso_code: 'US' }, 'pkt-srcaddr_as': { number: 16509 },
      'pkt-dstaddr_geo': { country_iso_code: 'DE' }, 'pkt-dstaddr_as': { number: 3356 },
    });
  });

  it('adds only the sibling the enricher knows, and nothing for an unknown address or a number', () => {
    assert.deepEqual(toDocument(rec({ srcaddr: '5.5.5.5', dstaddr: '6.6.6.6', 'pkt-srcaddr': '6.6.6.6', 'pkt-dstaddr': '5.5.5.5' }), enricher), {
      srcaddr: '5.5.5.5', dstaddr: '6.6.6.6', 'pkt-srcaddr': '6.6.6.6', 'pkt-dstaddr': '5.5.5.5',
      srcaddr_as: { number: 1 }, dstaddr_geo: { city_name: 'Nowhere' }, 'pkt-srcaddr_geo': { city_name: 'Nowhere' }, 'pkt-dstaddr_as': { number: 1 },
    });
    const asked: string[] = [];
    const spy: Enricher = { lookup: (ip) => (asked.push(ip), undefined) };
    assert.deepEqual(toDocument(rec({ srcaddr: '9.9.9.9', dstaddr: 7 }), spy), { srcaddr: '9.9.9.9', dstaddr: 7 });
    assert.deepEqual(asked, ['9.9.9.9']);
  });
});

describe('the provenance field', () => {
  it('is `log`, mapped as object and line, or group, stream and event id', () => {
    assert.equal(LOG_FIELD, 'log');
    assert.deepEqual(LOG_MAPPING, {
      properties: { object: { type: 'keyword' }, line: { type: 'long' }, group: { type: 'keyword' }, stream: { type: 'keyword' }, event_id: { type: 'keyword' } },
    });
    assert.deepEqual([GEO_SUFFIX, AS_SUFFIX], ['_geo', '_as']);
  });
});
