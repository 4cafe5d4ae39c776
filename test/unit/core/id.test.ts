import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyId, keyIdBytesFactory } from '../../../src/core/id.js';
import { lineIdFactory } from '../../helpers/line-id.js';
import { WINDOW, murmur3x64Hash128 } from '../../../src/core/murmur128.js';
import { dailyIndex, dailyIndexFor } from '../../../src/core/index-name.js';

const line = Buffer.from('2 123456789010 eni-1 1.2.3.4 5.6.7.8 1 2 6 1 40 1418530010 1418530070 ACCEPT OK');

describe('lineIdBytesFactory (its ids read as text)', () => {
  it('gives 32 hex characters (128 bits)', () => assert.match(lineIdFactory('b', 'k')(2, line), /^[0-9a-f]{32}$/));
  it('gives the same id when the same object is read again', () => {
    assert.equal(lineIdFactory('b', 'k')(2, line), lineIdFactory('b', 'k')(2, line));
  });
  it('keeps identical lines at different places apart', () => {
    const id = lineIdFactory('b', 'k');
    assert.notEqual(id(2, line), id(3, line));
  });
  it('keeps the same line in other objects apart, even where bucket+key concatenate alike', () => {
    assert.notEqual(lineIdFactory('ab', 'c')(2, line), lineIdFactory('a', 'bc')(2, line));
    assert.notEqual(lineIdFactory('b', 'k1')(2, line), lineIdFactory('b', 'k2')(2, line));
  });
  it('is MurmurHash3 x64 128 of the length-prefixed identity', async () => {
    const { default: murmur } = await import('murmurhash3js-revisited');
    assert.equal(lineIdFactory('b', 'k')(7, Buffer.from('x')), murmur.x64.hash128(Buffer.from('1:b1:k#7:x')));
  });
  it('is that hash for keys whose identity fills whole blocks and leaves every rest (0–15 bytes), and for lines that fill the hash window, pass it by a byte, or pass it twice', async () => {
    const { default: murmur } = await import('murmurhash3js-revisited');
    const lines = [line, Buffer.alloc(0), Buffer.alloc(600, 'ü'), Buffer.alloc(140_000, 'c')];
    for (let extra = 0; extra < 16; extra++) {
      // `12:flow-buckets<n>:` (18 bytes) and a key of 32 + extra: every rest of 0–15 bytes once.
      const key = `AWSLogs/123456789012/vpcflowlogs/${'k'.repeat(extra)}`.slice(1);
      const idOf = lineIdFactory('flow-buckets', key);
      // What the window holds besides the line: the identity's last 0–15 bytes (past its whole blocks) and `#9:`.
      const fill = WINDOW.length - ((18 + key.length) % 16) - 3;
      for (const text of [...lines, Buffer.alloc(fill, 'a'), Buffer.alloc(fill + 1, 'b')]) {
        const identity = Buffer.concat([Buffer.from(`12:flow-buckets${key.length}:${key}#9:`), text]);
        assert.equal(idOf(9, text), murmur.x64.hash128(identity), `key of ${key.length} bytes, line of ${text.length}`);
      }
    }
  });
});

describe('keyId', () => {
  it('depends on the key only, so a duplicate event gives the same id', () => {
    assert.equal(keyId('cloudtrail', 'e-1'), keyId('cloudtrail', 'e-1'));
    assert.notEqual(keyId('cloudtrail', 'e-1'), keyId('cloudtrail', 'e-2'));
  });
});

describe('daily index', () => {
  it('names the UTC day of the event', () => {
    assert.equal(dailyIndex('vpcflowlogs', 1418530010), 'vpcflowlogs-2014.12.14');
    assert.equal(dailyIndex('x', Date.UTC(2026, 0, 1, 23, 59, 59) / 1000), 'x-2026.01.01');
  });
  it('switches day at UTC midnight when memoised', () => {
    const name = dailyIndexFor('p');
    const midnight = Date.UTC(2026, 10, 22) / 1000;
    assert.deepEqual([name(midnight - 1), name(midnight), name(midnight + 5)], ['p-2026.11.21', 'p-2026.11.22', 'p-2026.11.22']);
  });
});

describe('keyIdBytesFactory', () => {
  it('gives keyId of the start and each end, as bytes, for starts that leave every rest of a block and ends of any text and length', () => {
    const ends = ['', '1', '49582730589283749582734985723498572349857234985723498', 'é€𝄞', '\ud800', '\udc00x', 'x'.repeat(21_845), 'y'.repeat(21_846), 'z'.repeat(70_000)];
    for (let extra = 0; extra < 16; extra++) {
      const start = `${'g'.repeat(extra + 3)}:/vpc/flow${extra}:s`;
      const idOf = keyIdBytesFactory('cloudwatch-logs', start);
      for (const end of ends) assert.equal(Buffer.from(idOf(end)).toString('latin1'), keyId('cloudwatch-logs', start + end), `start of ${start.length}, end of ${end.length}`);
    }
  });

  it('keeps a surrogate pair whole where the start ends in its first half', () => {
    for (const [high, low] of [['\ud834', '\udd1e'], ['\ud800', '\udc00'], ['\udbff', '\udfff']] as const) {
      const idOf = keyIdBytesFactory('ns', `stream${high}`);
      assert.equal(Buffer.from(idOf(`${low}1`)).toString('latin1'), keyId('ns', `stream${high}${low}1`), `${high.charCodeAt(0).toString(16)}`);
    }
    assert.notEqual(keyId('ns', 'stream\ud834\udd1e1'), murmur3x64Hash128(Buffer.concat([Buffer.from('ns:stream\ud834'), Buffer.from('\udd1e1')])), 'encoded apart, the pair would hash otherwise');
  });
});
