import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Policy, Retention } from "../../src/config/schema.ts";
import type { SnapshotRecord } from "../../src/inventory.ts";
import { planRetention, type RetentionInput } from "../../src/retention/plan.ts";
import { Tag, type Tags } from "../../src/tags.ts";
import { parseDuration } from "../../src/time.ts";
import { DAY, HOUR, NOW, policy } from "./fixtures.ts";

const nowMs = NOW.getTime();
const MINUTE = 60_000;

/** Ages (ms before NOW): clustered within hours, spread over weeks, or over years; a few in the future. */
const arbAge = fc.oneof(
  fc.integer({ min: 0, max: (3 * DAY) / MINUTE }).map((m) => m * MINUTE),
  fc.integer({ min: 0, max: (90 * DAY) / HOUR }).map((h) => h * HOUR),
  fc.integer({ min: 0, max: 3 * 366 * DAY }),
  fc.constantFrom(-HOUR, 0, DAY, 30 * DAY),
);

const arbTiers = fc
  .record(
    {
      hourly: fc.integer({ min: 1, max: 5 }),
      daily: fc.integer({ min: 1, max: 5 }),
      weekly: fc.integer({ min: 1, max: 4 }),
      monthly: fc.integer({ min: 1, max: 4 }),
      yearly: fc.integer({ min: 1, max: 3 }),
    },
    { requiredKeys: [] },
  )
  .filter((t) => Object.keys(t).length > 0);

const arbMaxAge = fc.constantFrom("12h", "1d", "3d", "2w", "30d", "400d");

const arbRetention: fc.Arbitrary<Retention> = fc
  .record(
    { keepLast: fc.integer({ min: 1, max: 6 }), maxAge: arbMaxAge, tiers: arbTiers },
    { requiredKeys: [] },
  )
  .filter((r) => Object.keys(r).length > 0);

const POLICY_NAMES = ["p0", "p1"] as const;

const arbPolicies: fc.Arbitrary<Policy[]> = fc
  .tuple(
    ...POLICY_NAMES.map((name) =>
      fc
        .record({
          present: fc.boolean(),
          resource: fc.constantFrom("ebs-volume", "ec2-instance", "rds-instance") as fc.Arbitrary<
            Policy["resource"]
          >,
          orphanKeepLast: fc.integer({ min: 1, max: 3 }),
          schedules: fc.tuple(fc.option(arbRetention, { nil: undefined }), arbRetention),
        })
        .map(({ present, resource, orphanKeepLast, schedules: [r0, r1] }) =>
          present
            ? [policy(name, r0 === undefined ? { s1: r1 } : { s0: r0, s1: r1 }, { resource, orphanKeepLast })]
            : [],
        ),
    ),
  )
  .map((lists) => lists.flat());

interface SnapshotSpec {
  source: number;
  kind: SnapshotRecord["kind"];
  managed: string | undefined;
  policy: string | undefined;
  schedule: string | undefined;
  hold: string | undefined;
  state: SnapshotRecord["state"];
  age: number;
  awsBackup: boolean;
  ami: boolean;
}

const arbSnapshotSpec: fc.Arbitrary<SnapshotSpec> = fc.record({
  source: fc.integer({ min: 0, max: 3 }),
  kind: fc.constantFrom("ebs", "ebs", "ebs", "rds"),
  managed: fc.constantFrom("true", "true", "true", "true", "true", "false", undefined),
  policy: fc.constantFrom("p0", "p0", "p1", "p1", "ghost", undefined),
  schedule: fc.constantFrom("s0", "s1", "s1", "ghost", undefined),
  hold: fc.constantFrom(undefined, undefined, undefined, undefined, undefined, undefined, "false", "case-7"),
  state: fc.constantFrom("completed", "completed", "completed", "completed", "pending", "failed"),
  age: arbAge,
  awsBackup: fc.constantFrom(false, false, false, false, false, false, false, true),
  ami: fc.constantFrom(false, false, false, false, false, false, false, true),
});

function toSnapshot(spec: SnapshotSpec, i: number): SnapshotRecord {
  const tags: Tags = {};
  if (spec.managed !== undefined) tags[Tag.managed] = spec.managed;
  if (spec.policy !== undefined) tags[Tag.policy] = spec.policy;
  if (spec.schedule !== undefined) tags[Tag.schedule] = spec.schedule;
  if (spec.hold !== undefined) tags[Tag.legalHold] = spec.hold;
  return {
    kind: spec.kind,
    id: `snap-${String(i).padStart(3, "0")}`,
    sourceId: `src-${spec.source}`,
    createdAt: new Date(nowMs - spec.age),
    state: spec.state,
    tags,
    awsBackup: spec.awsBackup,
  };
}

const arbEstate: fc.Arbitrary<{ input: RetentionInput; amiIds: Set<string> }> = fc
  .record({
    specs: fc.array(arbSnapshotSpec, { maxLength: 24 }),
    live: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    policies: arbPolicies,
    maxDeletesPerRun: fc.integer({ min: 0, max: 30 }),
    maxDeletesPercent: fc.oneof(
      fc.integer({ min: 1, max: 100 }),
      fc.double({ min: 0.01, max: 100, noNaN: true }),
    ),
  })
  .map(({ specs, live, policies, maxDeletesPerRun, maxDeletesPercent }) => {
    const snapshots = specs.map(toSnapshot);
    const imageSnapshotIds = new Map(
      snapshots.filter((_, i) => specs[i]?.ami).map((s) => [s.id, `ami-${s.id}`]),
    );
    return {
      amiIds: new Set(imageSnapshotIds.keys()),
      input: {
        snapshots,
        liveSourceIds: new Set(live.flatMap((alive, s) => (alive ? [`src-${s}`] : []))),
        imageSnapshotIds,
        policies,
        caps: { maxDeletesPerRun, maxDeletesPercent },
        now: NOW,
      },
    };
  });

/** Newest first, ties by id: the order the planner promises. */
const newestFirst = (a: SnapshotRecord, b: SnapshotRecord) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const isManaged = (s: SnapshotRecord) => s.tags[Tag.managed] === "true";

describe("Function: planRetention (properties)", () => {
  it("never plans to delete a protected snapshot, decides every snapshot once, and respects the cap", () => {
    fc.assert(
      fc.property(arbEstate, ({ input, amiIds }) => {
        // Act
        const plan = planRetention(input);

        // Assess: one decision per snapshot, in input order
        expect(plan.decisions).toHaveLength(input.snapshots.length);
        plan.decisions.forEach((d, i) => {
          expect(d.snapshot).toBe(input.snapshots[i]);
          expect(d.reason).not.toBe("");
        });
        expect(plan.at.getTime()).toBe(nowMs);

        // deletions are exactly the "delete" decisions, all managed
        const managed = input.snapshots.filter(isManaged);
        expect(plan.managed).toBe(managed.length);
        expect(plan.deletions).toEqual(
          plan.decisions.filter((d) => d.action === "delete").map((d) => d.snapshot),
        );

        // the cap
        const { maxDeletesPerRun, maxDeletesPercent } = input.caps;
        const share = (managed.length * maxDeletesPercent) / 100;
        const { limit } = plan.cap;
        expect(Number.isInteger(limit)).toBe(true);
        expect(limit).toBeLessThanOrEqual(Math.min(maxDeletesPerRun, share + 1e-6));
        expect(limit).toBeGreaterThanOrEqual(Math.min(maxDeletesPerRun, Math.floor(share)));
        expect(plan.deletions.length).toBeLessThanOrEqual(limit);
        if (plan.cap.exceeded) {
          expect(plan.deletions).toEqual([]);
          expect(plan.cap.planned).toBeGreaterThan(limit);
        } else {
          expect(plan.cap.planned).toBe(plan.deletions.length);
        }

        // the newest completed managed snapshot of each source
        const newestOfSource = new Map<string, SnapshotRecord>();
        for (const s of [...managed].filter((s) => s.state === "completed").sort(newestFirst)) {
          const key = `${s.kind}/${s.sourceId}`;
          if (!newestOfSource.has(key)) newestOfSource.set(key, s);
        }
        const protectedNewest = new Set(newestOfSource.values());

        for (const s of plan.deletions) {
          expect(isManaged(s)).toBe(true);
          const hold = s.tags[Tag.legalHold];
          expect(hold === undefined || hold.toLowerCase() === "false").toBe(true);
          expect(amiIds.has(s.id)).toBe(false);
          expect(s.awsBackup).toBe(false);
          expect(s.state).not.toBe("pending");
          expect(protectedNewest.has(s)).toBe(false);
          // only snapshots of a policy and schedule the config still names, for the same kind
          const p = input.policies.find((p) => p.name === s.tags[Tag.policy]);
          expect(p?.schedules.some((sc) => sc.name === s.tags[Tag.schedule])).toBe(true);
          expect(p?.resource === "rds-instance" ? "rds" : "ebs").toBe(s.kind);
        }

        // per group: keepLast (within maxAge) and orphanKeepLast are never deleted
        const deleted = new Set(plan.deletions);
        for (const p of input.policies) {
          for (const schedule of p.schedules) {
            const { keepLast, maxAge } = schedule.retention;
            const cutoff = maxAge === undefined ? Number.NEGATIVE_INFINITY : nowMs - parseDuration(maxAge);
            for (const sourceId of new Set(input.snapshots.map((s) => s.sourceId))) {
              const group = input.snapshots
                .filter(
                  (s) =>
                    s.sourceId === sourceId &&
                    s.state === "completed" &&
                    s.tags[Tag.policy] === p.name &&
                    s.tags[Tag.schedule] === schedule.name,
                )
                .sort(newestFirst);
              group.slice(0, keepLast ?? 0).forEach((s) => {
                if (s.createdAt.getTime() >= cutoff) expect(deleted.has(s)).toBe(false);
              });
              if (!input.liveSourceIds.has(sourceId)) {
                for (const s of group.slice(0, p.orphanKeepLast)) expect(deleted.has(s)).toBe(false);
              }
            }
          }
        }
      }),
      { numRuns: 10_000 },
    );
  });

  // An oracle for tier periods written independently of tiers.ts (string labels, ISO week by Thursday).
  const label: Record<string, (d: Date) => string> = {
    hourly: (d) => d.toISOString().slice(0, 13),
    daily: (d) => d.toISOString().slice(0, 10),
    weekly: (d) => {
      const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      thursday.setUTCDate(thursday.getUTCDate() + 4 - (thursday.getUTCDay() || 7));
      const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
      return `${thursday.getUTCFullYear()}-W${Math.ceil(((thursday.getTime() - yearStart) / DAY + 1) / 7)}`;
    },
    monthly: (d) => d.toISOString().slice(0, 7),
    yearly: (d) => String(d.getUTCFullYear()),
  };

  it("tiers keep exactly the newest completed snapshot of each of the N most recent periods (within maxAge)", () => {
    const arbGroup = fc.record({
      tiers: arbTiers,
      maxAge: fc.option(arbMaxAge, { nil: undefined }),
      ages: fc.array(arbAge, { minLength: 1, maxLength: 30 }),
    });
    fc.assert(
      fc.property(arbGroup, ({ tiers, maxAge, ages }) => {
        // Prepare: one live source, one schedule, only completed managed snapshots, no cap
        const retention: Retention = maxAge === undefined ? { tiers } : { tiers, maxAge };
        const snapshots = ages.map((age, i) =>
          toSnapshot(
            {
              source: 0,
              kind: "ebs",
              managed: "true",
              policy: "p0",
              schedule: "s0",
              hold: undefined,
              state: "completed",
              age,
              awsBackup: false,
              ami: false,
            },
            i,
          ),
        );
        const input: RetentionInput = {
          snapshots,
          liveSourceIds: new Set(["src-0"]),
          imageSnapshotIds: new Map(),
          policies: [policy("p0", { s0: retention })],
          caps: { maxDeletesPerRun: 1000, maxDeletesPercent: 100 },
          now: NOW,
        };
        const cutoff = maxAge === undefined ? Number.NEGATIVE_INFINITY : nowMs - parseDuration(maxAge);

        // Act
        const plan = planRetention(input);

        // Assess: the promised set, by definition: group by period, rank periods by their newest
        const sorted = [...snapshots].sort(newestFirst);
        const promised = new Set<SnapshotRecord>([sorted[0] as SnapshotRecord]); // newest of the source
        for (const [tier, n] of Object.entries(tiers)) {
          const periods = new Map<string, SnapshotRecord>();
          for (const s of sorted) {
            const key = (label[tier] as (d: Date) => string)(s.createdAt);
            if (!periods.has(key)) periods.set(key, s);
          }
          const ranked = [...periods.values()].sort(newestFirst).slice(0, n);
          for (const s of ranked) if (s.createdAt.getTime() >= cutoff) promised.add(s);
        }
        const kept = new Set(plan.decisions.filter((d) => d.action === "keep").map((d) => d.snapshot));
        expect(plan.cap.exceeded).toBe(false);
        expect([...kept].map((s) => s.id).sort()).toEqual([...promised].map((s) => s.id).sort());
      }),
      { numRuns: 2_000 },
    );
  });
});
