import { parseConfig } from "@outpost-ops/core/config";
import { planFailover } from "@outpost-ops/core/failover/plan";
import { recordFor } from "@outpost-ops/core/failover/records";
import {
  FailoverResultError,
  FailoverResultSchema,
  parseFailoverResult,
  toFailoverResult,
} from "@outpost-ops/core/failover/result";
import { stateRecord } from "@outpost-ops/core/failover/state";
import type { FailoverRun } from "@outpost-ops/core/jobs/failover";
import { describe, expect, it } from "vitest";

const NOW = new Date("2024-05-14T12:00:00.000Z");
const KEY = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-0000-4000-8000-000000000001";

const config = parseConfig({
  regions: { primary: "us-west-2", dr: "us-east-1" },
  alerts: { emails: [] },
  policies: [
    {
      name: "vols",
      resource: "ebs-volume",
      selector: { tags: { Backup: "yes" } },
      schedules: [{ name: "six", expression: "rate(6 hours)", retention: { keepLast: 4 } }],
      copy: { rpo: "8h", kmsKeyArn: KEY },
    },
  ],
  failover: {
    hostedZone: { name: "example.com" },
    records: [
      {
        name: "app.example.com",
        type: "A",
        primary: { values: ["10.0.0.10"] },
        dr: { values: ["10.1.0.10"] },
      },
    ],
  },
});
const failover = config.failover ?? (undefined as never);
const record = failover.records[0] ?? (undefined as never);

/** A run that changed DNS: the plan from the real planner, a timeline with every step. */
function changedRun(): FailoverRun {
  const previous = stateRecord("example.com", {
    site: "primary",
    at: new Date("2024-05-01T00:00:00Z"),
    by: "manual:arn:aws:iam::123456789012:role/ops",
    reason: "drill over",
    forced: false,
  });
  const plan = planFailover({
    failover,
    target: "dr",
    trigger: { kind: "manual", by: "arn:aws:iam::123456789012:role/ops" },
    reason: "service link down",
    force: true,
    now: NOW,
    zone: { id: "Z0123456789ABCDEFGHIJ", name: "example.com." },
    current: [recordFor(record, "primary"), previous],
    readiness: [{ policy: "vols", ready: false, code: "dr-behind-rpo", detail: "vols: 9h old" }],
    health: [],
    permission: { ok: true, detail: "may change 2 record(s)" },
  });
  return {
    plan,
    outcome: "changed",
    changeId: "C0123456789",
    timeline: {
      alarmAt: new Date(NOW.getTime() - 60_000),
      receivedAt: NOW,
      decidedAt: new Date(NOW.getTime() + 300),
      submittedAt: new Date(NOW.getTime() + 450),
      inSyncAt: new Date(NOW.getTime() + 40_450),
    },
  };
}

describe("Function: toFailoverResult", () => {
  it("flattens the plan beside the run, with dates as ISO strings", () => {
    // Act
    const result = toFailoverResult(changedRun(), "dr");

    // Assess
    expect(result).toMatchObject({
      outcome: "changed",
      target: "dr",
      decision: "change",
      code: "change-submitted",
      changeId: "C0123456789",
      forced: true,
      state: { site: "primary", at: "2024-05-01T00:00:00.000Z", reason: "drill over", forced: false },
      next: { site: "dr", at: NOW.toISOString(), reason: "service link down", forced: true },
      timeline: {
        alarmAt: "2024-05-14T11:59:00.000Z",
        receivedAt: "2024-05-14T12:00:00.000Z",
        inSyncAt: "2024-05-14T12:00:40.450Z",
      },
    });
    expect(result.items.find((i) => i.check === "recovery-points")).toMatchObject({
      ok: false,
      forceable: true,
      code: "dr-behind-rpo",
    });
    expect(result.moves).toEqual([
      {
        label: "app.example.com. A",
        site: "primary",
        current: { name: "app.example.com.", type: "A", ttl: 60, values: ["10.0.0.10"] },
        target: { name: "app.example.com.", type: "A", ttl: 60, values: ["10.1.0.10"] },
      },
    ]);
    expect(result.changes.map((c) => c.action)).toEqual(["DELETE", "CREATE", "DELETE", "CREATE"]);
  });

  it("is plain JSON: what JSON.stringify sends is what the schema gives back, unchanged", () => {
    // Prepare
    const result = toFailoverResult(changedRun(), "dr");

    // Act
    const back = parseFailoverResult(JSON.parse(JSON.stringify(result)));

    // Assess
    expect(back).toEqual(result);
    expect(JSON.stringify(result)).not.toContain("undefined");
  });

  it("omits what a run does not have (no alarm, no change, no prior state), rather than sending undefined", () => {
    // Prepare
    const run = changedRun();
    const bare: FailoverRun = {
      plan: { ...run.plan, decision: "refused", code: "dr-behind-rpo", changes: [], state: undefined },
      outcome: "refused",
      timeline: { receivedAt: NOW, decidedAt: NOW },
    };

    // Act
    const result = toFailoverResult(bare);

    // Assess
    expect(Object.keys(result)).not.toContain("changeId");
    expect(Object.keys(result)).not.toContain("pending");
    expect(Object.keys(result)).not.toContain("state");
    expect(Object.keys(result.timeline)).toEqual(["receivedAt", "decidedAt"]);
    expect(result.target).toBe("dr");
    expect(FailoverResultSchema.safeParse(result).success).toBe(true);
  });
});

describe("Function: parseFailoverResult", () => {
  it("refuses an answer missing a field the CLI reads, naming it", () => {
    // Prepare
    const { outcome: _outcome, ...rest } = toFailoverResult(changedRun());

    // Act
    const error = (() => {
      try {
        parseFailoverResult(rest);
      } catch (e) {
        return e;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(FailoverResultError);
    expect((error as FailoverResultError).issues.map((i) => i.path)).toContain("outcome");
    expect((error as Error).message).toMatch(/the change may have been made/);
  });

  it("refuses a date that is not ISO-8601 and an unknown outcome", () => {
    // Prepare
    const result = toFailoverResult(changedRun());
    const bad = { ...result, outcome: "done", timeline: { ...result.timeline, receivedAt: "yesterday" } };

    // Act
    const parsed = FailoverResultSchema.safeParse(bad);

    // Assess
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual(
      expect.arrayContaining(["outcome", "timeline.receivedAt"]),
    );
  });

  it("drops fields it does not know (a newer function) and keeps the rest", () => {
    // Prepare
    const result = toFailoverResult(changedRun());

    // Act
    const back = parseFailoverResult({ ...result, rtoMs: 40_450 });

    // Assess
    expect(back).toEqual(result);
  });
});
