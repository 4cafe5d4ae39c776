/**
 * What every integration test needs, checked once when a test file loads: a missing piece fails
 * the file at once with one line naming it and the fix, instead of a test timing out on it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One missing prerequisite, said in one line. */
export class MissingPrerequisite extends Error {
  override readonly name = 'MissingPrerequisite';
}

/** A service that must answer before any test runs: its name, a URL that answers 2xx when it is up, and how to start it. */
export interface Service {
  readonly name: string;
  readonly url: string;
  readonly fix: string;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Throws {@link MissingPrerequisite} for the first file (relative to the repository) that does
 * not exist or service that does not answer.
 */
export async function assertPrerequisites(files: ReadonlyArray<{ path: string; fix: string }>, services: readonly Service[]): Promise<void> {
  for (const file of files) {
    if (!existsSync(`${REPO_ROOT}${file.path}`)) throw new MissingPrerequisite(`integration tests need ${file.path}, which is missing: ${file.fix}`);
  }
  const down = await Promise.all(services.map(async (s) => ((await answers(s.url)) ? undefined : s)));
  const first = down.find((s) => s !== undefined);
  if (first) throw new MissingPrerequisite(`integration tests need ${first.name} at ${first.url}, which does not answer: ${first.fix}`);
}
