import { describe, expect, it } from "vitest";
import example from "../../../../outpost-ops.config.ts";
import { toSnsMessage } from "../../src/alerts/alert.ts";
import { type CapacityAlertInput, capacityAlert } from "../../src/capacity/alert.ts";
import type { Condition, Reading } from "../../src/capacity/model.ts";
import { capacityAlarmName } from "../../src/capacity/names.ts";
import { parseConfig } from "../../src/config/schema.ts";
import { AT, capacityConfig, FACTORY_ARN, PREFIX } from "./fixtures.ts";

const config = capacityConfig();
const FACTORY = "op-0a1b2c3d4e5f60718";
const m5: Condition = { outpost: "factory", outpostId: FACTORY, kind: "instance-type", subject: "m5.large" };

function reading(condition: Condition, more: Partial<Reading> = {}): Reading {
  return { condition, daily: [], consumers: [], ...more };
}

function input(
  more: Partial<CapacityAlertInput> & Pick<CapacityAlertInput, "condition" | "decision">,
): CapacityAlertInput {
  return {
    config,
    region: "us-west-2",
    prefix: PREFIX,
    stage: "prod",
    alarmName: capacityAlarmName(PREFIX, more.condition, more.band),
    reading: reading(more.condition),
    at: AT,
    ...more,
  };
}

const rising: Reading = reading(m5, {
  current: 96,
  at: AT,
  headroom: { available: 2, used: 48 },
  weekAgo: 82,
  daily: [
    { at: new Date("2024-05-01T00:00:00Z"), value: 70 },
    { at: new Date("2024-05-14T00:00:00Z"), value: 96 },
  ],
  forecast: {
    kind: "full-in",
    days: 4,
    slopePerDay: 2.1,
    r2: 0.97,
    points: 14,
    method: "least squares over 14 daily maxima (R² 0.97)",
  },
  consumers: [{ id: "i-0123456789abcdef0", name: "line-1", uses: "m5.large" }],
});

describe("Function: capacityAlert", () => {
  it("writes the critical subject as the design's example, with attributes", () => {
    // Act
    const alert = capacityAlert(
      input({
        condition: m5,
        band: "critical",
        decision: { kind: "alert", band: "critical" },
        reading: rising,
      }),
    );

    // Assess
    expect(alert.subject).toBe("[CRITICAL] factory Outpost: m5.large capacity 96 %, full in ~4 days");
    expect(alert).toMatchObject({ severity: "critical", job: "capacity", region: "us-west-2", at: AT });
    expect(alert.attributes).toEqual({ outpost: "factory", metric: "instance-type", band: "critical" });
    expect(toSnsMessage({ ...alert, stage: "prod" }).Subject).toBe(alert.subject);
  });

  it("puts the numbers, forecast, consumers and links in the body", () => {
    // Act
    const alert = capacityAlert(
      input({
        condition: m5,
        band: "critical",
        decision: { kind: "alert", band: "critical" },
        reading: rising,
      }),
    );

    // Assess
    expect(alert.body).toContain("at or above the critical threshold of 95 %");
    expect(alert.body).toContain("Thresholds: warning 80 %, critical 95 %");
    expect(alert.body).toContain("Headroom:   2 available, 48 used");
    expect(alert.body).toContain("A week ago: 82 % (+14 points)");
    expect(alert.body).toContain("2 daily maxima, 70 % on 2024-05-01 to 96 % on 2024-05-14");
    expect(alert.body).toContain(
      "Forecast:   full in ~4 days (least squares over 14 daily maxima, R² 0.97); +2.1 points a day, confidence high",
    );
    expect(alert.body).toContain("  - i-0123456789abcdef0 (line-1): m5.large");
    expect(alert.resourceIds).toEqual([FACTORY_ARN, "i-0123456789abcdef0"]);
    expect(alert.links.map((l) => l.url)).toEqual([
      "https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#alarmsV2:alarm/outpost-ops-prod-capacity-factory-instance-m5.large-critical",
      `https://us-west-2.console.aws.amazon.com/outposts/home?region=us-west-2#OutpostDetails:${FACTORY}`,
      `https://us-west-2.console.aws.amazon.com/ec2/home?region=us-west-2#Instances:outpostArn=${FACTORY_ARN}`,
    ]);
  });

  it("says no trend for a volume type without one", () => {
    // Prepare
    const gp2: Condition = { outpost: "factory", outpostId: FACTORY, kind: "volume-type", subject: "gp2" };

    // Act
    const alert = capacityAlert(
      input({
        condition: gp2,
        band: "warning",
        decision: { kind: "alert", band: "warning" },
        reading: reading(gp2, {
          current: 83.2,
          forecast: {
            kind: "no-trend",
            reason: "flat",
            points: 14,
            method: "least squares over 14 daily maxima (R² 0.10)",
          },
        }),
      }),
    );

    // Assess
    expect(alert.subject).toBe("[WARNING] factory Outpost: gp2 volumes 83 %, no trend");
    expect(alert.severity).toBe("warning");
    expect(alert.body).toContain(
      "Forecast:   no trend (flat); method: least squares over 14 daily maxima (R² 0.10)",
    );
    expect(alert.links.at(-1)?.label).toBe("Volumes on the Outpost");
  });

  it("writes resolved and eased as info", () => {
    // Act
    const resolved = capacityAlert(
      input({
        condition: m5,
        band: "warning",
        decision: { kind: "resolved" },
        reading: reading(m5, { current: 61 }),
      }),
    );
    const eased = capacityAlert(
      input({
        condition: m5,
        band: "critical",
        decision: { kind: "eased", to: "warning" },
        reading: reading(m5, { current: 88 }),
      }),
    );

    // Assess
    expect(resolved.subject).toBe("[INFO] factory Outpost: m5.large capacity resolved (61 %)");
    expect(resolved.severity).toBe("info");
    expect(resolved.attributes).toEqual({ outpost: "factory", metric: "instance-type", band: "warning" });
    expect(eased.subject).toBe("[INFO] factory Outpost: m5.large capacity eased to warning (88 %)");
    expect(eased.attributes?.band).toBe("warning");
  });

  describe("service link down", () => {
    const connected: Condition = { outpost: "factory", outpostId: FACTORY, kind: "connected" };

    it("is critical, names the failover command and whether DR is ready", () => {
      // Prepare
      const withFailover = parseConfig(example);

      // Act
      const ready = capacityAlert(
        input({
          config: withFailover,
          condition: connected,
          decision: { kind: "alert" },
          reading: reading(connected, { current: 0 }),
          drReady: true,
        }),
      );
      const notReady = capacityAlert(
        input({ config: withFailover, condition: connected, decision: { kind: "alert" }, drReady: false }),
      );
      const unknown = capacityAlert(
        input({ config: withFailover, condition: connected, decision: { kind: "alert" } }),
      );

      // Assess
      expect(ready.subject).toBe("[CRITICAL] factory Outpost: service link down");
      expect(ready.severity).toBe("critical");
      expect(ready.attributes).toEqual({ outpost: "factory", metric: "connected" });
      expect(ready.body).toContain("npx outpost-ops failover --stage prod");
      expect(ready.body).toContain("DR readiness: ready (FailoverReady in us-east-1)");
      expect(notReady.body).toContain("DR readiness: NOT ready");
      expect(unknown.body).toContain("DR readiness: unknown");
      expect(unknown.body).toContain("no data counts as down");
    });

    it("says so when no failover is configured", () => {
      // Act
      const alert = capacityAlert(
        input({ condition: connected, decision: { kind: "alert" }, drReady: "unknown" }),
      );

      // Assess
      expect(alert.body).toContain("DR readiness: no failover configured");
      expect(alert.body).toContain("npx outpost-ops failover --stage prod");
    });

    it("says restored when it clears", () => {
      expect(capacityAlert(input({ condition: connected, decision: { kind: "resolved" } })).subject).toBe(
        "[INFO] factory Outpost: service link restored",
      );
    });
  });

  describe("local snapshots below the floor", () => {
    const local: Condition = { outpost: "factory", outpostId: FACTORY, kind: "local-snapshots" };
    const low = reading(local, { current: 95.4, headroom: { freeGiB: 46, totalGiB: 1000 } });

    it("names the policies that move to the Region and the strict ones that keep trying", () => {
      // Act
      const alert = capacityAlert(input({ condition: local, decision: { kind: "alert" }, reading: low }));

      // Assess
      expect(alert.subject).toBe(
        "[WARNING] factory Outpost: local snapshot storage 4 % free, below the 10 % floor",
      );
      expect(alert.severity).toBe("warning");
      expect(alert.body).toContain("Now snapshot in the Region instead (residency flexible): line-volumes.");
      expect(alert.body).toContain("Keep trying locally (residency strict), and may fail: line-strict.");
      expect(alert.body).not.toContain("second-site");
    });

    it("says local snapshots resume when it clears", () => {
      // Act
      const alert = capacityAlert(
        input({ condition: local, decision: { kind: "resolved" }, reading: reading(local, { current: 85 }) }),
      );

      // Assess
      expect(alert.subject).toBe("[INFO] factory Outpost: local snapshots resume (15 % free)");
      expect(alert.body).toContain("Local snapshots resume: line-volumes, line-strict");
    });
  });

  it("writes refused launches as critical", () => {
    // Prepare
    const exceptions: Condition = { ...m5, kind: "capacity-exceptions" };

    // Act
    const alert = capacityAlert(
      input({
        condition: exceptions,
        decision: { kind: "alert" },
        reading: reading(exceptions, { current: 3 }),
      }),
    );

    // Assess
    expect(alert.subject).toBe("[CRITICAL] factory Outpost: m5.large launches refused (3 in 5 min)");
  });

  it("refuses to write an alert for a silent decision", () => {
    expect(() =>
      capacityAlert(input({ condition: m5, decision: { kind: "silent", why: "covered" } })),
    ).toThrow(/silent/);
  });
});
