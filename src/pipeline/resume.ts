/** An object in work; `ok` is known once it finished. */
interface Entry {
  readonly key: string;
  finished: boolean;
  ok?: boolean;
}

/**
 * Where a backfill can resume: the last key of the unbroken run of finished objects, in listing
 * (key) order. Objects finish out of order when several are read at once, so a key counts only
 * once every key before it has finished; an object that failed holds the point before it for good.
 */
export class ResumePoint {
  private readonly pending: Entry[] = [];
  private readonly byKey = new Map<string, Entry>();
  private last: string | undefined;
  private held = false;

  /** `startAfter`: the point a previous run left, if this run resumes one. */
  constructor(startAfter?: string) {
    this.last = startAfter;
  }

  /** An object enters work (in key order). */
  started(key: string): void {
    if (this.held) return;
    const entry: Entry = { key, finished: false };
    this.pending.push(entry);
    this.byKey.set(key, entry);
  }

  /** An object left work: `ok` when nothing of it needs doing again. */
  finished(key: string, ok: boolean): void {
    const entry = this.byKey.get(key);
    if (!entry) return;
    this.byKey.delete(key);
    entry.finished = true;
    entry.ok = ok;
    while (!this.held && this.pending[0]?.finished) {
      const head = this.pending.shift() as Entry;
      if (head.ok) this.last = head.key;
      else {
        // Everything from here on is redone on resume; stop tracking so memory stays flat.
        this.held = true;
        this.pending.length = 0;
        this.byKey.clear();
      }
    }
  }

  /** Every object up to and including this key is finished; undefined: start from the beginning. */
  get key(): string | undefined {
    return this.last;
  }
}
