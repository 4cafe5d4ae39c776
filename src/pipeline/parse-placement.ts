/**
 * Where a {@link ParsePool} parses each task of lines (or CloudTrail records): on the main thread,
 * or on a parse thread. A task is weighed by its bytes, which a flow line and a CloudTrail record
 * cost within a few times of each other, where by count a record costs several lines.
 *
 * A parse thread is not free. Beside its share of the work it brings an isolate of its own (its
 * garbage collection and compiling, on V8's platform threads) and the copies of lines and answers
 * between threads: on the 2-core machine of BENCHMARKS.md two threads took ~55 % more CPU a record
 * than the main thread alone. That buys records only while the main thread is what holds the
 * process back. When OpenSearch is (the usual case for a worker: it waits on `_bulk` answers most
 * of the time), the threads only burn CPU, and on a machine the node shares they take it from the
 * node. So {@link LoadPlacement} hands tasks to threads only while the main thread is busy.
 */
import { performance } from 'node:perf_hooks';

/** Decides, task by task, where lines are parsed, and learns what parsing them here costs. */
export interface Placement {
  /** True to send a task of `bytes` bytes of lines to a parse thread, false to parse it on the main thread. */
  onThread(bytes: number): boolean;
  /** The main thread parsed `bytes` bytes of lines in `ms` milliseconds. */
  parsedHere(bytes: number, ms: number): void;
}

/** Every task goes to a thread: the pool's default (what `npm run bench`'s `full-threads` measures), and `parse`'s. */
export const ON_THREADS: Placement = { onThread: () => true, parsedHere: () => undefined };

/** The event loop's time so far, in milliseconds: running callbacks (`active`) and waiting (`idle`), as `performance.eventLoopUtilization()` counts them. */
export type LoopGauge = () => { readonly active: number; readonly idle: number };

/** Hears each move, to the threads (true) or back to the main thread, with the busy share of the look that made it. */
export type MoveListener = (toThreads: boolean, busy: number) => void;

export interface LoadPlacementOptions {
  /** The event loop's time; `performance.eventLoopUtilization()` by default. */
  readonly gauge?: LoopGauge;
  readonly onMove?: MoveListener;
}

/** The main thread's load is looked at again after this much time, over the time since the last look. */
export const LOOK_MS = 250;
/**
 * Parsing here, the main thread is the bottleneck from this share of its time busy on: tasks go to
 * threads. Not 1: a main thread that parses as fast as it can still waits a little for gunzip (on
 * libuv's threads) and for its writes (`parse` to a file: 0.86–0.93 by 250 ms), while a worker
 * held back by OpenSearch was busy 0.2–0.45 of the time (`bench:e2e`, 2026-12-02).
 */
export const BUSY = 0.8;
/**
 * Looks in a row that must find the main thread that busy: a worker starting up is busy for a
 * moment (its code compiling, its first objects read before OpenSearch holds it back). In
 * `bench:e2e` its first look read 0.89–1.00 and the later ones 0.2–0.5, but one start in three
 * read busy twice (2026-12-02). Since objects inflate in 64 KiB chunks the main thread waits less
 * for zlib, and a start read 1.00, 1.00 and 0.6–0.8 next: with 3 looks one round in three went to
 * the threads at 1 s, came back at 5 s, and took 18–20 µs of CPU a record against 8–9 (2026-12-03).
 * Two seconds of a busy main thread is past any start seen, and little delay for a process that
 * parsing really holds back.
 */
export const BUSY_LOOKS = 8;
/**
 * With tasks on threads, they come back when the main thread's busy share plus what parsing the
 * bytes sent in that time would have taken it stays below this: lower than {@link BUSY}, so that
 * an estimate a little low does not send them back and forth.
 */
export const CALM = 0.6;
/** Weight of the newest batch in the running cost of a line parsed here. */
const COST_WEIGHT = 0.2;

/**
 * Parses here while the main thread has time to spare, on threads while it does not. Every
 * {@link LOOK_MS} it takes the share of the main thread's time its event loop was busy: parsing
 * here, from {@link BUSY} on ({@link BUSY_LOOKS} looks in a row) the tasks go to the threads; on
 * threads, they come back once that share plus the cost of parsing the bytes sent meanwhile here
 * falls below {@link CALM} (not at the first look after the move, while the threads may still be
 * starting). That cost is a running mean of what a byte of lines took here; on threads the
 * first task after each look is parsed here to keep it current (a mean left from the first, cold
 * tasks would keep the threads forever). It starts here: a process whose parsing never holds it
 * up never starts a thread.
 */
export class LoadPlacement implements Placement {
  readonly #gauge: LoopGauge;
  readonly #onMove: MoveListener | undefined;
  #threads = false;
  /** Looks in a row that found the main thread busy while parsing here. */
  #busyLooks = 0;
  /** Tasks have just moved to threads: the next look keeps them there. */
  #moved = false;
  /** On threads: the next task is parsed here, to measure what a byte costs now. */
  #probe = false;
  /** The gauge at the last look; undefined before the first task. */
  #last: { readonly active: number; readonly idle: number } | undefined;
  /** Bytes of lines sent to threads since the last look. */
  #sent = 0;
  /** Milliseconds a byte of lines took here, a running mean; 0 before any was parsed here. */
  #msPerByte = 0;

  constructor(options: LoadPlacementOptions = {}) {
    this.#gauge = options.gauge ?? (() => performance.eventLoopUtilization());
    this.#onMove = options.onMove;
  }

  onThread(bytes: number): boolean {
    const now = this.#gauge();
    const last = this.#last;
    if (last === undefined) {
      this.#last = now;
    } else {
      const active = now.active - last.active;
      const span = active + now.idle - last.idle;
      if (span >= LOOK_MS) {
        const busy = active / span;
        const before = this.#threads;
        if (this.#threads) {
          // The first look after the move is not judged: threads still starting (compiling, opening the databases) leave the main thread waiting, which looks calm.
          this.#threads = this.#moved || busy + (this.#sent * this.#msPerByte) / span >= CALM;
          this.#moved = false;
          this.#probe = this.#threads;
        } else {
          this.#busyLooks = busy >= BUSY ? this.#busyLooks + 1 : 0;
          this.#threads = this.#busyLooks >= BUSY_LOOKS;
          this.#moved = this.#threads;
          this.#busyLooks = this.#threads ? 0 : this.#busyLooks;
        }
        this.#last = now;
        this.#sent = 0;
        if (this.#threads !== before) this.#onMove?.(this.#threads, busy);
      }
    }
    if (!this.#threads || this.#probe) {
      this.#probe = false;
      return false;
    }
    this.#sent += bytes;
    return true;
  }

  parsedHere(bytes: number, ms: number): void {
    if (bytes === 0) return;
    const cost = ms / bytes;
    this.#msPerByte = this.#msPerByte === 0 ? cost : this.#msPerByte + COST_WEIGHT * (cost - this.#msPerByte);
  }
}
