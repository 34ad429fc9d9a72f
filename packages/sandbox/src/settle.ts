import type { Clock } from "./clock.ts";

/**
 * Work that AWS does when a moment passes on the sandbox clock (a snapshot completing), run exactly once.
 *
 * Snapshot state is still computed lazily from its due time on every read; the Settler only runs the
 * side effects of settling (the EventBridge events AWS sends). It listens to the clock, so a test's
 * `clock.advance()`/`clock.set()` settles everything that fell due, in due-time order, before it
 * returns, and a task scheduled at or before "now" (completion time 0) runs at once. Tasks receive
 * their due time, so what they record carries the completion time, not the moment it was noticed.
 * Settling on incoming requests instead would leave `state.events()` stale until the next SDK call
 * and make event timing depend on request traffic; the clock only moves through set/advance, so
 * listening to it sees every passing moment.
 */
export class Settler {
  /** Ascending by atMs, ties in scheduling order. */
  private readonly due: { atMs: number; run: (atMs: number) => void }[] = [];
  private running = false;

  constructor(private readonly clock: Clock) {
    clock.onChange(() => this.settle());
  }

  at(atMs: number, run: (atMs: number) => void): void {
    // Due times mostly grow with creation, so the insertion point is nearly always the end.
    let lo = 0;
    let hi = this.due.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.due[mid] as { atMs: number }).atMs <= atMs) lo = mid + 1;
      else hi = mid;
    }
    this.due.splice(lo, 0, { atMs, run });
    this.settle();
  }

  /** Run every task whose time has come (never re-entrantly, never twice). */
  settle(): void {
    if (this.running) return;
    this.running = true;
    try {
      const now = this.clock.nowMs();
      // A task may schedule another that is already due: loop until nothing due is left.
      for (;;) {
        let n = 0;
        while (n < this.due.length && (this.due[n] as { atMs: number }).atMs <= now) n++;
        if (n === 0) break;
        for (const task of this.due.splice(0, n)) task.run(task.atMs);
      }
    } finally {
      this.running = false;
    }
  }
}
