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
