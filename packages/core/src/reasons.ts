/**
 * Why outpost-ops did (or did not do) something, as a typed code. Every plan decision and every
 * item outcome carries one, with its human sentence beside it (`reason`/`detail`, which may name ids).
 * Summaries, metrics, alerts, events and the CLI group by code and never by wording, so a reworded
 * sentence cannot split a count, and users can filter events on a code that stays stable.
 *
 * The label is the short, id-free phrase a table or a metric shows for the code.
 */
export const Reasons = {
  // Snapshot planning: the policy's window.
  due: "a schedule is due",
  "not-due": "no schedule due at this time",
  // Snapshot planning: a resource that gets no work item.
  "listed-twice": "listed twice in the inventory: planned once",
  "wrong-resource-kind": "a different resource kind than the policy snapshots",
  "tag-missing": "a selector tag is missing",
  "tag-mismatch": "a selector tag does not match",
  "not-on-outpost": "in the Region, not on a selected Outpost",
  "other-outpost": "on an Outpost the policy does not select",
  "instance-state": "instance is not in a state that can be snapshotted",
  "no-volumes": "no attached EBS volumes",
  "all-volumes-excluded": "every volume is excluded",
  "aurora-member": "member of an Aurora cluster: snapshotted by aurora-cluster policies",
  "db-not-available": "database is not available",
  "quota-exhausted": "an AWS quota has no room left: not planned",
  // Snapshot planning: a work item planned with a caveat.
  "tags-dropped": "source tags not copied: over AWS's 50-tag limit",
  "volume-tags-not-copied": "volume tags not copied",
  "local-storage-low": "regional snapshot instead: the Outpost's local snapshot storage is below the floor",
  "local-storage-low-strict":
    "kept local (residency strict) though the Outpost's local snapshot storage is below the floor: it may fail",
  // Retention: kept.
  "legal-hold": "legal hold",
  pending: "still pending",
  "keep-last": "kept by keepLast",
  tier: "kept by a tier",
  "within-max-age": "within maxAge",
  "no-rule": "no retention rule",
  "newest-of-source": "newest completed snapshot of its source",
  "source-gone": "source gone: keeping the last ones",
  "failed-for-inspection": "failed snapshot: left for inspection",
  "unknown-state": "unknown state: left alone",
  "cap-exceeded": "deletion cap exceeded",
  // Retention: deleted.
  "beyond-rules": "beyond keepLast and tiers",
  "older-than-max-age": "older than maxAge",
  "failed-superseded": "failed snapshot, superseded by a completed one",
  // Retention: left alone (skip).
  "not-managed": "not created by outpost-ops",
  "no-creation-time": "no valid creation time",
  "aws-backup": "managed by AWS Backup",
  "used-by-ami": "used by an AMI",
  "no-policy-tag": "no outpost-ops:policy tag",
  "policy-not-in-config": "policy no longer in the config",
  "policy-kind-changed": "policy now covers another resource kind",
  "no-schedule-tag": "no outpost-ops:schedule tag",
  "schedule-not-in-policy": "schedule no longer in its policy",
  // Item outcomes (workers and the CLI's run).
  created: "created",
  deleted: "deleted",
  "already-exists": "already exists for this window",
  "already-deleted": "already deleted",
  "source-not-found": "source no longer exists",
  "in-use": "in use by an AMI",
  "rate-limited": "rate or concurrency limit: retried later",
  "quota-exceeded": "AWS quota reached: raise it in Service Quotas",
  "access-denied": "missing permission",
  "aws-error": "AWS refused the call",
  "not-yet-visible": "created, not yet visible in AWS's listings: confirmed on redelivery",
  // DR copies: the scheduler's decisions and the copies' outcomes.
  "copy-started": "copy started",
  "copy-in-progress": "copy in progress",
  "copy-queued": "copy queued: waiting for one of the destination's 20 copy slots",
  "copy-waiting": "AWS's copy limit or rate limit: waiting, retried on the next run",
  "copy-superseded": "a newer snapshot of the same source is copied instead",
  "copy-failed": "copy failed in AWS",
  "copy-retries-exhausted": "copy failed on every attempt: alerted, not retried",
  "kms-key-unusable": "the destination KMS key cannot be used: copies with it wait until it is fixed",
  "already-copied": "already copied",
  // Recovery points (status, RPO metrics).
  "within-rpo": "DR copy within the RPO",
  "behind-rpo": "DR copy older than the RPO",
  "no-snapshot-yet": "no completed snapshot yet",
  "local-only": "only local (Outpost) snapshots, which cannot be copied",
  // Failover: the preflight's checks and the decision.
  "failover-ready": "the check passed",
  "already-on-site": "DNS already points at the target site: nothing to do",
  "zone-not-found": "the hosted zone does not exist or cannot be read",
  "record-missing": "a configured record does not exist in the zone",
  "record-drifted": "a record points at neither site as configured",
  "dr-behind-rpo": "DR copies older than the failover RPO, or missing",
  "dr-recovery-unknown": "DR recovery points unknown: the copy scheduler has not reported recently",
  "health-check-failing": "the target's Route 53 health check is not healthy",
  "cooldown-active": "within the cooldown after the last change: no automatic failover",
  "permission-denied": "the role may not read or change what failover needs",
  "change-submitted": "DNS change submitted",
  "change-raced": "a concurrent run made the same change first",
  "change-failed": "Route 53 refused or failed the change",
  "alert-only": "mode alert-only: a person decides",
  "stale-trigger": "the alarm changed state before the last DNS change: a late delivery, ignored",
  // Capacity: the alarm handler's decisions and the weekly report.
  "capacity-alarm": "a capacity alarm changed state",
  "capacity-resolved": "a capacity condition cleared",
  "capacity-eased": "a capacity condition eased to a lower band",
  "capacity-report": "the weekly capacity report",
} as const;

export type ReasonCode = keyof typeof Reasons;

/**
 * @example reasonLabel("used-by-ami") // "used by an AMI"
 */
export function reasonLabel(code: ReasonCode): string {
  return Reasons[code];
}

/** Counts per code, for summaries and metrics. */
export type ReasonCounts = Partial<Record<ReasonCode, number>>;

/**
 * Adds one occurrence of `code` to `counts` (in place) and returns it.
 * @example countReason({}, "aws-backup") // { "aws-backup": 1 }
 */
export function countReason(counts: ReasonCounts, code: ReasonCode, n = 1): ReasonCounts {
  counts[code] = (counts[code] ?? 0) + n;
  return counts;
}
