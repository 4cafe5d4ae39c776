import { backoffDelay, sleep } from '../sink/backoff.js';

/** How the gate probes: true when the downstream answers healthy. */
export type Probe = () => Promise<boolean>;

const PROBE_BACKOFF = { baseMs: 1000, maxMs: 30_000 } as const;

/**
 * Stops taking new work while OpenSearch is away. The bulk indexer closes the gate when a whole
 * request fails for want of an answer (connection refused, 5xx, 429); pollers wait on it before
 * every receive, so the queue is not drained into failures and receive counts do not climb
 * towards the dead-letter queue while the cluster is down. The gate probes with jittered backoff
 * and reopens by itself.
 */
export class HealthGate {
  private closed: Promise<void> | undefined;

  constructor(
    private readonly probe: Probe,
    private readonly onChange: (open: boolean, detail: string) => void = () => undefined,
    private readonly signal?: AbortSignal,
  ) {}

  get isOpen(): boolean {
    return this.closed === undefined;
  }

  /** Closes the gate (once) and starts probing until the downstream is healthy again. */
  close(reason: string): void {
    if (this.closed) return;
    this.onChange(false, reason);
    this.closed = this.probeUntilHealthy().finally(() => {
      this.closed = undefined;
    });
  }

  /** Resolves at once when open; otherwise when the downstream is back or the worker stops. */
  async wait(): Promise<void> {
    await this.closed;
  }

  private async probeUntilHealthy(): Promise<void> {
    for (let attempt = 1; !this.signal?.aborted; attempt++) {
      await sleep(backoffDelay(attempt, PROBE_BACKOFF), this.signal).catch(() => undefined);
      if (this.signal?.aborted) return;
      if (await this.probe().catch(() => false)) {
        this.onChange(true, `healthy again after ${attempt} probe(s)`);
        return;
      }
    }
  }
}
