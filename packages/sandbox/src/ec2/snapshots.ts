import { AwsError } from "../errors.ts";
import { copyDurationMs, type RequestContext } from "../http.ts";
import { ec2Id } from "../ids.ts";
import { bool, type QueryTree, str, strings, structs } from "../query.ts";
import { leaf, list } from "../xml.ts";
import {
  AWS_BACKUP_TAG,
  type Ec2Region,
  type Ec2State,
  type Snapshot,
  snapshotState,
  type Volume,
  visibilityStamp,
  visibleSnapshot,
} from "./model.ts";
import { notifyCopySnapshot, notifyCreateSnapshot, notifyCreateSnapshots } from "./notify.ts";
import { ec2Response, snapshotInfoXml, snapshotXml, tagSet } from "./render.ts";

/** AWS: wait at least 15 s between CreateSnapshot calls on the same volume. */
const PER_VOLUME_INTERVAL_MS = 15_000;
/** AWS: 20 concurrent snapshot copies per destination region (not adjustable). */
const MAX_CONCURRENT_COPIES = 20;
/** Time-based copies: "between 15 minutes and 48 hours ... in 15 minute increments" (EBS User Guide). */
const MIN_COMPLETION_MINUTES = 15;
const MAX_COMPLETION_MINUTES = 2880;

/**
 * CopySnapshot's CompletionDurationMinutes, if given. The EC2 API Reference lists no specific error
 * for a bad value; EC2's InvalidParameterValue (its common error for a value out of range) is assumed,
 * in EC2's usual "Value (x) for parameter y is invalid." form. Not supported for Outposts (API
 * Reference): InvalidParameterCombination, also assumed.
 */
function completionDurationMinutes(form: QueryTree): number | undefined {
  const raw = str(form, "CompletionDurationMinutes");
  if (raw === undefined) return undefined;
  const minutes = Number(raw);
  if (
    !Number.isInteger(minutes) ||
    minutes < MIN_COMPLETION_MINUTES ||
    minutes > MAX_COMPLETION_MINUTES ||
    minutes % 15 !== 0
  ) {
    throw new AwsError(
      "InvalidParameterValue",
      `Value (${raw}) for parameter CompletionDurationMinutes is invalid. The completion duration must be between ${MIN_COMPLETION_MINUTES} and ${MAX_COMPLETION_MINUTES} minutes, in 15 minute increments.`,
    );
  }
  if (str(form, "DestinationOutpostArn") !== undefined) {
    throw new AwsError(
      "InvalidParameterCombination",
      "Time-based snapshot copies (CompletionDurationMinutes) are not supported when copying snapshots to or from Outposts.",
    );
  }
  return minutes;
}

function required(form: QueryTree, name: string): string {
  const v = str(form, name);
  if (v === undefined || v === "") {
    throw new AwsError("MissingParameter", `The request must contain the parameter ${name}`);
  }
  return v;
}

/** TagSpecification.N for ResourceType=snapshot, applied atomically with the create. */
export function tagSpecifications(form: QueryTree, resourceType: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const spec of structs(form, "TagSpecification")) {
    const type = str(spec, "ResourceType");
    if (type !== resourceType) {
      throw new AwsError(
        "InvalidParameterValue",
        `'${type}' is not a valid taggable resource type for this operation.`,
      );
    }
    for (const t of structs(spec, "Tag")) {
      const key = str(t, "Key") ?? "";
      checkTagKey(key);
      tags.set(key, str(t, "Value") ?? "");
    }
  }
  return tags;
}

export function checkTagKey(key: string): void {
  if (key.toLowerCase().startsWith("aws:")) {
    throw new AwsError(
      "InvalidParameterValue",
      "Tag keys starting with 'aws:' are reserved for internal use",
    );
  }
}

function pendingSnapshotLimit(v: Volume): number {
  return v.type === "st1" || v.type === "sc1" ? 1 : 5;
}

/** The per-volume checks AWS makes before it accepts a snapshot request; all-or-nothing for CreateSnapshots. */
function checkVolumeCanSnapshot(region: Ec2Region, v: Volume, nowMs: number): void {
  if (v.lastSnapshotMs !== undefined && nowMs - v.lastSnapshotMs < PER_VOLUME_INTERVAL_MS) {
    throw new AwsError(
      "SnapshotCreationPerVolumeRateExceeded",
      "The maximum per volume CreateSnapshot request rate has been exceeded. Use an increasing or variable sleep interval between requests.",
    );
  }
  let pending = 0;
  for (const s of region.snapshotsByVolume.get(v.id) ?? []) {
    if (s.sourceRegion === undefined && snapshotState(s, nowMs) === "pending") pending++;
  }
  if (pending >= pendingSnapshotLimit(v)) {
    throw new AwsError(
      "ConcurrentSnapshotLimitExceeded",
      `Maximum allowed in-progress snapshots for a single volume exceeded (volume ${v.id}).`,
    );
  }
}

function checkRegionQuota(region: Ec2Region, adding: number): void {
  if (region.snapshots.size + adding > region.snapshotsPerRegion) {
    throw new AwsError("SnapshotLimitExceeded", "The maximum number of snapshots has been reached.");
  }
}

/**
 * Where the snapshot lives: `OutpostArn` or `Location=local` put it on the volume's Outpost. AWS only
 * allows a local snapshot of a volume that is itself on that Outpost.
 */
function placement(form: QueryTree, v: Volume): string | undefined {
  const outpostArn = str(form, "OutpostArn");
  const local = str(form, "Location") === "local";
  if (outpostArn === undefined && !local) return undefined;
  if (!v.outpostArn) {
    throw new AwsError(
      "InvalidParameterCombination",
      `Volume ${v.id} is in the Region; snapshots of Regional volumes cannot be stored on an Outpost.`,
    );
  }
  if (outpostArn !== undefined && outpostArn !== v.outpostArn) {
    throw new AwsError(
      "InvalidParameterValue",
      `The snapshot of volume ${v.id} can only be created on its own Outpost (${v.outpostArn}) or in the Region.`,
    );
  }
  return v.outpostArn;
}

/**
 * A local snapshot takes S3 on Outposts storage; whether it fits is decided when it would complete
 * (the Settler resolves snapshots in due order, so earlier ones are counted first). Regional: no check.
 */
function localStorageCheck(
  state: Ec2State,
  regionName: string,
  outpostArn: string | undefined,
  sizeGiB: number,
): Snapshot["settleCheck"] {
  if (outpostArn === undefined) return undefined;
  return (atMs) => state.env.localSnapshotFailure(regionName, outpostArn, sizeGiB, atMs);
}

function findVolume(region: Ec2Region, id: string): Volume {
  const v = region.volumes.get(id);
  if (!v) throw new AwsError("InvalidVolume.NotFound", `The volume '${id}' does not exist.`);
  return v;
}

function newSnapshot(
  state: Ec2State,
  region: Ec2Region,
  v: Volume,
  nowMs: number,
  fields: { description: string; tags: Map<string, string>; outpostArn?: string; regionName: string },
): Snapshot {
  v.lastSnapshotMs = nowMs;
  return region.addSnapshot({
    settleCheck: localStorageCheck(state, fields.regionName, fields.outpostArn, v.sizeGiB),
    id: ec2Id("snap"),
    volumeId: v.id,
    volumeSize: v.sizeGiB,
    startTime: new Date(nowMs),
    completeAtMs: nowMs + state.env.snapshotCompletionMs,
    baseState: "pending",
    tags: fields.tags,
    outpostArn: fields.outpostArn,
    description: fields.description,
    awsBackup: false,
    encrypted: false,
    ...visibilityStamp(state.env, nowMs),
  });
}

export function createSnapshot(state: Ec2State, region: Ec2Region, ctx: RequestContext): string {
  const nowMs = ctx.clock.nowMs();
  const v = findVolume(region, required(ctx.form, "VolumeId"));
  const tags = tagSpecifications(ctx.form, "snapshot");
  const outpostArn = placement(ctx.form, v);
  checkVolumeCanSnapshot(region, v, nowMs);
  checkRegionQuota(region, 1);
  const s = newSnapshot(state, region, v, nowMs, {
    description: str(ctx.form, "Description") ?? "",
    tags,
    outpostArn,
    regionName: ctx.region,
  });
  notifyCreateSnapshot(state.env, ctx.region, s, ctx.requestId);
  return ec2Response("CreateSnapshot", ctx.requestId, snapshotXml(s, state.env.accountId, nowMs));
}

/** Crash-consistent snapshots of an instance's attached volumes (root first), in one call. */
export function createSnapshots(state: Ec2State, region: Ec2Region, ctx: RequestContext): string {
  const nowMs = ctx.clock.nowMs();
  const instanceId = str(ctx.form, "InstanceSpecification", "InstanceId");
  if (!instanceId) {
    throw new AwsError(
      "MissingParameter",
      "The request must contain the parameter InstanceSpecification.InstanceId",
    );
  }
  const instance = region.instances.get(instanceId);
  if (!instance)
    throw new AwsError("InvalidInstanceID.NotFound", `The instance ID '${instanceId}' does not exist`);
  const excludeBoot = bool(ctx.form, "InstanceSpecification", "ExcludeBootVolume") ?? false;
  const excluded = new Set(strings(ctx.form, "InstanceSpecification", "ExcludeDataVolumeId"));
  const volumes = instance.volumeIds
    .filter((id, n) => !(n === 0 && excludeBoot) && !(n > 0 && excluded.has(id)))
    .map((id) => findVolume(region, id));
  if (volumes.length === 0) {
    throw new AwsError("InvalidParameterValue", `No volumes of instance ${instanceId} are left to snapshot.`);
  }
  const specTags = tagSpecifications(ctx.form, "snapshot");
  const copyTags = str(ctx.form, "CopyTagsFromSource") === "volume";
  const description = str(ctx.form, "Description") ?? "";
  const outpostArns = volumes.map((v) => placement(ctx.form, v));
  for (const v of volumes) checkVolumeCanSnapshot(region, v, nowMs);
  checkRegionQuota(region, volumes.length);

  const created = volumes.map((v, n) => {
    const tags = new Map<string, string>();
    if (copyTags) {
      // Tags in the aws: namespace belong to AWS and are not copied.
      for (const [k, val] of v.tags) if (!k.startsWith("aws:")) tags.set(k, val);
    }
    for (const [k, val] of specTags) tags.set(k, val);
    return newSnapshot(state, region, v, nowMs, {
      description,
      tags,
      outpostArn: outpostArns[n],
      regionName: ctx.region,
    });
  });
  notifyCreateSnapshots(state.env, ctx.region, created, ctx.requestId);
  return ec2Response(
    "CreateSnapshots",
    ctx.requestId,
    list("snapshotSet", "item", created, (s) => snapshotInfoXml(s, state.env.accountId, nowMs)),
  );
}

export function deleteSnapshot(region: Ec2Region, ctx: RequestContext): string {
  const id = required(ctx.form, "SnapshotId");
  // Within the eventual-consistency window a just-created snapshot is not found yet, as AWS warns.
  const s = visibleSnapshot(region, id, ctx.clock.nowMs());
  if (!s) throw new AwsError("InvalidSnapshot.NotFound", `The snapshot '${id}' does not exist.`);
  for (const img of region.images.values()) {
    if (img.snapshotIds.includes(id)) {
      throw new AwsError("InvalidSnapshot.InUse", `The snapshot ${id} is currently in use by ${img.id}`);
    }
  }
  if (s.awsBackup || s.tags.has(AWS_BACKUP_TAG)) {
    // The message AWS returns for recovery points managed by AWS Backup.
    throw new AwsError(
      "InvalidParameterValue",
      "This snapshot is managed by the AWS Backup service and cannot be deleted via EC2 APIs. If you wish to delete this snapshot, please do so via the Backup console.",
    );
  }
  region.deleteSnapshot(s, ctx.clock.nowMs());
  return ec2Response("DeleteSnapshot", ctx.requestId, leaf("return", true));
}

/** Called in the destination region; the source is looked up in SourceRegion. */
export function copySnapshot(state: Ec2State, destination: Ec2Region, ctx: RequestContext): string {
  const nowMs = ctx.clock.nowMs();
  const sourceRegionName = required(ctx.form, "SourceRegion");
  const sourceId = required(ctx.form, "SourceSnapshotId");
  const source = visibleSnapshot(state.region(sourceRegionName), sourceId, nowMs);
  if (!source) throw new AwsError("InvalidSnapshot.NotFound", `The snapshot '${sourceId}' does not exist.`);
  const sourceState = snapshotState(source, nowMs);
  if (sourceState !== "completed") {
    throw new AwsError("IncorrectState", `Snapshot is in invalid state - ${sourceState}`);
  }
  const tags = tagSpecifications(ctx.form, "snapshot");
  const completionMinutes = completionDurationMinutes(ctx.form);
  let inFlight = 0;
  for (const s of destination.snapshots.values()) {
    if (s.sourceRegion !== undefined && snapshotState(s, nowMs) === "pending") inFlight++;
  }
  if (inFlight >= MAX_CONCURRENT_COPIES) {
    throw new AwsError(
      "ResourceLimitExceeded",
      // The wording AWS answers (aws-samples/copy-encrypted-ami#3, when the limit was 5).
      `Too many snapshot copies in progress. The limit is ${MAX_CONCURRENT_COPIES} for this destination region.`,
    );
  }
  checkRegionQuota(destination, 1);
  const encrypted = str(ctx.form, "Encrypted") === "true" || source.encrypted;
  const explicitKey = str(ctx.form, "KmsKeyId");
  const kmsKeyId = explicitKey ?? (encrypted ? (source.kmsKeyId ?? "alias/aws/ebs") : undefined);
  // EC2 API Reference, KmsKeyId (the paragraph AWS gives this parameter; verified wording from the
  // ImportSnapshot page, the brief quotes CopySnapshot's as "can appear to complete, but eventually
  // fails"): "Amazon Web Services parses KmsKeyId asynchronously, meaning that the action you call may
  // appear to complete even though you provided an invalid identifier. This action will eventually
  // report failure." and Snapshot.StateMessage: "Encrypted Amazon EBS snapshots are copied
  // asynchronously. If a snapshot copy operation fails (for example, if the proper KMS permissions are
  // not obtained) this field displays error state details". So a key missing from the destination
  // Region, disabled or pending deletion gives a pending copy that ends in `error` (its copySnapshot
  // event: result failed). Checked only when the estate seeds KMS keys for the destination Region.
  const failure =
    encrypted && explicitKey !== undefined && state.env.kmsKeyUsable(ctx.region, explicitKey) === false
      ? `The KMS key ${explicitKey} is not usable in ${ctx.region}: it does not exist, is disabled or is pending deletion.`
      : undefined;
  const incremental = isIncremental(state, destination, source, sourceRegionName, kmsKeyId);
  // A time-based copy "completes within the specified duration" (the throughput quotas that can make
  // it miss are not modelled): the usual copy time, capped by the requested duration.
  const usualMs = copyDurationMs(
    state.env,
    {
      kind: "ebs",
      sourceSnapshotId: sourceId,
      sourceRegion: sourceRegionName,
      region: ctx.region,
      sizeGiB: source.volumeSize,
    },
    state.env.copyCompletionMs,
  );
  const durationMs =
    completionMinutes === undefined ? usualMs : Math.min(usualMs, completionMinutes * 60_000);
  const copy = destination.addSnapshot({
    id: ec2Id("snap"),
    // AWS shows copies with this placeholder volume id: the copy has no source volume in this region.
    volumeId: "vol-ffffffff",
    volumeSize: source.volumeSize,
    startTime: new Date(nowMs),
    completeAtMs: nowMs + durationMs,
    baseState: "pending",
    failure,
    // A copy onto an Outpost is stored in its S3 on Outposts too.
    settleCheck: localStorageCheck(
      state,
      ctx.region,
      str(ctx.form, "DestinationOutpostArn"),
      source.volumeSize,
    ),
    tags,
    outpostArn: str(ctx.form, "DestinationOutpostArn"),
    description: str(ctx.form, "Description") ?? `[Copied ${sourceId} from ${sourceRegionName}]`,
    awsBackup: false,
    encrypted,
    kmsKeyId,
    sourceRegion: sourceRegionName,
    sourceSnapshotId: sourceId,
    transferType: completionMinutes === undefined ? "standard" : "time-based",
    completionDurationMinutes: completionMinutes,
    ...visibilityStamp(state.env, nowMs),
  });
  notifyCopySnapshot(state.env, ctx.region, copy, ctx.requestId, incremental);
  return ec2Response("CopySnapshot", ctx.requestId, leaf("snapshotId", copy.id) + tagSet(copy.tags));
}

/**
 * EBS copies incrementally when the destination already holds a completed copy of an earlier snapshot
 * of the same volume from the same Region, under the same key (EBS User Guide, "Incremental snapshot
 * copying"); otherwise the copy is full.
 */
function isIncremental(
  state: Ec2State,
  destination: Ec2Region,
  source: Snapshot,
  sourceRegionName: string,
  kmsKeyId: string | undefined,
): boolean {
  const nowMs = state.env.clock.nowMs();
  const sourceRegion = state.region(sourceRegionName);
  for (const s of destination.snapshots.values()) {
    if (s.sourceRegion !== sourceRegionName || s.sourceSnapshotId === undefined) continue;
    if (s.kmsKeyId !== kmsKeyId || snapshotState(s, nowMs) !== "completed") continue;
    if (sourceRegion.snapshots.get(s.sourceSnapshotId)?.volumeId === source.volumeId) return true;
  }
  return false;
}
