/**
 * The copy scheduler's planner: given the managed snapshots of the primary Region, the copies in a
 * destination Region and the health of the destination KMS keys, decide which copies to start now,
 * which wait for a slot, and which cannot go. Pure (the clock is `input.now`) and deterministic.
 *
 * Nothing here is remembered between runs. In-flight copies are the destination's pending copies that
 * carry our lineage tags, attempts are the failed copies of the same source, and "already alerted" is
 * a tag on the last failed copy, so a crashed run leaves nothing that a later run could misread: it
 * reads the same AWS state and decides again.
 *
 * ## Which snapshots are copied
 * For each group (snapshot kind, policy, schedule, source) whose policy has `copy` and whose schedule
 * is copied, only the newest completed regional snapshot is a candidate. Older ones not yet copied are
 * superseded (`copy-superseded`): after an outage the RPO needs the newest point, and copying a
 * backlog of stale points would only delay it. A candidate with a pending copy is in flight, one with a
 * completed copy is done, one whose copies all failed is retried until MAX_COPY_ATTEMPTS, then reported
 * as exhausted (alerted once).
 *
 * ## Order and slots
 * Candidates are ordered by how far their resource is behind its RPO (the age of its newest completed
 * DR copy's point in time minus the RPO, largest first; a resource with no DR copy at all first), ties
 * by the source snapshot's age, oldest first, then by id. Each service has its own limit of copies in
 * flight into one destination Region (EBS: 20, not adjustable; RDS: 20, DB and cluster snapshots
 * together); free slots = limit - our pending copies there. Copies of other tools use the same limit:
 * AWS then refuses ours (ResourceLimitExceeded), which the job treats as a wait.
 */
import type { CopyRule, Policy } from "../config/schema.ts";
import type { SnapshotKind, SnapshotRecord } from "../inventory.ts";
import { Tag } from "../tags.ts";
import { parseDuration } from "../time.ts";
import { copyTags, rdsCopyId, resourceOf } from "./lineage.ts";

export type CopyService = "ebs" | "rds";
/** AWS-LIMITS.md: 20 concurrent CopySnapshot per destination Region; 20 RDS copies in progress. */
export const COPY_LIMITS: Readonly<Record<CopyService, number>> = { ebs: 20, rds: 20 };
/** Tries per source snapshot before its copy is alerted and left alone. */
export const MAX_COPY_ATTEMPTS = 3;

export function serviceOf(kind: SnapshotKind): CopyService {
  return kind === "ebs" ? "ebs" : "rds";
}

/** One copy to start: everything the adapter needs, and why it is where it is in the order. */
export interface CopyRequest {
  /** `ebs:snap-…` / `rds:oo-…` / `aurora:oo-…`: the source snapshot, unique per kind. */
  key: string;
  kind: SnapshotKind;
  source: SnapshotRecord;
  sourceRegion: string;
  destination: string;
  policy: string;
  schedule: string;
  /** The protected resource: the instance of a crash-consistent set, else the volume, DB or cluster. */
  resource: string;
  kmsKeyArn: string;
  /** Time-based EBS copy (CompletionDurationMinutes), when the policy asks for one. */
  completionMinutes?: number;
  /** 1 for the first try. */
  attempt: number;
  /** RDS/Aurora: the copy's identifier in the destination (deterministic per source and attempt). */
  targetId?: string;
  tags: { Key: string; Value: string }[];
  /** How far the resource is past its RPO (ms; negative: still within it, Infinity: no DR copy yet). */
  behindMs: number;
}

export interface BlockedCopy {
  request: CopyRequest;
  code: "kms-key-unusable";
  reason: string;
}

/** A source whose copies failed on every attempt. */
export interface ExhaustedCopy {
  request: CopyRequest;
  failures: SnapshotRecord[];
  /** AWS's reason for the last failure (StateMessage), when it gave one. */
  lastMessage: string;
  /** The last failed copy already carries the alerted tag: do not alert again. */
  alerted: boolean;
}

/** A destination KMS key as the job found it (aws/kms.ts). */
export interface KeyHealth {
  arn: string;
  usable: boolean;
  /** Not known (the caller may not describe the key): treated as usable, shown as unknown. */
  unknown?: true;
  /** Why not, in words that name the key, its Region and what is wrong. */
  problem?: string;
}

export interface CopyPlan {
  at: Date;
  destination: string;
  /** Our pending copies in the destination, per service. */
  inFlight: Record<CopyService, SnapshotRecord[]>;
  /** Copies to start now, in order (within each service's free slots). */
  start: CopyRequest[];
  /** Copies waiting for a slot, in order; a copy's position is its index per service. */
  queued: CopyRequest[];
  blocked: BlockedCopy[];
  exhausted: ExhaustedCopy[];
  /** Completed sources never copied because a newer snapshot of the same group is the candidate. */
  superseded: number;
}

export interface CopyInput {
  /** Managed snapshots in the primary Region (any state; only completed regional ones are copied). */
  sources: readonly SnapshotRecord[];
  /** Managed snapshots in the destination that carry our lineage tags. */
  copies: readonly SnapshotRecord[];
  policies: readonly Policy[];
  sourceRegion: string;
  destination: string;
  /** By key ARN; a key missing here is assumed usable (the copy call will tell). */
  keys: ReadonlyMap<string, KeyHealth>;
  now: Date;
  limits?: Readonly<Record<CopyService, number>>;
  maxAttempts?: number;
}

/** Newest first by creation time, ties by id ascending: the order every group is read in. */
export function newestFirst(a: SnapshotRecord, b: SnapshotRecord): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The copy rules of the policies that have one, with the set of schedules they copy. */
export function copyPolicies(policies: readonly Policy[]): Map<string, { policy: Policy; copy: CopyRule }> {
  const out = new Map<string, { policy: Policy; copy: CopyRule }>();
  for (const policy of policies) if (policy.copy) out.set(policy.name, { policy, copy: policy.copy });
  return out;
}

function copiesSchedule(copy: CopyRule, schedule: string): boolean {
  return !copy.schedules || copy.schedules.includes(schedule);
}

/** `ebs:snap-…`: a source snapshot's key, as copies name it in their lineage tag. */
export function sourceKey(kind: SnapshotKind, id: string): string {
  return `${kind}:${id}`;
}

/** The point in time a completed copy holds: its source's creation time (lineage tag). */
export function pointInTime(copy: SnapshotRecord): Date {
  const tagged = copy.tags[Tag.sourceTime];
  const t = tagged ? Date.parse(tagged) : Number.NaN;
  return Number.isNaN(t) ? copy.createdAt : new Date(t);
}

/**
 * @example const plan = planCopies({ sources, copies, policies: config.policies, sourceRegion: "us-west-2", destination: "us-east-1", keys, now })
 */
export function planCopies(input: CopyInput): CopyPlan {
  const limits = input.limits ?? COPY_LIMITS;
  const maxAttempts = input.maxAttempts ?? MAX_COPY_ATTEMPTS;
  const rules = copyPolicies(input.policies);
  const now = input.now.getTime();

  // The destination's copies, by source snapshot, and the newest DR point per (policy, resource).
  const copiesOf = new Map<string, SnapshotRecord[]>();
  const drPoint = new Map<string, number>();
  const inFlight: Record<CopyService, SnapshotRecord[]> = { ebs: [], rds: [] };
  for (const c of input.copies) {
    const source = c.tags[Tag.sourceSnapshot];
    if (!source) continue;
    const key = sourceKey(c.kind, source);
    copiesOf.set(key, [...(copiesOf.get(key) ?? []), c]);
    if (c.state === "pending") inFlight[serviceOf(c.kind)].push(c);
    if (c.state === "completed") {
      const resource = `${c.tags[Tag.policy] ?? ""}/${resourceOf(c)}`;
      drPoint.set(resource, Math.max(drPoint.get(resource) ?? 0, pointInTime(c).getTime()));
    }
  }

  // The newest completed regional snapshot of each copied group.
  const newest = new Map<string, SnapshotRecord>();
  // Older completed snapshots of a group that no copy was made of: superseded by the newest.
  const older: SnapshotRecord[] = [];
  for (const s of input.sources) {
    if (s.state !== "completed" || s.outpostArn) continue;
    const policy = s.tags[Tag.policy];
    const schedule = s.tags[Tag.schedule];
    const rule = policy ? rules.get(policy) : undefined;
    if (!rule || !schedule || !copiesSchedule(rule.copy, schedule)) continue;
    const group = `${s.kind}/${policy}/${schedule}/${s.sourceId}`;
    const current = newest.get(group);
    if (!current || newestFirst(s, current) < 0) {
      if (current) older.push(current);
      newest.set(group, s);
    } else older.push(s);
  }

  const requests: CopyRequest[] = [];
  const exhausted: ExhaustedCopy[] = [];
  for (const source of newest.values()) {
    const policyName = source.tags[Tag.policy] as string;
    const rule = rules.get(policyName) as { policy: Policy; copy: CopyRule };
    const key = sourceKey(source.kind, source.id);
    const existing = copiesOf.get(key) ?? [];
    if (existing.some((c) => c.state === "pending" || c.state === "completed")) continue;
    const failures = existing.filter((c) => c.state === "failed").sort(newestFirst);
    const resource = resourceOf(source);
    const rpoMs = parseDuration(rule.copy.rpo);
    const point = drPoint.get(`${policyName}/${resource}`);
    const attempt = failures.length + 1;
    const request: CopyRequest = {
      key,
      kind: source.kind,
      source,
      sourceRegion: input.sourceRegion,
      destination: input.destination,
      policy: policyName,
      schedule: source.tags[Tag.schedule] as string,
      resource,
      kmsKeyArn: rule.copy.kmsKeyArn,
      ...(rule.copy.completionWithin && source.kind === "ebs"
        ? { completionMinutes: parseDuration(rule.copy.completionWithin) / 60_000 }
        : {}),
      attempt,
      ...(source.kind !== "ebs" ? { targetId: freeCopyId(source.id, existing) } : {}),
      tags: copyTags(source, input.sourceRegion),
      behindMs: point === undefined ? Number.POSITIVE_INFINITY : now - point - rpoMs,
    };
    if (failures.length >= maxAttempts) {
      const last = failures[0] as SnapshotRecord;
      exhausted.push({
        request,
        failures,
        lastMessage: last.stateMessage ?? "AWS gave no reason",
        alerted: last.tags[Tag.failureAlerted] !== undefined,
      });
      continue;
    }
    requests.push(request);
  }
  requests.sort(
    (a, b) =>
      b.behindMs - a.behindMs ||
      a.source.createdAt.getTime() - b.source.createdAt.getTime() ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );

  const blocked: BlockedCopy[] = [];
  const start: CopyRequest[] = [];
  const queued: CopyRequest[] = [];
  const free: Record<CopyService, number> = {
    ebs: Math.max(0, limits.ebs - inFlight.ebs.length),
    rds: Math.max(0, limits.rds - inFlight.rds.length),
  };
  for (const request of requests) {
    const key = input.keys.get(request.kmsKeyArn);
    if (key && !key.usable) {
      blocked.push({
        request,
        code: "kms-key-unusable",
        reason: key.problem ?? `KMS key ${key.arn} cannot be used`,
      });
      continue;
    }
    const service = serviceOf(request.kind);
    if (free[service] > 0) {
      free[service] -= 1;
      start.push(request);
    } else queued.push(request);
  }

  return {
    at: input.now,
    destination: input.destination,
    inFlight,
    start,
    queued,
    blocked,
    exhausted,
    superseded: older.filter((s) => !copiesOf.has(sourceKey(s.kind, s.id))).length,
  };
}

/**
 * The first RDS copy identifier for a source not taken in the destination: the source's own, then
 * -r2, -r3… Not simply the attempt number: a person may have deleted some failed copies and kept others.
 */
function freeCopyId(sourceId: string, existing: readonly SnapshotRecord[]): string {
  const taken = new Set(existing.map((c) => c.id));
  let n = 1;
  while (taken.has(rdsCopyId(sourceId, n))) n += 1;
  return rdsCopyId(sourceId, n);
}
