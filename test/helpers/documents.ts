import { DERIVED_MAPPINGS } from '../../src/formats/vpc-flow/derive.js';
import type { Doc } from '../../src/core/types.js';

const ADDED = new Set(['log', ...Object.keys(DERIVED_MAPPINGS)]);

/**
 * A flow-log document without what the pipeline adds around the record (provenance `log`, which
 * names rows and lines differently per container, and the derived fields, tested on their own):
 * what tests of a reader compare.
 */
export function recordContent(doc: Doc | undefined): Doc {
  return Object.fromEntries(Object.entries(doc ?? {}).filter(([key]) => !ADDED.has(key)));
}
