import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { decompress, detectEncoding } from '../../../src/source/decompress.js';

async function text(source: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of source) parts.push(c);
  return Buffer.concat(parts).toString();
}
async function* chunks(buf: Buffer, size = 7) {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

describe('decompress', () => {
  it('recognises gzip by its magic bytes', () => {
    assert.equal(detectEncoding(gzipSync('x')), 'gzip');
    assert.equal(detectEncoding(Buffer.from('version srcaddr')), 'plain');
  });
  it('gunzips a stream given in small chunks', async () => {
    assert.equal(await text(await decompress(chunks(gzipSync('hello\nworld\n')))), 'hello\nworld\n');
  });
  it('reads every member of a multi-member gzip', async () => {
    const both = Buffer.concat([gzipSync('first\n'), gzipSync('second\n')]);
    assert.equal(await text(await decompress(chunks(both))), 'first\nsecond\n');
  });
  it('passes plain text through', async () => {
    assert.equal(await text(await decompress(chunks(Buffer.from('a b c\n')))), 'a b c\n');
  });
  it('fails with a zlib error code on a truncated gzip', async () => {
    const gz = gzipSync('x'.repeat(10_000) + Math.random());
    await assert.rejects(text(await decompress(chunks(gz.subarray(0, gz.length - 12)))), (err: NodeJS.ErrnoException) =>
      String(err.code).startsWith('Z_'));
  });
  it('hands every byte of a truncated gzip to the reader before the error (chunked, as S3 streams it)', async () => {
    const text = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'x'.repeat(100 + (i % 50))} ${Math.sin(i)}`).join('\n');
    const whole = gzipSync(text);
    const cut = whole.subarray(0, Math.floor(whole.length * 0.6));
    const readable = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).length;
    async function* chunks() {
      for (let i = 0; i < cut.length; i += 16384) yield Buffer.from(cut.subarray(i, i + 16384));
    }
    let got = 0;
    await assert.rejects(async () => {
      for await (const chunk of await decompress(chunks())) got += chunk.length;
    }, /unexpected end of file/);
    assert.equal(got, readable);
  });

  it('gives an empty stream for an empty object', async () => {
    assert.equal(await text(await decompress(chunks(Buffer.alloc(0)))), '');
  });
});

describe('decompress when the first chunk is one byte', () => {
  it('still recognises gzip', async () => {
    assert.equal(await text(await decompress(chunks(gzipSync('hello\n'), 1))), 'hello\n');
  });
});
describe('decompress of a one-byte object', () => {
  it('gives the byte back', async () => {
    assert.equal(await text(await decompress(chunks(Buffer.from('x')))), 'x');
  });
});
