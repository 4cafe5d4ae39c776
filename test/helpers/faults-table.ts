/**
 * Exactly-once accounting for the fault suite. A scenario says which lines of which objects must
 * each be one document ({@link Expected}); {@link audit} reads what the index holds by provenance
 * (every flow-log document carries `log: { object: 's3://bucket/key', line: N }`), pairing
 * documents with lines through a paged composite aggregation; {@link FaultTable} collects one row
 * per scenario and renders the table the suite prints at the end.
 */
import { countDocs, queueDepth, type TestStack } from './stack.js';

/** Lines (1-based, the header is line 1) of each object that must each become exactly one document. */
export class Expected {
  private readonly lines = new Map<string, Set<string>>();
  private total = 0;

  /** Lines `from`..`to` (inclusive) of `s3://bucket/key`, leaving out `except`. */
  add(bucket: string, key: string, from: number, to: number, except: Iterable<number> = []): this {
    const skip = new Set(except);
    const lines: string[] = [];
    for (let line = from; line <= to; line++) if (!skip.has(line)) lines.push(String(line));
    return this.addKeys(`s3://${bucket}/${key}`, lines);
  }

  /** Records named by other provenance (a CloudWatch Logs stream and its event ids). */
  addKeys(object: string, keys: Iterable<string>): this {
    const set = this.lines.get(object) ?? new Set<string>();
    for (const key of keys) {
      if (set.has(key)) continue;
      set.add(key);
      this.total += 1;
    }
    this.lines.set(object, set);
    return this;
  }

  /** Every expected line of `other` too. */
  merge(other: Expected): this {
    for (const [object, lines] of other.lines) this.addKeys(object, lines);
    return this;
  }

  get size(): number {
    return this.total;
  }

  has(object: string, line: number | string): boolean {
    return this.lines.get(object)?.has(String(line)) === true;
  }
}

/** What the index holds against what was expected. */
export interface Audit {
  readonly expected: number;
  /** Documents in the stack's flow-log indices. */
  readonly indexed: number;
  /** Distinct (log.object, log.line) pairs. */
  readonly distinct: number;
  /** Expected lines with no document. */
  readonly lost: number;
  /** Documents beyond the first for a pair. */
  readonly duplicated: number;
  /** Pairs nobody expected (a line that should have been refused, or another object's). */
  readonly unexpected: number;
  /** Documents without provenance (would escape the pairing). */
  readonly withoutProvenance: number;
}

const PAGE = 5000;

interface CompositePage {
  aggregations: { pairs: { buckets: Array<{ key: { object: string; line: number | string }; doc_count: number }>; after_key?: Record<string, unknown> } };
}

/** The two provenance fields that name a record: S3 object and line, or CloudWatch Logs stream and event id. */
export const S3_PROVENANCE = ['log.object', 'log.line'] as const;
export const CWL_PROVENANCE = ['log.stream', 'log.event_id'] as const;
type Provenance = typeof S3_PROVENANCE | typeof CWL_PROVENANCE;

/** Pairs every document with its record, page by page, and counts what is lost, doubled or unexpected. */
export async function audit(stack: TestStack, expected: Expected, provenance: Provenance = S3_PROVENANCE): Promise<Audit> {
  const index = `${stack.config.indexPrefix}-*`;
  const indexed = await countDocs(stack); // refreshes first
  const [objectField, lineField] = provenance;
  const complete = { bool: { filter: [{ exists: { field: objectField } }, { exists: { field: lineField } }] } };
  const withoutProvenance = await countDocs(stack, { bool: { must_not: [complete] } });
  let distinct = 0;
  let found = 0;
  let duplicated = 0;
  let after: Record<string, unknown> | undefined;
  do {
    const composite = {
      size: PAGE,
      sources: [{ object: { terms: { field: objectField } } }, { line: { terms: { field: lineField } } }],
      ...(after ? { after } : {}),
    };
    const res = await stack.opensearch.search({ index, body: { size: 0, aggs: { pairs: { composite } } } } as never);
    const { buckets, after_key } = (res.body as unknown as CompositePage).aggregations.pairs;
    for (const bucket of buckets) {
      distinct += 1;
      duplicated += bucket.doc_count - 1;
      if (expected.has(bucket.key.object, bucket.key.line)) found += 1;
    }
    after = buckets.length === PAGE ? after_key : undefined;
  } while (after);
  return { expected: expected.size, indexed, distinct, lost: expected.size - found, duplicated, unexpected: distinct - found, withoutProvenance };
}

/** One line of the printed table. */
export interface FaultRow extends Audit {
  readonly fault: string;
  readonly objects: number;
  readonly records: number;
  readonly queueLeft: number;
  readonly dlq: number;
}

const COLUMNS: ReadonlyArray<readonly [string, (r: FaultRow) => string | number]> = [
  ['fault', (r) => r.fault],
  ['objects', (r) => r.objects],
  ['records', (r) => r.records],
  ['expected docs', (r) => r.expected],
  ['indexed', (r) => r.indexed],
  ['lost', (r) => r.lost],
  ['duplicated', (r) => r.duplicated],
  ['queue left', (r) => r.queueLeft],
  ['DLQ', (r) => r.dlq],
];

/** The suite's one table: a row per scenario, in the order they ran. */
export class FaultTable {
  readonly rows: FaultRow[] = [];

  /** Audits the stack, reads both queues, adds the row and returns it for the scenario's assertions. */
  async record(fault: string, stack: TestStack, input: { objects: number; records: number }, expected: Expected, provenance?: Provenance): Promise<FaultRow> {
    const row: FaultRow = {
      fault, ...input, ...(await audit(stack, expected, provenance)),
      queueLeft: await queueDepth(stack, 'main'), dlq: await queueDepth(stack, 'dlq'),
    };
    this.rows.push(row);
    return row;
  }

  render(): string {
    const cells = [COLUMNS.map(([name]) => name), ...this.rows.map((r) => COLUMNS.map(([, get]) => String(get(r))))];
    const widths = COLUMNS.map((_, c) => Math.max(...cells.map((row) => (row[c] as string).length)));
    const line = (row: string[]) => `| ${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join(' | ')} |`;
    const rule = `|${widths.map((w, c) => (c === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
    return [line(cells[0] as string[]), rule, ...cells.slice(1).map(line)].join('\n');
  }
}
