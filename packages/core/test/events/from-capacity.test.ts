import { describe, expect, it } from "vitest";
import type { Condition, OutpostView } from "../../src/capacity/model.ts";
import { DetailType } from "../../src/events/event.ts";
import { capacityAlertEvent, capacityReportEvent } from "../../src/events/from-capacity.ts";

const AT = new Date("2024-05-14T10:00:00.000Z");
const m5: Condition = {
  outpost: "factory",
  outpostId: "op-0a1b2c3d4e5f60718",
  kind: "instance-type",
  subject: "m5.large",
};

describe("Function: capacityAlertEvent", () => {
  it("records the condition, state, value, forecast and decision on the Outpost", () => {
    // Act
    const event = capacityAlertEvent({
      condition: m5,
      band: "critical",
      state: "ALARM",
      decision: { kind: "alert", band: "critical" },
      reading: {
        condition: m5,
        current: 96,
        daily: [],
        consumers: [],
        forecast: { kind: "full-in", days: 4, slopePerDay: 2, r2: 0.97, points: 14, method: "m" },
      },
      at: AT,
      stage: "prod",
      region: "us-west-2",
    });

    // Assess
    expect(event).toEqual({
      detailType: "Capacity Alert",
      time: AT,
      resources: [],
      detail: {
        version: 1,
        stage: "prod",
        job: "capacity",
        outcome: "alert",
        code: "capacity-alarm",
        reason: "m5.large capacity on Outpost factory (critical alarm) is ALARM: alerted (critical)",
        resource: { type: "outpost", id: "op-0a1b2c3d4e5f60718", region: "us-west-2" },
        snapshotIds: [],
        lineage: {},
        capacity: {
          outpost: "factory",
          kind: "instance-type",
          subject: "m5.large",
          band: "critical",
          state: "ALARM",
          value: 96,
          forecastDays: 4,
          decision: "alert",
        },
      },
    });
  });

  it("says why a silent change sent no alert, and codes resolved and eased", () => {
    // Act
    const silent = capacityAlertEvent({
      condition: m5,
      band: "warning",
      state: "ALARM",
      decision: { kind: "silent", why: "the critical alarm is in ALARM: it has spoken" },
      at: AT,
      stage: "prod",
      region: "us-west-2",
    });
    const resolved = capacityAlertEvent({
      condition: m5,
      band: "warning",
      state: "OK",
      decision: { kind: "resolved" },
      at: AT,
      stage: "prod",
      region: "us-west-2",
    });
    const eased = capacityAlertEvent({
      condition: m5,
      band: "critical",
      state: "OK",
      decision: { kind: "eased", to: "warning" },
      at: AT,
      stage: "prod",
      region: "us-west-2",
    });

    // Assess
    expect(silent.detail.reason).toMatch(/no alert: the critical alarm is in ALARM/);
    expect(silent.detail.capacity).toEqual({
      outpost: "factory",
      kind: "instance-type",
      subject: "m5.large",
      band: "warning",
      state: "ALARM",
      decision: "silent",
    });
    expect(resolved.detail.code).toBe("capacity-resolved");
    expect(eased.detail.code).toBe("capacity-eased");
  });
});

describe("Function: capacityReportEvent", () => {
  it("records each reading of the Outpost in numbers", () => {
    // Prepare
    const view: OutpostView = {
      outpost: "factory",
      outpostId: "op-0a1b2c3d4e5f60718",
      readings: [
        {
          condition: m5,
          current: 88,
          weekAgo: 80,
          daily: [],
          consumers: [],
          forecast: { kind: "full-in", days: 12, slopePerDay: 1, r2: 0.9, points: 14, method: "m" },
        },
        {
          condition: { ...m5, kind: "connected", subject: undefined } as Condition,
          current: 1,
          daily: [],
          consumers: [],
        },
      ],
      notes: ["no CPU datapoint: no running instances"],
      discovered: true,
    };

    // Act
    const event = capacityReportEvent(view, AT, "prod", "us-west-2");

    // Assess
    expect(event.detailType).toBe(DetailType.capacityReport);
    expect(event.detail).toMatchObject({
      job: "capacity",
      outcome: "reported",
      code: "capacity-report",
      resource: { type: "outpost", id: "op-0a1b2c3d4e5f60718", region: "us-west-2" },
      capacityReport: {
        outpost: "factory",
        readings: [
          { kind: "instance-type", subject: "m5.large", value: 88, weekAgo: 80, forecastDays: 12 },
          { kind: "connected", value: 1 },
        ],
        notes: ["no CPU datapoint: no running instances"],
      },
    });
  });
});
