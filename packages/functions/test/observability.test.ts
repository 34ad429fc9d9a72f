import { emptySummary } from "@outpost-ops/core/summary";
import { afterEach, describe, expect, it, vi } from "vitest";
import { logger, metrics, reportSummary } from "../src/lib/observability.ts";

describe("Function: reportSummary", () => {
  afterEach(() => vi.restoreAllMocks());

  it("emits the counters, and skips and failures by reason code", () => {
    // Prepare
    vi.spyOn(logger, "info").mockImplementation(() => {});
    const added: [string, number][] = [];
    const singles: { dimensions: Record<string, string>; metric: [string, number] }[] = [];
    vi.spyOn(metrics, "addMetric").mockImplementation((name, _unit, value) => {
      added.push([name, value]);
      return metrics;
    });
    vi.spyOn(metrics, "singleMetric").mockImplementation(() => {
      const single = { dimensions: {} as Record<string, string>, metric: ["", 0] as [string, number] };
      singles.push(single);
      return {
        addDimensions: (d: Record<string, string>) => Object.assign(single.dimensions, d),
        addMetric: (name: string, _unit: unknown, value: number) => {
          single.metric = [name, value];
        },
      } as unknown as ReturnType<typeof metrics.singleMetric>;
    });
    const summary = emptySummary("retention", "apply", new Date("2024-05-14T10:00:00Z"));
    summary.skipped = { "used-by-ami": 2, "already-deleted": 1 };
    summary.failed = 1;
    summary.errors = [{ key: "snap-1", code: "access-denied", detail: "denied" }];

    // Act
    reportSummary(summary);

    // Assess
    expect(added).toContainEqual(["Skipped", 3]);
    expect(added).toContainEqual(["Failed", 1]);
    expect(singles).toEqual([
      { dimensions: { job: "retention", code: "used-by-ami" }, metric: ["SkippedByReason", 2] },
      { dimensions: { job: "retention", code: "already-deleted" }, metric: ["SkippedByReason", 1] },
      { dimensions: { job: "retention", code: "access-denied" }, metric: ["FailedByReason", 1] },
    ]);
  });
});
