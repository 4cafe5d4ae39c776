/**
 * Decimal digits written straight into bytes: a line number or a duration for each record, with
 * no string made of it (`String(n)` is a heap string a record, and its cache misses on every new
 * line number).
 */

/**
 * Writes `n`, a non-negative safe integer, in decimal ASCII at `out[pos]`, as `String(n)` writes
 * it; returns the position after it.
 */
export function writeDecimal(out: Uint8Array, pos: number, n: number): number {
  let end = pos + 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) end++;
  let at = end;
  let rest = n;
  do {
    out[--at] = 48 + (rest % 10);
    rest = Math.floor(rest / 10);
  } while (rest > 0);
  return end;
}
