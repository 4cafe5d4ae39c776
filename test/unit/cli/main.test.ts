import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../../../src/cli/commands.js';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

/** Runs the CLI from source and tells which of our heavy dependencies it loaded. */
function run(args: readonly string[]): { status: number | null; stdout: string; loaded: string[] } {
  const probe = `
    const { main } = await import(${JSON.stringify(MAIN)});
    await main(['node', 'aws-log-indexer', ...${JSON.stringify(args)}]);
    const { createRequire } = await import('node:module');
    const cache = Object.keys(createRequire(import.meta.url).cache);
    process.stderr.write(JSON.stringify(cache.filter((p) => /@aws-sdk|@opensearch-project|hyparquet/.test(p)).length));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { encoding: 'utf8', env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' } });
  return { status: r.status, stdout: r.stdout, loaded: r.stderr.trim().split('\n').slice(-1) };
}

describe('the command line', () => {
  it('lists every command in --help without loading any of them', () => {
    const r = run(['--help']);
    assert.equal(r.status, 0);
    for (const name of Object.keys(COMMANDS)) assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'));
    assert.deepEqual(r.loaded, ['0'], 'no AWS SDK, OpenSearch client or Parquet module is loaded for --help');
  });

  it('shows a command\'s own flags with `help <command>` and `<command> --help`', () => {
    for (const args of [['help', 'worker'], ['worker', '--help']]) {
      const r = run(args);
      assert.equal(r.status, 0, args.join(' '));
      assert.match(r.stdout, /--queue-url <value> +SQS queue the worker polls/);
    }
  });
});

describe('--help of each command', () => {
  it('says what every flag does and its default', async () => {
    for (const [name, entry] of Object.entries(COMMANDS)) {
      const command = await entry.load();
      for (const option of command.options) {
        const what = `${name} ${option.long ?? option.flags}`;
        assert.ok(option.description.length >= 15, `${what}: says what it does`);
        // Settings name their variable and default (options.ts); a command's own flags carry a default or say there is none.
        const told = /\(env [A-Z0-9_]+[,)]/.test(option.description) || option.defaultValue !== undefined || /\b(default|required)\b/.test(option.description);
        assert.ok(told, `${what}: "${option.description}" gives no default`);
      }
    }
  });
});
