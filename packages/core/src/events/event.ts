/**
 * The event stream: every create, delete, skip and failure (and later every copy and failover) is
 * also an EventBridge event, so users can route outcomes to chat, tickets or their own audit with
 * ordinary rules. One envelope for all jobs: `source` is always `outpost-ops`, `detail-type` names
 * the action, and `detail` carries the resource, the policy, the reason code and the lineage.
 *
 * The schema is a contract (README, "Event stream"): add fields, never rename or remove them, and
 * bump `detail.version` if a field's meaning ever has to change.
 */
import type { ReasonCode } from "../reasons.ts";

export const EVENT_SOURCE = "outpost-ops";
export const EVENT_SCHEMA_VERSION = 1;

/** `detail-type` per action, in EventBridge's Title Case style ("EBS Snapshot Notification"). */
export const DetailType = {
  created: "Snapshot Created",
  deleted: "Snapshot Deleted",
  skipped: "Snapshot Skipped",
  resourceSkipped: "Resource Skipped",
  failed: "Work Item Failed",
  /** A DR copy was started in the destination Region (its completion is AWS's own copy event). */
  copyStarted: "Snapshot Copy Started",
} as const;
export type DetailType = (typeof DetailType)[keyof typeof DetailType];

export type EventJob = "snapshot" | "retention" | "copy" | "failover" | "capacity";

/** What a snapshot or resource descends from: the source it protects and, for copies, the original. */
export interface Lineage {
  /** Volume, instance, DB instance or cluster id. */
  sourceId?: string;
  sourceRegion?: string;
  /** For copies: the snapshot this one was copied from. */
  sourceSnapshotId?: string;
  schedule?: string;
  /** The schedule window, `2024-05-14T10:00Z`. */
  window?: string;
}

export interface OutpostOpsEventDetail {
  version: typeof EVENT_SCHEMA_VERSION;
  job: EventJob;
  /** What happened to the resource: created, exists, deleted, gone, skipped, failed, … */
  outcome: string;
  code: ReasonCode;
  /** The human sentence for `code`, ids included. */
  reason: string;
  resource: {
    type: "ebs-snapshot" | "rds-snapshot" | "aurora-snapshot" | "resource";
    id: string;
    region: string;
  };
  /** Snapshot ids the action produced or touched (a CreateSnapshots set has several). */
  snapshotIds: string[];
  policy?: string;
  lineage: Lineage;
  stage: string;
}

/** One entry for PutEvents, before it is sent (`time` is when it happened, not when it was sent). */
export interface OutpostOpsEvent {
  detailType: DetailType;
  time: Date;
  /** ARNs of the resources involved, for EventBridge's `resources` field. */
  resources: string[];
  detail: OutpostOpsEventDetail;
}
