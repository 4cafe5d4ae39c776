/**
 * Generated sections of README.md, between `<!-- NAME:start -->` and `<!-- NAME:end -->`, so that
 * tables built from the code (fields, settings) cannot drift from it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const README_PATH = fileURLToPath(new URL('../../README.md', import.meta.url));

/** The start and end markers of a section. */
export function markers(name: string): readonly [string, string] {
  return [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
}

/** The text between the markers (without the newlines next to them), or undefined without markers. */
export function readSection(readme: string, name: string): string | undefined {
  const [open, close] = markers(name);
  const start = readme.indexOf(open);
  const end = readme.indexOf(close);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + open.length, end).replace(/^\n+|\n+$/g, '');
}

/** The README with `text` between the markers; throws when the markers are missing. */
export function withSection(readme: string, name: string, text: string): string {
  const [open, close] = markers(name);
  const start = readme.indexOf(open);
  const end = readme.indexOf(close);
  if (start < 0 || end < start) throw new Error(`README has no ${open} … ${close} markers`);
  return `${readme.slice(0, start + open.length)}\n${text}\n${readme.slice(end)}`;
}

/** Prints the section, or with `--write` puts it into README.md. */
export function printOrWrite(argv: readonly string[], name: string, text: string): void {
  if (!argv.includes('--write')) {
    process.stdout.write(`${text}\n`);
    return;
  }
  writeFileSync(README_PATH, withSection(readFileSync(README_PATH, 'utf8'), name, text));
  console.error(`${name} written to ${README_PATH}`);
}
