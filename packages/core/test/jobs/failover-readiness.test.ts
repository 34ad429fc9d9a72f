import { describe, expect, it } from "vitest";
import { readinessChange } from "../../src/jobs/failover-readiness.ts";

describe("Function: readinessChange", () => {
  it.each([
    [1, false, "lost"],
    [undefined, false, "lost"],
    [0, true, "regained"],
    [1, true, undefined],
    [0, false, undefined],
    // A first check that finds failover ready has nothing to announce.
    [undefined, true, undefined],
  ] as const)("previous %s, ready %s: %s", (previous, ready, change) => {
    expect(readinessChange(previous, ready)).toBe(change);
  });
});
