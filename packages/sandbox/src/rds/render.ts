import type { Env } from "../http.ts";
import { awsQueryResponse, leaf, list, node, tagItems } from "../xml.ts";
import {
  arnOf,
  type DbCluster,
  type DbInstance,
  type DbSnapshot,
  percentProgress,
  snapshotStatus,
} from "./model.ts";

export const RDS_XMLNS = "http://rds.amazonaws.com/doc/2014-10-31/";

export function rdsResponse(action: string, requestId: string, result: string | undefined): string {
  return awsQueryResponse(action, RDS_XMLNS, requestId, result);
}

export const tagList = (tags: ReadonlyMap<string, string>) => node("TagList", tagItems(tags, "Tag"));

export function dbInstanceXml(env: Env, region: string, i: DbInstance): string {
  return (
    leaf("DBInstanceIdentifier", i.id) +
    leaf("DBInstanceClass", "db.m5.large") +
    leaf("Engine", i.engine) +
    leaf("DBInstanceStatus", i.status) +
    leaf("AllocatedStorage", 20) +
    leaf("InstanceCreateTime", i.createdAt) +
    leaf("AvailabilityZone", `${region}a`) +
    leaf("DBClusterIdentifier", i.clusterId) +
    leaf("DBInstanceArn", arnOf(env, region, "db", i.id)) +
    leaf("DbiResourceId", `db-${i.id.toUpperCase().replace(/[^A-Z0-9]/g, "")}`) +
    leaf("StorageEncrypted", false) +
    tagList(i.tags)
  );
}

export function dbClusterXml(env: Env, region: string, c: DbCluster): string {
  return (
    leaf("DBClusterIdentifier", c.id) +
    leaf("Engine", c.engine) +
    leaf("Status", c.status) +
    leaf("ClusterCreateTime", c.createdAt) +
    list(
      "DBClusterMembers",
      "DBClusterMember",
      c.members,
      (m) => leaf("DBInstanceIdentifier", m) + leaf("IsClusterWriter", m === c.members[0]),
    ) +
    leaf("DBClusterArn", arnOf(env, region, "cluster", c.id)) +
    leaf("StorageEncrypted", false) +
    tagList(c.tags)
  );
}

export function dbSnapshotXml(env: Env, region: string, s: DbSnapshot, nowMs: number): string {
  const status = snapshotStatus(s, nowMs);
  if (s.kind === "instance") {
    return (
      leaf("DBSnapshotIdentifier", s.id) +
      leaf("DBInstanceIdentifier", s.sourceId) +
      leaf("SnapshotCreateTime", s.createdAt) +
      leaf("Engine", s.engine) +
      leaf("AllocatedStorage", s.allocatedStorage) +
      leaf("Status", status) +
      leaf("Port", 5432) +
      leaf("AvailabilityZone", `${region}a`) +
      leaf("SnapshotType", s.type) +
      leaf("PercentProgress", percentProgress(s, nowMs)) +
      leaf("SourceRegion", s.sourceRegion) +
      leaf("SourceDBSnapshotIdentifier", s.sourceSnapshotArn) +
      leaf("Encrypted", s.kmsKeyId !== undefined) +
      leaf("KmsKeyId", s.kmsKeyId) +
      leaf("DBSnapshotArn", arnOf(env, region, "snapshot", s.id)) +
      leaf("OriginalSnapshotCreateTime", s.createdAt) +
      tagList(s.tags)
    );
  }
  return (
    node("AvailabilityZones", leaf("AvailabilityZone", `${region}a`)) +
    leaf("DBClusterSnapshotIdentifier", s.id) +
    leaf("DBClusterIdentifier", s.sourceId) +
    leaf("SnapshotCreateTime", s.createdAt) +
    leaf("Engine", s.engine) +
    leaf("AllocatedStorage", s.allocatedStorage) +
    leaf("Status", status) +
    leaf("Port", 5432) +
    leaf("SnapshotType", s.type) +
    leaf("PercentProgress", percentProgress(s, nowMs)) +
    leaf("StorageEncrypted", s.kmsKeyId !== undefined) +
    leaf("KmsKeyId", s.kmsKeyId) +
    leaf("DBClusterSnapshotArn", arnOf(env, region, "cluster-snapshot", s.id)) +
    leaf("SourceDBClusterSnapshotArn", s.sourceSnapshotArn) +
    tagList(s.tags)
  );
}
