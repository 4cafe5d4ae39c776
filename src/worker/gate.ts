import { messageOf } from '../core/errors.js';
import { backoffDelay, sleep } from '../core/backoff.js';

/** How the gate probes: undefined when the downstream answers healthy, else why it is not. */
export type Probe = () => Promise<string | undefined>;

const PROBE_BACKOFF = { baseMs: 1000, maxMs: 30_000 } as const;
/** While closed, why is said again this often (an operator must mend credentials or a CA). */
const REMIND_MS = 60_000;

/**
 * Stops taking new work while OpenSearch is away or refuses us. The bulk indexer closes the gate
 * when a whole request fails (no answer, 5xx, 429, refused credentials, an untrusted
 * certificate); pollers wait on it before every receive, so the queue is not drained into
 * failures and receive counts do not climb towards the dead-letter queue meanwhile. The gate
 * probes with jittered backoff, says why it is closed at most once a minute, and reopens by itself.
 */
export class HealthGate {
  private closed: Promise<void> | undefined;

  constructor(
    private readonly probe: Probe,
    private readonly onChange: (open: boolean, detail: string) => void = () => undefined,
    private readonly signal?: AbortSignal,
    private readonly remindMs = REMIND_MS,
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
    let told = Date.now();
    for (let attempt = 1; !this.signal?.aborted; attempt++) {
      await sleep(backoffDelay(attempt, PROBE_BACKOFF), this.signal).catch(() => undefined);
      if (this.signal?.aborted) return;
      const why = await this.probe().catch((err: unknown) => messageOf(err));
      if (why === undefined) {
        this.onChange(true, `healthy again after ${attempt} probe(s)`);
        return;
      }
      if (Date.now() - told >= this.remindMs) {
        told = Date.now();
        this.onChange(false, `still paused after ${attempt} probe(s): ${why}`);
      }
    }
  }
}
