/**
 * Runs the command line from source, as a user would run the installed one: a child process with
 * its own environment, argv, exit code, stdout and stderr. No build needed (tsx loads src/).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const RUNNER = `const { main } = await import(${JSON.stringify(MAIN)}); await main(process.argv);`;

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment every CLI test starts from: nothing of the caller's settings, no AWS metadata lookups. */
export const QUIET_ENV = {
  PATH: process.env['PATH'] ?? '',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
} as const;

/** `aws-log-indexer <args>` with exactly `env` (plus QUIET_ENV), killed after `timeoutMs`. */
export function runCli(args: readonly string[], env: Readonly<Record<string, string>> = {}, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', RUNNER, 'aws-log-indexer', ...args], {
      env: { ...QUIET_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
