/**
 * What a DR copy says about itself. A copy carries its source's outpost-ops tags (so retention in the
 * destination groups it by the same policy, schedule and source) plus lineage tags naming the source
 * snapshot, its Region, its volume and when it was taken. The scheduler finds copies, attempts and
 * in-flight work from these tags alone.
 */
import type { SnapshotRecord } from "../inventory.ts";
import { TAG_PREFIX, Tag } from "../tags.ts";

const MAX_RDS_ID = 255;

/** EC2 and RDS take at most 50 tags per resource. */
const MAX_TAGS = 50;
/** Reserved for AWS: cannot be set by a caller. */
const AWS_PREFIX = "aws:";

/**
 * The tags a copy is created with: the source's tags (its own, and those copySourceTags carried from
 * the volume or database), but a legal hold, which a person set on that snapshot and not on its
 * copies; then lineage. Ours come first, so with more than 50 it is users' tags that are left out.
 * @example copyTags(source, "us-west-2") // [{ Key: "outpost-ops:managed", Value: "true" }, …, { Key: "outpost-ops:source-region", Value: "us-west-2" }]
 */
export function copyTags(source: SnapshotRecord, sourceRegion: string): { Key: string; Value: string }[] {
  const tags = new Map<string, string>();
  const entries = Object.entries(source.tags).filter(
    ([key]) => !key.startsWith(AWS_PREFIX) && key !== Tag.legalHold && key !== Tag.failureAlerted,
  );
  for (const [key, value] of entries) if (key.startsWith(TAG_PREFIX)) tags.set(key, value);
  tags.set(Tag.sourceSnapshot, source.id);
  tags.set(Tag.sourceRegion, sourceRegion);
  tags.set(Tag.sourceTime, source.createdAt.toISOString());
  if (source.kind === "ebs") tags.set(Tag.sourceVolume, source.sourceId);
  if (!tags.has(Tag.source)) tags.set(Tag.source, source.sourceId);
  for (const [key, value] of entries)
    if (!key.startsWith(TAG_PREFIX) && tags.size < MAX_TAGS) tags.set(key, value);
  return [...tags].map(([Key, Value]) => ({ Key, Value }));
}

/**
 * The identifier of an RDS/Aurora copy: the source's own (ours all start `oo-`, which IAM scopes the
 * copy to), with `-r2`, `-r3` for retries after a failed copy that RDS still lists under the first.
 * @example rdsCopyId("oo-daily-orders-20240514t1000", 1) // "oo-daily-orders-20240514t1000"
 */
export function rdsCopyId(sourceId: string, attempt: number): string {
  if (attempt <= 1) return sourceId;
  const suffix = `-r${attempt}`;
  return `${sourceId.slice(0, MAX_RDS_ID - suffix.length).replace(/-+$/, "")}${suffix}`;
}

/**
 * The protected resource a snapshot (or copy) belongs to: the instance of a crash-consistent set,
 * else the volume, DB instance or cluster it was taken of.
 */
export function resourceOf(snapshot: SnapshotRecord): string {
  return snapshot.tags[Tag.instance] ?? snapshot.sourceId;
}
