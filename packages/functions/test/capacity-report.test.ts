/**
 * The weekly report handler around core's runCapacityReport (tested in core over the sandbox): it is
 * run as of the schedule's time with the stage for its events, and every alert (with the stage) and
 * event it returns goes out; a malformed event is refused before any call.
 */
import type { Alert } from "@outpost-ops/core/alerts";
import { EventShapeError } from "@outpost-ops/core/errors";
import type { OutpostOpsEvent } from "@outpost-ops/core/events/event";
import { runCapacityReport } from "@outpost-ops/core/jobs/capacity-report";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHandler } from "../src/schedule/capacity-report.ts";
import { context, REGION, runtime } from "./capacity-fakes.ts";

vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
});

vi.mock("@outpost-ops/core/jobs/capacity-report", () => ({ runCapacityReport: vi.fn() }));
const report = vi.mocked(runCapacityReport);

afterEach(() => report.mockReset());

const WEEK = new Date("2024-05-13T08:00:00Z");
const scheduled = {
  version: "0",
  id: "e-1",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "123456789012",
  time: "2024-05-13T08:00:00Z",
  region: REGION,
  resources: [`arn:aws:events:${REGION}:123456789012:rule/capacity-report`],
  detail: {},
};

const alertOf = (outpost: string): Omit<Alert, "stage"> => ({
  severity: "info",
  job: "capacity",
  title: `${outpost} Outpost weekly capacity: m5.large 86 %`,
  body: `${outpost}\n  m5.large 86 %`,
  region: REGION,
  at: WEEK,
  resourceIds: [],
  links: [],
});

describe("Handler: schedule/capacity-report", () => {
  it("publishes every Outpost's alert with the stage, and the report's events; run as of the schedule's time", async () => {
    // Prepare
    const events = ["factory", "factory-2"].map(
      (o) =>
        ({
          detailType: "Capacity Report",
          time: WEEK,
          resources: [],
          detail: { outpost: o },
        }) as unknown as OutpostOpsEvent,
    );
    report.mockResolvedValue({
      view: { at: WEEK, region: REGION, outposts: [] },
      alerts: [alertOf("factory"), alertOf("factory-2")],
      events,
    });
    const { runtime: rt, alerts, events: sink } = runtime();

    // Act
    const result = await createHandler(rt)(scheduled, context);

    // Assess
    expect(report).toHaveBeenCalledTimes(1);
    expect(report.mock.calls[0]?.[0]).toMatchObject({
      region: REGION,
      now: WEEK,
      context: { stage: "test", account: "123456789012" },
    });
    expect(alerts.alerts).toEqual([
      { ...alertOf("factory"), stage: "test" },
      { ...alertOf("factory-2"), stage: "test" },
    ]);
    expect(sink.events).toEqual(events);
    expect(result).toEqual({
      at: "2024-05-13T08:00:00.000Z",
      alerts: [
        "factory Outpost weekly capacity: m5.large 86 %",
        "factory-2 Outpost weekly capacity: m5.large 86 %",
      ],
    });
  });

  it("a malformed event is refused, naming the field, before any read", async () => {
    const { runtime: rt, alerts } = runtime();
    const run = createHandler(rt)({ ...scheduled, time: "last monday" }, context);
    await expect(run).rejects.toBeInstanceOf(EventShapeError);
    await expect(run).rejects.toThrow("time:");
    expect(report).not.toHaveBeenCalled();
    expect(alerts.alerts).toEqual([]);
  });
});
