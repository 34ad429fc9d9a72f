import type { Env } from "../http.ts";
import { ec2Id } from "../ids.ts";
import type { EbsSnapshotView, Estate, VolumeType } from "../types.ts";

export interface Volume {
  id: string;
  sizeGiB: number;
  type: VolumeType;
  availabilityZone: string;
  outpostArn?: string;
  tags: Map<string, string>;
  attachments: { instanceId: string; device: string }[];
  createTime: Date;
  /** Sandbox-clock ms of the last CreateSnapshot(s) on this volume (SnapshotCreationPerVolumeRateExceeded). */
  lastSnapshotMs?: number;
}

export interface Instance {
  id: string;
  availabilityZone: string;
  outpostArn?: string;
  rootDeviceName: string;
  tags: Map<string, string>;
  volumeIds: string[];
  state: "running" | "stopped";
  instanceType: string;
  launchTime: Date;
}

export interface Snapshot {
  id: string;
  volumeId: string;
  volumeSize: number;
  startTime: Date;
  /** Sandbox-clock ms at which a pending snapshot becomes completed (evaluated lazily on read). */
  completeAtMs?: number;
  baseState: "pending" | "completed" | "error";
  /** Set when the pending snapshot is bound to end in `error` at completeAtMs: the cause AWS reports. */
  failure?: string;
  /**
   * Local snapshots: asked once, when the pending snapshot comes due, whether it can be stored (S3 on
   * Outposts capacity); a message makes it end in `error` with that StateMessage.
   */
  settleCheck?: (atMs: number) => string | undefined;
  tags: Map<string, string>;
  outpostArn?: string;
  description: string;
  awsBackup: boolean;
  encrypted: boolean;
  kmsKeyId?: string;
  /** Set on copies: the copy counts against the destination region's 20 in-flight copies while pending. */
  sourceRegion?: string;
  sourceSnapshotId?: string;
  /** Copies only: "standard", or "time-based" when CopySnapshot had CompletionDurationMinutes. */
  transferType?: "standard" | "time-based";
  completionDurationMinutes?: number;
  /**
   * Eventual consistency: a snapshot created through the API stays out of Describe results (and
   * answers InvalidSnapshot.NotFound when named by id) until the sandbox clock reaches visibleAtMs OR
   * the wall clock reaches visibleAtWallMs, whichever comes first. Unset = visible.
   */
  visibleAtMs?: number;
  visibleAtWallMs?: number;
  /** Position in creation order; NextToken resumes from it. */
  seq: number;
  deleted: boolean;
}

export interface Image {
  id: string;
  name: string;
  snapshotIds: string[];
  tags: Map<string, string>;
  creationDate: Date;
}

/** Everything EC2 holds for one account in one region. */
export class Ec2Region {
  readonly volumes = new Map<string, Volume>();
  readonly instances = new Map<string, Instance>();
  readonly snapshots = new Map<string, Snapshot>();
  /** Snapshots in creation order (append-only, deleted ones compacted away now and then). */
  snapshotOrder: Snapshot[] = [];
  private deletedInOrder = 0;
  readonly images = new Map<string, Image>();
  /** Pending snapshots per volume, for ConcurrentSnapshotLimitExceeded. */
  readonly snapshotsByVolume = new Map<string, Set<Snapshot>>();
  /** Live local snapshots per Outpost ARN, for the S3 on Outposts storage they take. */
  readonly localByOutpost = new Map<string, Set<Snapshot>>();
  readonly deletedIds: string[] = [];
  /** When each of `deletedIds` was deleted (sandbox clock ms), same order. */
  readonly deletedAtMs: number[] = [];
  snapshotsPerRegion = 100_000;
  private nextSeq = 0;

  addSnapshot(s: Omit<Snapshot, "seq" | "deleted">): Snapshot {
    const snap: Snapshot = { ...s, seq: this.nextSeq++, deleted: false };
    this.snapshots.set(snap.id, snap);
    this.snapshotOrder.push(snap);
    let set = this.snapshotsByVolume.get(snap.volumeId);
    if (!set) {
      set = new Set();
      this.snapshotsByVolume.set(snap.volumeId, set);
    }
    set.add(snap);
    if (snap.outpostArn !== undefined) {
      let local = this.localByOutpost.get(snap.outpostArn);
      if (!local) {
        local = new Set();
        this.localByOutpost.set(snap.outpostArn, local);
      }
      local.add(snap);
    }
    return snap;
  }

  deleteSnapshot(snap: Snapshot, atMs: number): void {
    snap.deleted = true;
    this.snapshots.delete(snap.id);
    this.snapshotsByVolume.get(snap.volumeId)?.delete(snap);
    if (snap.outpostArn !== undefined) this.localByOutpost.get(snap.outpostArn)?.delete(snap);
    this.deletedIds.push(snap.id);
    this.deletedAtMs.push(atMs);
    this.deletedInOrder++;
    // Compact when a quarter is tombstones: keeps paging O(page) without O(n) work per delete.
    if (this.deletedInOrder > 1024 && this.deletedInOrder * 4 > this.snapshotOrder.length) {
      this.snapshotOrder = this.snapshotOrder.filter((x) => !x.deleted);
      this.deletedInOrder = 0;
    }
  }

  /** Index of the first snapshot whose seq >= the given one (binary search over creation order). */
  indexFromSeq(seq: number): number {
    let lo = 0;
    let hi = this.snapshotOrder.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.snapshotOrder[mid] as Snapshot).seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export function snapshotState(s: Snapshot, nowMs: number): "pending" | "completed" | "error" {
  if (s.baseState === "pending" && s.completeAtMs !== undefined && nowMs >= s.completeAtMs) {
    const check = s.settleCheck;
    s.settleCheck = undefined;
    if (check && s.failure === undefined) s.failure = check(s.completeAtMs);
    s.baseState = s.failure === undefined ? "completed" : "error";
  }
  return s.baseState;
}

/** Whether EC2's read side has caught up with this snapshot yet (see Snapshot.visibleAtMs). */
export function snapshotVisible(s: Snapshot, nowMs: number): boolean {
  if (s.visibleAtMs === undefined) return true;
  if (nowMs >= s.visibleAtMs || performance.now() >= (s.visibleAtWallMs ?? 0)) {
    s.visibleAtMs = undefined;
    s.visibleAtWallMs = undefined;
    return true;
  }
  return false;
}

/** A snapshot named by id, as a call that names it sees it: a not-yet-visible one does not exist yet. */
export function visibleSnapshot(region: Ec2Region, id: string, nowMs: number): Snapshot | undefined {
  const s = region.snapshots.get(id);
  return s && snapshotVisible(s, nowMs) ? s : undefined;
}

/** The visibility stamp for a snapshot created now, under the configured describe delay. */
export function visibilityStamp(env: Env, nowMs: number): Pick<Snapshot, "visibleAtMs" | "visibleAtWallMs"> {
  const delay = env.describeVisibilityDelayMs;
  if (delay <= 0) return {};
  return { visibleAtMs: nowMs + delay, visibleAtWallMs: performance.now() + delay };
}

export function snapshotProgress(s: Snapshot, nowMs: number): string {
  const state = snapshotState(s, nowMs);
  if (state === "completed") return "100%";
  if (state === "error" || s.completeAtMs === undefined) return "0%";
  const total = s.completeAtMs - s.startTime.getTime();
  const done = total <= 0 ? 0 : Math.floor(((nowMs - s.startTime.getTime()) / total) * 100);
  return `${Math.max(0, Math.min(99, done))}%`;
}

export const toTagMap = (tags?: Record<string, string>) => new Map(Object.entries(tags ?? {}));

/** The tag AWS Backup puts on the recovery points it manages. */
export const AWS_BACKUP_TAG = "aws:backup:source-resource";

export class Ec2State {
  private readonly regions = new Map<string, Ec2Region>();

  constructor(readonly env: Env) {}

  region(name: string): Ec2Region {
    let r = this.regions.get(name);
    if (!r) {
      r = new Ec2Region();
      this.regions.set(name, r);
    }
    return r;
  }

  view(regionName: string): EbsSnapshotView[] {
    const nowMs = this.env.clock.nowMs();
    return [...this.region(regionName).snapshots.values()].map((s) => ({
      snapshotId: s.id,
      volumeId: s.volumeId,
      state: snapshotState(s, nowMs),
      startTime: s.startTime,
      progress: snapshotProgress(s, nowMs),
      outpostArn: s.outpostArn,
      description: s.description,
      tags: Object.fromEntries(s.tags),
      encrypted: s.encrypted,
      kmsKeyId: s.kmsKeyId,
      sourceSnapshotId: s.sourceSnapshotId,
      sourceRegion: s.sourceRegion,
    }));
  }

  seed(estate: Estate): void {
    const nowMs = this.env.clock.nowMs();
    for (const v of estate.volumes ?? []) {
      const id = v.id ?? ec2Id("vol");
      this.region(v.region).volumes.set(id, {
        id,
        sizeGiB: v.sizeGiB,
        type: v.type,
        availabilityZone: v.availabilityZone,
        outpostArn: v.outpostArn,
        tags: toTagMap(v.tags),
        attachments: v.attachments ?? [],
        createTime: this.env.clock.now(),
      });
    }
    for (const i of estate.instances ?? []) {
      const id = i.id ?? ec2Id("i");
      const region = this.region(i.region);
      region.instances.set(id, {
        id,
        availabilityZone: i.availabilityZone,
        outpostArn: i.outpostArn,
        rootDeviceName: i.rootDeviceName ?? "/dev/xvda",
        tags: toTagMap(i.tags),
        volumeIds: i.volumeIds,
        state: i.state ?? "running",
        instanceType: i.instanceType ?? "m5.large",
        launchTime: i.launchTime ? new Date(i.launchTime) : this.env.clock.now(),
      });
      // Volumes seeded without attachments learn them from the instance (root first, then sdf, sdg...).
      i.volumeIds.forEach((volumeId, n) => {
        const vol = region.volumes.get(volumeId);
        if (vol && !vol.attachments.some((a) => a.instanceId === id)) {
          const device =
            n === 0 ? (i.rootDeviceName ?? "/dev/xvda") : `/dev/sd${String.fromCharCode(101 + n)}`;
          vol.attachments.push({ instanceId: id, device });
        }
      });
    }
    for (const s of estate.snapshots ?? []) {
      const region = this.region(s.region);
      const start = new Date(s.startTime);
      const state = s.state ?? "completed";
      const tags = toTagMap(s.tags);
      if (s.awsBackup && !tags.has(AWS_BACKUP_TAG))
        tags.set(AWS_BACKUP_TAG, `arn:aws:ec2:${s.region}:${this.env.accountId}:volume/${s.volumeId}`);
      region.addSnapshot({
        id: s.id ?? ec2Id("snap"),
        volumeId: s.volumeId,
        volumeSize: s.sizeGiB ?? region.volumes.get(s.volumeId)?.sizeGiB ?? 8,
        startTime: start,
        // A seeded pending snapshot completes snapshotCompletionMs after it was seeded (or after its
        // startTime, if that is later), so it is still pending when the test begins.
        completeAtMs:
          state === "pending" ? Math.max(start.getTime(), nowMs) + this.env.snapshotCompletionMs : undefined,
        baseState: state,
        tags,
        outpostArn: s.outpostArn,
        description: s.description ?? "",
        awsBackup: s.awsBackup ?? false,
        encrypted: false,
      });
    }
    for (const img of estate.images ?? []) {
      const id = img.id ?? ec2Id("ami");
      this.region(img.region).images.set(id, {
        id,
        name: img.name,
        snapshotIds: img.snapshotIds,
        tags: new Map(),
        creationDate: this.env.clock.now(),
      });
    }
    for (const q of [estate.quotas ?? []].flat()) {
      if (q.snapshotsPerRegion !== undefined) this.region(q.region).snapshotsPerRegion = q.snapshotsPerRegion;
    }
  }
}
