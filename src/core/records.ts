import type { IndexOp } from './types.js';

/** A line that could not become a document, with the reason; the object's other lines go on. */
export interface LineProblem {
  readonly lineNo: number;
  readonly reason: string;
  /** The line's whole text (absent for a line over the cap), kept for the dead-letter store. */
  readonly text?: string;
}

/** What a format reader yields per chunk of lines: documents to index and lines it refused. */
export interface OpBatch {
  readonly ops: IndexOp[];
  readonly problems: LineProblem[];
  /** Records that were read but not indexed on purpose (e.g. NODATA when told to drop them). */
  readonly dropped?: number;
  /** NODATA/SKIPDATA records among them, indexed or dropped. */
  readonly statusRecords?: number;
}

/** Longest line text a log line shows: enough to recognise the line, not enough to flood logs. */
export const PROBLEM_TEXT_MAX = 512;

/** A line cut for a log message. */
export function problemText(line: string): string {
  return line.length > PROBLEM_TEXT_MAX ? `${line.slice(0, PROBLEM_TEXT_MAX)}…` : line;
}

/** `batch` with `problems` of lines found bad before it added, in line order. */
export function withProblems(batch: OpBatch, problems: readonly LineProblem[]): OpBatch {
  // Stryker disable next-line ConditionalExpression: a copy of the batch with no problem added is the same batch, only made anew
  return problems.length === 0 ? batch : { ...batch, problems: [...problems, ...batch.problems].sort((a, b) => a.lineNo - b.lineNo) };
}

/** A batch of an object's items made ready for the per-record work, and the records already found bad (a wrapper, an envelope). */
export interface PreparedItems<T> {
  readonly items: T[];
  readonly problems: LineProblem[];
}

/**
 * The batches `parse` makes elsewhere (the parse threads) of prepared items, with the problems found
 * while preparing them: `parse` holds items across batches and ahead, so a problem goes with the
 * next batch it gives back, or after the last, or before a failure is passed on; each names its record.
 */
export async function* parsedWithProblems<T>(
  prepared: AsyncIterable<PreparedItems<T>>,
  parse: (items: AsyncIterable<T[]>) => AsyncIterable<OpBatch>,
): AsyncGenerator<OpBatch> {
  const pending: LineProblem[] = [];
  async function* items(): AsyncGenerator<T[]> {
    for await (const { items, problems } of prepared) {
      pending.push(...problems);
      yield items;
    }
  }
  const rest = (): OpBatch => ({ ops: [], problems: pending.splice(0), dropped: 0, statusRecords: 0 });
  try {
    for await (const batch of parse(items())) yield withProblems(batch, pending.splice(0));
  } catch (err) {
    if (pending.length > 0) yield rest();
    throw err;
  }
  if (pending.length > 0) yield rest();
}
