import { describe, expect, it } from "vitest";
import type { CapacityView, Condition } from "../../src/capacity/model.ts";
import { capacityReportAlerts, renderCapacityView } from "../../src/capacity/report.ts";
import { AT, capacityConfig, FACTORY_ARN } from "./fixtures.ts";

const config = capacityConfig();
const ID = "op-0a1b2c3d4e5f60718";
const on = (kind: Condition["kind"], subject?: string): Condition => ({
  outpost: "factory",
  outpostId: ID,
  kind,
  ...(subject ? { subject } : {}),
});

const view: CapacityView = {
  at: AT,
  region: "us-west-2",
  outposts: [
    {
      outpost: "factory",
      outpostId: ID,
      readings: [
        {
          condition: on("instance-type", "m5.large"),
          current: 88,
          weekAgo: 80,
          headroom: { available: 2, used: 10 },
          daily: [],
          forecast: { kind: "full-in", days: 12, slopePerDay: 1, r2: 0.95, points: 14, method: "m" },
          consumers: [{ id: "i-0123456789abcdef0", name: "line-1", uses: "m5.large" }],
        },
        {
          condition: on("volume-type", "gp2"),
          current: 40.4,
          weekAgo: 41,
          headroom: { freeGiB: 1200, totalGiB: 2000 },
          daily: [],
          forecast: { kind: "no-trend", reason: "flat", points: 14, method: "m" },
          consumers: [],
        },
        { condition: on("snapshot-storage"), current: 60, daily: [], consumers: [] },
        { condition: on("connected"), current: 1, daily: [], consumers: [] },
      ],
      notes: ["no CPU datapoint: no running instances on the Outpost"],
      discovered: true,
    },
  ],
};

describe("Function: renderCapacityView", () => {
  it("prints each Outpost's readings as a table, its consumers and notes", () => {
    expect(renderCapacityView(view)).toEqual([
      "Capacity in us-west-2 at 2024-05-14T10:00:00.000Z",
      "",
      `factory Outpost (${ID})`,
      "  what                    now        week ago  change  forecast                    headroom",
      "  m5.large capacity       88 %       80 %      +8 pts  full in ~12 days (R² 0.95)  2 available, 10 used",
      "  gp2 volumes             40 %       41 %      -1 pts  no trend (flat)             1,200 GiB free of 2,000 GiB",
      "  local snapshot storage  60 % used  -         -       -                           -",
      "  service link            connected  -         -       -                           -",
      "  Top consumers of m5.large capacity: i-0123456789abcdef0 (line-1) m5.large",
      "  Note: no CPU datapoint: no running instances on the Outpost",
      "",
    ]);
  });
});

describe("Function: capacityReportAlerts", () => {
  it("gives one info alert per Outpost whose body is the same text", () => {
    // Act
    const [alert, ...more] = capacityReportAlerts(view, config);

    // Assess
    expect(more).toEqual([]);
    expect(alert).toMatchObject({
      severity: "info",
      job: "capacity",
      title: "factory Outpost weekly capacity: highest m5.large 88 %, m5.large full in ~12 days",
      region: "us-west-2",
      at: AT,
      resourceIds: [FACTORY_ARN],
      attributes: { outpost: "factory", metric: "report" },
    });
    expect(alert?.subject).toBe(`[INFO] ${alert?.title}`);
    expect(alert?.body.split("\n")).toEqual(renderCapacityView(view).slice(2, -1));
  });
});
