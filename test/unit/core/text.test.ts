import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isBinary, quoted, quotedBytes } from '../../../src/core/text.js';

describe('quoting untrusted text for messages', () => {
  it('escapes controls, bidi marks and U+FFFD, keeps other unicode, cuts by code point', () => {
    assert.equal(quoted('a\u001b[2J\u202eé😀', 10), '"a\\u001b[2J\\u202eé😀"');
    assert.equal(quoted('😀'.repeat(5), 3), '"😀😀😀…"');
    assert.equal(quoted('\ufffd', 5), '"\\ufffd"');
  });
  it('shows bytes as printable ASCII or \\xNN, cut', () => {
    assert.equal(quotedBytes(Buffer.from([0x1f, 0x8b, 0x41, 0x22, 0x5c, 0xff]), 10), '"\\x1f\\x8bA\\"\\\\\\xff"');
    assert.equal(quotedBytes(Buffer.from('abcdef'), 3), '"abc…"');
  });
  it('tells binary from text lines', () => {
    assert.equal(isBinary(Buffer.from('version account-id\r')), false);
    assert.equal(isBinary(Buffer.from('région\tété')), false);
    assert.equal(isBinary(Buffer.from([0x41, 0x00, 0x42])), true);
    assert.equal(isBinary(Buffer.from([0x41, 0xc3])), true, 'invalid UTF-8');
  });
});
