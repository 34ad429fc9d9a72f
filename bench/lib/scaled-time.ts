/**
 * Time for the benchmarks: the wall clock sped up `scale` times. The sandbox's token buckets refill
 * `scale` times faster on the wall clock (throttle.ts), so on this clock they refill at AWS's own
 * rates: a pacer, a Lambda timeout or a backoff measured on it meets them as it would meet AWS. The
 * sandbox clock follows it (snapshot and copy completion, visibility timeouts, Route 53 propagation).
 * Ratios to AWS's floors do not depend on the scale; what the scale does inflate is our own CPU time
 * (a 3 s planner reads as 3 × scale seconds), which is why each figure names the scale it ran at.
 */
import type { Sleeper } from "@outpost-ops/core/pacing";
import type { Sandbox } from "@outpost-ops/sandbox";

/** How often the sandbox clock is moved to the scaled time (wall ms). */
const FOLLOW_EVERY_MS = 5;

export class ScaledTime implements Sleeper {
  private readonly wall0 = performance.now();
  private readonly start: number;

  constructor(
    readonly scale: number,
    start: Date,
  ) {
    this.start = start.getTime();
  }

  /** Scaled milliseconds since the epoch: the benchmark's AWS time. */
  now(): number {
    return this.start + (performance.now() - this.wall0) * this.scale;
  }

  /** Waits `ms` of scaled time (ms / scale of wall time). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / this.scale)));
  }

  /**
   * Keeps the sandbox clock on this time until the returned stop is called; start the sandbox at
   * the same start time.
   */
  drive(sandbox: Pick<Sandbox, "clock">): () => void {
    const tick = () => {
      const t = this.now();
      if (t > sandbox.clock.now().getTime()) sandbox.clock.set(new Date(t));
    };
    tick();
    const timer = setInterval(tick, FOLLOW_EVERY_MS);
    return () => clearInterval(timer);
  }
}
