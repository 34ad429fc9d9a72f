/**
 * Events for what the jobs decided and did, built from the same plans and outcomes the summaries
 * count, so the stream and the summary can never disagree.
 */
import type { ItemOutcome } from "../jobs/outcome.ts";
import type { RetentionPlan } from "../retention/plan.ts";
import type { SnapshotPlan } from "../snapshot/plan.ts";
import { type DeleteWorkItem, type SnapshotWorkItem, workItemSource } from "../snapshot/work-item.ts";
import { Tag } from "../tags.ts";
import { windowId } from "../time.ts";
import {
  DetailType,
  EVENT_SCHEMA_VERSION,
  type EventJob,
  type OutpostOpsEvent,
  type OutpostOpsEventDetail,
} from "./event.ts";

/** Who publishes and when: the stage, the time of the decision, and the account for RDS ARNs. */
export interface EventContext {
  stage: string;
  at: Date;
  account?: string;
  partition?: string;
}

type SnapshotType = OutpostOpsEventDetail["resource"]["type"];
const SNAPSHOT_TYPE = { ebs: "ebs-snapshot", rds: "rds-snapshot", aurora: "aurora-snapshot" } as const;

function snapshotArn(type: SnapshotType, id: string, region: string, ctx: EventContext): string | undefined {
  const p = ctx.partition ?? "aws";
  if (type === "ebs-snapshot") return `arn:${p}:ec2:${region}::snapshot/${id}`;
  if (!ctx.account) return undefined;
  const kind = type === "rds-snapshot" ? "snapshot" : "cluster-snapshot";
  return `arn:${p}:rds:${region}:${ctx.account}:${kind}:${id}`;
}

export function event(
  detailType: DetailType,
  ctx: EventContext,
  detail: Omit<OutpostOpsEventDetail, "version" | "stage">,
): OutpostOpsEvent {
  const arns =
    detail.resource.type === "resource"
      ? []
      : detail.snapshotIds.map((id) => snapshotArn(detail.resource.type, id, detail.resource.region, ctx));
  return {
    detailType,
    time: ctx.at,
    resources: arns.filter((a): a is string => a !== undefined),
    detail: { version: EVENT_SCHEMA_VERSION, stage: ctx.stage, ...detail },
  };
}

export function detailTypeOf(outcome: ItemOutcome): DetailType | undefined {
  switch (outcome.status) {
    case "created":
      return DetailType.created;
    case "deleted":
      return DetailType.deleted;
    case "exists":
    case "gone":
    case "skipped":
      return DetailType.skipped;
    case "failed":
      return DetailType.failed;
    case "retry":
      // Not an outcome yet: the item comes back through the queue and ends in one of the above.
      return undefined;
  }
}

/**
 * What one snapshot work item came to (one outcome per item today), as events.
 * @example snapshotItemEvents(item, [outcome], { stage: "prod", at })
 */
export function snapshotItemEvents(
  item: SnapshotWorkItem,
  outcomes: ItemOutcome[],
  ctx: EventContext,
): OutpostOpsEvent[] {
  return outcomes.flatMap((outcome) => snapshotOutcomeEvent(item, outcome, ctx));
}

function snapshotOutcomeEvent(
  item: SnapshotWorkItem,
  outcome: ItemOutcome,
  ctx: EventContext,
): OutpostOpsEvent[] {
  const detailType = detailTypeOf(outcome);
  if (!detailType) return [];
  const source = workItemSource(item);
  // RDS snapshot ids are known before the call (deterministic); an EBS id only once AWS assigned
  // one, so an EBS item that made none names its source resource instead.
  const snapshotIds =
    outcome.snapshotIds.length > 0 || !("snapshotId" in item) ? outcome.snapshotIds : [item.snapshotId];
  const type: OutpostOpsEventDetail["resource"]["type"] =
    snapshotIds.length === 0
      ? "resource"
      : item.kind === "rds-instance"
        ? "rds-snapshot"
        : item.kind === "aurora-cluster"
          ? "aurora-snapshot"
          : "ebs-snapshot";
  return [
    event(detailType, ctx, {
      job: "snapshot",
      outcome: outcome.status,
      code: outcome.code,
      reason: outcome.detail,
      resource: { type, id: snapshotIds[0] ?? source, region: item.region },
      snapshotIds,
      policy: item.policy,
      lineage: { sourceId: source, schedule: item.schedule, window: item.window },
    }),
  ];
}

/** One event per snapshot a delete batch touched; lineage from the item when the planner sent it. */
export function deleteItemEvents(
  item: DeleteWorkItem,
  outcomes: ItemOutcome[],
  ctx: EventContext,
): OutpostOpsEvent[] {
  const type = SNAPSHOT_TYPE[item.snapshotKind];
  return outcomes.flatMap((outcome) => {
    const detailType = detailTypeOf(outcome);
    if (!detailType) return [];
    const lineage = item.lineage?.[outcome.key];
    return [
      event(detailType, ctx, {
        job: "retention",
        outcome: outcome.status,
        code: outcome.code,
        reason: outcome.detail,
        resource: { type, id: outcome.key, region: item.region },
        snapshotIds: [outcome.key],
        ...(lineage?.policy ? { policy: lineage.policy } : {}),
        lineage: {
          ...(lineage?.sourceId ? { sourceId: lineage.sourceId } : {}),
          ...(lineage?.schedule ? { schedule: lineage.schedule } : {}),
        },
      }),
    ];
  });
}

/** Snapshots retention leaves alone (AMI, AWS Backup, a policy no longer configured, …). */
export function retentionSkipEvents(
  plan: RetentionPlan,
  region: string,
  ctx: EventContext,
): OutpostOpsEvent[] {
  return plan.decisions
    .filter((d) => d.action === "skip")
    .map((d) =>
      event(DetailType.skipped, ctx, {
        job: "retention",
        outcome: "skipped",
        code: d.code,
        reason: d.reason,
        resource: { type: SNAPSHOT_TYPE[d.snapshot.kind], id: d.snapshot.id, region },
        snapshotIds: [d.snapshot.id],
        ...(d.snapshot.tags[Tag.policy] ? { policy: d.snapshot.tags[Tag.policy] } : {}),
        lineage: {
          sourceId: d.snapshot.sourceId,
          ...(d.snapshot.tags[Tag.schedule] ? { schedule: d.snapshot.tags[Tag.schedule] } : {}),
          ...(d.snapshot.tags[Tag.window] ? { window: d.snapshot.tags[Tag.window] } : {}),
        },
      }),
    );
}

/** Resources a snapshot plan selected no work for, with why. */
export function plannerSkipEvents(
  plan: SnapshotPlan,
  ctx: EventContext,
  job: EventJob = "snapshot",
): OutpostOpsEvent[] {
  const window = plan.due ? windowId(plan.due.window) : undefined;
  return plan.skipped.map((s) =>
    event(DetailType.resourceSkipped, ctx, {
      job,
      outcome: "skipped",
      code: s.code,
      reason: s.reason,
      resource: { type: "resource", id: s.resourceId, region: plan.region },
      snapshotIds: [],
      policy: plan.policy,
      lineage: {
        sourceId: s.resourceId,
        ...(plan.due ? { schedule: plan.due.schedule.name } : {}),
        ...(window ? { window } : {}),
      },
    }),
  );
}
