// @ts-check
/**
 * Mutation testing of the pure core: `npm run test:mutation` (not part of CI: it takes long).
 * MUTATE=notification,sink (default: all five folders) limits the run to some folders; each folder
 * is mutated against its own unit tests (test/unit/<folder>/), and gets its own reports under
 * reports/mutation/. Each test file runs in its own node process (the tap runner reads node:test's
 * TAP output), compiled to JavaScript first (scripts/mutation-build.mjs); per-test coverage runs
 * only the files that reach a mutant, and the TypeScript checker (over src only, for speed) drops
 * mutants that do not compile before any test runs.
 * @type {import("@stryker-mutator/api/core").PartialStrykerOptions}
 */
import { existsSync, readdirSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const FOLDERS = ['core', 'notification', 'formats', 'sink', 'pipeline'];
const folders = (process.env.MUTATE ?? FOLDERS.join(',')).split(',').map((f) => f.trim()).filter(Boolean);
for (const f of folders) if (!FOLDERS.includes(f)) throw new Error(`MUTATE: ${f} is not one of ${FOLDERS.join(', ')}`);
const name = folders.join('+');

/**
 * The folders' unit test files as the build step compiles them (`.test.js`), example tests first
 * (those named after a mutated file, then those beside it, then the others, each by name) and
 * property tests last: a mutant's covering files run in this order until one fails, so an example
 * test that kills it spares the slow property runs. The order changes how long a run takes, never
 * a mutant's status.
 */
function testFiles() {
  const all = folders.flatMap((f) => {
    const dir = `test/unit/${f}`;
    return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).filter((p) => p.endsWith('.test.ts')).map((p) => `${dir}/${p.replace(/\.ts$/, '.js')}`) : [];
  });
  // With `--mutate src/a/b/file.ts`, test/unit/a/b/file.*.test.js go first, then the rest of
  // test/unit/a/b/: they are the likeliest to kill.
  const at = process.argv.indexOf('--mutate');
  const mutated = (at < 0 ? [] : String(process.argv[at + 1]).split(',')).map((m) => `test/unit/${m.replace(/^src\//, '').replace(/(\*\*\/)?\*?\.ts$/, '')}`);
  const dirOf = (p) => p.replace(/[^/]*$/, '');
  const rank = (p) => (mutated.some((m) => p.startsWith(`${m}.`)) ? 0 : mutated.some((m) => p.startsWith(dirOf(m))) ? 1 : 2)
    + (p.endsWith('.property.test.js') ? 3 : 0);
  return all.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export default {
  // The AssemblyScript source is no TypeScript to mutate: the tests hold its module to the JavaScript.
  mutate: [...folders.map((f) => `src/${f}/**/*.ts`), '!src/**/*.as.ts'],
  testRunner: 'tap',
  // The sandbox's TypeScript (mutants included) is compiled to JavaScript once, beside each file, so
  // each test file runs on plain node: without tsx's loader, a test process costs about a third.
  buildCommand: `node ${fileURLToPath(new URL('./scripts/mutation-build.mjs', import.meta.url))}`,
  tap: {
    testFiles: testFiles(),
    nodeArgs: ['--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
  },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  ignorePatterns: ['.stack', 'dist', 'bench/out', '.cache', 'reports'],
  concurrency: 2,
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  thresholds: { high: 90, low: 80, break: null },
};
