import { describe, expect, it } from "vitest";
import { createPacer, EC2_SNAPSHOT_BUCKET, type Sleeper, shareOf, unpaced } from "../src/pacing.ts";

/** A clock that only moves when someone sleeps: no real time passes. */
function fakeClock(start = 1_000_000): Sleeper & { sleeps: number[]; advance(ms: number): void; t: number } {
  const clock = {
    t: start,
    sleeps: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
    advance: (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

async function takeTimes(
  pacer: { take(): Promise<void> },
  n: number,
  clock: { t: number },
): Promise<number[]> {
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    await pacer.take();
    at.push(clock.t);
  }
  return at;
}

describe("Function: createPacer", () => {
  it("lets a burst through at once, then one call per 1/rate seconds", async () => {
    // Prepare
    const clock = fakeClock(0);
    const pacer = createPacer({ ratePerSecond: 5, burst: 3 }, clock);

    // Act
    const at = await takeTimes(pacer, 7, clock);

    // Assess
    expect(at).toEqual([0, 0, 0, 200, 400, 600, 800]);
    expect(clock.sleeps).toEqual([200, 200, 200, 200]);
  });

  it("refills while idle, but never beyond the burst", async () => {
    // Prepare
    const clock = fakeClock(0);
    const pacer = createPacer({ ratePerSecond: 2, burst: 2 }, clock);
    await takeTimes(pacer, 2, clock);

    // Act
    clock.advance(60_000);
    const at = await takeTimes(pacer, 3, clock);

    // Assess
    expect(at).toEqual([60_000, 60_000, 60_500]);
    expect(clock.sleeps).toEqual([500]);
  });

  it("sleeps only for the missing fraction of a token", async () => {
    // Prepare
    const clock = fakeClock(0);
    const pacer = createPacer({ ratePerSecond: 1, burst: 1 }, clock);
    await pacer.take();

    // Act
    clock.advance(700);
    await pacer.take();

    // Assess (the bucket works in floating point: 1 - 0.7 rounds up to 301 ms, never down)
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(300);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(301);
  });

  it("shares one bucket between concurrent callers, in call order", async () => {
    // Prepare
    const clock = fakeClock(0);
    const pacer = createPacer({ ratePerSecond: 4, burst: 1 }, clock);
    const order: number[] = [];

    // Act
    await Promise.all([0, 1, 2, 3].map((i) => pacer.take().then(() => order.push(i))));

    // Assess
    expect(order).toEqual([0, 1, 2, 3]);
    expect(clock.sleeps).toEqual([250, 250, 250]);
    expect(clock.t).toBe(750);
  });

  it("keeps the long-run rate: 100 calls at 5/s with burst 5 take 19 s of clock time", async () => {
    // Prepare
    const clock = fakeClock(0);
    const pacer = createPacer({ ratePerSecond: 5, burst: 5 }, clock);

    // Act
    await takeTimes(pacer, 100, clock);

    // Assess
    expect(clock.t).toBe(19_000);
  });
});

describe("Function: unpaced", () => {
  it("never waits", async () => {
    // Act & Assess
    await expect(unpaced.take()).resolves.toBeUndefined();
  });
});

describe("Function: shareOf", () => {
  it("divides the refill and four fifths of the burst among the containers", () => {
    // Act & Assess
    expect(shareOf(EC2_SNAPSHOT_BUCKET, 2)).toEqual({ ratePerSecond: 2.5, burst: 40 });
    expect(shareOf({ burst: 100, refillPerSecond: 5 }, 3)).toEqual({ ratePerSecond: 5 / 3, burst: 26 });
    expect(shareOf({ burst: 1, refillPerSecond: 5 }, 4).burst).toBe(1);
  });

  it("refuses a container count that is not a positive integer", () => {
    // Act & Assess
    expect(() => shareOf(EC2_SNAPSHOT_BUCKET, 0)).toThrow(RangeError);
    expect(() => shareOf(EC2_SNAPSHOT_BUCKET, 1.5)).toThrow(RangeError);
  });

  /**
   * AWS's bucket, created full by the first call it sees, against two busy containers pacing at
   * their shares; the first call reaches AWS `firstCallMs` after its pacer let it go (a new
   * connection), the others at once.
   */
  async function sweep(firstCallMs: number, calls: number) {
    const clock = fakeClock(0);
    const bucket = EC2_SNAPSHOT_BUCKET;
    const pacers = [0, 1].map(() => createPacer(shareOf(bucket, 2), clock));
    let tokens = bucket.burst;
    let last: number | undefined;
    let throttled = 0;
    const call = () => {
      last ??= clock.t;
      tokens = Math.min(bucket.burst, tokens + ((clock.t - last) / 1000) * bucket.refillPerSecond);
      last = clock.t;
      if (tokens < 1) throttled++;
      else tokens -= 1;
    };
    for (let i = 0; i < calls; i++) {
      await pacers[i % 2]?.take();
      if (i === 0) await clock.sleep(firstCallMs);
      call();
    }
    return { throttled, seconds: clock.t / 1000 };
  }

  it("lets containers at their shares keep AWS's bucket busy without ever being throttled", async () => {
    // Act: 1,100 calls, taken alternately (one fake clock moves for both)
    const { throttled, seconds } = await sweep(0, 1_100);

    // Assess: the shares' bursts (80) at once, then the refill: 1,020 calls at 5/s = 204 s
    expect(throttled).toBe(0);
    expect(seconds).toBeLessThanOrEqual(204.4);
  });

  it("is not throttled when AWS's bucket starts counting after the pacers did (a slow first call)", async () => {
    // Act: the first call takes 1 s to reach AWS; the pacers refill during it, AWS's bucket does not exist yet
    const { throttled } = await sweep(1_000, 1_100);

    // Assess: the burst margin absorbs the pacers' head start (without it, calls meet an empty bucket)
    expect(throttled).toBe(0);
  });
});
