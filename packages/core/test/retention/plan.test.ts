import { describe, expect, it } from "vitest";
import type { SnapshotRecord } from "../../src/inventory.ts";
import { planRetention, type RetentionPlan } from "../../src/retention/plan.ts";
import { Tag } from "../../src/tags.ts";
import { ago, DAY, HOUR, input, managedTags, NOW, policy, snap } from "./fixtures.ts";

/** id -> "action: reason", to assess whole plans at a glance. */
function byId(plan: RetentionPlan): Record<string, string> {
  return Object.fromEntries(plan.decisions.map((d) => [d.snapshot.id, `${d.action}: ${d.reason}`]));
}

/** `n` completed daily snapshots of vol-1, `s0` newest (NOW - 1h), then one per day back. */
function daily(n: number, options: Parameters<typeof snap>[2] = {}): SnapshotRecord[] {
  return Array.from({ length: n }, (_, i) => snap(`s${i}`, ago(HOUR + i * DAY), options));
}

describe("Function: planRetention", () => {
  describe("protections", () => {
    it("skips snapshots without the managed tag, and does not count them as managed", () => {
      // Prepare
      const snapshots = [
        snap("foreign", ago(400 * DAY), { tags: {} }),
        snap("not-true", ago(400 * DAY), { tags: { ...managedTags(), [Tag.managed]: "false" } }),
      ];
      // Act
      const plan = planRetention(input({ snapshots }));
      // Assess
      expect(byId(plan)).toEqual({
        foreign: "skip: not created by outpost-ops",
        "not-true": "skip: not created by outpost-ops",
      });
      expect(plan.managed).toBe(0);
      expect(plan.deletions).toEqual([]);
    });

    it("skips snapshots managed by AWS Backup and snapshots an AMI uses", () => {
      // Prepare
      const snapshots = [
        ...daily(3),
        snap("backup", ago(50 * DAY), { awsBackup: true }),
        snap("ami", ago(60 * DAY)),
      ];
      // Act
      const plan = planRetention(input({ snapshots, imageSnapshotIds: new Map([["ami", "ami-0abc"]]) }));
      // Assess
      expect(byId(plan)).toMatchObject({
        backup: "skip: managed by AWS Backup",
        ami: "skip: used by ami-0abc",
      });
      expect(plan.deletions).toEqual([]);
    });

    it("keeps snapshots on legal hold; a hold tag of 'false' is no hold", () => {
      // Prepare
      const snapshots = [
        ...daily(3),
        snap("held", ago(90 * DAY), {
          tags: managedTags("nightly", "daily", { [Tag.legalHold]: "case-42" }),
        }),
        snap("released", ago(91 * DAY), {
          tags: managedTags("nightly", "daily", { [Tag.legalHold]: "FALSE" }),
        }),
      ];
      // Act
      const plan = planRetention(input({ snapshots }));
      // Assess
      expect(byId(plan)).toMatchObject({ held: "keep: legal hold", released: "delete: beyond keepLast 3" });
    });

    it("keeps pending snapshots and does not count them toward keepLast", () => {
      // Prepare
      const snapshots = [snap("p", ago(0), { state: "pending" }), ...daily(4)];
      // Act
      const plan = planRetention(input({ snapshots }));
      // Assess
      expect(byId(plan)).toEqual({
        p: "keep: still pending",
        s0: "keep: keepLast 3, newest completed snapshot of vol-1",
        s1: "keep: keepLast 3",
        s2: "keep: keepLast 3",
        s3: "delete: beyond keepLast 3",
      });
    });

    it("skips snapshots whose policy or schedule is no longer in the config, or whose tags are missing", () => {
      // Prepare
      const snapshots = [
        ...daily(3),
        snap("gone-policy", ago(100 * DAY), { tags: managedTags("weekly-db", "daily") }),
        snap("gone-schedule", ago(100 * DAY), { tags: managedTags("nightly", "hourly") }),
        snap("no-policy", ago(100 * DAY), { tags: { [Tag.managed]: "true", [Tag.schedule]: "daily" } }),
        snap("no-schedule", ago(100 * DAY), { tags: { [Tag.managed]: "true", [Tag.policy]: "nightly" } }),
        snap("other-kind", ago(100 * DAY), { kind: "rds", sourceId: "db-1" }),
      ];
      // Act
      const plan = planRetention(input({ snapshots }));
      // Assess
      expect(byId(plan)).toMatchObject({
        "gone-policy":
          'skip: policy "weekly-db" is no longer in the config: kept until the config names it again',
        "gone-schedule":
          'skip: schedule "hourly" is no longer in policy "nightly": kept until the config names it again',
        "no-policy": "skip: no outpost-ops:policy tag: left alone",
        "no-schedule": "skip: no outpost-ops:schedule tag: left alone",
        "other-kind":
          'skip: policy "nightly" now covers ebs-volume, not rds snapshots: kept until the config names it again',
      });
      expect(plan.deletions).toEqual([]);
    });

    it("always keeps the newest completed snapshot of a source, across policies and beyond maxAge", () => {
      // Prepare: vol-1 is in two policies; its newest completed snapshot belongs to "weekly"
      const policies = [
        policy("nightly", { daily: { keepLast: 2, maxAge: "7d" } }),
        policy("weekly", { sunday: { keepLast: 1, maxAge: "7d" } }),
      ];
      const snapshots = [
        snap("w0", ago(20 * DAY), { tags: managedTags("weekly", "sunday") }),
        snap("n0", ago(30 * DAY)),
        snap("n1", ago(31 * DAY)),
      ];
      // Act
      const plan = planRetention(input({ snapshots, policies }));
      // Assess
      expect(byId(plan)).toEqual({
        w0: "keep: newest completed snapshot of vol-1",
        n0: "delete: older than maxAge 7d",
        n1: "delete: older than maxAge 7d",
      });
    });

    it("keeps the newest orphanKeepLast completed snapshots when the source is gone, even beyond maxAge", () => {
      // Prepare
      const policies = [policy("nightly", { daily: { keepLast: 1, maxAge: "7d" } }, { orphanKeepLast: 2 })];
      const snapshots = [
        snap("f", ago(30 * DAY), { state: "failed" }),
        ...daily(4).map((s) => ({ ...s, createdAt: new Date(s.createdAt.getTime() - 40 * DAY) })),
      ];
      // Act
      const plan = planRetention(input({ snapshots, policies, liveSourceIds: new Set() }));
      // Assess
      expect(byId(plan)).toEqual({
        f: "keep: failed snapshot: left for inspection until a newer snapshot of this schedule completes",
        s0: "keep: newest completed snapshot of vol-1, source gone: keeping last 2",
        s1: "keep: source gone: keeping last 2",
        s2: "delete: older than maxAge 7d",
        s3: "delete: older than maxAge 7d",
      });
    });
  });

  describe("rules", () => {
    it("keepLast N keeps the N newest completed snapshots of each group", () => {
      // Prepare: two sources, interleaved in the input
      const snapshots = [
        snap("a0", ago(1 * DAY)),
        snap("b0", ago(1 * DAY), { sourceId: "vol-2" }),
        snap("a1", ago(2 * DAY)),
        snap("b1", ago(2 * DAY), { sourceId: "vol-2" }),
        snap("a2", ago(3 * DAY)),
      ];
      const policies = [policy("nightly", { daily: { keepLast: 2 } })];
      // Act
      const plan = planRetention(input({ snapshots, policies }));
      // Assess
      expect(plan.deletions.map((s) => s.id)).toEqual(["a2"]);
      expect(plan.decisions.map((d) => d.snapshot.id)).toEqual(["a0", "b0", "a1", "b1", "a2"]);
    });

    it("evaluates each schedule of a policy with its own retention", () => {
      // Prepare
      const policies = [policy("nightly", { daily: { keepLast: 1 }, monthly: { keepLast: 2 } })];
      const snapshots = [
        snap("d0", ago(1 * DAY)),
        snap("d1", ago(2 * DAY)),
        snap("m0", ago(10 * DAY), { tags: managedTags("nightly", "monthly") }),
        snap("m1", ago(40 * DAY), { tags: managedTags("nightly", "monthly") }),
        snap("m2", ago(70 * DAY), { tags: managedTags("nightly", "monthly") }),
      ];
      // Act
      const plan = planRetention(input({ snapshots, policies }));
      // Assess
      expect(plan.deletions.map((s) => s.id)).toEqual(["d1", "m2"]);
    });

    it("tiers keep the newest snapshot in each of the N most recent periods that have one", () => {
      // Prepare: two snapshots on 14 May, none on 13 May, one on 12 and 11 May
      const policies = [policy("nightly", { daily: { tiers: { daily: 3 } } })];
      const snapshots = [
        snap("may14-late", new Date("2024-05-14T11:00:00Z")),
        snap("may14-early", new Date("2024-05-14T01:00:00Z")),
        snap("may12", new Date("2024-05-12T23:59:59Z")),
        snap("may11", new Date("2024-05-11T05:00:00Z")),
        snap("may10", new Date("2024-05-10T05:00:00Z")),
      ];
      // Act
      const plan = planRetention(input({ snapshots, policies }));
      // Assess
      expect(byId(plan)).toEqual({
        "may14-late": "keep: daily tier, newest completed snapshot of vol-1",
        "may14-early": "delete: beyond tiers",
        may12: "keep: daily tier",
        may11: "keep: daily tier",
        may10: "delete: beyond tiers",
      });
    });

    it("weekly tiers use ISO weeks starting on Monday (UTC)", () => {
      // Prepare: Sunday 12 May and Monday 13 May 2024 are in different ISO weeks
      const policies = [policy("nightly", { daily: { tiers: { weekly: 2 } } })];
      const snapshots = [
        snap("mon", new Date("2024-05-13T00:00:00Z")),
        snap("sun", new Date("2024-05-12T23:59:59Z")),
        snap("sat", new Date("2024-05-11T12:00:00Z")),
      ];
      // Act
      const plan = planRetention(input({ snapshots, policies }));
      // Assess
      expect(plan.deletions.map((s) => s.id)).toEqual(["sat"]);
    });

    it("keeps the union of keepLast and tiers, naming every rule that keeps a snapshot", () => {
      // Prepare: daily snapshots for 40 days
      const policies = [policy("nightly", { daily: { keepLast: 2, tiers: { weekly: 2, monthly: 2 } } })];
      const snapshots = daily(40);
      // Act
      const plan = planRetention(input({ snapshots, policies }));
      // Assess: NOW is Tuesday 14 May 11:00 for s0; s1 = Mon 13 May; s2 = Sun 12 May (previous week);
      // s13 = 1 May (newest of May = s0), s14 = 30 April (newest of April)
      const decisions = byId(plan);
      expect(decisions.s0).toBe(
        "keep: keepLast 2, weekly tier, monthly tier, newest completed snapshot of vol-1",
      );
      expect(decisions.s1).toBe("keep: keepLast 2");
      expect(decisions.s2).toBe("keep: weekly tier");
      expect(decisions.s14).toBe("keep: monthly tier");
      expect(decisions.s3).toBe("delete: beyond keepLast 2 and tiers");
      expect(plan.deletions).toHaveLength(40 - 4);
    });

    it("maxAge is a ceiling for keepLast and tiers; a snapshot exactly maxAge old is within", () => {
      // Prepare
      const policies = [policy("nightly", { daily: { keepLast: 10, tiers: { monthly: 12 }, maxAge: "3d" } })];
      const snapshots = [
        snap("d1", ago(1 * DAY)),
        snap("d3", ago(3 * DAY)),
        snap("d3-plus", ago(3 * DAY + 1)),
        snap("d40", ago(40 * DAY)),
      ];
      // Act
      const plan = planRetention(input({ snapshots, policies }));
      // Assess
      expect(byId(plan)).toEqual({
        d1: "keep: keepLast 10, monthly tier, newest completed snapshot of vol-1",
        d3: "keep: keepLast 10",
        "d3-plus": "delete: older than maxAge 3d",
        d40: "delete: older than maxAge 3d",
      });
    });

    it("with only maxAge, keeps everything younger and deletes everything older", () => {
      // Prepare
      const policies = [policy("nightly", { daily: { maxAge: "30d" } })];
      const snapshots = [
        snap("young", ago(29 * DAY)),
        snap("young2", ago(30 * DAY)),
        snap("old", ago(31 * DAY)),
      ];
      // Act
      const plan = planRetention(input({ snapshots, policies }));
      // Assess
      expect(byId(plan)).toEqual({
        young: "keep: within maxAge 30d, newest completed snapshot of vol-1",
        young2: "keep: within maxAge 30d",
        old: "delete: older than maxAge 30d",
      });
    });

    it("deletes a failed snapshot once a newer completed snapshot of its schedule exists", () => {
      // Prepare
      const snapshots = [
        snap("failed-new", ago(0), { state: "failed" }),
        snap("ok", ago(1 * DAY)),
        snap("failed-old", ago(2 * DAY), { state: "failed" }),
        snap("failed-held", ago(3 * DAY), {
          state: "failed",
          tags: managedTags("nightly", "daily", { [Tag.legalHold]: "yes" }),
        }),
      ];
      // Act
      const plan = planRetention(input({ snapshots }));
      // Assess
      expect(byId(plan)).toEqual({
        "failed-new":
          "keep: failed snapshot: left for inspection until a newer snapshot of this schedule completes",
        ok: "keep: keepLast 3, newest completed snapshot of vol-1",
        "failed-old": "delete: failed snapshot, superseded by completed ok",
        "failed-held": "keep: legal hold",
      });
    });

    it("breaks createdAt ties by id and does not depend on input order", () => {
      // Prepare
      const t = ago(DAY);
      const policies = [policy("nightly", { daily: { keepLast: 2 } })];
      const snapshots = [snap("c", t), snap("a", t), snap("b", t), snap("d", t)];
      // Act
      const forward = planRetention(input({ snapshots, policies }));
      const backward = planRetention(input({ snapshots: [...snapshots].reverse(), policies }));
      // Assess
      expect(forward.deletions.map((s) => s.id).sort()).toEqual(["c", "d"]);
      expect(byId(backward)).toEqual(byId(forward));
    });
  });

  describe("deletion cap", () => {
    it("limits to min(maxDeletesPerRun, floor(managed × percent / 100)) and reports the cap", () => {
      // Prepare: 10 managed, 7 deletable with keepLast 3; 1 unmanaged
      const snapshots = [...daily(10), snap("foreign", ago(DAY), { tags: {} })];
      // Act
      const plan = planRetention(
        input({ snapshots, caps: { maxDeletesPerRun: 100, maxDeletesPercent: 79 } }),
      );
      // Assess
      expect(plan.managed).toBe(10);
      expect(plan.cap).toEqual({ count: 100, percent: 79, limit: 7, planned: 7, exceeded: false });
      expect(plan.deletions).toHaveLength(7);
    });

    it("deletes nothing when planned deletions exceed the limit, and says why on each", () => {
      // Prepare
      const snapshots = daily(10);
      // Act
      const plan = planRetention(input({ snapshots, caps: { maxDeletesPerRun: 6, maxDeletesPercent: 100 } }));
      // Assess
      expect(plan.cap).toEqual({ count: 6, percent: 100, limit: 6, planned: 7, exceeded: true });
      expect(plan.deletions).toEqual([]);
      expect(plan.decisions.filter((d) => d.action === "delete")).toEqual([]);
      expect(byId(plan).s9).toBe("keep: deletion cap exceeded: 7 planned, limit 6");
      expect(byId(plan).s0).toBe("keep: keepLast 3, newest completed snapshot of vol-1");
    });

    it("computes the percentage limit without binary-fraction surprises", () => {
      // Prepare: 100 managed × 29% is exactly 29 (0.29 × 100 is 28.999… in floating point)
      const snapshots = daily(100);
      const policies = [policy("nightly", { daily: { keepLast: 71 } })];
      // Act
      const plan = planRetention(
        input({ snapshots, policies, caps: { maxDeletesPerRun: 1000, maxDeletesPercent: 29 } }),
      );
      // Assess
      expect(plan.cap).toMatchObject({ limit: 29, planned: 29, exceeded: false });
    });

    it("treats a NaN cap as zero: nothing is deleted", () => {
      // Prepare
      const snapshots = daily(5);
      // Act
      const plan = planRetention(
        input({ snapshots, caps: { maxDeletesPerRun: Number.NaN, maxDeletesPercent: 50 } }),
      );
      // Assess
      expect(plan.cap).toMatchObject({ limit: 0, planned: 2, exceeded: true });
      expect(plan.deletions).toEqual([]);
    });

    it("plans nothing and exceeds nothing when there are no managed snapshots", () => {
      // Prepare, Act
      const plan = planRetention(input({ snapshots: [] }));
      // Assess
      expect(plan).toEqual({
        at: NOW,
        decisions: [],
        deletions: [],
        managed: 0,
        cap: { count: 1000, percent: 100, limit: 0, planned: 0, exceeded: false },
      });
    });
  });

  describe("scale", () => {
    it("plans 100,000 snapshots, one decision each", () => {
      // Prepare: 2,000 sources × 50 snapshots, hourly apart
      const policies = [
        policy("nightly", {
          daily: { keepLast: 7, tiers: { daily: 14, weekly: 8, monthly: 6 }, maxAge: "60d" },
        }),
      ];
      const snapshots: SnapshotRecord[] = [];
      for (let s = 0; s < 2000; s++) {
        for (let k = 0; k < 50; k++)
          snapshots.push(snap(`snap-${s}-${k}`, ago((k * 13 + s) * HOUR), { sourceId: `vol-${s}` }));
      }
      const liveSourceIds = new Set(Array.from({ length: 1500 }, (_, s) => `vol-${s}`));
      // Act
      const plan = planRetention(input({ snapshots, policies, liveSourceIds }));
      // Assess (its speed is measured in bench/planners.bench.ts, not here)
      expect(plan.decisions).toHaveLength(100_000);
      expect(plan.cap.planned).toBeGreaterThan(0);
    });
  });
});
