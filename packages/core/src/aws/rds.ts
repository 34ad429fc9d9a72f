/**
 * RDS adapter for DB instances, Aurora clusters and their manual snapshots. RDS Describe calls have
 * no tag filters, so selection by tag happens on the returned TagList (estates hold hundreds of
 * databases, not tens of thousands); snapshots are listed as manual only, page by page.
 */
import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeAccountAttributesCommand,
  paginateDescribeDBClusterSnapshots,
  paginateDescribeDBClusters,
  paginateDescribeDBInstances,
  paginateDescribeDBSnapshots,
  type RDSClient,
  type Tag as RdsTag,
} from "@aws-sdk/client-rds";
import type { DbCluster, DbInstance, SnapshotRecord, SnapshotState } from "../inventory.ts";
import type { SnapshotWorkItem } from "../snapshot/work-item.ts";
import { isManaged, type Tags } from "../tags.ts";

const PAGE_SIZE = 100; // RDS's maximum MaxRecords

function tagsOf(tags: RdsTag[] | undefined): Tags {
  const out: Tags = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? "";
  return out;
}

function stateOf(status: string | undefined): SnapshotState {
  if (status === "available") return "completed";
  if (status === "failed" || status === "incompatible-restore" || status === "error") return "failed";
  return "pending";
}

export async function* streamDbInstances(rds: RDSClient): AsyncGenerator<DbInstance[]> {
  for await (const page of paginateDescribeDBInstances({ client: rds, pageSize: PAGE_SIZE }, {})) {
    yield (page.DBInstances ?? []).map((db) => ({
      id: db.DBInstanceIdentifier ?? "",
      arn: db.DBInstanceArn ?? "",
      status: db.DBInstanceStatus ?? "unknown",
      engine: db.Engine ?? "",
      tags: tagsOf(db.TagList),
      ...(db.DBClusterIdentifier ? { clusterId: db.DBClusterIdentifier } : {}),
    }));
  }
}

export async function* streamDbClusters(rds: RDSClient): AsyncGenerator<DbCluster[]> {
  for await (const page of paginateDescribeDBClusters({ client: rds, pageSize: PAGE_SIZE }, {})) {
    yield (page.DBClusters ?? []).map((c) => ({
      id: c.DBClusterIdentifier ?? "",
      arn: c.DBClusterArn ?? "",
      status: c.Status ?? "unknown",
      engine: c.Engine ?? "",
      tags: tagsOf(c.TagList),
    }));
  }
}

/** The fields DB and DB cluster snapshots share, as a retention record. */
function dbSnapshotRecord(
  kind: "rds" | "aurora",
  s: {
    id?: string;
    arn?: string;
    sourceId?: string;
    createdAt?: Date;
    status?: string;
    type?: string;
    tags?: RdsTag[];
    encrypted?: boolean;
  },
): SnapshotRecord {
  const id = s.id ?? "";
  return {
    kind,
    id,
    sourceId: s.sourceId ?? "unknown",
    createdAt: s.createdAt ?? new Date(0),
    state: stateOf(s.status),
    tags: tagsOf(s.tags),
    awsBackup: s.type === "awsbackup" || id.startsWith("awsbackup:"),
    ...(s.arn ? { arn: s.arn } : {}),
    ...(s.encrypted !== undefined ? { encrypted: s.encrypted } : {}),
  };
}

/** Our manual DB snapshots (instance and cluster), page by page. */
export async function* streamManagedDbSnapshots(rds: RDSClient): AsyncGenerator<SnapshotRecord[]> {
  const manual = { SnapshotType: "manual" };
  for await (const page of paginateDescribeDBSnapshots({ client: rds, pageSize: PAGE_SIZE }, manual)) {
    yield (page.DBSnapshots ?? [])
      .map((s) =>
        dbSnapshotRecord("rds", {
          id: s.DBSnapshotIdentifier,
          arn: s.DBSnapshotArn,
          encrypted: s.Encrypted,
          sourceId: s.DBInstanceIdentifier,
          createdAt: s.SnapshotCreateTime ?? s.OriginalSnapshotCreateTime,
          status: s.Status,
          type: s.SnapshotType,
          tags: s.TagList,
        }),
      )
      .filter((s) => isManaged(s.tags));
  }
  for await (const page of paginateDescribeDBClusterSnapshots({ client: rds, pageSize: PAGE_SIZE }, manual)) {
    yield (page.DBClusterSnapshots ?? [])
      .map((s) =>
        dbSnapshotRecord("aurora", {
          id: s.DBClusterSnapshotIdentifier,
          arn: s.DBClusterSnapshotArn,
          encrypted: s.StorageEncrypted,
          sourceId: s.DBClusterIdentifier,
          createdAt: s.SnapshotCreateTime,
          status: s.Status,
          type: s.SnapshotType,
          tags: s.TagList,
        }),
      )
      .filter((s) => isManaged(s.tags));
  }
}

/** Creates the DB (cluster) snapshot with its deterministic identifier; tags at creation. */
export async function createDbSnapshot(rds: RDSClient, item: SnapshotWorkItem): Promise<string> {
  if (item.kind === "rds-instance") {
    await rds.send(
      new CreateDBSnapshotCommand({
        DBInstanceIdentifier: item.dbInstanceId,
        DBSnapshotIdentifier: item.snapshotId,
        Tags: item.tags,
      }),
    );
    return item.snapshotId;
  }
  if (item.kind === "aurora-cluster") {
    await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: item.clusterId,
        DBClusterSnapshotIdentifier: item.snapshotId,
        Tags: item.tags,
      }),
    );
    return item.snapshotId;
  }
  throw new Error(`not an RDS work item: ${item.kind}`);
}

export async function deleteDbSnapshot(rds: RDSClient, kind: "rds" | "aurora", id: string): Promise<void> {
  if (kind === "rds") await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: id }));
  else await rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: id }));
}

/** How much of an account quota is used, and its current maximum. */
export interface QuotaUsage {
  used: number;
  max: number;
}

/** The manual snapshot quotas RDS reports for the account in a Region (absent: not reported). */
export interface ManualSnapshotQuotas {
  /** `ManualSnapshots`: manual DB instance snapshots. */
  instance?: QuotaUsage;
  /** `ManualClusterSnapshots`: manual DB cluster (Aurora) snapshots. */
  cluster?: QuotaUsage;
}

/**
 * RDS reports usage and maximum of its account quotas itself (one unpaginated call), so room left
 * under the manual snapshot quotas is known without counting snapshots.
 * @example const { instance } = await manualSnapshotQuotas(rds) // { used: 97, max: 100 }
 */
export async function manualSnapshotQuotas(rds: RDSClient): Promise<ManualSnapshotQuotas> {
  const out = await rds.send(new DescribeAccountAttributesCommand({}));
  const usage = (name: string): QuotaUsage | undefined => {
    const q = out?.AccountQuotas?.find((a) => a.AccountQuotaName === name);
    return q?.Used !== undefined && q.Max !== undefined ? { used: q.Used, max: q.Max } : undefined;
  };
  const instance = usage("ManualSnapshots");
  const cluster = usage("ManualClusterSnapshots");
  return { ...(instance ? { instance } : {}), ...(cluster ? { cluster } : {}) };
}

/** RDS filters take a bounded list of values; ours stay well inside it. */
const ID_FILTER_VALUES = 50;

/**
 * Which of these manual DB (`rds`) or cluster (`aurora`) snapshot ids exist: a re-run of a window
 * finds the snapshots its first run already took (our ids are deterministic).
 * @example await existingDbSnapshotIds(rds, "rds", ["oo-daily-orders-20240514t0000"]) // Set { … }
 */
export async function existingDbSnapshotIds(
  rds: RDSClient,
  kind: "rds" | "aurora",
  ids: string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  const wanted = new Set(ids);
  for (let i = 0; i < ids.length; i += ID_FILTER_VALUES) {
    const Values = ids.slice(i, i + ID_FILTER_VALUES);
    if (kind === "rds") {
      const input = { Filters: [{ Name: "db-snapshot-id", Values }] };
      for await (const page of paginateDescribeDBSnapshots({ client: rds, pageSize: PAGE_SIZE }, input))
        for (const s of page.DBSnapshots ?? [])
          if (s.DBSnapshotIdentifier && wanted.has(s.DBSnapshotIdentifier)) found.add(s.DBSnapshotIdentifier);
    } else {
      const input = { Filters: [{ Name: "db-cluster-snapshot-id", Values }] };
      for await (const page of paginateDescribeDBClusterSnapshots(
        { client: rds, pageSize: PAGE_SIZE },
        input,
      ))
        for (const s of page.DBClusterSnapshots ?? [])
          if (s.DBClusterSnapshotIdentifier && wanted.has(s.DBClusterSnapshotIdentifier))
            found.add(s.DBClusterSnapshotIdentifier);
    }
  }
  return found;
}
