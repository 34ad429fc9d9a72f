import { AwsError } from "../errors.ts";
import { copyDurationMs, type RequestContext } from "../http.ts";
import { bool, type QueryTree, str, strings, structs } from "../query.ts";
import { node } from "../xml.ts";
import { arnOf, type DbSnapshot, type RdsRegion, type RdsState, snapshotStatus } from "./model.ts";
import { CREATED, copyFinished, notifyDbSnapshot } from "./notify.ts";
import { dbSnapshotXml, rdsResponse, tagList } from "./render.ts";

/**
 * RDS User Guide, "Copying a DB snapshot", Limitations: "You can have up to 20 snapshot copy requests
 * in progress to a single destination Region per account." Neither the API Reference nor the quotas
 * page names the error; AWS has been seen answering CopyDBSnapshot with SnapshotQuotaExceeded
 * "Cannot copy more than 5 snapshots across regions" when the limit was 5 (pbudzon/aws-maintenance#19),
 * so that code and wording are used (a guess; see the README's "Guesses"). Same-Region copies count too.
 */
const MAX_COPIES_IN_FLIGHT = 20;

interface Kind {
  kind: "instance" | "cluster";
  snapshotParam: string;
  resultMember: string;
  alreadyExists: (id: string) => AwsError;
  notFound: (id: string) => AwsError;
  invalidState: (msg: string) => AwsError;
}

const INSTANCE: Kind = {
  kind: "instance",
  snapshotParam: "DBSnapshotIdentifier",
  resultMember: "DBSnapshot",
  alreadyExists: (id) =>
    new AwsError(
      "DBSnapshotAlreadyExists",
      `Cannot create the snapshot because a snapshot with the identifier ${id} already exists.`,
    ),
  notFound: (id) => new AwsError("DBSnapshotNotFound", `DBSnapshot ${id} not found.`, 404),
  invalidState: (msg) => new AwsError("InvalidDBSnapshotState", msg),
};

const CLUSTER: Kind = {
  kind: "cluster",
  snapshotParam: "DBClusterSnapshotIdentifier",
  resultMember: "DBClusterSnapshot",
  alreadyExists: (id) =>
    new AwsError(
      "DBClusterSnapshotAlreadyExistsFault",
      `Cannot create the cluster snapshot because one with the identifier ${id} already exists.`,
    ),
  notFound: (id) => new AwsError("DBClusterSnapshotNotFoundFault", `DBClusterSnapshot ${id} not found.`, 404),
  invalidState: (msg) => new AwsError("InvalidDBClusterSnapshotStateFault", msg),
};

export const kindOf = (cluster: boolean) => (cluster ? CLUSTER : INSTANCE);

function required(form: QueryTree, name: string): string {
  const v = str(form, name);
  if (!v) throw new AwsError("MissingParameter", `The request must contain the parameter ${name}`);
  return v;
}

export function tagsParam(form: QueryTree): Map<string, string> {
  const tags = new Map<string, string>();
  for (const t of structs(form, "Tags", "Tag")) tags.set(str(t, "Key") ?? "", str(t, "Value") ?? "");
  return tags;
}

function snapshotsOf(region: RdsRegion, k: Kind) {
  return k.kind === "instance" ? region.snapshots : region.clusterSnapshots;
}

/** Manual snapshots (including copies) count against the region's quota; automated and AWS Backup ones do not. */
function checkQuota(region: RdsRegion, k: Kind): void {
  if (region.manualCount(k.kind) >= region.manualQuota(k.kind)) {
    throw new AwsError(
      "SnapshotQuotaExceeded",
      "Cannot create the snapshot because the maximum allowed number of snapshots has been reached.",
    );
  }
}

function answer(
  state: RdsState,
  region: RdsRegion,
  ctx: RequestContext,
  action: string,
  k: Kind,
  s: DbSnapshot,
): string {
  return rdsResponse(
    action,
    ctx.requestId,
    node(k.resultMember, dbSnapshotXml(state.env, region.name, s, ctx.clock.nowMs())),
  );
}

export function createSnapshot(
  state: RdsState,
  region: RdsRegion,
  ctx: RequestContext,
  cluster: boolean,
): string {
  const k = kindOf(cluster);
  const nowMs = ctx.clock.nowMs();
  const id = required(ctx.form, k.snapshotParam);
  let sourceId: string;
  let engine: string;
  let allocatedStorage: number;
  if (cluster) {
    sourceId = required(ctx.form, "DBClusterIdentifier");
    const c = region.clusters.get(sourceId);
    if (!c) throw new AwsError("DBClusterNotFoundFault", `DBCluster ${sourceId} not found.`, 404);
    if (c.status !== "available") {
      throw new AwsError(
        "InvalidDBClusterStateFault",
        `DBCluster ${sourceId} is not in the available state (it is ${c.status}).`,
      );
    }
    engine = c.engine;
    allocatedStorage = c.allocatedStorage;
  } else {
    sourceId = required(ctx.form, "DBInstanceIdentifier");
    const i = region.instances.get(sourceId);
    if (!i) throw new AwsError("DBInstanceNotFound", `DBInstance ${sourceId} not found.`, 404);
    if (i.status !== "available") {
      throw new AwsError(
        "InvalidDBInstanceState",
        `DBInstance ${sourceId} is not in the available state (it is ${i.status}).`,
      );
    }
    engine = i.engine;
    allocatedStorage = i.allocatedStorage;
  }
  const map = snapshotsOf(region, k);
  if (map.has(id)) throw k.alreadyExists(id);
  checkQuota(region, k);
  const s: DbSnapshot = {
    kind: k.kind,
    id,
    sourceId,
    engine,
    createdAt: new Date(nowMs),
    availableAtMs: nowMs + state.env.snapshotCompletionMs,
    baseStatus: "creating",
    type: "manual",
    tags: tagsParam(ctx.form),
    allocatedStorage,
  };
  map.set(id, s);
  notifyDbSnapshot(state.env, region.name, s, () => map.get(id) === s, CREATED[k.kind]);
  return answer(state, region, ctx, cluster ? "CreateDBClusterSnapshot" : "CreateDBSnapshot", k, s);
}

export function deleteSnapshot(
  state: RdsState,
  region: RdsRegion,
  ctx: RequestContext,
  cluster: boolean,
): string {
  const k = kindOf(cluster);
  const id = required(ctx.form, k.snapshotParam);
  const map = snapshotsOf(region, k);
  const s = map.get(id);
  if (!s) throw k.notFound(id);
  const status = snapshotStatus(s, ctx.clock.nowMs());
  if (status !== "available" && status !== "failed" && status !== "incompatible-restore") {
    throw k.invalidState(
      `Cannot delete the snapshot because it is not in the available state (it is ${status}).`,
    );
  }
  if (s.type === "automated") {
    throw k.invalidState("Only manual snapshots may be deleted; automated snapshots are removed by RDS.");
  }
  if (s.type === "awsbackup") {
    throw k.invalidState("This snapshot is managed by AWS Backup and cannot be deleted through the RDS API.");
  }
  map.delete(id);
  region.deletedIds.push(id);
  region.deletedAtMs.push(ctx.clock.nowMs());
  s.baseStatus = "deleted";
  return answer(state, region, ctx, cluster ? "DeleteDBClusterSnapshot" : "DeleteDBSnapshot", k, s);
}

/**
 * Called in the destination region. A cross-region source is an ARN
 * (`arn:aws:rds:us-west-2:123456789012:snapshot:name`); the SDK adds a PreSignedUrl we ignore.
 */
export function copySnapshot(
  state: RdsState,
  destination: RdsRegion,
  ctx: RequestContext,
  cluster: boolean,
): string {
  const k = kindOf(cluster);
  const nowMs = ctx.clock.nowMs();
  const sourceRef = required(
    ctx.form,
    cluster ? "SourceDBClusterSnapshotIdentifier" : "SourceDBSnapshotIdentifier",
  );
  const targetId = required(
    ctx.form,
    cluster ? "TargetDBClusterSnapshotIdentifier" : "TargetDBSnapshotIdentifier",
  );
  const arn = /^arn:aws[\w-]*:rds:([\w-]+):\d+:(?:snapshot|cluster-snapshot):(.+)$/.exec(sourceRef);
  const sourceRegionName = arn ? (arn[1] as string) : destination.name;
  const sourceId = arn ? (arn[2] as string) : sourceRef;
  const sourceRegion = state.region(sourceRegionName);
  const source = snapshotsOf(sourceRegion, k).get(sourceId);
  if (!source) throw k.notFound(sourceRef);
  if (snapshotStatus(source, nowMs) !== "available") {
    throw k.invalidState(`Snapshot ${sourceRef} is not in the available state.`);
  }
  const targets = snapshotsOf(destination, k);
  if (targets.has(targetId)) throw k.alreadyExists(targetId);
  let inFlight = 0;
  for (const s of [...destination.snapshots.values(), ...destination.clusterSnapshots.values()]) {
    if (s.sourceSnapshotArn !== undefined && snapshotStatus(s, nowMs) !== "available") inFlight++;
  }
  if (inFlight >= MAX_COPIES_IN_FLIGHT) {
    throw new AwsError(
      "SnapshotQuotaExceeded",
      `Cannot copy more than ${MAX_COPIES_IN_FLIGHT} snapshots across regions`,
    );
  }
  checkQuota(destination, k);
  const crossRegion = sourceRegionName !== destination.name;
  const tags = bool(ctx.form, "CopyTags") ? new Map(source.tags) : new Map<string, string>();
  for (const [key, v] of tagsParam(ctx.form)) tags.set(key, v);
  const explicitKey = str(ctx.form, "KmsKeyId");
  // CopyDBSnapshot / CopyDBClusterSnapshot API Reference, Errors: "KMSKeyNotAccessibleFault: An error
  // occurred accessing an Amazon Web Services KMS key." (HTTP 400). The key must be usable in the destination Region;
  // checked only when the estate seeds KMS keys for that Region.
  if (explicitKey !== undefined && state.env.kmsKeyUsable(destination.name, explicitKey) === false) {
    throw new AwsError(
      "KMSKeyNotAccessibleFault",
      "An error occurred accessing an Amazon Web Services KMS key.",
    );
  }
  // CopyDBClusterSnapshot API Reference, KmsKeyId: "If you copy an unencrypted DB cluster snapshot and
  // specify a value for the KmsKeyId parameter, an error is returned." (The code is not documented.)
  if (cluster && explicitKey !== undefined && source.kmsKeyId === undefined) {
    throw new AwsError(
      "InvalidParameterCombination",
      "Cannot specify a KMS key when copying an unencrypted DB cluster snapshot.",
    );
  }
  const kmsKeyId = explicitKey ?? source.kmsKeyId;
  if (crossRegion && source.kmsKeyId !== undefined && str(ctx.form, "KmsKeyId") === undefined) {
    // AWS requires a KMS key of the destination region to copy an encrypted snapshot across regions.
    throw new AwsError(
      "InvalidParameterValue",
      "KmsKeyId is required to copy an encrypted snapshot to another region.",
    );
  }
  const copy: DbSnapshot = {
    kind: k.kind,
    id: targetId,
    sourceId: source.sourceId,
    engine: source.engine,
    createdAt: new Date(nowMs),
    availableAtMs:
      nowMs +
      copyDurationMs(
        state.env,
        {
          kind: cluster ? "aurora" : "rds",
          sourceSnapshotId: sourceId,
          sourceRegion: sourceRegionName,
          region: destination.name,
          sizeGiB: source.allocatedStorage,
        },
        crossRegion ? state.env.copyCompletionMs : state.env.snapshotCompletionMs,
      ),
    baseStatus: "copying",
    type: "manual",
    tags,
    kmsKeyId,
    sourceSnapshotArn: arnOf(
      state.env,
      sourceRegionName,
      cluster ? "cluster-snapshot" : "snapshot",
      sourceId,
    ),
    sourceRegion: crossRegion ? sourceRegionName : undefined,
    allocatedStorage: source.allocatedStorage,
  };
  targets.set(targetId, copy);
  const duration = (copy.availableAtMs ?? nowMs) - nowMs;
  notifyDbSnapshot(
    state.env,
    destination.name,
    copy,
    () => targets.get(targetId) === copy,
    copyFinished(k.kind, sourceId, sourceRegionName, destination.name, duration),
  );
  return answer(state, destination, ctx, cluster ? "CopyDBClusterSnapshot" : "CopyDBSnapshot", k, copy);
}

/** Find the tags of any RDS resource by ARN (db, cluster, snapshot, cluster-snapshot). */
export function tagsByArn(state: RdsState, arn: string): Map<string, string> {
  const m = /^arn:aws[\w-]*:rds:([\w-]+):\d+:(db|cluster|snapshot|cluster-snapshot):(.+)$/.exec(arn);
  if (!m)
    throw new AwsError(
      "InvalidParameterValue",
      `The specified resource name does not match an RDS resource in this region: ${arn}`,
    );
  const region = state.region(m[1] as string);
  const id = m[3] as string;
  switch (m[2]) {
    case "db": {
      const i = region.instances.get(id);
      if (!i) throw new AwsError("DBInstanceNotFound", `DBInstance ${id} not found.`, 404);
      return i.tags;
    }
    case "cluster": {
      const c = region.clusters.get(id);
      if (!c) throw new AwsError("DBClusterNotFoundFault", `DBCluster ${id} not found.`, 404);
      return c.tags;
    }
    case "snapshot": {
      const s = region.snapshots.get(id);
      if (!s) throw INSTANCE.notFound(id);
      return s.tags;
    }
    default: {
      const s = region.clusterSnapshots.get(id);
      if (!s) throw CLUSTER.notFound(id);
      return s.tags;
    }
  }
}

export function listTagsForResource(state: RdsState, ctx: RequestContext): string {
  const tags = tagsByArn(state, required(ctx.form, "ResourceName"));
  return rdsResponse("ListTagsForResource", ctx.requestId, tagList(tags));
}

export function addTagsToResource(state: RdsState, ctx: RequestContext): string {
  const tags = tagsByArn(state, required(ctx.form, "ResourceName"));
  for (const [k, v] of tagsParam(ctx.form)) tags.set(k, v);
  return rdsResponse("AddTagsToResource", ctx.requestId, undefined);
}

export function removeTagsFromResource(state: RdsState, ctx: RequestContext): string {
  const tags = tagsByArn(state, required(ctx.form, "ResourceName"));
  for (const key of strings(ctx.form, "TagKeys", "member")) tags.delete(key);
  return rdsResponse("RemoveTagsFromResource", ctx.requestId, undefined);
}
