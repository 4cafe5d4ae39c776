import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { inputsOf } from '../../../src/cli/parse.js';
import { sampleLines } from '../../../src/sample/flow-logs.js';
import { ConfigError } from '../../../src/config/load.js';
import { runCli } from '../../helpers/cli.js';

const FLOW = 'version account-id srcaddr\n2 123456789012 10.0.0.1\n2 123456789012 not-an-address\n';

describe('parse of local files', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parse-test-'));
    // Random-looking bytes with no newline for a while: a binary file's first "line".
    await writeFile(join(dir, 'random.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)));
    await writeFile(join(dir, 'flow.log'), FLOW);
    await writeFile(join(dir, 'many.log.gz'), gzipSync([...sampleLines({ seed: 5, records: 12_000, format: 'full', start: 1_763_769_600 })].join('\n')));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('refuses a binary file with exit 2, showing its first bytes escaped and cut', async () => {
    const r = await runCli(['parse', join(dir, 'random.bin')]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    const line = r.stderr.split('\n')[0] ?? '';
    assert.match(line, new RegExp(`^${join(dir, 'random.bin')}: not read: not a flow log \\(first line: binary data, not text: "\\\\x0d[^"]*…"\\)$`));
    assert.match(line, /^[\x20-\x7e]+…"\)$/, 'printable ASCII only');
    assert.ok(line.length < 250, `${line.length} characters`);
  });

  it('prints the same _bulk bodies from parse threads as from the main thread, batch after batch', async () => {
    const path = join(dir, 'many.log.gz');
    // Twelve tasks of 1000 lines: answer buffers and output buffers are each written again several times.
    const [threads, here] = await Promise.all([runCli(['parse', '--output', 'bulk', '--parse-threads', '2', path]), runCli(['parse', '--output', 'bulk', '--parse-threads', '0', path])]);
    assert.equal(threads.status, 0, threads.stderr);
    assert.equal(here.status, 0, here.stderr);
    const lines = here.stdout.split('\n');
    assert.equal(lines.length, 2 * 12_000 + 1, 'an action line and a document a record, and the last newline');
    assert.deepEqual(lines.filter((_, i) => i % 2 === 1 && i < 24_000).map((l) => (JSON.parse(l) as { log: { line: number } }).log.line), Array.from({ length: 12_000 }, (_, i) => i + 2));
    assert.equal(threads.stdout, here.stdout);
  });

  it('names a local file by its path in messages and as a file:// URI in log.object', async () => {
    const path = join(dir, 'flow.log');
    const r = await runCli(['parse', path]);
    assert.equal(r.status, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /s3:/);
    assert.match(r.stderr, new RegExp(`^${path} line 3: field "srcaddr"`, 'm'));
    const docs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { log: unknown });
    assert.deepEqual(docs.map((d) => d.log), [{ object: pathToFileURL(path).href, line: 2 }]);
  });

  it('reads a local copy as the S3 object --as names, messages saying both', async () => {
    const r = await runCli(['parse', '--as', 's3://logs/AWSLogs/1/vpcflowlogs/x.log', join(dir, 'flow.log')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^s3://logs/AWSLogs/1/vpcflowlogs/x.log \\(read from ${join(dir, 'flow.log')}\\) line 3:`, 'm'));
    assert.deepEqual((JSON.parse(r.stdout) as { log: unknown }).log, { object: 's3://logs/AWSLogs/1/vpcflowlogs/x.log', line: 2 });
  });

  it('refuses --as that cannot name every input (exit 64)', async () => {
    const r = await runCli(['parse', '--as', 's3://logs/one.log', 'a.log', 'b.log']);
    assert.equal(r.status, 64, r.stderr);
    assert.equal(r.stderr, 'flag --as = "s3://logs/one.log" names one object, and 2 inputs were given: end it with / to make it a prefix\n');
  });
});

describe('parse --as', () => {
  it('names one input by the URI, several by prefix + relative path', () => {
    assert.deepEqual(inputsOf(['dl/x.log.gz'], 's3://b/AWSLogs/1/x.log.gz'), [
      { ref: { bucket: 'b', key: 'AWSLogs/1/x.log.gz' }, path: 'dl/x.log.gz', name: 's3://b/AWSLogs/1/x.log.gz (read from dl/x.log.gz)' },
    ]);
    assert.deepEqual(inputsOf(['1/a.log', './2//b.log'], 's3://b/AWSLogs/').map((i) => i.ref.key), ['AWSLogs/1/a.log', 'AWSLogs/2/b.log']);
    assert.deepEqual(inputsOf(['a.log'], 's3://b/').map((i) => i.ref), [{ bucket: 'b', key: 'a.log' }]);
    assert.deepEqual(inputsOf(['a.log', 's3://b/k'], undefined).map((i) => i.ref), [{ bucket: '', key: 'a.log' }, { bucket: 'b', key: 'k' }]);
  });
  it('refuses what cannot be named', () => {
    for (const [args, as, message] of [
      [['a.log', 'b.log'], 's3://logs/one.log', /names one object, and 2 inputs/],
      [['/abs/a.log'], 's3://logs/prefix/', /relative paths inside the prefix/],
      [['../a.log'], 's3://logs/prefix/', /relative paths inside the prefix/],
      [['a.log'], 'logs/x.log', /s3:\/\/bucket\/key \(one input\)/],
      [['a.log'], 's3://logs', /s3:\/\/bucket\/key \(one input\)/],
      [['s3://logs/y.log'], 's3://logs/x.log', /already an S3 object/],
    ] as const) {
      assert.throws(() => inputsOf(args, as), (err: Error) => err instanceof ConfigError && message.test(err.message), `${args.join(' ')} --as ${as}`);
    }
  });
});
