/**
 * Stryker's build step (stryker.config.mjs): compiles the sandbox's TypeScript, mutants included, to
 * JavaScript beside each source file, once per run. Each mutant's test files then run on plain
 * `node`, without tsx's loader in every process. Run from the project, in the sandbox as cwd.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

/** The TypeScript files under `dir`; AssemblyScript sources (`*.as.ts`) are no TypeScript to compile. */
const typeScript = (dir) => readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.as.ts'))
  .map((file) => join(dir, file));

await build({
  // scripts/ too: some unit tests import its table generators (field-table, settings-table) and its module makers.
  entryPoints: ['src', 'test', 'scripts'].flatMap(typeScript),
  outdir: '.',
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
