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

/** One of AWS's token buckets (AWS-LIMITS.md): `burst` calls at once, refilling `refillPerSecond`. */
export interface ApiBucket {
  burst: number;
  refillPerSecond: number;
}

/** EC2's CreateSnapshot, CreateSnapshots and DeleteSnapshot buckets: one each, per account and Region. */
export const EC2_SNAPSHOT_BUCKET: ApiBucket = { burst: 100, refillPerSecond: 5 };

/**
 * What the shares of a bucket's burst leave unclaimed. AWS's bucket starts counting at the first call
 * it sees, a pacer when it lets that call go: the pacers refill while the first call (a new
 * connection) travels, and at exactly the bucket's rate that lead is then spent against an empty
 * bucket. Measured on the sandbox's buckets: with the whole burst claimed, a quarter of a sweep's
 * calls were throttled and retried; with four fifths of it, none (BENCHMARKS.md, P2). The margin
 * also absorbs a replaced container's fresh share. The burst is spent once, so it costs a sweep
 * nothing measurable.
 */
export const BURST_MARGIN = 0.2;

/**
 * One container's pacing when `containers` of them draw on `bucket` at once: an equal share of its
 * refill, and of its burst less BURST_MARGIN. Together they then take fewer than burst + refill × t
 * calls in any t seconds, which is what the bucket grants, so (while nothing else draws on it) none
 * of their calls is throttled, and when all of them are busy they keep it as busy as AWS allows: a
 * smaller share of the refill leaves the floor out of reach by construction (two containers at 2/s
 * reach 4/5 of a 5/s bucket).
 * @example shareOf(EC2_SNAPSHOT_BUCKET, 2) // { ratePerSecond: 2.5, burst: 40 }
 */
export function shareOf(bucket: ApiBucket, containers: number): { ratePerSecond: number; burst: number } {
  if (!Number.isInteger(containers) || containers < 1)
    throw new RangeError(`shareOf: containers must be a positive integer, not ${containers}`);
  return {
    ratePerSecond: bucket.refillPerSecond / containers,
    burst: Math.max(1, Math.floor((bucket.burst * (1 - BURST_MARGIN)) / containers)),
  };
}

/** No pacing (sandbox without throttling, unit tests). */
export const unpaced: Pacer = { take: () => Promise.resolve() };
