import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
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

/** A local port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('an OpenSearch that does not answer', () => {
  it('report names OPENSEARCH_URL and what it tried (exit 1)', async () => {
    const port = await closedPort();
    const r = await runCli(['report'], { OPENSEARCH_URL: `http://127.0.0.1:${port}` });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, `aws-log-indexer: OpenSearch does not answer at http://127.0.0.1:${port} (OPENSEARCH_URL, or --opensearch-url; `
      + `tried GET http://127.0.0.1:${port}/: connect ECONNREFUSED 127.0.0.1:${port}): start it (the local stack: npm run stack:up) or point OPENSEARCH_URL at it\n`);
  });

  it('setup stops before it touches AWS', async () => {
    // AWS is unreachable too: had setup gone there first, the error would be the AWS SDK's.
    const [opensearch, aws] = [await closedPort(), await closedPort()];
    const r = await runCli(['setup'], { OPENSEARCH_URL: `http://127.0.0.1:${opensearch}`, AWS_ENDPOINT_URL: `http://127.0.0.1:${aws}` });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^aws-log-indexer: OpenSearch does not answer at http://127.0.0.1:${opensearch} \\(OPENSEARCH_URL`));
    assert.doesNotMatch(r.stderr, new RegExp(String(aws)));
  });
});
