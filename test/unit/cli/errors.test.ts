import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';

describe('settings errors on the command line', () => {
  // Every value loadConfig may meet is fuzzed in test/unit/config/load.test.ts; here, that the CLI
  // turns each kind into exit 64 with the variable or flag named (each run starts a process).
  const cases = [
    { args: ['report'], env: { OPENSEARCH_URL: 'not-a-url' }, named: 'environment OPENSEARCH_URL = "not-a-url"' },
    { args: ['report', '--opensearch-url', ''], env: {}, named: 'flag --opensearch-url = ""' },
    { args: ['report', '--opensearch-url', 'htp://admin:hunter2@h'], env: {}, named: 'flag --opensearch-url = "htp://***@h"' },
    { args: ['setup', '--skip-opensearch'], env: { AWS_ENDPOINT_URL: 'http://' }, named: 'environment AWS_ENDPOINT_URL = "http://"' },
    { args: ['parse', 'x.log'], env: { MAX_LINE_BYTES: 'ü\u202e\u0007' }, named: 'environment MAX_LINE_BYTES = "ü\\u202e\\u0007"' },
  ] as const;
  for (const { args, env, named } of cases) {
    it(`${args.join(' ')} ${JSON.stringify(env)}: exit 64, names ${named.split(' =')[0]}`, async () => {
      const r = await runCli(args, env);
      assert.equal(r.status, 64, r.stderr);
      assert.match(r.stderr, /^Invalid settings:\n/);
      assert.ok(r.stderr.includes(named), r.stderr);
      assert.doesNotMatch(r.stderr, /hunter2|admin|\u202e/);
      assert.ok(!r.stderr.includes('\u0007'), 'no control character reaches the terminal');
    });
  }
});
