import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { GUNZIP_CHUNK_BYTES, MAX_QUEUED_BYTES, decompress, detectEncoding } from '../../../src/source/decompress.js';

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

  it('inflates in chunks of GUNZIP_CHUNK_BYTES, not zlib\'s default 16 KiB', async () => {
    const sizes: number[] = [];
    for await (const chunk of await decompress(chunks(gzipSync(Buffer.alloc(3 * GUNZIP_CHUNK_BYTES)), 1024))) sizes.push((chunk as Buffer).length);
    assert.deepEqual(sizes, [GUNZIP_CHUNK_BYTES, GUNZIP_CHUNK_BYTES, GUNZIP_CHUNK_BYTES]);
  });
  it('holds about MAX_QUEUED_BYTES for a reader that waits, however much one chunk of the source inflates to', async () => {
    // 256 MiB of zeros is 256 KB of gzip, given as one chunk: inflating it all would hold 256 MiB.
    const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024));
    const before = process.memoryUsage().arrayBuffers;
    const stream = await decompress(chunks(bomb, bomb.length));
    const reader = stream[Symbol.asyncIterator]();
    await reader.next();
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setTimeout(resolve, 2));
    const held = process.memoryUsage().arrayBuffers - before;
    await reader.return?.();
    assert.ok(held < 8 * MAX_QUEUED_BYTES, `${held} bytes held`);
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
