/**
 * Stryker's build step (stryker.config.mjs): compiles the sandbox's TypeScript, mutants included, to
 * JavaScript beside each source file, once per run. Each mutant's test files then run on plain
 * `node`, without tsx's loader in every process. Run from the project, in the sandbox as cwd.
 */
import { build } from 'esbuild';

await build({
  entryPoints: ['src/**/*.ts', 'test/**/*.ts'],
  outdir: '.',
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
