/**
 * Paces calls below an API's token bucket (AWS-LIMITS.md), so a worker that creates or deletes
 * thousands of snapshots stays under EC2's 5/s mutating buckets instead of leaning on throttling
 * errors. The clock is injected: core never reads time itself.
 */
export interface Sleeper {
  /** Milliseconds since some fixed origin (monotonic is fine). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface Pacer {
  /** Resolves when one more call may be made. */
  take(): Promise<void>;
}

/**
 * A token bucket: `burst` calls at once, then `ratePerSecond`.
 * @example const pacer = createPacer({ ratePerSecond: 2, burst: 2 }, sleeper); await pacer.take();
 */
export function createPacer(limits: { ratePerSecond: number; burst: number }, clock: Sleeper): Pacer {
  let tokens = limits.burst;
  let last = clock.now();
  let queue: Promise<void> = Promise.resolve();
  const refill = () => {
    const t = clock.now();
    tokens = Math.min(limits.burst, tokens + ((t - last) / 1000) * limits.ratePerSecond);
    last = t;
  };
  const takeOne = async () => {
    refill();
    while (tokens < 1) {
      await clock.sleep(Math.ceil(((1 - tokens) / limits.ratePerSecond) * 1000));
      refill();
    }
    tokens -= 1;
  };
  return {
    take() {
      // Serialise waiters so the bucket is shared fairly by concurrent callers; one failed wait
      // must not poison the chain for every later caller.
      const turn = queue.then(takeOne);
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}

/** No pacing (sandbox without throttling, unit tests). */
export const unpaced: Pacer = { take: () => Promise.resolve() };
