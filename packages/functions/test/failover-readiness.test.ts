import { readFileSync } from "node:fs";
import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { ChangeResourceRecordSetsCommand } from "@aws-sdk/client-route-53";
// Types for the matchers test/setup.ts registers.
import type {} from "aws-sdk-client-mock-vitest/extend";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHandler } from "../src/schedule/failover-readiness.ts";
import {
  cloudwatchMock,
  context,
  DR,
  fakeGauges,
  fakeZone,
  resetFakes,
  route53Mock,
  runtime,
} from "./failover-fakes.ts";

vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
});

afterEach(resetFakes);

const scheduled = {
  ...(JSON.parse(
    readFileSync(new URL("../../../test/fixtures/events/scheduled-event.json", import.meta.url), "utf8"),
  ) as Record<string, unknown>),
  time: "2024-05-14T12:00:00Z",
  region: DR,
};

/** The FailoverReady values the check published. */
function published(): number[] {
  return cloudwatchMock
    .commandCalls(PutMetricDataCommand)
    .flatMap((c) => c.args[0].input.MetricData ?? [])
    .filter((d) => d.MetricName === "FailoverReady")
    .map((d) => d.Value as number);
}

describe("Handler: schedule/failover-readiness", () => {
  it("ready → not ready: a warning naming the failed check, an event, FailoverReady 0; nothing changed", async () => {
    // Prepare: the DR copy is 9 h old (RPO 6 h); the last check found it ready
    const { runtime: rt, alerts, events } = runtime();
    fakeZone("primary");
    fakeGauges(9 * 3600, 1);

    // Act
    const result = await createHandler(rt)(scheduled, context);

    // Assess
    expect(result).toMatchObject({ ready: false, onDr: false, change: "lost", code: "dr-behind-rpo" });
    expect(alerts.alerts.map((a) => [a.severity, a.title])).toEqual([
      ["warning", "Failover not ready: DR copies older than the failover RPO, or missing"],
    ]);
    expect(alerts.alerts[0]?.body).toContain("orders-db: its oldest DR copy is 9h");
    expect(events.events.map((e) => [e.detailType, e.detail.outcome])).toEqual([
      ["Failover Readiness Changed", "not-ready"],
    ]);
    expect(published()).toEqual([0]);
    // Only the permission probe was sent to Route 53: it never changes a record.
    const batches = route53Mock.commandCalls(ChangeResourceRecordSetsCommand).map((c) => c.args[0].input);
    expect(batches.map((b) => b.ChangeBatch?.Comment)).toEqual([
      "outpost-ops permission probe (cannot apply)",
    ]);
  });

  it("no earlier check and not ready (a first run, or a long silence): the warning once", async () => {
    const { runtime: rt, alerts } = runtime();
    fakeZone("primary");
    fakeGauges(undefined);
    const result = await createHandler(rt)(scheduled, context);
    expect(result).toMatchObject({ ready: false, change: "lost", code: "dr-recovery-unknown" });
    expect(alerts.alerts).toHaveLength(1);
  });

  it("not ready → ready: info, ready again", async () => {
    const { runtime: rt, alerts, events } = runtime();
    fakeZone("primary");
    fakeGauges(3600, 0);
    const result = await createHandler(rt)(scheduled, context);
    expect(result).toMatchObject({ ready: true, change: "regained" });
    expect(alerts.alerts.map((a) => [a.severity, a.title])).toEqual([["info", "Failover is ready again"]]);
    expect(events.events.map((e) => e.detail.outcome)).toEqual(["ready"]);
    expect(published()).toEqual([1]);
  });

  it.each([
    ["still ready", 3600, 1, true],
    ["still not ready", 9 * 3600, 0, false],
    ["ready on a first run", 3600, undefined, true],
  ] as const)("%s: the gauge only, no alert, no event", async (_what, age, previous, ready) => {
    const { runtime: rt, alerts, events } = runtime();
    fakeZone("primary");
    fakeGauges(age, previous);
    const result = await createHandler(rt)(scheduled, context);
    expect(result).toMatchObject({ ready });
    expect(result).not.toHaveProperty("change");
    expect(alerts.alerts).toEqual([]);
    expect(events.events).toEqual([]);
    expect(published()).toEqual([ready ? 1 : 0]);
  });

  it("DNS already on the DR site: says so, counts as ready, alerts nothing even after not ready", async () => {
    const { runtime: rt, alerts } = runtime();
    fakeZone("dr");
    fakeGauges(9 * 3600, 0);
    const result = await createHandler(rt)(scheduled, context);
    expect(result).toMatchObject({ ready: true, onDr: true, code: "already-on-site" });
    expect(alerts.alerts).toEqual([]);
    expect(published()).toEqual([1]);
  });

  it("an alert that cannot be sent fails the run before the gauge, so the next run alerts it", async () => {
    const { runtime: rt } = runtime();
    fakeZone("primary");
    fakeGauges(9 * 3600, 1);
    const value = rt();
    value.alerts = { publish: () => Promise.reject(new Error("SNS is down")) };
    await expect(createHandler(() => value)(scheduled, context)).rejects.toThrow(/SNS is down/);
    expect(published()).toEqual([]);
  });

  it("a scheduled event is all it takes: anything else is refused before any call", async () => {
    const { runtime: rt } = runtime();
    await expect(createHandler(rt)({ "outpost-ops": "failover" }, context)).rejects.toThrow(
      /Scheduled Event/,
    );
    expect(cloudwatchMock.calls()).toHaveLength(0);
  });
});
