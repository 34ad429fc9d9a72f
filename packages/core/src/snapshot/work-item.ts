/**
 * A unit of snapshot work: one resource, one window. Work items are plain JSON so they can travel
 * through SQS between the planner invocation and the worker invocations, and be replayed safely.
 */
import type { ResourceKind } from "../config/schema.ts";

export interface TagPair {
  Key: string;
  Value: string;
}

interface WorkItemBase {
  kind: ResourceKind;
  region: string;
  policy: string;
  schedule: string;
  /** The schedule's nominal fire time, `2024-05-14T10:00Z`: the idempotency window. */
  window: string;
  /** `${policy}/${sourceId}/${window}`: same key, same snapshot; used for queue de-duplication. */
  key: string;
  /** Tags written at creation: managed marker, policy, schedule, source, window (+ copied source tags). */
  tags: TagPair[];
}

export type SnapshotWorkItem =
  | (WorkItemBase & { kind: "ebs-volume"; volumeId: string; description: string; outpostArn?: string })
  | (WorkItemBase & {
      kind: "ec2-instance";
      instanceId: string;
      description: string;
      excludeBootVolume: boolean;
      excludeDataVolumeIds: string[];
      copyTagsFromVolumes: boolean;
      outpostArn?: string;
    })
  | (WorkItemBase & { kind: "rds-instance"; dbInstanceId: string; snapshotId: string })
  | (WorkItemBase & { kind: "aurora-cluster"; clusterId: string; snapshotId: string });

/** The id of what a work item snapshots: volume, instance, DB instance or cluster. */
export function workItemSource(item: SnapshotWorkItem): string {
  switch (item.kind) {
    case "ebs-volume":
      return item.volumeId;
    case "ec2-instance":
      return item.instanceId;
    case "rds-instance":
      return item.dbInstanceId;
    case "aurora-cluster":
      return item.clusterId;
  }
}

/** Deletions travel in small batches; one message carries up to this many snapshot ids. */
export const DELETE_BATCH_SIZE = 50;

export interface DeleteWorkItem {
  kind: "delete";
  snapshotKind: "ebs" | "rds" | "aurora";
  region: string;
  snapshotIds: string[];
  /** Per snapshot id: what it belongs to, so the deletion's event names its policy and source. */
  lineage?: Record<string, { policy?: string; schedule?: string; sourceId: string }>;
}

export type WorkItem = SnapshotWorkItem | DeleteWorkItem;
