import type { CloudWatchService } from "./cloudwatch/index.ts";
import type { Series } from "./cloudwatch/metrics.ts";
import type { Ec2State } from "./ec2/model.ts";
import type { OutpostsService } from "./outposts.ts";
import type { OutpostStorageView } from "./types.ts";

/**
 * S3 on Outposts as far as local EBS snapshots need it. An Outpost seeded with `snapshotStorageGiB`
 * has that much S3 on Outposts capacity; `setOtherStorageUse` says how much of it other data (objects,
 * RDS local backups) takes. Local snapshots (CreateSnapshot(s) with OutpostArn or Location=local,
 * CopySnapshot with DestinationOutpostArn) take their VolumeSize each while they exist and are
 * completed — a simplification: real local snapshots are incremental, and a pending one reserves
 * nothing here. A local snapshot that does not fit when it would complete ends in `error`.
 *
 * The sandbox publishes what the S3 on Outposts user guide lists in the S3Outposts namespace,
 * OutpostTotalBytes and OutpostFreeBytes (dimension OutpostId), one datapoint per 5 sandbox minutes at
 * multiples of 5 minutes since the epoch, free = total − other use − local snapshots, never below 0.
 * A long clock jump publishes at most the last day's ticks (the newest tick ≤ the jump's end always
 * among them): a week's jump does not write 2,016 points per Outpost. Each tick is computed for its own
 * moment (other use as set then, snapshots completed by then; deleted ones are gone from every tick).
 */

const TICK_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
const GIB = 1024 ** 3;
export const S3_OUTPOSTS = "S3Outposts";

interface Tracked {
  region: string;
  id: string;
  arn: string;
  totalGiB: number;
  /** Other use over time, ascending by atMs; the first entry is 0 from the beginning. */
  other: { atMs: number; gib: number }[];
  lastTickMs: number;
}

export class OutpostStorage {
  private readonly tracked = new Map<string, Tracked>();
  private readonly history = new Map<string, { atMs: number; gib: number }[]>();

  constructor(
    private readonly nowMs: () => number,
    private readonly outposts: OutpostsService,
    private readonly ec2: Ec2State,
    private readonly cloudwatch: CloudWatchService,
  ) {
    cloudwatch.addPublisher((now) => this.publish(now));
  }

  /** After a seed: start tracking Outposts that have storage, publishing the current tick at once. */
  seeded(): void {
    const touched: Series[] = [];
    for (const o of this.outposts.all()) {
      const key = `${o.region}|${o.id}`;
      if (o.snapshotStorageGiB === undefined) {
        this.tracked.delete(key);
        continue;
      }
      const known = this.tracked.get(key);
      if (known) {
        known.totalGiB = o.snapshotStorageGiB;
        continue;
      }
      const t: Tracked = {
        region: o.region,
        id: o.id,
        arn: o.arn,
        totalGiB: o.snapshotStorageGiB,
        other: this.otherHistory(key),
        // Seeding publishes the current tick only, not a day of history.
        lastTickMs: Math.floor(this.nowMs() / TICK_MS) * TICK_MS - TICK_MS,
      };
      this.tracked.set(key, t);
      touched.push(...this.publishOne(t, this.nowMs()));
    }
    if (touched.length > 0) this.cloudwatch.evaluateOn(new Set(touched));
  }

  setOtherStorageUse(region: string, outpostId: string, gib: number): void {
    if (!Number.isFinite(gib) || gib < 0)
      throw new Error(`sandbox: other storage use must be >= 0 GiB, got ${gib}`);
    const o = this.outposts.byId(region, outpostId);
    const other = this.otherHistory(`${o.region}|${o.id}`);
    const atMs = this.nowMs();
    while (other.length > 0 && (other[other.length - 1] as { atMs: number }).atMs >= atMs) other.pop();
    other.push({ atMs, gib });
  }

  view(region: string, outpostId: string): OutpostStorageView {
    const o = this.outposts.byId(region, outpostId);
    const t = this.tracked.get(`${o.region}|${o.id}`);
    const now = this.nowMs();
    const otherUseGiB = otherAt(this.otherHistory(`${o.region}|${o.id}`), now);
    const localSnapshotGiB = this.localGiB(o.region, o.arn, now);
    const totalGiB = t?.totalGiB ?? 0;
    return {
      totalGiB,
      otherUseGiB,
      localSnapshotGiB,
      freeGiB: Math.max(0, totalGiB - otherUseGiB - localSnapshotGiB),
    };
  }

  /** Env.localSnapshotFailure: the StateMessage of a local snapshot that does not fit (see README, Guesses). */
  failure(region: string, outpostArn: string, sizeGiB: number, atMs: number): string | undefined {
    const t = [...this.tracked.values()].find((x) => x.region === region && x.arn === outpostArn);
    if (!t) return undefined;
    const freeGiB = t.totalGiB - otherAt(t.other, atMs) - this.localGiB(region, outpostArn, atMs);
    if (sizeGiB <= freeGiB) return undefined;
    return `Insufficient capacity on Outpost ${t.id}: the local snapshot needs ${sizeGiB} GiB of S3 on Outposts storage and ${Math.max(0, freeGiB)} GiB is free.`;
  }

  private otherHistory(key: string): { atMs: number; gib: number }[] {
    let h = this.history.get(key);
    if (!h) {
      h = [];
      this.history.set(key, h);
    }
    return h;
  }

  /** GiB of the completed, live local snapshots on the Outpost at atMs. */
  private localGiB(region: string, outpostArn: string, atMs: number): number {
    let sum = 0;
    for (const s of this.ec2.region(region).localByOutpost.get(outpostArn) ?? []) {
      if (!s.deleted && s.baseState === "completed" && (s.completeAtMs ?? Number.NEGATIVE_INFINITY) <= atMs) {
        sum += s.volumeSize;
      }
    }
    return sum;
  }

  private publish(now: number): Series[] {
    const touched: Series[] = [];
    for (const t of this.tracked.values()) touched.push(...this.publishOne(t, now));
    return touched;
  }

  private publishOne(t: Tracked, now: number): Series[] {
    const last = Math.floor(now / TICK_MS) * TICK_MS;
    if (last <= t.lastTickMs) return [];
    const first = Math.max(t.lastTickMs + TICK_MS, last - DAY_MS + TICK_MS);
    const dims = { OutpostId: t.id };
    const totalBytes = t.totalGiB * GIB;
    let total: Series | undefined;
    let free: Series | undefined;
    for (let tick = first; tick <= last; tick += TICK_MS) {
      const used = otherAt(t.other, tick) + this.localGiB(t.region, t.arn, tick);
      total = this.cloudwatch.record(t.region, S3_OUTPOSTS, "OutpostTotalBytes", dims, {
        t: tick,
        v: totalBytes,
      });
      free = this.cloudwatch.record(t.region, S3_OUTPOSTS, "OutpostFreeBytes", dims, {
        t: tick,
        v: Math.max(0, totalBytes - used * GIB),
      });
    }
    t.lastTickMs = last;
    return total && free ? [total, free] : [];
  }
}

function otherAt(other: readonly { atMs: number; gib: number }[], atMs: number): number {
  let gib = 0;
  for (const o of other) {
    if (o.atMs > atMs) break;
    gib = o.gib;
  }
  return gib;
}
