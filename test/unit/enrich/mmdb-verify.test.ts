import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Reader } from 'maxmind';
import { verifyMmdb } from '../../../src/enrich/mmdb-verify.js';
import { buildMmdb } from './mmdb-factory.js';
import { fileURLToPath } from 'node:url';

const TESTDATA = fileURLToPath(new URL('../../fixtures/geoip', import.meta.url));
const shapeOf = (db: Buffer) => new Reader(db).metadata;

function sample(): Buffer {
  return buildMmdb({
    ipVersion: 4, databaseType: 'city ipv4',
    networks: [
      { cidr: '81.2.69.0/24', data: { city: 'London', latitude: { double: 51.5 }, tags: ['a', 'b'] } },
      { cidr: '2.125.0.0/16', data: { city: 'Boxford', latitude: { float: 51.75 } } },
    ],
  });
}

describe('verifyMmdb', () => {
  it('finds nothing wrong with the shipped MaxMind test databases', () => {
    for (const name of ['GeoIP2-City-Test.mmdb', 'GeoLite2-City-Test.mmdb', 'GeoIP2-Country-Test.mmdb', 'GeoLite2-ASN-Test.mmdb']) {
      const db = readFileSync(`${TESTDATA}/${name}`);
      assert.equal(verifyMmdb(db, shapeOf(db)), undefined, name);
    }
  });

  it('finds the double of the wrong size that mmdb-lib reads without complaint', () => {
    const db = readFileSync(`${TESTDATA}/GeoIP2-City-Test-Broken-Double-Format.mmdb`);
    assert.match(verifyMmdb(db, shapeOf(db)) ?? '', /^double at data offset \d+ has size 6, the format requires 8$/);
  });

  it('accepts a well-formed built database', () => {
    const db = sample();
    assert.equal(verifyMmdb(db, shapeOf(db)), undefined);
  });

  it('finds a double whose size byte was changed', () => {
    const db = sample();
    const dataStart = shapeOf(db).nodeCount * 6 + 16;
    const at = db.indexOf(0x68, dataStart); // control byte: type 3 (double), size 8
    db[at] = 0x64; // size 4
    assert.match(verifyMmdb(db, shapeOf(db)) ?? '', /double .* has size 4/);
  });

  it('finds a node count that does not match the tree', () => {
    const db = sample();
    const shape = shapeOf(db);
    assert.match(verifyMmdb(db, { ...shape, nodeCount: shape.nodeCount - 1 }) ?? '', /16 zero bytes|outside the data section/);
  });

  it('finds an unsupported record size', () => {
    const db = sample();
    assert.match(verifyMmdb(db, { ...shapeOf(db), recordSize: 20 }) ?? '', /record size 20/);
  });
});
