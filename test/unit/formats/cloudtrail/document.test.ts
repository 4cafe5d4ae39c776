import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { noopEnricher } from '../../../../src/enrich/geoip.js';
import type { Enricher } from '../../../../src/enrich/types.js';
import { keyId } from '../../../../src/core/id.js';
import { encodeOp, serializeOp } from '../../../../src/sink/bulk-body.js';
import { OversizedRecord } from '../../../../src/formats/cloudtrail/body.js';
import { ID_NAMESPACE, fieldByField, parseEventTime, recordOutcomes, toDocument, type DocumentOptions } from '../../../../src/formats/cloudtrail/document.js';

const options: DocumentOptions = { enricher: noopEnricher, indexPrefix: 'cloudtrail', maxBlobBytes: 64 };
const TIME = '2023-07-19T21:14:20Z';

describe('parseEventTime', () => {
  it('reads ISO-8601 UTC seconds, with up to three fraction digits', () => {
    assert.equal(parseEventTime(TIME), Date.UTC(2023, 6, 19, 21, 14, 20));
    assert.equal(parseEventTime('2023-07-19T21:14:20.1Z'), Date.UTC(2023, 6, 19, 21, 14, 20, 100));
    assert.equal(parseEventTime('2023-07-19T21:14:20.12Z'), Date.UTC(2023, 6, 19, 21, 14, 20, 120));
    assert.equal(parseEventTime('2023-07-19T21:14:20.123Z'), Date.UTC(2023, 6, 19, 21, 14, 20, 123));
    assert.equal(parseEventTime('1999-12-31T23:59:59Z'), Date.UTC(1999, 11, 31, 23, 59, 59));
  });

  it('refuses other layouts, impossible dates and non-strings', () => {
    for (const value of [
      '2023-07-19T21:14:20.1234Z', '2023-07-19T21:14:20.Z', '2023-07-19T21:14:20', '2023-07-19T21:14:20+00:00', '2023-07-19 21:14:20Z',
      ' 2023-07-19T21:14:20Z', '2023-07-19T21:14:20Z ', '23-07-19T21:14:20Z', '2023-7-19T21:14:20Z', '2023-07-9T21:14:20Z',
      '2023-07-19T1:14:20Z', '2023-07-19T21:4:20Z', '2023-07-19T21:14:2Z', '2023-07-19T21:14:20z', 'x023-07-19T21:14:20Z',
      '2023-02-30T00:00:00Z', '2023-13-01T00:00:00Z', '2023-07-19T24:00:00Z', '2023-07-19T23:60:00Z',
      1689801117, null, undefined, { eventTime: TIME },
    ]) {
      assert.equal(parseEventTime(value), undefined, JSON.stringify(value));
    }
  });

  it('gives what Date.parse of the whole text gives, for any digits in the layout, in any order', () => {
    // The reference: the whole text through Date.parse, kept only when it prints back the same.
    const reference = (value: string): number | undefined => {
      const ms = Date.parse(value);
      return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== value.slice(0, 19) ? undefined : ms;
    };
    const digits = (n: number, max: number) => fc.integer({ min: 0, max }).map((v) => String(v).padStart(n, '0'));
    const time = fc
      .tuple(
        fc.oneof(digits(4, 9999), fc.constantFrom('2023', '2024', '1900', '2000', '0000')),
        digits(2, 19), digits(2, 39), digits(2, 29), digits(2, 69), digits(2, 69),
        fc.oneof(fc.constant(''), fc.integer({ min: 1, max: 3 }).chain((n) => digits(n, 10 ** n - 1).map((f) => `.${f}`))),
      )
      .map(([y, mo, d, h, mi, se, frac]) => `${y}-${mo}-${d}T${h}:${mi}:${se}${frac}Z`);
    // Many times on a few days, and days that do not exist, so the remembered day is tried both ways.
    const sameDays = fc.array(fc.tuple(fc.constantFrom('2024-02-29', '2023-02-29', '2023-04-31', '2023-12-31', '2023-00-10'), time), { maxLength: 20 })
      .map((pairs) => pairs.map(([day, t]) => `${day}${t.slice(10)}`));
    fc.assert(
      fc.property(fc.array(time, { maxLength: 20 }), sameDays, (a, b) => {
        for (const value of [...a, ...b, ...a]) assert.equal(parseEventTime(value), reference(value), value);
      }),
      { numRuns: 300 },
    );
  });
});

describe('recordOutcomes', () => {
  const outcome = recordOutcomes(options);
  const problemOf = (record: unknown): unknown => {
    const result = outcome(record, 7);
    return 'problem' in result ? result.problem : undefined;
  };

  it('makes a record an op, its document serialised: its daily index by eventTime (UTC) and the id of its eventID', () => {
    const record = { eventID: 'e-1', eventTime: '2023-07-19T23:59:59.999Z' };
    const made = outcome(record, 1);
    assert.ok('op' in made);
    const expected = { index: 'cloudtrail-2023.07.19', id: keyId(ID_NAMESPACE, 'e-1'), doc: { '@timestamp': '2023-07-19T23:59:59.999Z', eventID: 'e-1', eventTime: '2023-07-19T23:59:59.999Z' } };
    assert.deepEqual({ index: made.op.index, id: made.op.id, doc: made.op.doc }, expected);
    assert.equal(made.op.json, JSON.stringify(expected.doc), 'serialised as it is made: the record and its document die young');
    assert.equal(Buffer.from(encodeOp(made.op)).toString('utf8'), serializeOp(expected));
    assert.equal(ID_NAMESPACE, 'cloudtrail');
    const next = outcome({ eventID: 'e-2', eventTime: '2023-07-20T00:00:00Z' }, 2);
    assert.equal('op' in next && next.op.index, 'cloudtrail-2023.07.20');
  });

  it('names what a record lacks, with its ordinal and its JSON', () => {
    const cases: Array<[unknown, string]> = [
      [[1], 'record is an array, not a JSON object'],
      [null, 'record is null, not a JSON object'],
      ['s', 'record is a string, not a JSON object'],
      [5, 'record is a number, not a JSON object'],
      [true, 'record is a boolean, not a JSON object'],
      [{ eventTime: TIME }, 'record has no eventID (the document id is made from it)'],
      [{ eventID: '', eventTime: TIME }, 'eventID is a string "", expected a non-empty string'],
      [{ eventID: 5, eventTime: TIME }, 'eventID is a number 5, expected a non-empty string'],
      [{ eventID: null, eventTime: TIME }, 'eventID is null null, expected a non-empty string'],
      [{ eventID: ['a'], eventTime: TIME }, 'eventID is an array ["a"], expected a non-empty string'],
      [{ eventID: { id: 'a' }, eventTime: TIME }, 'eventID is an object {"id":"a"}, expected a non-empty string'],
      [{ eventID: 'e' }, 'record has no eventTime'],
      [{ eventID: 'e', eventTime: 'Jul 19, 2023' }, 'eventTime "Jul 19, 2023" is not an ISO-8601 UTC time'],
      [{ eventID: 'e', eventTime: null }, 'eventTime null is not an ISO-8601 UTC time'],
    ];
    for (const [record, reason] of cases) assert.deepEqual(problemOf(record), { lineNo: 7, reason, text: JSON.stringify(record) }, reason);
  });

  it('cuts the text of a long bad record to the problem text length', () => {
    const problem = problemOf({ eventTime: TIME, pad: 'p'.repeat(600) }) as { text: string };
    assert.equal(problem.text, `${JSON.stringify({ eventTime: TIME, pad: 'p'.repeat(600) }).slice(0, 512)}…`);
  });

  it('reports an oversized record by its ordinal and the cap, keeping none of it', () => {
    assert.deepEqual(problemOf(new OversizedRecord(2000, 1024)), {
      lineNo: 7, reason: 'record of 2000 bytes of JSON is over CLOUDTRAIL_MAX_RECORD_BYTES (1024): passed over, not parsed',
    });
  });
});

describe('toDocument', () => {
  const doc = (record: Record<string, unknown>, enricher: Enricher = noopEnricher): Record<string, unknown> => toDocument(record, { ...options, enricher });

  it('puts @timestamp first, then the record\'s fields in their order', () => {
    assert.deepEqual(Object.keys(doc({ eventID: 'e', eventTime: TIME, awsRegion: 'eu-west-1' })), ['@timestamp', 'eventID', 'eventTime', 'awsRegion']);
  });

  it('keeps keyword scalars as they are, and objects or arrays in them as JSON text', () => {
    assert.deepEqual(doc({ eventTime: TIME, errorCode: 'X', errorMessage: null, eventVersion: 1.08, userAgent: ['a', 1], apiVersion: { v: 2 } }), {
      '@timestamp': TIME, eventTime: TIME, errorCode: 'X', errorMessage: null, eventVersion: 1.08, userAgent: '["a",1]', apiVersion: '{"v":2}',
    });
  });

  it('keeps booleans and their strings, and leaves out any other value', () => {
    assert.deepEqual(doc({ readOnly: true, managementEvent: 'false', sessionCredentialFromConsole: 'true' }), {
      '@timestamp': undefined, readOnly: true, managementEvent: false, sessionCredentialFromConsole: true,
    });
    assert.deepEqual(doc({ readOnly: false, managementEvent: 'TRUE', sessionCredentialFromConsole: 1 }), { '@timestamp': undefined, readOnly: false });
    assert.deepEqual(doc({ readOnly: null, managementEvent: 0 }), { '@timestamp': undefined });
  });

  it('keeps mapped objects, arrays of objects and null; anything else goes to <field>_json', () => {
    assert.deepEqual(doc({ userIdentity: { type: 'Root' }, resources: [{ ARN: 'a' }, { ARN: 'b' }], tlsDetails: null, addendum: [] }), {
      '@timestamp': undefined, userIdentity: { type: 'Root' }, resources: [{ ARN: 'a' }, { ARN: 'b' }], tlsDetails: null, addendum: [],
    });
    assert.deepEqual(doc({ userIdentity: 'root', resources: [{ ARN: 'a' }, 'b'], tlsDetails: 5, addendum: [[{}]] }), {
      '@timestamp': undefined, userIdentity_json: 'root', resources_json: '[{"ARN":"a"},"b"]', tlsDetails_json: '5', addendum_json: '[[{}]]',
    });
  });

  it('keeps blobs within the cap as objects, and cuts longer ones into <field>_json, listed in truncated in record order', () => {
    const long = { k: 'v'.repeat(100) };
    assert.deepEqual(doc({ responseElements: long, requestParameters: { a: 1 }, additionalEventData: 'text', newBlob: long, serviceEventDetails: null }), {
      '@timestamp': undefined,
      responseElements_json: JSON.stringify(long).slice(0, 64),
      requestParameters: { a: 1 },
      additionalEventData_json: 'text',
      newBlob_json: JSON.stringify(long).slice(0, 64),
      serviceEventDetails: null,
      truncated: ['responseElements', 'newBlob'],
    });
  });

  it('never copies a record key named like a derived field', () => {
    const forged = { '@timestamp': 'forged', source_ip: '1.1.1.1', source_ip_geo: {}, source_ip_as: {}, truncated: ['x'], requestParameters_json: 'forged', other_json: 1 };
    assert.deepEqual(doc({ eventTime: TIME, ...forged }), { '@timestamp': TIME, eventTime: TIME });
  });

  it('keeps __proto__ and constructor as own fields, whatever their values', () => {
    const record = JSON.parse('{"__proto__":{"polluted":true},"constructor":"c","hasOwnProperty":1}') as Record<string, unknown>;
    const result = doc(record);
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(result, '__proto__'), { value: { polluted: true }, enumerable: true, writable: true, configurable: true });
    assert.equal(JSON.stringify(result), '{"__proto__":{"polluted":true},"constructor":"c","hasOwnProperty":1}');
  });

  it('adds source_ip with what the enricher knows for an address, nothing for a name or a zoned address', () => {
    const geo = { country_iso_code: 'GB' };
    const as = { number: 64500, organization: 'Example' };
    const asked: string[] = [];
    const enricher: Enricher = {
      lookup: (ip) => {
        asked.push(ip);
        return ip === '81.2.69.142' ? { geo, as } : ip === '2001:db8::1' ? { as } : ip === '192.0.2.1' ? { geo } : undefined;
      },
    };
    assert.deepEqual(doc({ sourceIPAddress: '81.2.69.142' }, enricher), { '@timestamp': undefined, sourceIPAddress: '81.2.69.142', source_ip: '81.2.69.142', source_ip_geo: geo, source_ip_as: as });
    assert.deepEqual(doc({ sourceIPAddress: '2001:db8::1' }, enricher), { '@timestamp': undefined, sourceIPAddress: '2001:db8::1', source_ip: '2001:db8::1', source_ip_as: as });
    assert.deepEqual(doc({ sourceIPAddress: '192.0.2.1' }, enricher), { '@timestamp': undefined, sourceIPAddress: '192.0.2.1', source_ip: '192.0.2.1', source_ip_geo: geo });
    assert.deepEqual(doc({ sourceIPAddress: '10.0.0.1' }, enricher), { '@timestamp': undefined, sourceIPAddress: '10.0.0.1', source_ip: '10.0.0.1' });
    for (const address of ['ec2.amazonaws.com', 'fe80::1%eth0', '', 5]) {
      assert.deepEqual(doc({ sourceIPAddress: address }, enricher), { '@timestamp': undefined, sourceIPAddress: address }, String(address));
    }
    assert.deepEqual(asked, ['81.2.69.142', '2001:db8::1', '192.0.2.1', '10.0.0.1']);
  });
});

describe('toDocument against the field-by-field build', () => {
  // Names of every kind (scalar, boolean, object, blob), derived names, an unknown one, `__proto__` and an index.
  const keys = fc.constantFrom(
    'eventName', 'userAgent', 'errorMessage', 'readOnly', 'managementEvent', 'userIdentity', 'resources', 'requestParameters',
    'responseElements', '@timestamp', 'source_ip', 'source_ip_geo', 'truncated', 'requestParameters_json', 'x_json', 'someNewField',
    '__proto__', '0', '12',
  );
  const leaf = fc.oneof(fc.constantFrom('true', 'false', true, false, null, 0, 'x', 'y'.repeat(60)), fc.string({ maxLength: 8 }), fc.integer());
  const value = fc.oneof(
    leaf,
    fc.dictionary(fc.string({ maxLength: 4 }), leaf, { maxKeys: 3 }),
    fc.array(fc.dictionary(fc.string({ maxLength: 4 }), leaf, { maxKeys: 2 }), { maxLength: 3 }),
    fc.array(leaf, { maxLength: 3 }),
  );

  it('gives the same document, key order included, for any fields, kinds and caps', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(keys, value), { maxLength: 12 }), fc.integer({ min: 0, max: 120 }), fc.boolean(), (fields, maxBlobBytes, sized) => {
        // Parsed from text, as the body reader gives records: `__proto__` an own key, a repeated key's last value in its first place.
        const text = `{"eventTime":"${TIME}","eventID":"e"${fields.map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`).join('')}}`;
        const record = JSON.parse(text) as Record<string, unknown>;
        const bytes = sized ? Buffer.byteLength(text) : Number.POSITIVE_INFINITY;
        const truncated: string[] = [];
        const expected = fieldByField(record, maxBlobBytes, bytes, truncated);
        if (truncated.length > 0) expected['truncated'] = truncated;
        const got = toDocument(record, { ...options, maxBlobBytes }, bytes);
        assert.equal(JSON.stringify(got), JSON.stringify(expected), text);
        assert.deepEqual(Object.keys(got), Object.keys(expected));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('recordOutcomes against toDocument', () => {
  const geo = { country_iso_code: 'GB', location: { lat: 51.5, lon: -0.1 } };
  const as = { number: 64500, organization: 'Example "AS"' };
  // Remembered answers, one object per address as the enricher's cache gives them, and one made anew on each call.
  const answers = new Map<string, { geo?: typeof geo; as?: typeof as }>([['81.2.69.142', { geo, as }], ['2001:db8::1', { as }], ['192.0.2.1', { geo }], ['198.51.100.7', {}]]);
  const enricher: Enricher = { lookup: (ip) => (ip === '203.0.113.9' ? { geo: { city_name: 'Anew' } } : answers.get(ip)) };
  const address = fc.constantFrom('81.2.69.142', '2001:db8::1', '192.0.2.1', '198.51.100.7', '203.0.113.9', '10.0.0.1', 'ec2.amazonaws.com', 'fe80::1%eth0', '', 5, null);
  const field = fc.tuple(fc.constantFrom('eventName', 'requestParameters', 'responseElements', 'source_ip', 'truncated', '__proto__', '7'), fc.oneof(fc.string({ maxLength: 8 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string({ maxLength: 8 }), fc.constant('y'.repeat(70))), { maxKeys: 2 })));

  it('serialises the very document toDocument builds, source_ip, its GeoIP and ASN and truncated included, every time', () => {
    const outcome = recordOutcomes({ ...options, enricher });
    fc.assert(
      fc.property(fc.array(field, { maxLength: 6 }), fc.option(address, { nil: undefined }), fc.integer({ min: 1, max: 3 }), (fields, source, times) => {
        const text = `{"eventTime":"${TIME}","eventID":"e"${source === undefined ? '' : `,"sourceIPAddress":${JSON.stringify(source)}`}${fields.map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`).join('')}}`;
        const record = JSON.parse(text) as Record<string, unknown>;
        const expected = JSON.stringify(toDocument(record, { ...options, enricher }, Buffer.byteLength(text)));
        // Again and again: an answer's JSON, once remembered, is the same.
        for (let i = 0; i < times; i++) {
          const made = outcome(record, 1, Buffer.byteLength(text));
          assert.ok('op' in made);
          assert.equal(made.op.json, expected, text);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
