/** Retry pacing: exponential backoff with full jitter, and an abortable sleep. */
import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffOptions {
  /** Ceiling of the first retry's delay. */
  readonly baseMs: number;
  /** No delay ever exceeds this. */
  readonly maxMs: number;
}

/**
 * Delay before retry number `attempt` (1 = first retry): uniform in
 * `[0, min(maxMs, baseMs · 2^(attempt-1)))`. Full jitter rather than a fixed ladder because
 * every worker of the fleet hits the same throttled cluster at once; spreading them over the whole
 * window ends the 429 storm fastest (AWS Architecture Blog, "Exponential Backoff And Jitter").
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponent = Number.isFinite(attempt) ? Math.max(0, Math.floor(attempt) - 1) : 0;
  // 2 ** exponent reaches Infinity for huge attempts; Math.min still caps it at maxMs.
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/**
 * Resolves after `ms`; rejects with an `AbortError` as soon as `signal` aborts (at once when it
 * already has). No timer survives an abort.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal });
}
