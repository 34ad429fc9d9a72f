import { describe, expect, it } from "vitest";
import {
  failoverAlertOnlyAlert,
  failoverFailedAlert,
  failoverOutcomeAlert,
  failoverRefusedAlert,
  failoverStartedAlert,
  failoverSucceededAlert,
  readinessLostAlert,
  readinessRegainedAlert,
} from "../../src/jobs/failover-alerts.ts";
import { nextCommand } from "../../src/jobs/failover-summary.ts";
import { alarmTrigger, manualTrigger, NOW, stale, ZONE } from "../failover/fixtures.ts";
import { runOf } from "./failover-fixtures.ts";

const context = { region: "us-east-1", trigger: alarmTrigger };

describe("Function: failoverStartedAlert", () => {
  it("is critical, names the trigger, the reason and each record from its value to the DR one", () => {
    // Arrange
    const { plan } = runOf("changed");

    // Act
    const alert = failoverStartedAlert(plan, ZONE, context);

    // Assess
    expect(alert).toMatchObject({
      severity: "critical",
      job: "failover",
      title: "Failover to the DR site started",
    });
    expect(alert.body).toContain(
      "alarm factory-connected (us-west-2) went to ALARM at 2024-05-14T11:59:30.000Z",
    );
    expect(alert.body).toContain("Reason:  service link down");
    expect(alert.body).toContain("app.example.com. A: 10.0.0.10 (TTL 60) -> 10.1.0.10 (TTL 60)");
    expect(alert.resourceIds).toEqual([ZONE.id, "app.example.com. A", "api.example.com. A (primary)"]);
    expect(alert.links[0]?.url).toContain(ZONE.id);
  });
});

describe("Function: failoverSucceededAlert", () => {
  it("is critical, with the timeline, the change id, the tool's own time and the failback command", () => {
    // Act
    const alert = failoverSucceededAlert(runOf("changed"), context);

    // Assess
    expect(alert.severity).toBe("critical");
    expect(alert.title).toBe("DNS now points at the DR site");
    expect(alert.body).toContain("INSYNC");
    expect(alert.body).toContain("C0123456789ABCDEF");
    expect(alert.body).toMatch(/submitted +2024-05-14T12:00:00\.420Z \(\+0\.24 s\)/);
    expect(alert.body).toMatch(/INSYNC +2024-05-14T12:00:42\.420Z \(\+42 s\)/);
    expect(alert.body).toContain("event to change: 420 ms");
    expect(alert.body).toContain("`npx outpost-ops failback --dry-run`");
    expect(alert.at).toEqual(new Date(NOW.getTime() + 42_420));
  });

  it("says so when the change is submitted but not yet INSYNC", () => {
    const run = runOf("changed", {}, { pending: true, timeline: { receivedAt: NOW, decidedAt: NOW } });
    const alert = failoverSucceededAlert(run, context);
    expect(alert.title).toBe("Failover to the DR site submitted, not yet INSYNC");
    expect(alert.body).toContain("aws route53 get-change --id C0123456789ABCDEF");
  });
});

describe("Function: failoverRefusedAlert", () => {
  it("is a warning naming the failed checks and the exact command to force it", () => {
    // Act
    const alert = failoverRefusedAlert(runOf("refused", { readiness: stale }), context);

    // Assess
    expect(alert.severity).toBe("warning");
    expect(alert.title).toBe("Failover refused: DR copies older than the failover RPO, or missing");
    expect(alert.body).toContain("[FAILED] recovery-points: orders-db: its oldest DR copy is 9h old");
    expect(alert.body).toContain('npx outpost-ops failover --force --reason "service link down"');
  });

  it("does not offer --force when a failed check cannot be forced: the fix first", () => {
    const alert = failoverRefusedAlert(
      runOf("refused", { permission: { ok: false, detail: "may not change the records" } }),
      context,
    );
    expect(alert.body).toContain("Fix permissions first (these cannot be forced)");
    expect(alert.body).not.toContain("--force");
    expect(alert.body).toContain("`npx outpost-ops failover --dry-run`");
  });
});

describe("Function: failoverFailedAlert", () => {
  it("is critical, says DNS is unchanged and gives the command to look and to retry", () => {
    // Act
    const alert = failoverFailedAlert(
      { target: "dr", error: "Throttling: Rate exceeded", at: NOW, run: runOf("failed", {}, { error: "x" }) },
      context,
    );

    // Assess
    expect(alert.severity).toBe("critical");
    expect(alert.body).toContain("Throttling: Rate exceeded");
    expect(alert.body).toContain("DNS was not changed");
    expect(alert.body).toContain('`npx outpost-ops failover --reason "service link down"`');
  });

  it("says DNS is moving when the run failed after Route 53 accepted the change", () => {
    const alert = failoverFailedAlert(
      { target: "dr", error: "Throttling", at: NOW, afterSubmit: true },
      context,
    );
    expect(alert.title).toBe("Failover to the DR site submitted, not followed to INSYNC");
    expect(alert.body).toContain("DNS is moving to the DR site");
    expect(alert.body).not.toContain("DNS was not changed");
  });

  it("also when the run stopped before it had a plan", () => {
    const alert = failoverFailedAlert({ target: "primary", error: "AccessDenied", at: NOW }, context);
    expect(alert.title).toBe("Failback to the primary site failed");
    expect(alert.body).toContain("`npx outpost-ops failback --dry-run`");
    expect(alert.resourceIds).toEqual([]);
  });
});

describe("Function: failoverAlertOnlyAlert", () => {
  it("is critical: what happened, that the DR site is ready, and the exact command", () => {
    // Act
    const alert = failoverAlertOnlyAlert(runOf("alert-only"), context);

    // Assess
    expect(alert.severity).toBe("critical");
    expect(alert.title).toContain("mode alert-only");
    expect(alert.body).toContain("alarm factory-connected (us-west-2) went to ALARM");
    expect(alert.body).toContain("The preflight passed: the DR site is ready to take over.");
    expect(alert.body).toContain('npx outpost-ops failover --reason "service link down"');
  });
});

describe("Function: failoverOutcomeAlert", () => {
  it.each(["nothing-to-do", "raced", "dry-run"] as const)(
    "sends nothing for %s (flapping must not mail anyone)",
    (o) => {
      expect(failoverOutcomeAlert(runOf(o), context)).toBeUndefined();
    },
  );

  it.each([
    ["changed", "critical"],
    ["refused", "warning"],
    ["alert-only", "critical"],
    ["failed", "critical"],
  ] as const)("%s: %s", (outcome, severity) => {
    const run = runOf(outcome, outcome === "refused" ? { readiness: stale } : {});
    expect(failoverOutcomeAlert(run, { ...context, trigger: manualTrigger })?.severity).toBe(severity);
  });
});

describe("Readiness alerts", () => {
  it("lost: a warning naming the failed checks; regained: info", () => {
    const lost = readinessLostAlert(runOf("refused", { readiness: stale }), { region: "us-east-1" });
    expect(lost.severity).toBe("warning");
    expect(lost.title).toBe("Failover not ready: DR copies older than the failover RPO, or missing");
    expect(lost.body).toContain("orders-db: its oldest DR copy is 9h old");
    expect(lost.body).toContain("npx outpost-ops status");
    const regained = readinessRegainedAlert(runOf("dry-run"), { region: "us-east-1" });
    expect(regained).toMatchObject({ severity: "info", title: "Failover is ready again" });
  });
});

describe("Function: nextCommand", () => {
  it("quotes a reason so a shell passes it through unchanged", () => {
    expect(nextCommand("dr", { force: true, reason: 'said "go" $HOME `x`' })).toBe(
      `npx outpost-ops failover --force --reason "said 'go' 'HOME 'x'"`,
    );
    expect(nextCommand("primary", { dryRun: true })).toBe("npx outpost-ops failback --dry-run");
  });
});
