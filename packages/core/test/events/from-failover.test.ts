import { describe, expect, it } from "vitest";
import { DetailType } from "../../src/events/event.ts";
import { failoverEvent, readinessEvent } from "../../src/events/from-failover.ts";
import { alarmTrigger, manualTrigger, NOW, stale, ZONE, zoneAt } from "../failover/fixtures.ts";
import { failover, runOf } from "../jobs/failover-fixtures.ts";

const ctx = { stage: "prod", at: NOW, account: "123456789012", partition: "aws" };

describe("Function: failoverEvent", () => {
  it("a change: Failover Changed on the zone, with the trigger, what changed, and the timeline", () => {
    // Act
    const event = failoverEvent(runOf("changed"), { trigger: alarmTrigger, dryRun: false }, ctx);

    // Assess
    expect(event.detailType).toBe("Failover Changed");
    expect(event.resources).toEqual([
      `arn:aws:route53:::hostedzone/${ZONE.id}`,
      "arn:aws:route53:::change/C0123456789ABCDEF",
    ]);
    expect(event.detail).toMatchObject({
      version: 1,
      stage: "prod",
      job: "failover",
      outcome: "changed",
      code: "change-submitted",
      reason: "DNS moved to the DR site (2 record(s), change C0123456789ABCDEF, INSYNC)",
      resource: { type: "dns-zone", id: ZONE.id, region: "global" },
      snapshotIds: [],
      lineage: {},
    });
    expect(event.detail.failover).toMatchObject({
      target: "dr",
      trigger: {
        kind: "alarm",
        by: "alarm:factory-connected",
        alarm: "factory-connected",
        region: "us-west-2",
      },
      reason: "service link down",
      dryRun: false,
      forced: false,
      decision: "change",
      changeId: "C0123456789ABCDEF",
      timeline: {
        alarmAt: "2024-05-14T11:59:30.000Z",
        receivedAt: "2024-05-14T12:00:00.000Z",
        submittedAt: "2024-05-14T12:00:00.420Z",
        inSyncAt: "2024-05-14T12:00:42.420Z",
      },
    });
    expect(event.detail.failover?.records[0]).toEqual({
      label: "app.example.com. A",
      site: "primary",
      from: "10.0.0.10 (TTL 60)",
      to: "10.1.0.10 (TTL 60)",
    });
    expect(event.detail.failover?.changes.map((c) => c.action)).toEqual([
      "DELETE",
      "CREATE",
      "DELETE",
      "CREATE",
      "CREATE",
    ]);
    // JSON all the way (PutEvents sends the detail as a string).
    expect(JSON.parse(JSON.stringify(event.detail))).toEqual(event.detail);
  });

  it.each([
    ["refused", "Failover Refused", "dr-behind-rpo"],
    ["failed", "Failover Failed", "change-failed"],
    ["dry-run", "Failover Dry Run", "failover-ready"],
    ["nothing-to-do", "Failover Skipped", "already-on-site"],
    ["raced", "Failover Skipped", "change-raced"],
    ["alert-only", "Failover Skipped", "alert-only"],
  ] as const)("%s: %s, code %s", (outcome, detailType, code) => {
    const change =
      outcome === "refused"
        ? { readiness: stale }
        : outcome === "nothing-to-do"
          ? { current: zoneAt(failover, "dr") }
          : {};
    const event = failoverEvent(
      runOf(outcome, change),
      { trigger: manualTrigger, dryRun: outcome === "dry-run" },
      ctx,
    );
    expect(event.detailType).toBe(detailType);
    expect(event.detail.outcome).toBe(outcome);
    expect(event.detail.code).toBe(code);
    expect(event.detail.failover?.trigger).toEqual({
      kind: "manual",
      by: "arn:aws:iam::123456789012:user/ops",
    });
  });

  it("a run whose zone was not found names the configured zone and has no ARN", () => {
    const run = { ...runOf("refused", { zone: { problem: "no hosted zone named example.com." } }) };
    delete run.zone;
    const event = failoverEvent(run, { trigger: manualTrigger, dryRun: false }, ctx);
    expect(event.resources).toEqual([]);
    expect(event.detail.resource).toEqual({ type: "dns-zone", id: "unresolved", region: "global" });
    expect(event.detail.code).toBe("zone-not-found");
  });
});

describe("Function: readinessEvent", () => {
  it("Failover Readiness Changed: not-ready with the first failed check, or ready", () => {
    const lost = readinessEvent(runOf("refused", { readiness: stale }), false, manualTrigger, ctx);
    expect(lost.detailType).toBe(DetailType.failoverReadiness);
    expect(lost.detail).toMatchObject({ outcome: "not-ready", code: "dr-behind-rpo" });
    expect(lost.detail.reason).toContain("orders-db: its oldest DR copy is 9h old");
    const regained = readinessEvent(runOf("dry-run"), true, manualTrigger, ctx);
    expect(regained.detail).toMatchObject({ outcome: "ready", code: "failover-ready" });
    expect(regained.detail.failover?.dryRun).toBe(true);
  });
});
