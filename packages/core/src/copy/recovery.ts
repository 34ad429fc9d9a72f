/**
 * Recovery points per protected resource: the newest completed snapshot on its Outpost (local), in
 * the primary Region (regional) and in the DR Region (a completed copy, dated by its source's time),
 * whether the DR one is within the policy's RPO, and if not, why. Pure; `outpost-ops status`, the
 * RPO metrics and the drill's invariant all read this one function.
 *
 * A resource's points are taken over all of its managed snapshots, whatever policy took them (a
 * volume snapshotted locally by one policy and regionally by another has both points). For an
 * instance set the resource is the instance and its point is the newest snapshot of any of its
 * volumes (the volumes of a set are snapshotted together).
 */
import type { Policy } from "../config/schema.ts";
import type { SnapshotRecord } from "../inventory.ts";
import type { ReasonCode } from "../reasons.ts";
import { Tag } from "../tags.ts";
import { parseDuration } from "../time.ts";
import { resourceOf } from "./lineage.ts";
import {
  type BlockedCopy,
  type CopyPlan,
  type CopyRequest,
  type ExhaustedCopy,
  newestFirst,
  pointInTime,
  serviceOf,
} from "./plan.ts";

export interface RecoveryPoint {
  snapshotId: string;
  at: Date;
}

export interface ResourceRecovery {
  policy: string;
  resource: string;
  rpoMs: number;
  local?: RecoveryPoint;
  regional?: RecoveryPoint;
  dr?: RecoveryPoint;
  /** Age of the DR point at `now` (undefined: no DR copy). */
  drAgeMs?: number;
  withinRpo: boolean;
  code: ReasonCode;
  reason: string;
}

export interface RecoveryInput {
  policies: readonly Policy[];
  /** Managed snapshots in the primary Region. */
  sources: readonly SnapshotRecord[];
  /** Managed copies in the destination. */
  copies: readonly SnapshotRecord[];
  plan: CopyPlan;
  /** The resources each copy policy selects now (those with no snapshot at all show up too). */
  protectedResources?: readonly { policy: string; resource: string }[];
  now: Date;
}

/** `3h 20m`, `2d 4h`, `45m`: ages as a person reads them. */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return "never";
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${mins}m`;
  return `${mins}m`;
}

function newestPoint(snapshots: SnapshotRecord[] | undefined, at: (s: SnapshotRecord) => Date) {
  const done = (snapshots ?? []).filter((s) => s.state === "completed");
  if (done.length === 0) return undefined;
  const best = done.reduce((a, b) => (at(b).getTime() > at(a).getTime() ? b : a));
  return { snapshotId: best.id, at: at(best) };
}

function byResource(snapshots: readonly SnapshotRecord[]): Map<string, SnapshotRecord[]> {
  const out = new Map<string, SnapshotRecord[]>();
  for (const s of snapshots) {
    const key = resourceOf(s);
    const list = out.get(key);
    if (list) list.push(s);
    else out.set(key, [s]);
  }
  return out;
}

/**
 * The plan by `policy/resource`, each list's first entry per resource (the order `find` would give),
 * so explaining every resource is one lookup each: a backlog of N copies is O(N), not O(N²).
 */
interface PlanIndex {
  /** The newest in-flight copy of the resource. */
  flying: Map<string, SnapshotRecord>;
  blocked: Map<string, BlockedCopy>;
  exhausted: Map<string, ExhaustedCopy>;
  /** With its position in its service's queue. */
  queued: Map<string, { request: CopyRequest; ahead: number }>;
  start: Map<string, CopyRequest>;
}

function indexPlan(plan: CopyPlan): PlanIndex {
  const first = <T>(items: readonly T[], keyOf: (t: T) => string): Map<string, T> => {
    const out = new Map<string, T>();
    for (const item of items) {
      const key = keyOf(item);
      if (!out.has(key)) out.set(key, item);
    }
    return out;
  };
  const ofRequest = (r: CopyRequest) => `${r.policy}/${r.resource}`;
  const flying = first(
    [...plan.inFlight.ebs, ...plan.inFlight.rds].sort(newestFirst),
    (c) => `${c.tags[Tag.policy]}/${resourceOf(c)}`,
  );
  const position = { ebs: 0, rds: 0 };
  const queued = new Map<string, { request: CopyRequest; ahead: number }>();
  for (const request of plan.queued) {
    const service = serviceOf(request.kind);
    const ahead = position[service];
    position[service] += 1;
    const key = ofRequest(request);
    if (!queued.has(key)) queued.set(key, { request, ahead });
  }
  return {
    flying,
    blocked: first(plan.blocked, (b) => ofRequest(b.request)),
    exhausted: first(plan.exhausted, (e) => ofRequest(e.request)),
    queued,
    start: first(plan.start, ofRequest),
  };
}

/**
 * @example recoveryPoints({ policies: config.policies, sources, copies, plan, now }).filter((r) => !r.withinRpo)
 */
export function recoveryPoints(input: RecoveryInput): ResourceRecovery[] {
  const now = input.now.getTime();
  const local = byResource(input.sources.filter((s) => s.outpostArn));
  const regional = byResource(input.sources.filter((s) => !s.outpostArn));
  const dr = byResource(input.copies);
  const copyPolicies = input.policies.filter((p) => p.copy);

  const rows = new Map<string, { policy: Policy; resource: string }>();
  const add = (policyName: string | undefined, resource: string) => {
    const policy = copyPolicies.find((p) => p.name === policyName);
    if (policy) rows.set(`${policy.name}/${resource}`, { policy, resource });
  };
  for (const r of input.protectedResources ?? []) add(r.policy, r.resource);
  for (const s of input.sources) add(s.tags[Tag.policy], resourceOf(s));
  for (const c of input.copies) add(c.tags[Tag.policy], resourceOf(c));

  const plan = indexPlan(input.plan);
  return [...rows.values()]
    .map(({ policy, resource }) => {
      const rpoMs = parseDuration(policy.copy?.rpo ?? "0m");
      const l = newestPoint(local.get(resource), (s) => s.createdAt);
      const g = newestPoint(regional.get(resource), (s) => s.createdAt);
      const d = newestPoint(dr.get(resource), pointInTime);
      const drAgeMs = d ? now - d.at.getTime() : undefined;
      const withinRpo = drAgeMs !== undefined && drAgeMs <= rpoMs;
      const base = {
        policy: policy.name,
        resource,
        rpoMs,
        ...(l ? { local: l } : {}),
        ...(g ? { regional: g } : {}),
        ...(d ? { dr: d } : {}),
        ...(drAgeMs !== undefined ? { drAgeMs } : {}),
        withinRpo,
      };
      const why = explain(plan, `${policy.name}/${resource}`, { withinRpo, drAgeMs, rpoMs, g, l, now });
      return { ...base, ...why };
    })
    .sort((a, b) => (a.policy + a.resource < b.policy + b.resource ? -1 : 1));

  function explain(
    plan: PlanIndex,
    key: string,
    f: {
      withinRpo: boolean;
      drAgeMs: number | undefined;
      rpoMs: number;
      g: RecoveryPoint | undefined;
      l: RecoveryPoint | undefined;
      now: number;
    },
  ): { code: ReasonCode; reason: string } {
    const rpo = formatAge(f.rpoMs);
    if (f.withinRpo)
      return { code: "within-rpo", reason: `DR copy is ${formatAge(f.drAgeMs ?? 0)} old (RPO ${rpo})` };
    const behind =
      f.drAgeMs === undefined ? "no DR copy yet" : `DR copy is ${formatAge(f.drAgeMs)} old (RPO ${rpo})`;
    const flying = plan.flying.get(key);
    if (flying)
      return {
        code: "copy-in-progress",
        reason: `${behind}; copy ${flying.id} of ${flying.tags[Tag.sourceSnapshot]} in progress since ${flying.createdAt.toISOString()}`,
      };
    const blocked = plan.blocked.get(key);
    if (blocked) return { code: "kms-key-unusable", reason: `${behind}; ${blocked.reason}` };
    const spent = plan.exhausted.get(key);
    if (spent)
      return {
        code: "copy-retries-exhausted",
        reason: `${behind}; the copy of ${spent.request.source.id} failed ${spent.failures.length} times: ${spent.lastMessage}`,
      };
    const inQueue = plan.queued.get(key);
    if (inQueue) {
      const { request, ahead } = inQueue;
      return {
        code: "copy-queued",
        reason: `${behind}; copy of ${request.source.id} queued behind ${ahead} other(s) for ${request.kind === "ebs" ? "an EBS" : "an RDS"} copy slot`,
      };
    }
    const starting = plan.start.get(key);
    if (starting)
      return {
        code: "copy-started",
        reason: `${behind}; a copy slot is free for ${starting.source.id}: the copy scheduler starts it`,
      };
    if (!f.g && f.l)
      return {
        code: "local-only",
        reason: `${behind}; only local snapshots on its Outpost (newest ${f.l.snapshotId}), which EC2 cannot copy`,
      };
    if (!f.g) return { code: "no-snapshot-yet", reason: `${behind}; no completed regional snapshot yet` };
    return {
      code: "behind-rpo",
      reason: `${behind}; its newest regional snapshot ${f.g.snapshotId} is ${formatAge(f.now - f.g.at.getTime())} old: the snapshot schedule is behind`,
    };
  }
}
