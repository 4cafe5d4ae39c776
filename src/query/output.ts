/**
 * How `query` prints: `lines` (AWS's own space-separated format, header first, so awk and sort
 * pipelines keep working), `json` (one document per line), `csv` (RFC 4180) and `table` (aligned
 * columns for a person). Writing waits for the stream to drain, so a slow reader slows the query
 * instead of filling memory.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Doc } from '../core/types.js';
import { valuesAt } from './filter.js';
import type { TopRequest, TopRow } from './top.js';

export const OutputFormat = { lines: 'lines', json: 'json', csv: 'csv', table: 'table' } as const;
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

/** Rows a table measures its column widths on before it starts printing. */
const TABLE_SAMPLE = 200;

/** A field's value as text: `-` when absent (as AWS writes it), values of a list joined by commas. */
export function cellText(doc: Doc, column: string): string {
  const values = valuesAt(doc, column);
  if (values.length === 0) return '-';
  return values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
}

/** One CSV field, quoted when it must be. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Writes rows of cells (and whole documents for `json`) in one format. */
export class RowWriter {
  private sample: string[][] | undefined;
  private widths: number[] | undefined;

  constructor(
    private readonly out: Writable,
    private readonly format: OutputFormat,
    private readonly columns: readonly string[],
    private readonly header: boolean,
  ) {
    this.sample = format === OutputFormat.table ? [] : undefined;
  }

  /** Writes the header line, where the format has one. */
  async start(): Promise<void> {
    if (!this.header || this.format === OutputFormat.json) return;
    if (this.format === OutputFormat.table) this.sample?.push([...this.columns]);
    else await this.emit(this.line([...this.columns]));
  }

  /** Writes one record: its cells, or for `json` the object itself. */
  async write(cells: string[], object: unknown): Promise<void> {
    if (this.format === OutputFormat.json) return this.emit(`${JSON.stringify(object)}\n`);
    if (this.sample) {
      this.sample.push(cells);
      if (this.sample.length >= TABLE_SAMPLE) await this.flushSample();
      return;
    }
    await this.emit(this.line(cells));
  }

  /** Prints what a table still holds. */
  async end(): Promise<void> {
    if (this.sample) await this.flushSample();
  }

  private async flushSample(): Promise<void> {
    const rows = this.sample ?? [];
    this.widths = this.columns.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    this.sample = undefined;
    if (rows.length > 0) await this.emit(rows.map((r) => this.line(r)).join(''));
  }

  private line(cells: string[]): string {
    if (this.format === OutputFormat.csv) return `${cells.map(csvField).join(',')}\n`;
    if (this.format === OutputFormat.table) return `${cells.map((c, i) => c.padEnd(this.widths?.[i] ?? 0)).join('  ').trimEnd()}\n`;
    return `${cells.join(' ')}\n`;
  }

  private async emit(text: string): Promise<void> {
    if (!this.out.write(text)) await once(this.out, 'drain');
  }
}

/** Writes documents as records with the given columns. */
export function documentWriter(out: Writable, format: OutputFormat, columns: readonly string[], header: boolean) {
  const rows = new RowWriter(out, format, columns, header);
  return {
    start: () => rows.start(),
    write: (doc: Doc) => rows.write(columns.map((c) => cellText(doc, c)), doc),
    end: () => rows.end(),
  };
}

/** Writes a ranking: one row per value, with the measure (`srcaddr bytes`). */
export async function writeTop(out: Writable, format: OutputFormat, top: TopRequest, rows: readonly TopRow[], header: boolean): Promise<void> {
  const writer = new RowWriter(out, format, [top.field, top.by], header);
  await writer.start();
  for (const row of rows) await writer.write([String(row.key), String(row.value)], { [top.field]: row.key, [top.by]: row.value });
  await writer.end();
}
