import { describe, expect, it } from "vitest";
import { retentionReachMs } from "../../src/retention/reach.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("Function: retentionReachMs", () => {
  it("keepLast N reaches N schedule intervals", () => {
    // Prepare, Act, Assess
    expect(retentionReachMs({ keepLast: 7 }, DAY)).toBe(7 * DAY);
  });

  it("takes the largest of keepLast and each tier", () => {
    // Prepare, Act
    const reach = retentionReachMs({ keepLast: 24, tiers: { daily: 7, weekly: 4 } }, HOUR);
    // Assess
    expect(reach).toBe(28 * DAY);
  });

  it("a tier finer than the schedule reaches N intervals, not N periods", () => {
    // Prepare, Act, Assess: a daily schedule needs 24 days to fill 24 hourly periods
    expect(retentionReachMs({ tiers: { hourly: 24 } }, DAY)).toBe(24 * DAY);
  });

  it("uses Gregorian average months and years", () => {
    // Prepare, Act, Assess
    expect(retentionReachMs({ tiers: { monthly: 12 } }, DAY)).toBe(365.2425 * DAY);
    expect(retentionReachMs({ tiers: { yearly: 2 } }, DAY)).toBe(2 * 365.2425 * DAY);
  });

  it("maxAge caps the reach, and is the reach when it is the only rule", () => {
    // Prepare, Act, Assess
    expect(retentionReachMs({ tiers: { monthly: 12 }, maxAge: "90d" }, DAY)).toBe(90 * DAY);
    expect(retentionReachMs({ keepLast: 2, maxAge: "90d" }, DAY)).toBe(2 * DAY);
    expect(retentionReachMs({ maxAge: "2w" }, HOUR)).toBe(14 * DAY);
  });

  it("ranks schedules: a monthly schedule keeping 12 outreaches a daily one keeping 30", () => {
    // Prepare, Act, Assess
    expect(retentionReachMs({ keepLast: 12 }, 28 * DAY)).toBeGreaterThan(
      retentionReachMs({ keepLast: 30 }, DAY),
    );
  });

  it("rejects an interval that is not a positive number", () => {
    // Prepare, Act, Assess
    expect(() => retentionReachMs({ keepLast: 1 }, 0)).toThrow(RangeError);
    expect(() => retentionReachMs({ keepLast: 1 }, Number.NaN)).toThrow(RangeError);
  });
});
