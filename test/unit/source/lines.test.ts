import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOverlong, splitLines, type LineItem } from '../../../src/source/lines.js';

async function collect(chunks: string[], max = 1024): Promise<LineItem[]> {
  const out: LineItem[] = [];
  async function* source() {
    for (const c of chunks) yield Buffer.from(c);
  }
  for await (const batch of splitLines(source(), max)) out.push(...batch);
  return out;
}
const texts = (items: LineItem[]) => items.map((i) => (isOverlong(i) ? `<${i.overlongBytes}>` : i.bytes.toString()));

describe('splitLines', () => {
  it('splits on LF and drops a CR before it', async () => {
    assert.deepEqual(texts(await collect(['a\r\nb\nc'])), ['a', 'b', 'c']);
  });
  it('joins lines that span chunks', async () => {
    assert.deepEqual(texts(await collect(['ab', 'c\nd', 'e', 'f\n'])), ['abc', 'def']);
  });
  it('numbers lines from 1, counting empty ones', async () => {
    assert.deepEqual((await collect(['x\n\ny\n'])).map((i) => i.lineNo), [1, 2, 3]);
  });
  it('reports a line over the cap without keeping it, and goes on', async () => {
    const items = await collect(['ok\n', 'x'.repeat(6), 'x'.repeat(6), '\nnext\n'], 10);
    assert.deepEqual(texts(items), ['ok', '<12>', 'next']);
    assert.equal(items[2]?.lineNo, 3);
  });
  it('reports an overlong last line without newline', async () => {
    assert.deepEqual(texts(await collect(['a\n', 'y'.repeat(20)], 10)), ['a', '<20>']);
  });
  it('yields nothing for an empty stream', async () => {
    assert.deepEqual(await collect([]), []);
  });
});
