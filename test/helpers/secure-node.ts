/**
 * The secured OpenSearch node (`scripts/stack.sh up-secure`): TLS from the run's own CA, basic
 * auth, an `admin` and the least-privilege `log-indexer` worker user with random passwords in
 * files. Started by the tests that need it when it is not running, and stopped again by them.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const SECURE_PORT = process.env['OPENSEARCH_SECURE_PORT'] ?? '9201';
export const SECURE_URL = `https://127.0.0.1:${SECURE_PORT}`;
/** The worker's user on the secured node (its role: scripts/lib/secure-opensearch.sh, README). */
export const WORKER_USER = 'log-indexer';

export interface SecureNode {
  /** The CA bundle that signed the node's certificate. */
  readonly caFile: string;
  /** File holding `user`'s password (what OPENSEARCH_PASSWORD_FILE points at). */
  passwordFile(user: 'admin' | typeof WORKER_USER): string;
  password(user: 'admin' | typeof WORKER_USER): string;
  /** Stops the node when this run started it (STACK_KEEP=1 keeps it). */
  release(): Promise<void>;
}

const stack = (command: string, timeout = 60_000) => run('bash', ['scripts/stack.sh', command], { cwd: REPO_ROOT, timeout });

/** Starts the secured node unless it runs already; resolves once it is healthy. */
export async function secureNode(): Promise<SecureNode> {
  let startedHere = false;
  if (!(await stack('status-secure').then(() => true, () => false))) {
    await stack('up-secure', 420_000);
    startedHere = true;
  }
  const dir = (await stack('secure-dir')).stdout.trim();
  const passwordFile = (user: string) => join(dir, `${user}.password`);
  return {
    caFile: join(dir, 'root-ca.pem'),
    passwordFile,
    password: (user) => readFileSync(passwordFile(user), 'utf8'),
    release: async () => {
      if (startedHere && process.env['STACK_KEEP'] !== '1') await stack('down-secure');
    },
  };
}
