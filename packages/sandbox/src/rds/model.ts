import type { Env } from "../http.ts";
import type { DbSnapshotView, Estate, SnapshotCategory } from "../types.ts";

export interface DbInstance {
  id: string;
  engine: string;
  status: string;
  clusterId?: string;
  tags: Map<string, string>;
  createdAt: Date;
  /** GiB; its snapshots inherit it. */
  allocatedStorage: number;
}

export interface DbCluster {
  id: string;
  engine: string;
  status: string;
  members: string[];
  tags: Map<string, string>;
  createdAt: Date;
  /** GiB; its cluster snapshots inherit it. */
  allocatedStorage: number;
}

/** DB snapshots and DB cluster snapshots share one model; `kind` says which API they belong to. */
export interface DbSnapshot {
  kind: "instance" | "cluster";
  id: string;
  /** DBInstanceIdentifier or DBClusterIdentifier. */
  sourceId: string;
  engine: string;
  createdAt: Date;
  /** Sandbox-clock ms at which creating/copying becomes available; lazily applied on read. */
  availableAtMs?: number;
  baseStatus: string;
  type: SnapshotCategory;
  tags: Map<string, string>;
  kmsKeyId?: string;
  sourceSnapshotArn?: string;
  sourceRegion?: string;
  allocatedStorage: number;
}

export function snapshotStatus(s: DbSnapshot, nowMs: number): string {
  if (
    s.availableAtMs !== undefined &&
    nowMs >= s.availableAtMs &&
    (s.baseStatus === "creating" || s.baseStatus === "copying" || s.baseStatus === "pending")
  ) {
    s.baseStatus = "available";
  }
  return s.baseStatus;
}

export function percentProgress(s: DbSnapshot, nowMs: number): number {
  if (snapshotStatus(s, nowMs) === "available") return 100;
  if (s.availableAtMs === undefined) return 0;
  const total = s.availableAtMs - s.createdAt.getTime();
  return total <= 0
    ? 0
    : Math.max(0, Math.min(99, Math.floor(((nowMs - s.createdAt.getTime()) / total) * 100)));
}

export class RdsRegion {
  readonly instances = new Map<string, DbInstance>();
  readonly clusters = new Map<string, DbCluster>();
  readonly snapshots = new Map<string, DbSnapshot>();
  readonly clusterSnapshots = new Map<string, DbSnapshot>();
  readonly deletedIds: string[] = [];
  /** When each of `deletedIds` was deleted (sandbox clock ms), same order. */
  readonly deletedAtMs: number[] = [];
  /** The manual snapshot quotas (AWS's default: 100 of each per Region); `Estate.quotas` sets them. */
  manualDbSnapshots = 100;
  manualDbClusterSnapshots = 100;

  constructor(readonly name: string) {}

  /**
   * Manual snapshots of one kind, as the quota counts them: copies included (they are manual),
   * automated and AWS Backup ones not, deleted ones gone.
   */
  manualCount(kind: "instance" | "cluster"): number {
    let n = 0;
    for (const s of (kind === "instance" ? this.snapshots : this.clusterSnapshots).values())
      if (s.type === "manual") n++;
    return n;
  }

  manualQuota(kind: "instance" | "cluster"): number {
    return kind === "instance" ? this.manualDbSnapshots : this.manualDbClusterSnapshots;
  }
}

export function arnOf(
  env: Env,
  region: string,
  kind: "db" | "cluster" | "snapshot" | "cluster-snapshot",
  id: string,
): string {
  return `arn:aws:rds:${region}:${env.accountId}:${kind}:${id}`;
}

export class RdsState {
  private readonly regions = new Map<string, RdsRegion>();

  constructor(readonly env: Env) {}

  region(name: string): RdsRegion {
    let r = this.regions.get(name);
    if (!r) {
      r = new RdsRegion(name);
      this.regions.set(name, r);
    }
    return r;
  }

  view(regionName: string, kind: "instance" | "cluster"): DbSnapshotView[] {
    const region = this.region(regionName);
    const nowMs = this.env.clock.nowMs();
    const map = kind === "instance" ? region.snapshots : region.clusterSnapshots;
    return [...map.values()].map((s) => ({
      id: s.id,
      arn: arnOf(this.env, regionName, kind === "instance" ? "snapshot" : "cluster-snapshot", s.id),
      sourceId: s.sourceId,
      status: snapshotStatus(s, nowMs),
      snapshotType: s.type,
      createdAt: s.createdAt,
      tags: Object.fromEntries(s.tags),
      kmsKeyId: s.kmsKeyId,
      sourceSnapshotArn: s.sourceSnapshotArn,
    }));
  }

  seed(estate: Estate): void {
    const now = this.env.clock.now();
    const nowMs = now.getTime();
    for (const i of estate.dbInstances ?? []) {
      this.region(i.region).instances.set(i.id, {
        id: i.id,
        engine: i.engine,
        status: i.status ?? "available",
        clusterId: i.clusterId,
        tags: new Map(Object.entries(i.tags ?? {})),
        createdAt: now,
        allocatedStorage: i.allocatedStorage ?? 20,
      });
    }
    for (const c of estate.dbClusters ?? []) {
      this.region(c.region).clusters.set(c.id, {
        id: c.id,
        engine: c.engine,
        status: c.status ?? "available",
        members: c.members ?? [],
        tags: new Map(Object.entries(c.tags ?? {})),
        createdAt: now,
        allocatedStorage: c.allocatedStorage ?? 20,
      });
    }
    const seedSnapshot = (
      kind: "instance" | "cluster",
      s: {
        region: string;
        id: string;
        createdAt: string;
        status?: string;
        type?: SnapshotCategory;
        tags?: Record<string, string>;
        allocatedStorage?: number;
      },
      sourceId: string,
    ): DbSnapshot => {
      const region = this.region(s.region);
      const owner = kind === "instance" ? region.instances.get(sourceId) : region.clusters.get(sourceId);
      const status = s.status ?? "available";
      const createdAt = new Date(s.createdAt);
      const engine =
        (kind === "instance"
          ? region.instances.get(sourceId)?.engine
          : region.clusters.get(sourceId)?.engine) ??
        (kind === "instance" ? "postgres" : "aurora-postgresql");
      return {
        kind,
        id: s.id,
        sourceId,
        engine,
        createdAt,
        availableAtMs:
          status === "creating"
            ? Math.max(createdAt.getTime(), nowMs) + this.env.snapshotCompletionMs
            : undefined,
        baseStatus: status,
        type: s.type ?? "manual",
        tags: new Map(Object.entries(s.tags ?? {})),
        allocatedStorage: s.allocatedStorage ?? owner?.allocatedStorage ?? 20,
      };
    };
    for (const s of estate.dbSnapshots ?? []) {
      this.region(s.region).snapshots.set(s.id, seedSnapshot("instance", s, s.dbInstanceId));
    }
    for (const s of estate.dbClusterSnapshots ?? []) {
      this.region(s.region).clusterSnapshots.set(s.id, seedSnapshot("cluster", s, s.clusterId));
    }
    for (const q of [estate.quotas ?? []].flat()) {
      const r = this.region(q.region);
      if (q.manualDbSnapshots !== undefined) r.manualDbSnapshots = q.manualDbSnapshots;
      if (q.manualDbClusterSnapshots !== undefined) r.manualDbClusterSnapshots = q.manualDbClusterSnapshots;
    }
  }
}
