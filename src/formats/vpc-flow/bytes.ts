/**
 * Copying JSON fragments between byte arrays, for the flow writer and its address book: a loop
 * for short spans, `set` for long ones. `set` costs about the same (~25–50 ns here) whatever the
 * length, where the byte loop costs 2–4 ns a byte: the loop wins below ~16 bytes (keys, small
 * numbers), `set` above (GeoIP objects, the provenance prefix).
 */

/** Fragments from this length on are copied with `set`. */
const SET_FROM = 16;

/** Copies source[start, end) to `out[pos]`, returning the position after it: a loop, for short spans. */
export function copy(out: Uint8Array, pos: number, source: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) out[pos++] = source[i] as number;
  return pos;
}

/** Copies source[start, end) to `out[pos]`, returning the position after it. */
export function putSpan(out: Uint8Array, pos: number, source: Uint8Array, start: number, end: number): number {
  // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: either way copies the same bytes; only the speed differs
  if (end - start < SET_FROM) return copy(out, pos, source, start, end);
  out.set(source.subarray(start, end), pos);
  return pos + end - start;
}

/** Copies a whole fragment to `out[pos]`, returning the position after it. */
export function put(out: Uint8Array, pos: number, bytes: Uint8Array): number {
  const n = bytes.length;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: either way copies the same bytes; only the speed differs
  if (n < SET_FROM) return copy(out, pos, bytes, 0, n);
  out.set(bytes, pos);
  return pos + n;
}
