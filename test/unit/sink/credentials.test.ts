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
  it('an inline password never changes', async () => {
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
});
