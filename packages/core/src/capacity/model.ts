/**
 * The capacity job's vocabulary: what is watched on each Outpost (a condition), how bad it is (a
 * band), what was read (a reading) and what it will do next (a forecast). Types only: the pure
 * planners (alarms.ts, forecast.ts, decide.ts, alert.ts, report.ts) and the AWS adapters
 * (aws/capacity-*.ts) share them.
 *
 * Where each number comes from (README, "Capacity"):
 * | kind                | metric                                                     | dimensions            |
 * |---------------------|------------------------------------------------------------|-----------------------|
 * | instance-type       | AWS/Outposts InstanceTypeCapacityUtilization (%)          | OutpostId, InstanceType |
 * | volume-type         | AWS/Outposts EBSVolumeTypeCapacityUtilization (%)         | OutpostId, VolumeType |
 * | capacity-exceptions | AWS/Outposts CapacityExceptions (launches refused, count) | OutpostId, InstanceType |
 * | connected           | AWS/Outposts ConnectedStatus (1 connected, <1 impaired)   | OutpostId             |
 * | snapshot-storage    | S3Outposts OutpostFreeBytes / OutpostTotalBytes (% used)  | OutpostId             |
 * | local-snapshots     | S3Outposts OutpostFreeBytes below localSnapshots.minFreePercent | OutpostId       |
 * | cpu                 | OutpostOps OutpostCpuUtilization (%; the monitor's average of the AWS/EC2 CPUUtilization of the Outpost's running instances) | outpost |
 */

export type CapacityKind =
  | "instance-type"
  | "volume-type"
  | "capacity-exceptions"
  | "connected"
  | "snapshot-storage"
  | "local-snapshots"
  | "cpu";

/** Bands in order of gravity; a condition's alarms are one per band it has. */
export type Band = "warning" | "critical";
export const BANDS: readonly Band[] = ["warning", "critical"];

/** What is watched: one kind on one Outpost, for one instance or volume type where the kind has types. */
export interface Condition {
  /** The Outpost's name in the config (`outposts[].name`). */
  outpost: string;
  outpostId: string;
  kind: CapacityKind;
  /** The instance type (m5.large) or volume type (gp2) for instance-type, volume-type and capacity-exceptions. */
  subject?: string;
}

/** A point of a series: its time and value. */
export interface Point {
  at: Date;
  value: number;
}

/** What the Outpost has left, in the units people count in. */
export interface Headroom {
  /** instance-type: AvailableInstanceType_Count / UsedInstanceType_Count. */
  available?: number;
  used?: number;
  /** volume-type: EBSVolumeTypeCapacityAvailabilityGB; snapshot-storage: free bytes as GiB. */
  freeGiB?: number;
  totalGiB?: number;
}

/** The forecast of when a utilization reaches 100 %, from daily maxima (forecast.ts says how). */
export type Forecast =
  | {
      kind: "full-in";
      /** Days from the last daily maximum until the fitted line reaches 100 % (rounded up). */
      days: number;
      /** Percentage points per day. */
      slopePerDay: number;
      /** Coefficient of determination of the fit, 0..1. */
      r2: number;
      points: number;
      method: string;
    }
  | {
      kind: "no-trend";
      /** Why no date is given: flat, falling, too noisy, too few points. */
      reason: "flat" | "falling" | "noisy" | "too-few-points" | "already-full" | "level-changed";
      points: number;
      method: string;
    };

/** A condition as read now: its current value, headroom, the last 14 days and the forecast. */
export interface Reading {
  condition: Condition;
  /** The latest value (utilization %, ConnectedStatus 0..1, exceptions count); undefined: no data. */
  current?: number;
  /** When `current` was measured. */
  at?: Date;
  headroom?: Headroom;
  /** Daily maxima, oldest first (the forecast's input). */
  daily: Point[];
  /** The value a week before `at` (the daily maximum of that day), for "change since last week". */
  weekAgo?: number;
  forecast?: Forecast;
  /** The instances or volumes on the Outpost that use the most of it, largest first (at most 5). */
  consumers: Consumer[];
  /**
   * What could not be read, in words ("top consumers: AccessDenied …"): an alert is still sent with
   * what was read, since the alarm's edge will not come again.
   */
  unread?: string[];
}

export interface Consumer {
  /** i-…, vol-…, or the volume id whose local snapshots use the storage. */
  id: string;
  /** Its Name tag, when it has one. */
  name?: string;
  /** What it uses: "m5.large", "500 GiB gp2", "CPU 93 %", "3 local snapshots, 1,500 GiB". */
  uses: string;
}

/** What the monitor found on one Outpost (aws/outposts.ts, aws/capacity-metrics.ts). */
export interface Discovery {
  outpost: string;
  outpostId: string;
  /** GetOutpostInstanceTypes, sorted. */
  instanceTypes: string[];
  /** ListMetrics of EBSVolumeTypeCapacityUtilization for the Outpost, sorted. */
  volumeTypes: string[];
  /** S3Outposts OutpostTotalBytes (latest); undefined: no S3 on Outposts capacity reported. */
  storageTotalBytes?: number;
}

/** The on-demand view (`outpost-ops capacity`) and the weekly report: the same numbers. */
export interface CapacityView {
  at: Date;
  region: string;
  outposts: OutpostView[];
}

export interface OutpostView {
  outpost: string;
  outpostId: string;
  /** Instance types, volume types, snapshot storage, cpu, connected: each with its reading. */
  readings: Reading[];
  /** What could not be read, in words (a missing metric, no instances). */
  notes: string[];
  /** False when the Outpost could not be discovered at all (its notes say why): nothing was read. */
  discovered: boolean;
}
