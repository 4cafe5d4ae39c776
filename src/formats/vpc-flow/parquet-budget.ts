/**
 * MAX_OBJECT_BYTES for Parquet. A text object is capped as its decompressed bytes stream past;
 * a Parquet object is decoded a row group at a time, so the cap must hold before a row group is
 * decoded: a 248 KB file whose GZIP pages (or RLE runs) unpack to gigabytes would otherwise fill
 * memory before its first row. Each row group is charged, before it is read, the larger of what
 * its footer declares (the columns' uncompressed sizes) and its values at 8 bytes each (the least
 * a decoded value takes in memory, whatever the encoding); and each page, as it is inflated, its
 * real size, so a footer that understates its pages still cannot pass the cap.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Compressors, RowGroup } from 'hyparquet';

/** The least memory one decoded value takes (a number or a reference in an array). */
const BYTES_PER_VALUE = 8;

/** The object's decompressed bytes went past the cap. Permanent: the same bytes give the same sizes. */
export class ParquetBudgetError extends Error {
  override readonly name = 'ParquetBudgetError';
}

/** Decompressed bytes charged so far against one object's cap. */
export class ParquetBudget {
  #spent = 0;
  /** What the row group in work was charged, and what its pages inflated to so far. */
  #allowance = 0;
  #inflated = 0;

  constructor(readonly maxBytes: number) {}

  /** Charges a row group before it is decoded; `columns` is the object's column count. */
  chargeRowGroup(group: RowGroup, columns: number, label: string): void {
    const declared = group.columns.reduce((sum, chunk) => sum + Number(chunk.meta_data?.total_uncompressed_size ?? 0), 0);
    const bytes = Math.max(declared, Number(group.num_rows) * columns * BYTES_PER_VALUE);
    this.#allowance = bytes;
    this.#inflated = 0;
    this.#charge(bytes, `${label} would decode to at least ${bytes} bytes`);
  }

  /**
   * Page codecs that charge what their pages inflate to beyond the row group's charge. zlib stops
   * at the page's declared size, and never past the cap.
   */
  compressors(): Compressors {
    const inflate = (run: (input: Uint8Array, max: number) => Uint8Array) => (input: Uint8Array, size: number): Uint8Array => {
      const out = run(input, Math.max(1, Math.min(size, this.maxBytes)));
      this.#inflated += out.length;
      if (this.#inflated > this.#allowance) {
        const over = this.#inflated - this.#allowance;
        this.#allowance = this.#inflated;
        this.#charge(over, `its pages inflate past what the footer declares`);
      }
      return out;
    };
    return {
      GZIP: inflate((input, max) => gunzipSync(input, { maxOutputLength: max })),
      BROTLI: inflate((input, max) => brotliDecompressSync(input, { maxOutputLength: max })),
    };
  }

  #charge(bytes: number, what: string): void {
    this.#spent += bytes;
    if (this.#spent > this.maxBytes) {
      throw new ParquetBudgetError(`decompressed size passed MAX_OBJECT_BYTES (${this.maxBytes} bytes): ${what}; reading stopped`);
    }
  }
}
