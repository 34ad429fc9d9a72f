import { describe, expect, it, vi } from "vitest";
import { createHandler as alarmStateChange } from "../src/alarm/state-change.ts";
import { errorsAlarmName, isCapacityAlarm } from "../src/jobs.ts";
import { alarmEvent, context, PREFIX, runtime } from "./capacity-fakes.ts";

vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
});

describe("Handler: alarm/state-change and the capacity alarms", () => {
  it.each([
    "outpost-ops-test-capacity-factory-connected",
    "outpost-ops-test-capacity-factory-2-instance-m5.large-critical",
    // Not one the config knows: still the capacity handler's (it says why), never a generic alert.
    "outpost-ops-test-capacity-warehouse-cpu-warning",
  ])("skips %s (the capacity alarm handler alerts it): no alert", async (name) => {
    // Prepare
    const { runtime: rt, alerts } = runtime();

    // Act
    const result = await alarmStateChange(rt)(alarmEvent(name), context);

    // Assess
    expect(result).toEqual({ published: undefined, skipped: "capacity-alarm" });
    expect(alerts.alerts).toEqual([]);
  });

  it.each(["outpost-ops-test-capacity-monitor-errors", "outpost-ops-test-capacity-alarm-errors"])(
    "relays the capacity functions' own errors alarm %s, like every errors alarm",
    async (name) => {
      const { runtime: rt, alerts } = runtime();
      const result = await alarmStateChange(rt)(alarmEvent(name), context);
      expect(result).toEqual({ published: `${name} is ALARM` });
      expect(alerts.alerts.map((a) => a.title)).toEqual([`${name} is ALARM`]);
    },
  );

  it("relays the other alarms of the prefix, and a capacity alarm of another stage", async () => {
    const { runtime: rt, alerts } = runtime();
    await alarmStateChange(rt)(alarmEvent("outpost-ops-test-snapshot-dead-letters"), context);
    await alarmStateChange(rt)(alarmEvent("outpost-ops-prod-capacity-factory-connected"), context);
    expect(alerts.alerts.map((a) => a.title)).toEqual([
      "outpost-ops-test-snapshot-dead-letters is ALARM",
      "outpost-ops-prod-capacity-factory-connected is ALARM",
    ]);
  });
});

describe("Function: isCapacityAlarm", () => {
  it("is the capacity prefix, less the capacity job's own errors alarms (named as stacks/job.ts names them)", () => {
    expect(isCapacityAlarm(PREFIX, "outpost-ops-test-capacity-factory-cpu-warning")).toBe(true);
    for (const fn of ["capacityMonitor", "capacityAlarm", "capacityReport"]) {
      const name = errorsAlarmName(PREFIX, fn);
      expect(name).toMatch(/^outpost-ops-test-capacity-(monitor|alarm|report)-errors$/);
      expect(isCapacityAlarm(PREFIX, name), name).toBe(false);
    }
    expect(isCapacityAlarm(PREFIX, "outpost-ops-test-rpo-orders")).toBe(false);
    expect(isCapacityAlarm(PREFIX, "outpost-ops-test-capacity")).toBe(false);
  });
});
