/**
 * The retention job, end to end: stream our managed snapshots (EBS, RDS, Aurora), learn which
 * sources still exist and which snapshots AMIs use, plan with the pure planner, then enqueue the
 * deletions in small batches (Lambda) or apply them here (CLI).
 */

import { EC2Client } from "@aws-sdk/client-ec2";
import { RDSClient } from "@aws-sdk/client-rds";
import type { AwsClients } from "../aws/clients.ts";
import {
  deleteEbsSnapshot,
  existingVolumeIds,
  imageSnapshotIds,
  streamManagedSnapshots,
} from "../aws/ec2.ts";
import { classifyAwsError, errorMessage, failureCode } from "../aws/errors.ts";
import {
  deleteDbSnapshot,
  streamDbClusters,
  streamDbInstances,
  streamManagedDbSnapshots,
} from "../aws/rds.ts";
import type { Config, Policy } from "../config/schema.ts";
import { copyView } from "../copy/destinations.ts";
import { type Deadline, withinDeadline } from "../deadline.ts";
import type { SnapshotRecord } from "../inventory.ts";
import type { Pacer } from "../pacing.ts";
import { planRetention, type RetentionInput, type RetentionPlan } from "../retention/plan.ts";
import { DELETE_BATCH_SIZE, type DeleteWorkItem } from "../snapshot/work-item.ts";
import { Tag } from "../tags.ts";
import type { ItemOutcome } from "./outcome.ts";

export type RetentionInventory = Pick<RetentionInput, "snapshots" | "liveSourceIds" | "imageSnapshotIds">;

/**
 * Everything retention needs to know about a region, read page by page. The sources (volumes, DB
 * instances, clusters) live in `sourceRegion`: for the DR Region's copies that is the primary Region.
 */
export async function collectRetentionInventory(
  clients: AwsClients,
  region: string,
  deadline?: Deadline,
  sourceRegion: string = region,
): Promise<RetentionInventory> {
  const ec2 = clients.get(EC2Client, region);
  const rds = clients.get(RDSClient, region);
  const sourceEc2 = clients.get(EC2Client, sourceRegion);
  const sourceRds = clients.get(RDSClient, sourceRegion);
  const snapshots: SnapshotRecord[] = [];
  const what = "listing snapshots for retention";
  for await (const page of withinDeadline(streamManagedSnapshots(ec2), deadline, what))
    snapshots.push(...page);
  for await (const page of withinDeadline(streamManagedDbSnapshots(rds), deadline, what))
    snapshots.push(...page);

  const volumeIds = [...new Set(snapshots.filter((s) => s.kind === "ebs").map((s) => s.sourceId))];
  const liveSourceIds = new Set<string>(await existingVolumeIds(sourceEc2, volumeIds));
  if (snapshots.some((s) => s.kind !== "ebs")) {
    for await (const page of streamDbInstances(sourceRds)) for (const db of page) liveSourceIds.add(db.id);
    for await (const page of streamDbClusters(sourceRds)) for (const c of page) liveSourceIds.add(c.id);
  }
  const imageIds = snapshots.some((s) => s.kind === "ebs")
    ? await imageSnapshotIds(ec2)
    : new Map<string, string>();
  return { snapshots, liveSourceIds, imageSnapshotIds: imageIds };
}

/**
 * The policies retention applies in a Region. In the primary Region, the config's. In a copy
 * destination (regions.dr or an `alsoTo` Region), the policies that copy there, each schedule with its copy retention (`copy.retention`, default the
 * schedule's own): copies keep the policy and schedule tags of their source, so the same planner and
 * the same safety rules (managed tag, legal hold, newest of a source, cap) apply to them.
 * @example policiesIn(config, config.regions.dr).map((p) => p.name) // the policies with copy
 */
export function policiesIn(config: Config, region: string): Policy[] {
  if (region === config.regions.primary) return config.policies;
  return copyView(config, region).policies.flatMap((policy) => {
    const copy = policy.copy;
    if (!copy) return [];
    const retention = copy.retention;
    return [
      retention ? { ...policy, schedules: policy.schedules.map((s) => ({ ...s, retention })) } : policy,
    ];
  });
}

/**
 * @example const plan = await planRetentionRun({ clients, config, region, now: new Date(event.time) })
 */
export async function planRetentionRun(input: {
  clients: AwsClients;
  config: Config;
  region: string;
  now: Date;
  /** Time left in the invocation (Lambda); the CLI runs without one. */
  deadline?: Deadline;
}): Promise<RetentionPlan> {
  const inventory = await collectRetentionInventory(
    input.clients,
    input.region,
    input.deadline,
    input.config.regions.primary,
  );
  return planRetention({
    ...inventory,
    policies: policiesIn(input.config, input.region),
    caps: {
      maxDeletesPerRun: input.config.retention.maxDeletesPerRun,
      maxDeletesPercent: input.config.retention.maxDeletesPercent,
    },
    now: input.now,
  });
}

/** The plan's deletions as queue messages of up to 50 ids of one kind each. */
export function deleteWorkItems(plan: RetentionPlan, region: string): DeleteWorkItem[] {
  const items: DeleteWorkItem[] = [];
  for (const kind of ["ebs", "rds", "aurora"] as const) {
    const snapshots = plan.deletions.filter((s) => s.kind === kind);
    for (let i = 0; i < snapshots.length; i += DELETE_BATCH_SIZE) {
      const batch = snapshots.slice(i, i + DELETE_BATCH_SIZE);
      items.push({
        kind: "delete",
        snapshotKind: kind,
        region,
        snapshotIds: batch.map((s) => s.id),
        // What each belongs to, so the deletion's event names its policy and source.
        lineage: Object.fromEntries(
          batch.map((s) => [
            s.id,
            {
              sourceId: s.sourceId,
              ...(s.tags[Tag.policy] ? { policy: s.tags[Tag.policy] } : {}),
              ...(s.tags[Tag.schedule] ? { schedule: s.tags[Tag.schedule] } : {}),
            },
          ]),
        ),
      });
    }
  }
  return items;
}

/**
 * Deletes one batch, paced. A snapshot already gone counts as deleted (idempotent); one an AMI
 * started using since planning is skipped; rate limits come back as `retry`.
 */
export async function applyDeleteItem(
  clients: AwsClients,
  item: DeleteWorkItem,
  pacer: Pacer,
): Promise<ItemOutcome[]> {
  const outcomes: ItemOutcome[] = [];
  for (const id of item.snapshotIds) {
    const base = { key: id, snapshotIds: [id] };
    try {
      await pacer.take();
      if (item.snapshotKind === "ebs") await deleteEbsSnapshot(clients.get(EC2Client, item.region), id);
      else await deleteDbSnapshot(clients.get(RDSClient, item.region), item.snapshotKind, id);
      outcomes.push({ ...base, status: "deleted", code: "deleted", detail: "deleted" });
    } catch (error) {
      const kind = classifyAwsError(error);
      if (kind === "gone")
        outcomes.push({ ...base, status: "gone", code: "already-deleted", detail: "already deleted" });
      else if (kind === "in-use")
        outcomes.push({ ...base, status: "skipped", code: "in-use", detail: "in use by an AMI" });
      else if (kind === "retry-later")
        outcomes.push({ ...base, status: "retry", code: "rate-limited", detail: errorMessage(error) });
      else
        outcomes.push({ ...base, status: "failed", code: failureCode(error), detail: errorMessage(error) });
    }
  }
  return outcomes;
}
