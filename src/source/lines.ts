/** A line of an object, without its end-of-line bytes (LF or CRLF). */
export interface Line {
  /** 1-based. */
  readonly lineNo: number;
  readonly bytes: Buffer;
}

/** A line longer than the cap: its bytes were not kept. */
export interface OverlongLine {
  readonly lineNo: number;
  readonly overlongBytes: number;
}

export type LineItem = Line | OverlongLine;

export const isOverlong = (item: LineItem): item is OverlongLine => 'overlongBytes' in item;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into lines, yielding them in batches (one per input chunk) because an
 * await per line costs more than parsing it. Memory is bounded by `maxLineBytes`: a longer line
 * is reported as overlong and skipped up to its end, never buffered.
 */
export async function* splitLines(source: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<LineItem[]> {
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let overlong = false;
  let lineNo = 0;
  for await (const chunk of source) {
    const batch: LineItem[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(LF, start); nl !== -1; nl = chunk.indexOf(LF, start)) {
      lineNo += 1;
      const tailBytes = carryBytes + (nl - start);
      if (overlong || tailBytes > maxLineBytes) {
        batch.push({ lineNo, overlongBytes: tailBytes });
      } else {
        const piece = chunk.subarray(start, nl);
        const whole = carryBytes === 0 ? piece : Buffer.concat([...carry, piece], tailBytes);
        batch.push({ lineNo, bytes: trimCr(whole) });
      }
      carry = [];
      carryBytes = 0;
      overlong = false;
      start = nl + 1;
    }
    if (start < chunk.length) {
      carryBytes += chunk.length - start;
      if (carryBytes > maxLineBytes) {
        overlong = true;
        carry = [];
      } else {
        // Copy: the rest of a chunk may be a view into a pooled buffer that the producer reuses.
        carry.push(Buffer.from(chunk.subarray(start)));
      }
    }
    if (batch.length > 0) yield batch;
  }
  if (carryBytes > 0) {
    lineNo += 1;
    yield [overlong ? { lineNo, overlongBytes: carryBytes } : { lineNo, bytes: trimCr(Buffer.concat(carry, carryBytes)) }];
  }
}

function trimCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line;
}
