import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BasicCredentials } from '../../../src/sink/credentials.js';

const dir = mkdtempSync(join(tmpdir(), 'credentials-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('BasicCredentials', () => {
  it('reads the password file at start (without its trailing newline) and again on reload, when rotated', async () => {
    const file = join(dir, 'password');
    writeFileSync(file, 'first\n');
    const credentials = BasicCredentials.open('worker', undefined, file);
    assert.equal(credentials.header(), basic('worker', 'first'));
    assert.equal(await credentials.reload(), false, 'unchanged');
    writeFileSync(file, 'second');
    assert.equal(await credentials.reload(), true);
    assert.equal(credentials.header(), basic('worker', 'second'));
  });
  it('cuts only the one trailing line break (LF or CRLF) and keeps every other character', () => {
    const file = join(dir, 'multiline');
    const cases: Array<[text: string, password: string]> = [['pw\r\n', 'pw'], ['pass\nword\n', 'pass\nword'], [' pw \n\n', ' pw \n']];
    for (const [text, password] of cases) {
      writeFileSync(file, text);
      assert.equal(BasicCredentials.open('worker', undefined, file).header(), basic('worker', password), JSON.stringify(text));
    }
  });
  it('an inline password never changes; none at all is an empty one', async () => {
    assert.equal(BasicCredentials.open('worker', undefined, undefined).header(), basic('worker', ''));
    const credentials = BasicCredentials.open('worker', 'pw', undefined);
    assert.equal(await credentials.reload(), false);
    assert.equal(credentials.header(), basic('worker', 'pw'));
  });
  it('a missing or empty file fails naming the setting and the file, never a password', async () => {
    assert.throws(() => BasicCredentials.open('u', undefined, join(dir, 'nope')), /OPENSEARCH_PASSWORD_FILE .*nope cannot be read \(ENOENT\)/);
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    assert.throws(() => BasicCredentials.open('u', undefined, empty), /OPENSEARCH_PASSWORD_FILE .*empty is empty/);
  });
  it('a file that disappears later fails the reload, naming the setting, and keeps the last password', async () => {
    const file = join(dir, 'vanishing');
    writeFileSync(file, 'kept');
    const credentials = BasicCredentials.open('u', undefined, file);
    rmSync(file);
    await assert.rejects(credentials.reload(), { message: `OPENSEARCH_PASSWORD_FILE ${file} cannot be read (ENOENT)` });
    assert.equal(credentials.header(), basic('u', 'kept'));
  });
});
