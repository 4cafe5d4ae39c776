/**
 * `stack.sh stop-opensearch` (the fault suite's outage) must not pretend: with no OpenSearch of its
 * own to stop it fails, saying why. Runs the script on an empty stack directory; nothing is started.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../helpers/net.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/stack.sh', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'stack-sh-test-'));

async function stopOpenSearch(): Promise<{ status: number | null; stderr: string }> {
  const run = spawnSync('bash', [SCRIPT, 'stop-opensearch'], { encoding: 'utf8', env: { ...process.env, STACK_DIR: dir, OPENSEARCH_PORT: String(await freePort()) } });
  return { status: run.status, stderr: run.stderr };
}

describe('stack.sh stop-opensearch', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fails when its pid file names a process that is not its OpenSearch', async () => {
    writeFileSync(join(dir, 'opensearch.pid'), `${process.pid}\n`);
    const run = await stopOpenSearch();
    assert.equal(run.status, 1);
    assert.match(run.stderr, new RegExp(`^stack: error: opensearch: stale pid file .*opensearch\\.pid \\(pid ${process.pid} is not our OpenSearch\\): nothing stopped\\n$`));
  });

  it('fails when there is no pid file at all', async () => {
    rmSync(join(dir, 'opensearch.pid'), { force: true });
    const run = await stopOpenSearch();
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^stack: error: opensearch: not running \(no pid file .*\): nothing stopped\n$/);
  });
});
