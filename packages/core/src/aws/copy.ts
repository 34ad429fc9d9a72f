/**
 * Cross-Region copy calls, all made in the destination Region (AWS-LIMITS.md): EBS CopySnapshot
 * with SourceRegion/SourceSnapshotId, tagged at creation; RDS CopyDBSnapshot / CopyDBClusterSnapshot
 * with the source's ARN (the SDK's RDS middleware presigns the source-Region request from it). Every
 * copy is encrypted with the policy's destination key.
 */
import {
  CopySnapshotCommand,
  CreateTagsCommand,
  type EC2Client,
  paginateDescribeSnapshots,
} from "@aws-sdk/client-ec2";
import {
  AddTagsToResourceCommand,
  CopyDBClusterSnapshotCommand,
  CopyDBSnapshotCommand,
  type RDSClient,
} from "@aws-sdk/client-rds";
import type { CopyRequest } from "../copy/plan.ts";
import type { SnapshotRecord } from "../inventory.ts";
import { Tag } from "../tags.ts";
import { streamManagedSnapshots } from "./ec2.ts";
import { streamManagedDbSnapshots } from "./rds.ts";

/**
 * Our copies in a Region (managed and carrying a source-snapshot lineage tag), page by page: EBS with
 * a server-side tag-key filter, RDS filtered on the returned tags.
 * @example for await (const page of streamCopies(ec2, rds)) copies.push(...page)
 */
export async function* streamCopies(ec2: EC2Client, rds: RDSClient): AsyncGenerator<SnapshotRecord[]> {
  yield* streamManagedSnapshots(ec2, [{ Name: "tag-key", Values: [Tag.sourceSnapshot] }]);
  for await (const page of streamManagedDbSnapshots(rds))
    yield page.filter((s) => s.tags[Tag.sourceSnapshot] !== undefined);
}

/** EC2 accepts up to 200 values in one filter. */
const FILTER_VALUES_MAX = 200;

/**
 * Which of these snapshot ids DescribeSnapshots lists now (a listing, not a lookup by id, which
 * answers NotFound for a new snapshot until it propagates).
 * @example await listedSnapshotIds(ec2, ["snap-0123456789abcdef0"]) // Set { "snap-0123456789abcdef0" }
 */
export async function listedSnapshotIds(ec2: EC2Client, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += FILTER_VALUES_MAX) {
    const input = {
      OwnerIds: ["self"],
      Filters: [{ Name: "snapshot-id", Values: ids.slice(i, i + FILTER_VALUES_MAX) }],
    };
    for await (const page of paginateDescribeSnapshots({ client: ec2, pageSize: 1000 }, input))
      for (const s of page.Snapshots ?? []) if (s.SnapshotId) found.add(s.SnapshotId);
  }
  return found;
}

/** Starts one EBS copy; returns the new snapshot's id. */
export async function startEbsCopy(ec2: EC2Client, request: CopyRequest): Promise<string> {
  const out = await ec2.send(
    new CopySnapshotCommand({
      SourceRegion: request.sourceRegion,
      SourceSnapshotId: request.source.id,
      Description: `outpost-ops DR copy of ${request.source.id} (${request.resource}) from ${request.sourceRegion}`,
      Encrypted: true,
      KmsKeyId: request.kmsKeyArn,
      TagSpecifications: [{ ResourceType: "snapshot", Tags: request.tags }],
      ...(request.completionMinutes ? { CompletionDurationMinutes: request.completionMinutes } : {}),
    }),
  );
  return out.SnapshotId ?? "";
}

/** Starts one RDS or Aurora copy under its deterministic identifier; returns it. */
export async function startDbCopy(rds: RDSClient, request: CopyRequest): Promise<string> {
  const sourceArn = request.source.arn;
  const targetId = request.targetId;
  if (!sourceArn || !targetId) throw new Error(`copy ${request.key}: no source ARN or target identifier`);
  // RDS encrypts a copy of an unencrypted DB snapshot with the key given; for a DB cluster snapshot
  // it refuses the key instead ("If you copy an unencrypted DB cluster snapshot and specify a value
  // for the KmsKeyId parameter, an error is returned", CopyDBClusterSnapshot API Reference), so an
  // unencrypted cluster's copy stays unencrypted.
  const keyless = request.kind === "aurora" && request.source.encrypted === false;
  const common = { ...(keyless ? {} : { KmsKeyId: request.kmsKeyArn }), Tags: request.tags };
  if (request.kind === "rds")
    await rds.send(
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: sourceArn,
        TargetDBSnapshotIdentifier: targetId,
        ...common,
      }),
    );
  else
    await rds.send(
      new CopyDBClusterSnapshotCommand({
        SourceDBClusterSnapshotIdentifier: sourceArn,
        TargetDBClusterSnapshotIdentifier: targetId,
        ...common,
      }),
    );
  return targetId;
}

/**
 * Marks a failed copy as alerted (a tag on the copy itself), so later runs, which see the same failed
 * copies, do not alert again. RDS copies are tagged by ARN.
 */
export async function markFailureAlerted(
  clients: { ec2: EC2Client; rds: RDSClient },
  copy: SnapshotRecord,
  at: Date,
): Promise<void> {
  const tag = { Key: Tag.failureAlerted, Value: at.toISOString() };
  if (copy.kind === "ebs")
    await clients.ec2.send(new CreateTagsCommand({ Resources: [copy.id], Tags: [tag] }));
  else if (copy.arn)
    await clients.rds.send(new AddTagsToResourceCommand({ ResourceName: copy.arn, Tags: [tag] }));
}
