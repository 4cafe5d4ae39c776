/**
 * The worker's memory budget: bytes of objects in work at once. Messages are admitted in the order
 * they ask (a large one is not overtaken for ever by small ones), each when its bytes fit beside
 * those already in work, or alone when it is larger than the whole budget.
 */

/** Raised to a message still waiting for room when the worker stops: it never began, so it is handed back. */
export class BudgetClosed extends Error {
  override readonly name = 'BudgetClosed';
}

interface Waiter {
  readonly bytes: number;
  readonly grant: () => void;
  readonly refuse: (err: Error) => void;
}

/** Counts bytes in work against a limit; see the module comment. */
export class ByteBudget {
  private used = 0;
  private readonly waiters: Waiter[] = [];
  private readonly roomWaiters: Array<() => void> = [];
  private closed = false;

  constructor(readonly limit: number) {}

  /** Bytes admitted and not yet given back. */
  get inUse(): number {
    return this.used;
  }

  /** Messages waiting for room. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Resolves once a new message could start: some room is left and nobody waits. Pollers wait on it
   * before each receive, so a worker at its budget leaves new messages on the queue for the others.
   * Once closed it never resolves: a stopping worker must not receive (each receive counts towards
   * the queue's dead-letter limit).
   */
  async room(): Promise<void> {
    if (this.hasRoom()) return;
    await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  /**
   * Waits until `bytes` may be in work, then resolves with the function that gives them back (once).
   * More than the limit counts as the limit: such a message runs alone.
   */
  async acquire(requested: number): Promise<() => void> {
    if (this.closed) throw new BudgetClosed('the worker is stopping');
    const bytes = Math.min(requested, this.limit);
    await new Promise<void>((grant, refuse) => {
      this.waiters.push({ bytes, grant, refuse });
      this.admit();
    });
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.used -= bytes;
      this.admit();
    };
  }

  /** Refuses every waiting message and every later one, and keeps pollers from receiving (the worker stops). */
  close(): void {
    this.closed = true;
    this.roomWaiters.length = 0;
    for (const waiter of this.waiters.splice(0)) waiter.refuse(new BudgetClosed('the worker is stopping'));
  }

  private hasRoom(): boolean {
    return !this.closed && this.waiters.length === 0 && this.used < this.limit;
  }

  /** Grants waiters in order while the first fits (or the budget is empty), then wakes pollers if room is left. */
  private admit(): void {
    for (let head = this.waiters[0]; head !== undefined; head = this.waiters[0]) {
      if (this.used > 0 && this.used + head.bytes > this.limit) break;
      this.waiters.shift();
      this.used += head.bytes;
      head.grant();
    }
    if (this.hasRoom()) this.wakeRoomWaiters();
  }

  private wakeRoomWaiters(): void {
    for (const wake of this.roomWaiters.splice(0)) wake();
  }
}
