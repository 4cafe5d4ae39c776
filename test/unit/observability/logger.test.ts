import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('createLogger', () => {
  it('cuts the userinfo of every URL out of messages, fields and errors on stderr', async () => {
    const script = `
      import { createLogger } from './src/observability/logger.ts';
      const log = createLogger('info');
      log.warn({ url: 'https://admin:S3cr3t@os:9200', nested: { list: ['http://k:S3cr3t2@h'] } }, 'reaching https://u:S3cr3t3@os failed');
      log.error({ err: new Error('connect https://a:S3cr3t4@h refused') }, 'boom');
      log.info('plain https://x:S3cr3t5@y');
    `;
    const { stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT });
    assert.doesNotMatch(stderr, /S3cr3t/);
    const lines = stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 3);
    assert.equal(lines[0]?.['url'], 'https://[redacted]@os:9200');
    assert.equal(lines[0]?.['msg'], 'reaching https://[redacted]@os failed');
    assert.match(JSON.stringify(lines[1]), /connect https:\/\/\[redacted\]@h refused/);
    assert.equal(lines[2]?.['msg'], 'plain https://[redacted]@y');
  });
});
