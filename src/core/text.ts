/**
 * Quoting untrusted text (a bad setting, a garbage line, the first bytes of a binary file) for an
 * error message: a message must stay one readable line whatever the input, so nothing the input
 * holds can move the cursor, reorder the text or flood the terminal.
 */

/** Characters JSON leaves as they are but a terminal does not show as themselves: C1 controls, zero-width and bidi marks, separators, U+FFFD. */
const INVISIBLE = /[\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufffd]/g;

/** `s` as a JSON string literal with invisible characters escaped, cut after `max` characters (code points) with `…`. */
export function quoted(s: string, max: number): string {
  // A code point is at most two UTF-16 units: the first 2·max units hold the first max code points.
  const head = [...s.slice(0, 2 * max)];
  const cut = head.length > max || s.length > 2 * max ? `${head.slice(0, max).join('')}…` : s;
  return JSON.stringify(cut).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Bytes as text for a message: printable ASCII as is, every other byte as `\xNN`, the first `max` bytes only, quoted. */
export function quotedBytes(bytes: Uint8Array, max: number): string {
  let out = '';
  for (const byte of bytes.subarray(0, max)) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else out += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `"${out}${bytes.length > max ? '…' : ''}"`;
}

/** True when the bytes are not UTF-8 text a log line could be: invalid UTF-8, or control characters other than tab and CR. */
export function isBinary(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte < 0x20 && byte !== 0x09 && byte !== 0x0d) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
}
