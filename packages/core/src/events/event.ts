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
  /** DNS was moved to the target site (failover or failback): the change was submitted. */
  failoverChanged: "Failover Changed",
  /** The preflight failed: nothing was changed. */
  failoverRefused: "Failover Refused",
  /** Route 53 refused or failed the change: nothing was changed. */
  failoverFailed: "Failover Failed",
  /** A dry run: the plan, nothing changed. */
  failoverDryRun: "Failover Dry Run",
  /** Nothing changed on purpose: already on the target site, a concurrent run was first, or mode alert-only. */
  failoverSkipped: "Failover Skipped",
  /** The scheduled readiness check found failover ready where it was not, or the reverse. */
  failoverReadiness: "Failover Readiness Changed",
  /** A capacity alarm changed state: alerted, eased, resolved, or silent (detail.capacity.decision says which). */
  capacityAlert: "Capacity Alert",
  /** The weekly capacity report of one Outpost. */
  capacityReport: "Capacity Report",
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
    /**
     * `dns-zone`: the failover hosted zone (Route 53 is global: its `region` is `global`);
     * `outpost`: capacity events, id = the Outpost id (op-…).
     */
    type: "ebs-snapshot" | "rds-snapshot" | "aurora-snapshot" | "resource" | "dns-zone" | "outpost";
    id: string;
    region: string;
  };
  /** Snapshot ids the action produced or touched (a CreateSnapshots set has several). */
  snapshotIds: string[];
  policy?: string;
  lineage: Lineage;
  stage: string;
  /** Failover events only: the audit of the run (who or what, why, what changed, when). */
  failover?: FailoverEventDetail;
  /** Capacity alert events only: the condition, its state and what was decided (events/from-capacity.ts). */
  capacity?: CapacityEventDetail;
  /** Capacity report events only: each reading of the Outpost, in numbers. */
  capacityReport?: CapacityReportEventDetail;
}

export interface CapacityEventDetail {
  /** The Outpost's name in the config. */
  outpost: string;
  kind: string;
  /** The instance or volume type. */
  subject?: string;
  band?: string;
  /** The alarm's new state: ALARM, OK, INSUFFICIENT_DATA. */
  state: string;
  value?: number;
  forecastDays?: number;
  /** alert, eased, resolved, silent. */
  decision: string;
}

export interface CapacityReportEventDetail {
  outpost: string;
  readings: { kind: string; subject?: string; value?: number; weekAgo?: number; forecastDays?: number }[];
  notes: string[];
}

/** What a failover event records beyond the common fields (events/from-failover.ts). */
export interface FailoverEventDetail {
  /** `dr` (failover) or `primary` (failback). */
  target: "primary" | "dr";
  /** What started it: an alarm (name, Region, its state change time), or a person or script (`by`). */
  trigger: {
    kind: "alarm" | "manual" | "classic";
    by: string;
    alarm?: string;
    region?: string;
    alarmAt?: string;
  };
  /** Why, as given (the alarm's reason, `--reason`). */
  reason: string;
  dryRun: boolean;
  /** The preflight failed and `--force` overrode it. */
  forced: boolean;
  decision: "change" | "nothing-to-do" | "refused";
  /** The preflight, item by item. */
  items: { check: string; ok: boolean; code: ReasonCode; detail: string }[];
  /**
   * Each configured record: the site it pointed at before the run (`primary`, `dr`, `drifted`,
   * `missing`), its target then (`from`) and at the target site (`to`), as values or alias.
   */
  records: { label: string; site: string; from?: string; to: string }[];
  /** The change batch (its values are the records' `from` and `to`, and the state record's). */
  changes: { action: string; name: string; type: string; setIdentifier?: string }[];
  changeId?: string;
  /** Submitted but not INSYNC within the run. */
  pending?: boolean;
  error?: string;
  /** ISO times: alarmAt, receivedAt, decidedAt, submittedAt, inSyncAt (the RTO's parts). */
  timeline: Record<string, string>;
  /** The state record before the run: the last change. */
  previous?: { site: string; at: string; by: string; reason: string; forced: boolean };
}

/** One entry for PutEvents, before it is sent (`time` is when it happened, not when it was sent). */
export interface OutpostOpsEvent {
  detailType: DetailType;
  time: Date;
  /** ARNs of the resources involved, for EventBridge's `resources` field. */
  resources: string[];
  detail: OutpostOpsEventDetail;
}
