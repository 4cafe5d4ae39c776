import type { RowWriter } from '../../src/formats/vpc-flow/parquet.js';

/**
 * `writer.line` of a row given as its values: each value at row `row` of a column of its own, the
 * rows around it holding other text, so a read of the wrong row shows.
 */
export function lineOfRow(writer: RowWriter, columns: readonly string[], values: readonly unknown[], row = 1): ReturnType<RowWriter['line']> {
  const column = (value: unknown): unknown[] => Array.from({ length: row + 2 }, (_, i) => (i === row ? value : `row${i}`));
  return writer.line(columns, values.map(column), row);
}
