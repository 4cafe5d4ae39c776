/**
 * A progress line on a terminal (stderr): redrawn in place a few times a second, never printed
 * when stderr is a pipe or a file, so logs and scripts see nothing of it.
 */
import type { WriteStream } from 'node:tty';
import type { S3ObjectRef } from '../core/types.js';

/** Counts a long run reports: objects and bytes listed and done, records, when it started. */
export interface ProgressCounts {
  listed: number;
  listedBytes: number;
  /** Whether listing has finished (the totals are final, so an ETA means something). */
  listingDone: boolean;
  done: number;
  doneBytes: number;
  records: number;
}

/** Fresh counts. */
export const newProgressCounts = (): ProgressCounts => ({ listed: 0, listedBytes: 0, listingDone: false, done: 0, doneBytes: 0, records: 0 });

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** `1.5 GB`: bytes in powers of 1000, as S3's console shows them. */
export function formatBytes(n: number): string {
  let i = 0;
  let v = n;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${UNITS[i]}`;
}

/** `1h02m`, `4m05s`, `12s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const p = (n: number) => String(n).padStart(2, '0');
  if (s >= 3600) return `${Math.floor(s / 3600)}h${p(Math.floor((s % 3600) / 60))}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${p(s % 60)}s`;
  return `${s}s`;
}

/**
 * The line: objects and bytes done of listed, records/s, and the time left (by bytes, once the
 * listing is complete). `extra` adds a caller's words (`12 matched`, `340 sent`).
 */
export function progressLine(c: ProgressCounts, elapsedMs: number, extra = ''): string {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(c.records / seconds) : 0;
  const listed = `${c.listed}${c.listingDone ? '' : '+'}`;
  let eta = '';
  if (c.listingDone && c.doneBytes > 0 && seconds > 0) eta = `  ETA ${formatDuration(((c.listedBytes - c.doneBytes) * seconds) / c.doneBytes)}`;
  const parts = [`objects ${c.done}/${listed}`, `${formatBytes(c.doneBytes)}/${formatBytes(c.listedBytes)}`, `${rate} records/s`];
  return `${parts.join('  ')}${extra ? `  ${extra}` : ''}${eta}`;
}

/** Redraws `render()` on `stream` every `intervalMs` while running, when the stream is a terminal. */
export class ProgressLine {
  private timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();

  constructor(
    private readonly stream: NodeJS.WriteStream | WriteStream,
    private readonly render: (elapsedMs: number) => string,
    private readonly intervalMs = 250,
  ) {}

  /** Whether anything is drawn: only on a terminal. */
  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  /** Starts redrawing. */
  start(): this {
    if (this.enabled) {
      this.timer = setInterval(() => this.draw(), this.intervalMs);
      this.timer.unref();
    }
    return this;
  }

  /** Draws a last time and leaves the line on the screen. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.draw();
    this.stream.write('\n');
  }

  private draw(): void {
    // \r back to the start of the line, the text, then ESC[K clears what a longer line left.
    this.stream.write(`\r${this.render(Date.now() - this.started)}\x1b[K`);
  }
}

/** Counts each listed object (and its size) as it passes, and marks the listing complete at its end. */
export async function* countListed(refs: AsyncIterable<S3ObjectRef>, counts: ProgressCounts): AsyncGenerator<S3ObjectRef> {
  for await (const ref of refs) {
    counts.listed += 1;
    counts.listedBytes += ref.size ?? 0;
    yield ref;
  }
  counts.listingDone = true;
}
