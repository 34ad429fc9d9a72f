import { AwsError } from "../errors.ts";
import type { RequestContext } from "../http.ts";
import { num, str, strings, structs } from "../query.ts";
import { leaf, list } from "../xml.ts";
import { type DbSnapshot, type RdsRegion, type RdsState, snapshotStatus } from "./model.ts";
import { dbClusterXml, dbInstanceXml, dbSnapshotXml, rdsResponse } from "./render.ts";

type Filters = Map<string, string[]>;

/** `Filters.Filter.N.Name` / `Filters.Filter.N.Values.Value.M`; names outside `allowed` are rejected as AWS does. */
function parseFilters(ctx: RequestContext, allowed: string[]): Filters {
  const filters: Filters = new Map();
  for (const f of structs(ctx.form, "Filters", "Filter")) {
    const name = str(f, "Name") ?? "";
    if (!allowed.includes(name))
      throw new AwsError("InvalidParameterValue", `Unrecognized filter name: ${name}`);
    filters.set(name, strings(f, "Values", "Value"));
  }
  return filters;
}

/** Filter values may be identifiers or ARNs; compare on the identifier. */
const idOf = (v: string) => (v.startsWith("arn:") ? (v.split(":").pop() ?? v) : v);

function passes(filters: Filters, name: string, actual: string | undefined): boolean {
  const wanted = filters.get(name);
  return wanted === undefined || (actual !== undefined && wanted.map(idOf).includes(actual));
}

/** MaxRecords 20..100 (default 100) and an opaque Marker. */
function page<T>(ctx: RequestContext, all: T[]): { items: T[]; marker?: string } {
  const raw = num(ctx.form, "MaxRecords");
  const max = raw ?? 100;
  if (!Number.isInteger(max) || max < 20 || max > 100) {
    throw new AwsError(
      "InvalidParameterValue",
      `Invalid value ${raw} for MaxRecords. Must be between 20 and 100`,
    );
  }
  const markerText = str(ctx.form, "Marker");
  let start = 0;
  if (markerText) {
    const m = /^offset:(\d+)$/.exec(Buffer.from(markerText, "base64url").toString("utf8"));
    if (!m) throw new AwsError("InvalidParameterValue", `Invalid marker: ${markerText}`);
    start = Number(m[1]);
  }
  const items = all.slice(start, start + max);
  const marker =
    start + max < all.length ? Buffer.from(`offset:${start + max}`).toString("base64url") : undefined;
  return { items, marker };
}

export function describeDBInstances(state: RdsState, region: RdsRegion, ctx: RequestContext): string {
  const filters = parseFilters(ctx, ["db-instance-id", "db-cluster-id", "engine", "dbi-resource-id"]);
  const id = str(ctx.form, "DBInstanceIdentifier");
  if (id && !region.instances.has(idOf(id)))
    throw new AwsError("DBInstanceNotFound", `DBInstance ${id} not found.`, 404);
  const all = [...region.instances.values()].filter(
    (i) =>
      (!id || i.id === idOf(id)) &&
      passes(filters, "db-instance-id", i.id) &&
      passes(filters, "db-cluster-id", i.clusterId) &&
      passes(filters, "engine", i.engine),
  );
  const { items, marker } = page(ctx, all);
  return rdsResponse(
    "DescribeDBInstances",
    ctx.requestId,
    list("DBInstances", "DBInstance", items, (i) => dbInstanceXml(state.env, region.name, i)) +
      leaf("Marker", marker),
  );
}

export function describeDBClusters(state: RdsState, region: RdsRegion, ctx: RequestContext): string {
  const filters = parseFilters(ctx, ["db-cluster-id", "engine", "db-cluster-resource-id"]);
  const id = str(ctx.form, "DBClusterIdentifier");
  if (id && !region.clusters.has(idOf(id)))
    throw new AwsError("DBClusterNotFoundFault", `DBCluster ${id} not found.`, 404);
  const all = [...region.clusters.values()].filter(
    (c) =>
      (!id || c.id === idOf(id)) &&
      passes(filters, "db-cluster-id", c.id) &&
      passes(filters, "engine", c.engine),
  );
  const { items, marker } = page(ctx, all);
  return rdsResponse(
    "DescribeDBClusters",
    ctx.requestId,
    list("DBClusters", "DBCluster", items, (c) => dbClusterXml(state.env, region.name, c)) +
      leaf("Marker", marker),
  );
}

/** Without SnapshotType AWS returns the account's own snapshots (manual, automated, AWS Backup), not shared/public ones. */
function typeMatches(ctx: RequestContext, filters: Filters, s: DbSnapshot): boolean {
  const type = str(ctx.form, "SnapshotType");
  if (type && type !== s.type) return false;
  return passes(filters, "snapshot-type", s.type);
}

export function describeDBSnapshots(
  state: RdsState,
  region: RdsRegion,
  ctx: RequestContext,
  kind: "instance" | "cluster",
): string {
  const nowMs = ctx.clock.nowMs();
  const cluster = kind === "cluster";
  const filters = parseFilters(
    ctx,
    cluster
      ? ["db-cluster-id", "db-cluster-snapshot-id", "snapshot-type", "engine", "status"]
      : ["db-instance-id", "db-snapshot-id", "dbi-resource-id", "snapshot-type", "engine", "status"],
  );
  const map = cluster ? region.clusterSnapshots : region.snapshots;
  const snapshotId = str(ctx.form, cluster ? "DBClusterSnapshotIdentifier" : "DBSnapshotIdentifier");
  const sourceId = str(ctx.form, cluster ? "DBClusterIdentifier" : "DBInstanceIdentifier");
  if (snapshotId && !map.has(idOf(snapshotId))) {
    throw cluster
      ? new AwsError("DBClusterSnapshotNotFoundFault", `DBClusterSnapshot ${snapshotId} not found.`, 404)
      : new AwsError("DBSnapshotNotFound", `DBSnapshot ${snapshotId} not found.`, 404);
  }
  const all = [...map.values()].filter(
    (s) =>
      (!snapshotId || s.id === idOf(snapshotId)) &&
      (!sourceId || s.sourceId === idOf(sourceId)) &&
      typeMatches(ctx, filters, s) &&
      passes(filters, cluster ? "db-cluster-id" : "db-instance-id", s.sourceId) &&
      passes(filters, cluster ? "db-cluster-snapshot-id" : "db-snapshot-id", s.id) &&
      passes(filters, "engine", s.engine) &&
      passes(filters, "status", snapshotStatus(s, nowMs)),
  );
  const { items, marker } = page(ctx, all);
  const action = cluster ? "DescribeDBClusterSnapshots" : "DescribeDBSnapshots";
  return rdsResponse(
    action,
    ctx.requestId,
    list(
      cluster ? "DBClusterSnapshots" : "DBSnapshots",
      cluster ? "DBClusterSnapshot" : "DBSnapshot",
      items,
      (s) => dbSnapshotXml(state.env, region.name, s, nowMs),
    ) + leaf("Marker", marker),
  );
}
