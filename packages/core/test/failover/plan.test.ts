import { describe, expect, it } from "vitest";
import { planFailover } from "../../src/failover/plan.ts";
import { type RecordSet, recordFor } from "../../src/failover/records.ts";
import { parseState } from "../../src/failover/state.ts";
import {
  alarmTrigger,
  DR_HC,
  failoverConfig,
  input,
  manualTrigger,
  NOW,
  PRIMARY_HC,
  stale,
  stateAt,
  ZONE,
  zoneAt,
} from "./fixtures.ts";

const failover = failoverConfig();
const app = failover.records[0] as (typeof failover.records)[0];

describe("planFailover: the change", () => {
  it("replaces each record by a DELETE of its exact current value and a CREATE of the DR one, and writes the state, in one batch", () => {
    // Act
    const plan = planFailover(input(failover));

    // Assess
    expect(plan.decision).toBe("change");
    expect(
      plan.changes.map((c) => [c.action, c.record.name, c.record.setIdentifier ?? "", c.record.values?.[0]]),
    ).toEqual([
      ["DELETE", "app.example.com.", "", "10.0.0.10"],
      ["CREATE", "app.example.com.", "", "10.1.0.10"],
      ["DELETE", "api.example.com.", "primary", "10.0.0.20"],
      ["CREATE", "api.example.com.", "primary", "10.1.0.20"],
      ["CREATE", "_outpost-ops-failover.example.com.", "", expect.stringContaining('"site=dr"')],
    ]);
    // The failover pair's PRIMARY is pinned to DR, keeping its health check; the SECONDARY is untouched.
    expect(plan.changes[3]?.record).toMatchObject({
      failover: "PRIMARY",
      healthCheckId: PRIMARY_HC,
      ttl: 60,
    });
    expect(plan.changes.some((c) => c.record.failover === "SECONDARY")).toBe(false);
    expect(parseState(plan.changes[4]?.record)).toEqual({
      site: "dr",
      at: NOW,
      by: "alarm:factory-connected",
      reason: "service link down",
      forced: false,
    });
  });

  it("deletes the exact state record it read, so a concurrent run's batch cannot apply too", () => {
    // Arrange: failed back an hour ago (past the 1h cooldown by a minute)
    const prior = stateAt("primary", new Date(NOW.getTime() - 61 * 60_000));
    const current = [...zoneAt(failover, "primary"), prior];

    // Act
    const plan = planFailover(input(failover, { current }));

    // Assess
    expect(plan.changes.filter((c) => c.record.type === "TXT").map((c) => c.action)).toEqual([
      "DELETE",
      "CREATE",
    ]);
    expect(plan.changes.find((c) => c.action === "DELETE" && c.record.type === "TXT")?.record).toEqual(prior);
    expect(plan.state?.site).toBe("primary");
  });

  it("moves only the records not yet on the target (a half-applied manual edit)", () => {
    // Arrange
    const current = [
      ...zoneAt(failover, "primary").filter((r) => r.name !== "app.example.com."),
      recordFor(app, "dr"),
    ];

    // Act
    const plan = planFailover(input(failover, { current }));

    // Assess
    expect(plan.changes.filter((c) => c.record.type === "A").map((c) => c.record.name)).toEqual([
      "api.example.com.",
      "api.example.com.",
    ]);
  });

  it("fails back by command with the primary targets and health checks", () => {
    // Act
    const plan = planFailover(
      input(failover, {
        target: "primary",
        trigger: manualTrigger,
        current: zoneAt(failover, "dr"),
        health: [{ id: "hc", healthy: true, detail: "ok" }],
      }),
    );

    // Assess
    expect(plan.decision).toBe("change");
    expect(
      plan.changes
        .filter((c) => c.action === "CREATE" && c.record.type === "A")
        .map((c) => c.record.values?.[0]),
    ).toEqual(["10.0.0.10", "10.0.0.20"]);
    // Failback does not ask for DR recovery points.
    expect(plan.items.map((i) => i.check)).not.toContain("recovery-points");
  });
});

describe("planFailover: the preflight", () => {
  it("reports every check, item by item, when all pass", () => {
    const plan = planFailover(input(failover));
    expect(plan.items.map((i) => [i.check, i.ok])).toEqual([
      ["zone", true],
      ["state", true],
      ["records", true],
      ["recovery-points", true],
      ["health", true],
      ["permissions", true],
    ]);
  });

  it("does nothing, and says so, when DNS already points at DR", () => {
    const plan = planFailover(input(failover, { current: zoneAt(failover, "dr") }));
    expect(plan.decision).toBe("nothing-to-do");
    expect(plan.code).toBe("already-on-site");
    expect(plan.changes).toEqual([]);
  });

  it("refuses stale DR data with the reasons, and --force overrides it (recorded in the state)", () => {
    // Act
    const refused = planFailover(input(failover, { readiness: stale }));
    const forced = planFailover(input(failover, { readiness: stale, force: true, trigger: manualTrigger }));

    // Assess
    expect(refused.decision).toBe("refused");
    expect(refused.code).toBe("dr-behind-rpo");
    expect(refused.items.find((i) => i.check === "recovery-points")).toMatchObject({
      ok: false,
      forceable: true,
    });
    expect(refused.changes).toEqual([]);
    expect(forced.decision).toBe("change");
    expect(forced.forced).toBe(true);
    expect(parseState(forced.changes.at(-1)?.record)?.forced).toBe(true);
  });

  it("refuses a drifted record (forceable) and a missing one (not forceable: create it first)", () => {
    // Arrange
    const drifted = zoneAt(failover, "primary").map(
      (r): RecordSet => (r.name === "app.example.com." ? { ...r, values: ["10.9.9.9"] } : r),
    );
    const missing = zoneAt(failover, "primary").filter((r) => r.name !== "app.example.com.");

    // Act
    const drift = planFailover(input(failover, { current: drifted }));
    const forcedDrift = planFailover(
      input(failover, { current: drifted, force: true, trigger: manualTrigger }),
    );
    const gone = planFailover(input(failover, { current: missing, force: true, trigger: manualTrigger }));

    // Assess
    expect(drift.code).toBe("record-drifted");
    expect(drift.items.find((i) => i.check === "records")?.detail).toMatch(
      /points at 10\.9\.9\.9 \(TTL 60\), neither site/,
    );
    expect(forcedDrift.changes[0]).toEqual({
      action: "DELETE",
      record: expect.objectContaining({ values: ["10.9.9.9"] }),
    });
    expect(gone.decision).toBe("refused");
    expect(gone.code).toBe("record-missing");
  });

  it("refuses when the failover pair's SECONDARY is missing: Route 53 could not fail over by itself", () => {
    const current = zoneAt(failover, "primary").filter((r) => r.failover !== "SECONDARY");
    const plan = planFailover(input(failover, { current }));
    expect(plan.decision).toBe("refused");
    expect(plan.items.find((i) => i.check === "records")?.detail).toMatch(/SECONDARY .* does not exist/);
  });

  it("refuses a failing DR health check (forceable) and a missing permission (never forceable)", () => {
    const sick = planFailover(
      input(failover, { health: [{ id: DR_HC, healthy: false, detail: "0 of 3 healthy" }] }),
    );
    const denied = planFailover(
      input(failover, {
        permission: { ok: false, detail: "AccessDenied" },
        force: true,
        trigger: manualTrigger,
      }),
    );
    expect(sick.code).toBe("health-check-failing");
    expect(denied.decision).toBe("refused");
    expect(denied.code).toBe("permission-denied");
  });

  it("refuses a zone it cannot resolve, and changes nothing even when forced", () => {
    const plan = planFailover(
      input(failover, { zone: { problem: "no hosted zone named example.com." }, force: true }),
    );
    expect(plan.decision).toBe("refused");
    expect(plan.items).toEqual([
      expect.objectContaining({ check: "zone", ok: false, code: "zone-not-found" }),
    ]);
  });
});

describe("planFailover: never flapping", () => {
  it("an alarm within the cooldown of the last change does not fail over; an operator may", () => {
    // Arrange: failed back by hand 10 minutes ago, the alarm still firing
    const current = [
      ...zoneAt(failover, "primary"),
      stateAt("primary", new Date(NOW.getTime() - 10 * 60_000)),
    ];

    // Act
    const automatic = planFailover(input(failover, { current }));
    const manual = planFailover(input(failover, { current, trigger: manualTrigger }));

    // Assess
    expect(automatic.decision).toBe("refused");
    expect(automatic.code).toBe("cooldown-active");
    expect(automatic.items.find((i) => i.check === "cooldown")?.detail).toMatch(
      /until 2024-05-14T12:50:00.000Z/,
    );
    expect(manual.decision).toBe("change");
  });

  it("an alarm state change from before the last change (a late delivery after a failback) moves nothing", () => {
    // Arrange: failed back by hand two hours ago; an ALARM of three hours ago arrives now
    const current = [
      ...zoneAt(failover, "primary"),
      stateAt("primary", new Date(NOW.getTime() - 2 * 3_600_000)),
    ];
    const late = { ...alarmTrigger, alarmAt: new Date(NOW.getTime() - 3 * 3_600_000) };

    // Act
    const plan = planFailover(input(failover, { current, trigger: late }));

    // Assess
    expect(plan).toMatchObject({ decision: "nothing-to-do", code: "stale-trigger", changes: [] });
  });

  it("once on DR, every further alarm is nothing to do: an alarm flapping for an hour fails over once", () => {
    const onDr = [...zoneAt(failover, "dr"), stateAt("dr", NOW, "alarm:factory-connected")];
    for (let minute = 1; minute <= 60; minute++) {
      const plan = planFailover(
        input(failover, { current: onDr, now: new Date(NOW.getTime() + minute * 60_000) }),
      );
      expect(plan.decision).toBe("nothing-to-do");
    }
  });

  it("the zone's name comes from the resolved zone (a config naming the zone by id)", () => {
    const byId = failoverConfig({ hostedZone: { id: ZONE.id } });
    const plan = planFailover(input(byId));
    expect(plan.changes.at(-1)?.record.name).toBe("_outpost-ops-failover.example.com.");
  });
});

describe("records of the config", () => {
  it("an alias target carries no TTL and keeps its target's zone", () => {
    const withAlias = failoverConfig({
      records: [
        {
          name: "www.example.com",
          type: "A",
          primary: {
            alias: { dnsName: "primary-lb.us-west-2.elb.amazonaws.com", hostedZoneId: "Z1H1FL5HABSF5" },
          },
          dr: {
            alias: {
              dnsName: "dr-lb.us-east-1.elb.amazonaws.com",
              hostedZoneId: "Z35SXDOTRQ7X7K",
              evaluateTargetHealth: true,
            },
          },
        },
      ],
    });
    const record = withAlias.records[0];
    if (!record) throw new Error("no record");
    expect(recordFor(record, "dr")).toEqual({
      name: "www.example.com.",
      type: "A",
      alias: {
        dnsName: "dr-lb.us-east-1.elb.amazonaws.com.",
        hostedZoneId: "Z35SXDOTRQ7X7K",
        evaluateTargetHealth: true,
      },
    });
  });
});
