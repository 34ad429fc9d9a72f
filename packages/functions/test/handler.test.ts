import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseScheduledEvent } from "../src/lib/events.ts";
import { lambda } from "../src/lib/handler.ts";
import { metrics } from "../src/lib/observability.ts";

const context = { functionName: "test", getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

describe("Function: lambda", () => {
  // The count is what matters here; its EMF line on stdout is noise in the test output.
  beforeEach(() => vi.spyOn(metrics, "publishStoredMetrics").mockImplementation(() => metrics));
  afterEach(() => vi.restoreAllMocks());

  it("counts a malformed event as MalformedEvents before the body runs", async () => {
    // Prepare
    const added = vi.spyOn(metrics, "addMetric");
    const body = vi.fn(async () => "ran");
    const handler = lambda(parseScheduledEvent, body);
    // Act
    const result = handler({ source: "aws.events", "detail-type": "Something Else" }, context);
    // Assess
    await expect(result).rejects.toMatchObject({ name: "EventShapeError" });
    expect(body).not.toHaveBeenCalled();
    expect(added).toHaveBeenCalledWith("MalformedEvents", "Count", 1);
  });

  it("counts any other failure as InvocationErrors and rethrows it", async () => {
    const added = vi.spyOn(metrics, "addMetric");
    const handler = lambda(
      (raw) => raw,
      async () => {
        throw new Error("boom");
      },
    );
    await expect(handler({}, context)).rejects.toThrow("boom");
    expect(added).toHaveBeenCalledWith("InvocationErrors", "Count", 1);
  });
});
