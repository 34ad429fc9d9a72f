import { describe, expect, it } from "vitest";
import { periodIndex, periodKey, selectTier, TIERS } from "../../src/retention/tiers.ts";

describe("Function: periodKey", () => {
  it.each([
    ["hourly", "2024-05-14T10:59:59.999Z", "2024-05-14T10"],
    ["daily", "2024-05-14T23:59:59.999Z", "2024-05-14"],
    ["weekly", "2024-05-13T00:00:00Z", "2024-W20"],
    ["weekly", "2024-05-12T23:59:59Z", "2024-W19"],
    ["weekly", "2021-01-03T12:00:00Z", "2020-W53"],
    ["weekly", "2019-12-30T00:00:00Z", "2020-W01"],
    ["monthly", "2024-02-29T23:00:00Z", "2024-02"],
    ["yearly", "2023-12-31T23:59:59Z", "2023"],
  ] as const)("%s key of %s is %s (UTC)", (tier, at, expected) => {
    // Prepare, Act
    const key = periodKey(tier, new Date(at));
    // Assess
    expect(key).toBe(expected);
  });
});

describe("Function: periodIndex", () => {
  it("agrees with periodKey: same index exactly when same key, later periods larger", () => {
    // Prepare: every 5 hours over 3 years, around the epoch and today
    const times: number[] = [];
    for (const base of [Date.UTC(1968, 0, 1), Date.UTC(2022, 0, 1)]) {
      for (let t = base; t < base + 3 * 366 * 86_400_000; t += 5 * 3_600_000) times.push(t);
    }
    const mismatches: string[] = [];
    for (const tier of TIERS) {
      for (let i = 1; i < times.length; i++) {
        const [a, b] = [times[i - 1] as number, times[i] as number];
        // Act
        const sameIndex = periodIndex(tier, a) === periodIndex(tier, b);
        const sameKey = periodKey(tier, new Date(a)) === periodKey(tier, new Date(b));
        if (sameIndex !== sameKey || periodIndex(tier, b) < periodIndex(tier, a)) {
          mismatches.push(`${tier} ${new Date(a).toISOString()} .. ${new Date(b).toISOString()}`);
        }
      }
    }
    // Assess
    expect(mismatches).toEqual([]);
  });
});

describe("Function: selectTier", () => {
  const at = (iso: string, id: string) => ({ id, createdAt: new Date(iso) });

  it("keeps the newest snapshot of each of the N most recent periods that have one", () => {
    // Prepare
    const snapshots = [
      at("2024-05-14T22:00:00Z", "c"),
      at("2024-05-14T02:00:00Z", "b"),
      at("2024-05-12T02:00:00Z", "a"),
      at("2024-05-11T02:00:00Z", "z"),
    ];
    // Act
    const kept = selectTier(snapshots, "daily", 2);
    // Assess
    expect(kept).toEqual(["c", "a"]);
  });

  it("keeps fewer when there are fewer periods, and nothing for an empty list", () => {
    // Prepare
    const snapshots = [at("2024-05-14T22:00:00Z", "b"), at("2023-01-14T02:00:00Z", "a")];
    // Act, Assess
    expect(selectTier(snapshots, "yearly", 5)).toEqual(["b", "a"]);
    expect(selectTier([], "monthly", 5)).toEqual([]);
  });
});
