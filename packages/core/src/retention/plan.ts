/**
 * The retention planner: given every snapshot in a Region and the config, decide for each one whether
 * to keep it, delete it, or leave it alone. Pure (the clock is `input.now`), deterministic, and linear
 * apart from one sort per group, so 100,000 snapshots plan in well under a second. The same planner
 * serves EBS, RDS, Aurora and DR copies.
 *
 * ## Decisions
 * Every input snapshot gets exactly one decision, in input order. The first matching protection
 * wins; protected snapshots are never planned for deletion, whatever the rules say:
 *
 * | # | when                                                        | action | reason                                            |
 * |---|-------------------------------------------------------------|--------|---------------------------------------------------|
 * | 1 | no `outpost-ops:managed=true` tag                           | skip   | `not created by outpost-ops`                      |
 * | 2 | creation time is not a valid date                           | skip   | `no valid creation time`                          |
 * | 3 | `awsBackup`                                                 | skip   | `managed by AWS Backup`                           |
 * | 4 | an AMI uses it (`imageSnapshotIds`)                         | skip   | `used by ami-…`                                   |
 * | 5 | legal hold tag (any value but "false")                      | keep   | `legal hold`                                      |
 * | 6 | state `pending`                                             | keep   | `still pending`                                   |
 * | 7 | policy tag missing / names no policy in the config / names a policy for another resource kind | skip | says which; kept until the config names it again |
 * | 8 | schedule tag missing / names no schedule of that policy      | skip   | says which; kept until the config names it again  |
 *
 * The rest are grouped by (kind, policy tag, schedule tag, sourceId) and each group is evaluated with
 * the retention of that schedule. A group is sorted newest first by `createdAt`, ties broken by id
 * (ascending), and only its `completed` snapshots are candidates for the rules:
 *
 * - `keepLast N`: the N newest → `keepLast N`.
 * - tiers: for each tier, the newest in each of the N most recent UTC periods that contain a snapshot
 *   (restic/borg `forget` semantics, see tiers.ts) → `daily tier`, `weekly tier`, ….
 * - `maxAge` is a ceiling: a snapshot created before `now − maxAge` is not kept by keepLast or tiers
 *   (a snapshot created exactly at `now − maxAge` is still within). With only `maxAge`, everything
 *   within it is kept → `within maxAge 30d`.
 * - The newest completed snapshot of a source (kind + sourceId, across ALL its managed snapshots,
 *   whatever policy, schedule, hold or AMI use) is always kept → `newest completed snapshot of <source>`.
 * - When the source no longer exists (sourceId not in `liveSourceIds`), the newest
 *   `policy.orphanKeepLast` completed snapshots of the group are also kept, even beyond maxAge →
 *   `source gone: keeping last N`.
 * - A kept snapshot's reason lists every rule that keeps it, comma-separated (`keepLast 7, daily tier`).
 * - Any other completed snapshot is deleted: `older than maxAge 30d` when it is, otherwise
 *   `beyond keepLast 7 and tiers` / `beyond keepLast 7` / `beyond tiers`.
 *
 * Failed snapshots hold no usable data but count against snapshot quotas, so they must not pile up;
 * yet the latest failure is what an operator inspects. So a failed snapshot is deleted only when a
 * completed snapshot of the same group is strictly newer (`failed snapshot, superseded by completed
 * <id>`); otherwise it is kept (`failed snapshot: left for inspection until a newer snapshot of this
 * schedule completes`). Protections 1-5 apply to failed snapshots as to any other.
 *
 * ## Deletion cap
 * `limit = min(maxDeletesPerRun, floor(managed × maxDeletesPercent / 100))`, where `managed` counts the
 * input snapshots carrying our managed tag. When the planned deletions exceed the limit, the plan
 * deletes nothing: `deletions` is empty, `cap.exceeded` is true, and every would-be deletion is turned
 * into `keep` with reason `deletion cap exceeded: <planned> planned, limit <limit>`. The caller alerts
 * (jobs/retention-alerts.ts). A NaN or negative cap counts as 0 (nothing may be deleted).
 *
 * Snapshot ids are assumed unique within one input.
 */
import type { Policy, ResourceKind, Schedule } from "../config/schema.ts";
import type { SnapshotKind, SnapshotRecord } from "../inventory.ts";
import type { ReasonCode } from "../reasons.ts";
import { isManaged, isOnLegalHold, Tag } from "../tags.ts";
import { parseDuration } from "../time.ts";
import { TIERS, type Tier, tierPicks } from "./tiers.ts";

export type RetentionAction = "keep" | "delete" | "skip";

export interface RetentionDecision {
  snapshot: SnapshotRecord;
  action: RetentionAction;
  /** Why, as a code: for a snapshot kept by several rules, the first of `codes`. */
  code: ReasonCode;
  /** Every rule behind the decision (several for a snapshot kept by keepLast and a tier). */
  codes: ReasonCode[];
  /** The sentence: every rule, comma-separated, with its numbers and ids. */
  reason: string;
}

export interface RetentionPlan {
  /** The `now` evaluated. */
  at: Date;
  /** One per input snapshot, in input order. */
  decisions: RetentionDecision[];
  /** The snapshots with action "delete" (empty when the cap is exceeded). */
  deletions: SnapshotRecord[];
  /** How many input snapshots carry our managed tag. */
  managed: number;
  cap: { count: number; percent: number; limit: number; planned: number; exceeded: boolean };
}

export interface RetentionInput {
  snapshots: SnapshotRecord[];
  /** Sources (volume / DB / cluster ids) that still exist. */
  liveSourceIds: ReadonlySet<string>;
  /** EBS snapshot id -> id of an AMI that uses it. */
  imageSnapshotIds: ReadonlyMap<string, string>;
  policies: Policy[];
  caps: { maxDeletesPerRun: number; maxDeletesPercent: number };
  now: Date;
}

const SNAPSHOT_KIND: Readonly<Record<ResourceKind, SnapshotKind>> = {
  "ebs-volume": "ebs",
  "ec2-instance": "ebs",
  "rds-instance": "rds",
  "aurora-cluster": "aurora",
};

const KEPT_UNTIL_NAMED = "kept until the config names it again";

/** A schedule's retention, parsed once per run. */
interface Rules {
  keepLast: number | undefined;
  tiers: [Tier, number][];
  maxAgeMs: number | undefined;
  maxAgeText: string | undefined;
  /** Delete reason for a snapshot within maxAge that no rule keeps. */
  beyond: string;
}

interface Group {
  policy: Policy;
  rules: Rules;
  kind: SnapshotKind;
  sourceId: string;
  members: number[];
}

interface PolicyEntry {
  policy: Policy;
  schedules: Map<string, Schedule>;
}

function parseRules(schedule: Schedule): Rules {
  const { keepLast, maxAge, tiers } = schedule.retention;
  const tierCounts: [Tier, number][] = [];
  for (const tier of TIERS) {
    const count = tiers?.[tier];
    if (count !== undefined) tierCounts.push([tier, count]);
  }
  const beyond =
    keepLast !== undefined && tierCounts.length > 0
      ? `beyond keepLast ${keepLast} and tiers`
      : keepLast !== undefined
        ? `beyond keepLast ${keepLast}`
        : "beyond tiers";
  return {
    keepLast,
    tiers: tierCounts,
    maxAgeMs: maxAge === undefined ? undefined : parseDuration(maxAge),
    maxAgeText: maxAge,
    beyond,
  };
}

/** One rule's reason for keeping a snapshot. */
interface Why {
  code: ReasonCode;
  text: string;
}

function decision(
  snapshot: SnapshotRecord,
  action: RetentionAction,
  code: ReasonCode,
  reason: string,
): RetentionDecision {
  return { snapshot, action, code, codes: [code], reason };
}

/** A cap value as a whole number of at least 0; NaN counts as 0 so a broken cap deletes nothing. */
function sanitize(value: number, max: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(max, Math.max(0, value));
}

/** floor(managed × percent / 100), robust to binary fractions (0.29 × 100 is 28.999…). */
function percentLimit(managed: number, percent: number): number {
  return Math.floor(Math.round(managed * percent * 1e6) / 1e6 / 100);
}

/**
 * Plans one retention run. See the module documentation above for the exact semantics.
 *
 * @example
 * const plan = planRetention({ snapshots, liveSourceIds, imageSnapshotIds, policies: config.policies,
 *   caps: config.retention, now: new Date() });
 * if (plan.cap.exceeded) await alerts.publish(capExceededAlert(plan, region)); // jobs/retention-alerts.ts
 */
export function planRetention(input: RetentionInput): RetentionPlan {
  const { snapshots, liveSourceIds, imageSnapshotIds } = input;
  const nowMs = input.now.getTime();
  const count = snapshots.length;
  const decisions: RetentionDecision[] = new Array(count);
  const times = new Float64Array(count);

  const policies = new Map<string, PolicyEntry>();
  for (const policy of input.policies) {
    if (policies.has(policy.name)) continue; // the schema forbids duplicates; first one wins
    policies.set(policy.name, { policy, schedules: new Map(policy.schedules.map((s) => [s.name, s])) });
  }
  const rulesBySchedule = new Map<Schedule, Rules>();
  const rulesOf = (schedule: Schedule): Rules => {
    let rules = rulesBySchedule.get(schedule);
    if (rules === undefined) {
      rules = parseRules(schedule);
      rulesBySchedule.set(schedule, rules);
    }
    return rules;
  };

  /** Newest first; ties by id ascending. Negative when snapshot `a` sorts before `b`. */
  const order = (a: number, b: number): number => {
    const dt = (times[b] as number) - (times[a] as number);
    if (dt !== 0) return dt;
    const ia = (snapshots[a] as SnapshotRecord).id;
    const ib = (snapshots[b] as SnapshotRecord).id;
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  };

  const newestCompletedOfSource = new Map<string, number>();
  const groups = new Map<string, Group>();
  let managed = 0;

  for (let i = 0; i < count; i++) {
    const snapshot = snapshots[i] as SnapshotRecord;
    const decide = (action: RetentionAction, code: ReasonCode, reason: string) => {
      decisions[i] = { snapshot, action, code, codes: [code], reason };
    };
    const t = snapshot.createdAt.getTime();
    times[i] = t;
    const { tags } = snapshot;
    if (!isManaged(tags)) {
      decide("skip", "not-managed", "not created by outpost-ops");
      continue;
    }
    managed++;
    if (Number.isNaN(t)) {
      decide("skip", "no-creation-time", "no valid creation time");
      continue;
    }
    const sourceKey = `${snapshot.kind}\u0000${snapshot.sourceId}`;
    if (snapshot.state === "completed") {
      const current = newestCompletedOfSource.get(sourceKey);
      if (current === undefined || order(i, current) < 0) newestCompletedOfSource.set(sourceKey, i);
    }
    if (snapshot.awsBackup) {
      decide("skip", "aws-backup", "managed by AWS Backup");
      continue;
    }
    const image = imageSnapshotIds.get(snapshot.id);
    if (image !== undefined) {
      decide("skip", "used-by-ami", `used by ${image}`);
      continue;
    }
    if (isOnLegalHold(tags)) {
      decide("keep", "legal-hold", "legal hold");
      continue;
    }
    if (snapshot.state === "pending") {
      decide("keep", "pending", "still pending");
      continue;
    }
    const policyName = tags[Tag.policy];
    if (policyName === undefined) {
      decide("skip", "no-policy-tag", `no ${Tag.policy} tag: left alone`);
      continue;
    }
    const entry = policies.get(policyName);
    if (entry === undefined) {
      decide(
        "skip",
        "policy-not-in-config",
        `policy "${policyName}" is no longer in the config: ${KEPT_UNTIL_NAMED}`,
      );
      continue;
    }
    if (SNAPSHOT_KIND[entry.policy.resource] !== snapshot.kind) {
      decide(
        "skip",
        "policy-kind-changed",
        `policy "${policyName}" now covers ${entry.policy.resource}, not ${snapshot.kind} snapshots: ${KEPT_UNTIL_NAMED}`,
      );
      continue;
    }
    const scheduleName = tags[Tag.schedule];
    if (scheduleName === undefined) {
      decide("skip", "no-schedule-tag", `no ${Tag.schedule} tag: left alone`);
      continue;
    }
    const schedule = entry.schedules.get(scheduleName);
    if (schedule === undefined) {
      decide(
        "skip",
        "schedule-not-in-policy",
        `schedule "${scheduleName}" is no longer in policy "${policyName}": ${KEPT_UNTIL_NAMED}`,
      );
      continue;
    }
    const groupKey = `${sourceKey}\u0000${policyName}\u0000${scheduleName}`;
    const group = groups.get(groupKey);
    if (group === undefined) {
      groups.set(groupKey, {
        policy: entry.policy,
        rules: rulesOf(schedule),
        kind: snapshot.kind,
        sourceId: snapshot.sourceId,
        members: [i],
      });
    } else {
      group.members.push(i);
    }
  }

  for (const group of groups.values()) {
    const { members, rules, sourceId } = group;
    members.sort(order);
    const completed: number[] = [];
    for (const i of members) if ((snapshots[i] as SnapshotRecord).state === "completed") completed.push(i);
    const completedTimes = completed.map((i) => times[i] as number);
    const cutoff = rules.maxAgeMs === undefined ? Number.NEGATIVE_INFINITY : nowMs - rules.maxAgeMs;
    let young = 0;
    while (young < completedTimes.length && (completedTimes[young] as number) >= cutoff) young++;

    const reasons: Why[][] = completed.map(() => []);
    const add = (position: number, code: ReasonCode, text: string) =>
      (reasons[position] as Why[]).push({ code, text });
    if (rules.keepLast !== undefined) {
      for (let k = 0; k < Math.min(rules.keepLast, young); k++)
        add(k, "keep-last", `keepLast ${rules.keepLast}`);
    }
    const youngTimes = young === completedTimes.length ? completedTimes : completedTimes.slice(0, young);
    for (const [tier, n] of rules.tiers) {
      for (const k of tierPicks(youngTimes, tier, n)) add(k, "tier", `${tier} tier`);
    }
    if (rules.keepLast === undefined && rules.tiers.length === 0) {
      // Only maxAge (or, defensively, no rule at all: keep everything rather than delete everything).
      const [code, text]: [ReasonCode, string] =
        rules.maxAgeText === undefined
          ? ["no-rule", "no retention rule"]
          : ["within-max-age", `within maxAge ${rules.maxAgeText}`];
      for (let k = 0; k < young; k++) add(k, code, text);
    }
    const first = completed[0];
    if (first !== undefined && newestCompletedOfSource.get(`${group.kind}\u0000${sourceId}`) === first) {
      add(0, "newest-of-source", `newest completed snapshot of ${sourceId}`);
    }
    if (!liveSourceIds.has(sourceId)) {
      const keep = group.policy.orphanKeepLast;
      for (let k = 0; k < Math.min(keep, completed.length); k++)
        add(k, "source-gone", `source gone: keeping last ${keep}`);
    }

    completed.forEach((i, k) => {
      const snapshot = snapshots[i] as SnapshotRecord;
      const why = reasons[k] as Why[];
      const [first] = why;
      if (first !== undefined)
        decisions[i] = {
          snapshot,
          action: "keep",
          code: first.code,
          codes: why.map((w) => w.code),
          reason: why.map((w) => w.text).join(", "),
        };
      else if (k >= young)
        decisions[i] = decision(
          snapshot,
          "delete",
          "older-than-max-age",
          `older than maxAge ${rules.maxAgeText}`,
        );
      else decisions[i] = decision(snapshot, "delete", "beyond-rules", rules.beyond);
    });

    const newestCompletedTime = first === undefined ? undefined : (times[first] as number);
    for (const i of members) {
      const snapshot = snapshots[i] as SnapshotRecord;
      if (snapshot.state === "completed") continue;
      if (snapshot.state !== "failed") {
        // Pending was decided above; an unknown state (an adapter bug) is never deleted.
        decisions[i] = decision(
          snapshot,
          "keep",
          "unknown-state",
          `state "${String(snapshot.state)}": left alone`,
        );
      } else if (newestCompletedTime !== undefined && newestCompletedTime > (times[i] as number)) {
        const by = (snapshots[first as number] as SnapshotRecord).id;
        decisions[i] = decision(
          snapshot,
          "delete",
          "failed-superseded",
          `failed snapshot, superseded by completed ${by}`,
        );
      } else {
        decisions[i] = decision(
          snapshot,
          "keep",
          "failed-for-inspection",
          "failed snapshot: left for inspection until a newer snapshot of this schedule completes",
        );
      }
    }
  }

  const capCount = sanitize(input.caps.maxDeletesPerRun, Number.POSITIVE_INFINITY);
  const capPercent = sanitize(input.caps.maxDeletesPercent, 100);
  const limit = Math.min(Math.floor(capCount), percentLimit(managed, capPercent));
  let planned = 0;
  for (const decision of decisions) if (decision.action === "delete") planned++;
  const exceeded = planned > limit;

  const deletions: SnapshotRecord[] = [];
  if (exceeded) {
    const reason = `deletion cap exceeded: ${planned} planned, limit ${limit}`;
    for (const decision of decisions) {
      if (decision.action === "delete") {
        decision.action = "keep";
        decision.code = "cap-exceeded";
        decision.codes = ["cap-exceeded"];
        decision.reason = reason;
      }
    }
  } else {
    for (const decision of decisions) if (decision.action === "delete") deletions.push(decision.snapshot);
  }

  return {
    at: new Date(nowMs),
    decisions,
    deletions,
    managed,
    cap: {
      count: input.caps.maxDeletesPerRun,
      percent: input.caps.maxDeletesPercent,
      limit,
      planned,
      exceeded,
    },
  };
}
