import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
} from "@aws-sdk/client-route-53";
import { EventShapeError } from "@outpost-ops/core/errors";
import { ManualEventError } from "@outpost-ops/core/failover/manual-event";
import { parseState } from "@outpost-ops/core/failover/state";
// Types for the matchers test/setup.ts registers.
import type {} from "aws-sdk-client-mock-vitest/extend";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHandler } from "../src/failover/failover.ts";
import { parseFailoverEvent } from "../src/failover/request.ts";
import { metrics } from "../src/lib/observability.ts";
import {
  alarmEvent,
  allCalls,
  context,
  DR,
  failoverConfig,
  fakeGauges,
  fakeZone,
  OPERATOR,
  PRIMARY,
  resetFakes,
  route53Mock,
  runtime,
  ZONE_ID,
} from "./failover-fakes.ts";

vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
});

afterEach(() => {
  resetFakes();
  vi.restoreAllMocks();
});

/** A fresh DR copy (1 h old, RPO 6 h): the DR site is ready. */
const READY = 3600;
/** 9 h old: behind the RPO. */
const STALE = 9 * 3600;

describe("Handler: failover/failover, bad input", () => {
  it.each([
    [
      "an empty event",
      {},
      EventShapeError,
      /\(root\): an empty event: expected a CloudWatch Alarm State Change/,
    ],
    ["an unknown shape", { action: "failover" }, EventShapeError, /action: unknown field\(s\)/],
    ["an unknown manual field", { "outpost-ops": "failover", dryrun: true }, ManualEventError, /dryrun/],
    [
      "a manual value of the wrong type",
      { "outpost-ops": "failover", dryRun: "yes" },
      ManualEventError,
      /dryRun/,
    ],
    ["a manual command that is neither", { "outpost-ops": "switch" }, ManualEventError, /outpost-ops/],
    [
      "a classic event without its DR address",
      { hosted_zone_id: ZONE_ID, domain_name: "app.example.com" },
      ManualEventError,
      /dr_ip/,
    ],
    [
      "an alarm event without its state",
      { ...alarmEvent("factory-connected"), detail: { alarmName: "factory-connected" } },
      EventShapeError,
      /detail\.state/,
    ],
    [
      "a scheduled event",
      { source: "aws.events", "detail-type": "Scheduled Event", time: "2024-05-14T12:00:00Z", region: DR },
      EventShapeError,
      /detail-type/,
    ],
  ])("%s: a typed error naming the field, and nothing sent", async (_what, event, type, message) => {
    // Prepare
    const { runtime: rt, alerts, events } = runtime();
    fakeZone("primary");

    // Act
    const result = createHandler(rt)(event, context);

    // Assess
    await expect(result).rejects.toThrow(type);
    await expect(result).rejects.toThrow(message);
    expect(allCalls()).toHaveLength(0);
    expect(alerts.alerts).toEqual([]);
    expect(events.events).toEqual([]);
  });

  it("a classic event for a record or address the config does not declare is refused, naming the field", async () => {
    const { runtime: rt, alerts } = runtime();
    const event = { hosted_zone_id: ZONE_ID, domain_name: "app.example.com", dr_ip: "192.0.2.1" };
    await expect(createHandler(rt)(event, context)).rejects.toThrow(
      /dr_ip: 192\.0\.2\.1 is not the configured DR target/,
    );
    expect(allCalls()).toHaveLength(0);
    expect(alerts.alerts).toEqual([]);
  });
});

describe("Handler: failover/failover, alarms", () => {
  it.each([
    ["another alarm", alarmEvent("someone-elses-alarm"), /is not a trigger alarm/],
    ["a trigger alarm going to OK", alarmEvent("factory-connected", { state: "OK" }), /went to OK/],
    // A bare name is an alarm of the primary Region: one of that name in the DR Region is another.
    [
      "a trigger alarm's name in the other Region",
      alarmEvent("factory-connected", { region: DR }),
      /not a trigger alarm/,
    ],
  ])("%s: logged and ignored, nothing read or changed, no alert, no event", async (_what, event, why) => {
    // Prepare
    const { runtime: rt, alerts, events } = runtime();
    fakeZone("primary");

    // Act
    const result = (await createHandler(rt)(event, context)) as { ignored: string };

    // Assess
    expect(result.ignored).toMatch(why);
    expect(allCalls()).toHaveLength(0);
    expect(alerts.alerts).toEqual([]);
    expect(events.events).toEqual([]);
  });

  it("a trigger alarm fails over: started (while the change propagates) and INSYNC alerts, one event, a JSON result", async () => {
    // Prepare
    const { runtime: rt, alerts, events } = runtime();
    let whilePropagating: string[] = [];
    const zone = fakeZone("primary", () => {
      whilePropagating = alerts.alerts.map((a) => a.title);
    });
    fakeGauges(READY);

    // Act
    const result = await createHandler(rt)(alarmEvent("factory-connected"), context);

    // Assess
    expect(result).toMatchObject({
      outcome: "changed",
      target: "dr",
      decision: "change",
      changeId: "C0123456789ABCDEF",
    });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(result).toMatchObject({
      timeline: {
        alarmAt: "2024-05-14T11:59:40.989Z",
        submittedAt: expect.any(String),
        inSyncAt: expect.any(String),
      },
      next: { site: "dr", by: "alarm:factory-connected", forced: false },
    });
    // The start was announced once Route 53 took the change, while it propagated (not after INSYNC).
    expect(whilePropagating).toEqual(["Failover to the DR site started"]);
    expect(alerts.alerts.map((a) => [a.severity, a.title])).toEqual([
      ["critical", "Failover to the DR site started"],
      ["critical", "DNS now points at the DR site"],
    ]);
    expect(alerts.alerts.every((a) => a.stage === "test" && a.job === "failover")).toBe(true);
    expect(events.events.map((e) => [e.detailType, e.detail.outcome])).toEqual([
      ["Failover Changed", "changed"],
    ]);
    expect(events.events[0]?.detail.failover?.trigger).toMatchObject({
      kind: "alarm",
      alarm: "factory-connected",
      region: PRIMARY,
    });
    const [change] = zone.changes;
    expect(change?.ChangeBatch?.Changes?.map((c) => [c.Action, c.ResourceRecordSet?.Name])).toEqual([
      ["DELETE", "app.example.com."],
      ["CREATE", "app.example.com."],
      ["CREATE", "_outpost-ops-failover.example.com."],
    ]);
  });

  it("measures the RTO's parts: decision, the tool's own time to submit, INSYNC, and from the alarm", async () => {
    // Prepare
    const added = new Map<string, number>();
    vi.spyOn(metrics, "addMetric").mockImplementation((name, _unit, value) => {
      added.set(name, value);
      return metrics;
    });
    const { runtime: rt } = runtime();
    fakeZone("primary");
    fakeGauges(READY);

    // Act
    const result = (await createHandler(rt)(alarmEvent("factory-connected"), context)) as {
      timeline: Record<string, string>;
    };

    // Assess: each metric is its span of the timeline the result reports
    const t = Object.fromEntries(Object.entries(result.timeline).map(([k, v]) => [k, Date.parse(v)]));
    const span = (from: string, to: string) => (t[to] ?? Number.NaN) - (t[from] ?? Number.NaN);
    expect(Object.fromEntries([...added].filter(([name]) => /Ms$/.test(name)))).toEqual({
      FailoverDecisionMs: span("receivedAt", "decidedAt"),
      FailoverSubmitMs: span("receivedAt", "submittedAt"),
      FailoverInSyncMs: span("submittedAt", "inSyncAt"),
      AlarmToSubmitMs: span("alarmAt", "submittedAt"),
      AlarmToInSyncMs: span("alarmAt", "inSyncAt"),
    });
    expect(added.get("FailoverSubmitMs")).toBeGreaterThan(0);
  });

  it("a DR Region trigger alarm (by ARN) fails over too", async () => {
    const { runtime: rt } = runtime();
    fakeZone("primary");
    fakeGauges(READY);
    const result = await createHandler(rt)(alarmEvent("dr-app-health", { region: DR }), context);
    expect(result).toMatchObject({ outcome: "changed", next: { by: "alarm:dr-app-health" } });
  });

  it("an alarm that fires again once DNS is on the DR site: nothing to do, an event, no alert", async () => {
    const { runtime: rt, alerts, events } = runtime();
    fakeZone("dr");
    fakeGauges(READY);
    const result = await createHandler(rt)(alarmEvent("factory-connected"), context);
    expect(result).toMatchObject({ outcome: "nothing-to-do", code: "already-on-site" });
    expect(alerts.alerts).toEqual([]);
    expect(events.events.map((e) => e.detailType)).toEqual(["Failover Skipped"]);
  });

  it("mode alert-only: changes nothing, alerts what happened, that DR is ready, and the exact command", async () => {
    // Prepare
    const { runtime: rt, alerts, events } = runtime(failoverConfig("alert-only"));
    const zone = fakeZone("primary");
    fakeGauges(READY);

    // Act: the alarm, then the same alarm flapping back
    const handler = createHandler(rt);
    const result = await handler(alarmEvent("factory-connected"), context);
    await handler(alarmEvent("factory-connected"), context);

    // Assess: one alert for both, an event for each
    expect(result).toMatchObject({ outcome: "alert-only" });
    expect(zone.changes).toEqual([]);
    expect(alerts.alerts).toHaveLength(1);
    const [alert] = alerts.alerts;
    expect(alert?.severity).toBe("critical");
    expect(alert?.body).toContain(
      "alarm factory-connected (us-west-2) went to ALARM at 2024-05-14T11:59:40.989Z",
    );
    expect(alert?.body).toContain("the DR site is ready to take over");
    expect(alert?.body).toContain(
      'npx outpost-ops failover --stage test --reason "alarm factory-connected: Threshold Crossed',
    );
    expect(events.events.map((e) => [e.detailType, e.detail.code])).toEqual([
      ["Failover Skipped", "alert-only"],
      ["Failover Skipped", "alert-only"],
    ]);
  });

  it("stale DR data refuses with the failed check and the forcing command; a repeat within the quiet time is not alerted again", async () => {
    // Prepare
    const { runtime: rt, alerts, events } = runtime();
    const zone = fakeZone("primary");
    fakeGauges(STALE);
    const handler = createHandler(rt);

    // Act
    const first = await handler(alarmEvent("factory-connected"), context);
    const second = await handler(alarmEvent("factory-connected"), context);

    // Assess
    expect(first).toMatchObject({ outcome: "refused", code: "dr-behind-rpo" });
    expect(second).toMatchObject({ outcome: "refused" });
    expect(zone.changes).toEqual([]);
    expect(alerts.alerts.map((a) => [a.severity, a.title])).toEqual([
      ["warning", "Failover refused: DR copies older than the failover RPO, or missing"],
    ]);
    expect(alerts.alerts[0]?.body).toContain("npx outpost-ops failover --stage test --force --reason");
    expect(events.events.map((e) => e.detailType)).toEqual(["Failover Refused", "Failover Refused"]);
  });

  it("an AWS error after the change was accepted: started, then a critical alert that DNS is moving", async () => {
    const { runtime: rt, alerts } = runtime();
    fakeZone("primary");
    fakeGauges(READY);
    route53Mock
      .on(GetChangeCommand)
      .rejects(
        Object.assign(new Error("Rate exceeded"), { name: "Throttling", $metadata: { httpStatusCode: 400 } }),
      );
    await expect(createHandler(rt)(alarmEvent("factory-connected"), context)).rejects.toThrow(
      /Rate exceeded/,
    );
    expect(alerts.alerts.map((a) => a.title)).toEqual([
      "Failover to the DR site started",
      "Failover to the DR site submitted, not followed to INSYNC",
    ]);
  });

  it("an AWS error before the decision: a critical alert, then the error (Lambda reports it)", async () => {
    const { runtime: rt, alerts } = runtime();
    route53Mock.on(GetHostedZoneCommand).rejects(
      Object.assign(new Error("Service Unavailable"), {
        name: "ServiceUnavailable",
        $metadata: { httpStatusCode: 503 },
      }),
    );
    fakeGauges(READY);
    await expect(createHandler(rt)(alarmEvent("factory-connected"), context)).rejects.toThrow(
      /Service Unavailable/,
    );
    expect(alerts.alerts.map((a) => [a.severity, a.title])).toEqual([
      ["critical", "Failover to the DR site failed"],
    ]);
    expect(route53Mock).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
  });
});

describe("Handler: failover/failover, manual and classic events", () => {
  it("a manual dry run: the plan for the DR site as the operator asked, nothing changed, no alert", async () => {
    // Prepare
    const { runtime: rt, alerts, events } = runtime();
    const zone = fakeZone("primary");
    fakeGauges(READY);

    // Act
    const result = await createHandler(rt)(
      { "outpost-ops": "failover", dryRun: true, reason: "drill", requestedBy: OPERATOR },
      context,
    );

    // Assess
    expect(result).toMatchObject({
      outcome: "dry-run",
      target: "dr",
      decision: "change",
      next: { by: `manual:${OPERATOR}`, reason: "drill" },
    });
    expect(zone.changes).toEqual([]);
    expect(alerts.alerts).toEqual([]);
    expect(events.events.map((e) => [e.detailType, e.detail.failover?.dryRun])).toEqual([
      ["Failover Dry Run", true],
    ]);
  });

  it("failback points at the primary site, without reading the DR gauges", async () => {
    const { runtime: rt } = runtime();
    const zone = fakeZone("dr");
    fakeGauges(READY);
    const result = await createHandler(rt)({ "outpost-ops": "failback", requestedBy: OPERATOR }, context);
    expect(result).toMatchObject({ outcome: "changed", target: "primary", next: { site: "primary" } });
    const created = zone.changes[0]?.ChangeBatch?.Changes?.find(
      (c) => c.Action === "CREATE" && c.ResourceRecordSet?.Type === "A",
    );
    expect(created?.ResourceRecordSet?.ResourceRecords).toEqual([{ Value: "10.0.0.10" }]);
    expect(allCalls().some((c) => c.args[0] instanceof GetMetricDataCommand)).toBe(false);
  });

  it("--force on a manual event changes past stale data, and records that it was forced", async () => {
    const { runtime: rt, alerts } = runtime();
    const zone = fakeZone("primary");
    fakeGauges(STALE);
    const result = await createHandler(rt)(
      { "outpost-ops": "failover", force: true, reason: "checked by hand" },
      context,
    );
    expect(result).toMatchObject({ outcome: "changed", forced: true });
    const txt = zone.changes[0]?.ChangeBatch?.Changes?.find((c) => c.ResourceRecordSet?.Type === "TXT");
    const state = parseState({
      name: "x",
      type: "TXT",
      values: [txt?.ResourceRecordSet?.ResourceRecords?.[0]?.Value ?? ""],
    });
    expect(state).toMatchObject({ site: "dr", forced: true, reason: "checked by hand" });
    expect(alerts.alerts[0]?.body).toContain("FORCED");
  });

  it("the classic event moves the record it names, as the classic DR Lambda did", async () => {
    const { runtime: rt, events } = runtime();
    fakeZone("primary");
    fakeGauges(READY);
    const result = await createHandler(rt)(
      { hosted_zone_id: ZONE_ID, domain_name: "app.example.com", dr_ip: "10.1.0.10" },
      context,
    );
    expect(result).toMatchObject({
      outcome: "changed",
      target: "dr",
      next: { by: "classic:aws lambda invoke" },
    });
    expect(events.events[0]?.detail.failover?.trigger).toEqual({ kind: "classic", by: "aws lambda invoke" });
  });
});

describe("Function: parseFailoverEvent", () => {
  it("tells the three apart", () => {
    expect(parseFailoverEvent(alarmEvent("x")).kind).toBe("alarm");
    expect(parseFailoverEvent({ "outpost-ops": "failback" })).toEqual({
      kind: "manual",
      event: {
        "outpost-ops": "failback",
        dryRun: false,
        force: false,
        reason: "requested by an operator",
        requestedBy: "unknown",
      },
    });
    expect(parseFailoverEvent({ hosted_zone_id: ZONE_ID, domain_name: "a", dr_ip: "b" }).kind).toBe(
      "classic",
    );
    expect(() => parseFailoverEvent("failover")).toThrow(/not an object/);
  });
});
