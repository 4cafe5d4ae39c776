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
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const FOLDERS = ['core', 'notification', 'formats', 'sink', 'pipeline'];
const folders = (process.env.MUTATE ?? FOLDERS.join(',')).split(',').map((f) => f.trim()).filter(Boolean);
for (const f of folders) if (!FOLDERS.includes(f)) throw new Error(`MUTATE: ${f} is not one of ${FOLDERS.join(', ')}`);
const name = folders.join('+');

export default {
  mutate: folders.map((f) => `src/${f}/**/*.ts`),
  testRunner: 'tap',
  // The sandbox's TypeScript (mutants included) is compiled to JavaScript once, beside each file, so
  // each test file runs on plain node: without tsx's loader, a test process costs about a third.
  buildCommand: `node ${fileURLToPath(new URL('./scripts/mutation-build.mjs', import.meta.url))}`,
  tap: {
    testFiles: folders.map((f) => `test/unit/${f}/**/*.test.js`),
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
