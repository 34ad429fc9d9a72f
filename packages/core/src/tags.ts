/**
 * Tags outpost-ops writes at creation. Retention and IAM key off them: nothing without
 * `outpost-ops:managed=true` is ever deleted, and delete permissions are conditioned on it.
 */
export const TAG_PREFIX = "outpost-ops:";
export const Tag = {
  managed: "outpost-ops:managed",
  policy: "outpost-ops:policy",
  schedule: "outpost-ops:schedule",
  source: "outpost-ops:source",
  window: "outpost-ops:window",
  instance: "outpost-ops:instance",
  // Lineage, on DR copies only: what the copy is a copy of.
  /** The source snapshot's id (snap-… or the DB snapshot identifier) in its own Region. */
  sourceSnapshot: "outpost-ops:source-snapshot",
  sourceRegion: "outpost-ops:source-region",
  /** The source snapshot's volume (EBS copies show vol-ffffffff as their volume). */
  sourceVolume: "outpost-ops:source-volume",
  /** When the source snapshot was taken: the copy's point in time (a copy's own start time is later). */
  sourceTime: "outpost-ops:source-time",
  /** On a failed copy: its failure was alerted, so the next run does not alert it again. */
  failureAlerted: "outpost-ops:failure-alerted",
  /** Set by people, never by us: any value but "false" holds the snapshot forever. */
  legalHold: "outpost-ops:legal-hold",
} as const;
export const MANAGED_VALUE = "true";

/** The marker AWS Backup puts on the EBS snapshots it manages (they cannot be deleted through EC2). */
export const AWS_BACKUP_TAG = "aws:backup:source-resource";

export type Tags = Record<string, string>;

export function isManaged(tags: Tags): boolean {
  return tags[Tag.managed] === MANAGED_VALUE;
}

export function isOnLegalHold(tags: Tags): boolean {
  const hold = tags[Tag.legalHold];
  return hold !== undefined && hold.toLowerCase() !== "false";
}
