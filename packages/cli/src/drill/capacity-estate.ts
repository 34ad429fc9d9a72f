/**
 * What the example Outposts report to CloudWatch over the drill, as AWS publishes it (the capacity
 * phase seeds it up front through the sandbox's metrics seam: AWS/* cannot be written with
 * PutMetricData, and alarms evaluate windows ending at the sandbox's now, so datapoints in the
 * future wait there unseen):
 *
 * - AWS/Outposts, every 5 minutes from the history's start to the end: for every instance type the
 *   Outpost offers, InstanceTypeCapacityUtilization (%), AvailableInstanceType_Count and
 *   UsedInstanceType_Count; for every volume type of the estate's volumes on it,
 *   EBSVolumeTypeCapacityUtilization (%), EBSVolumeTypeCapacityAvailabilityGB and
 *   EBSVolumeTypeCapacityUtilizationGB. Flat, far below the bands, except the squeezed type
 *   (capacity-script.ts), which follows its line exactly. Flat rather than swinging through the day:
 *   the weekly report's "change since last week" compares a day's maximum with the latest value,
 *   and a swing would show every quiet series as a few points down.
 * - ConnectedStatus = 1 every minute for every Outpost the failover phase does not play (it writes
 *   the watched Outpost's, 0 during its outages).
 * - AWS/EC2 CPUUtilization every 5 minutes for each instance on an Outpost: flat, well below the bands.
 *
 * S3 on Outposts (OutpostTotalBytes, OutpostFreeBytes) is the sandbox's own: it publishes them from
 * each Outpost's `snapshotStorageGiB` and the other use the phase sets.
 */
import type { Estate, MetricPoint } from "@outpost-ops/sandbox";
import { type CapacityScript, METRIC_PERIOD_MS, slotsAt, squeezeAt } from "./capacity-script.ts";
import { CONNECTED_HISTORY_MS } from "./failover-script.ts";

/** The instance types each example Outpost offers (what GetOutpostInstanceTypes answers). */
export const OUTPOST_INSTANCE_TYPES = ["m5.large", "m5.xlarge", "c5.xlarge", "r5.2xlarge"];

/** Flat utilization (percent) and slots per instance type. */
const INSTANCE_LEVELS: Record<string, { percent: number; slots: number }> = {
  "m5.large": { percent: 42, slots: 24 },
  "m5.xlarge": { percent: 36, slots: 12 },
  "c5.xlarge": { percent: 51, slots: 12 },
  "r5.2xlarge": { percent: 28, slots: 6 },
};
/** Flat utilization (percent) and capacity (GB) per EBS volume type. */
const VOLUME_LEVELS: Record<string, { percent: number; capacityGB: number }> = {
  gp2: { percent: 33, capacityGB: 40_000 },
  gp3: { percent: 38, capacityGB: 60_000 },
  sc1: { percent: 22, capacityGB: 20_000 },
};
const CPU_PERCENT = 24;

const MINUTE = 60_000;

export interface SeriesSeed {
  region: string;
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  points: MetricPoint[];
}

function every(fromMs: number, toMs: number, stepMs: number, value: (ms: number) => number): MetricPoint[] {
  const points: MetricPoint[] = [];
  const first = Math.ceil(fromMs / stepMs) * stepMs;
  for (let t = first; t < toMs; t += stepMs) points.push([t, value(t)]);
  return points;
}

/**
 * Every series of the capacity phase (S3 on Outposts aside).
 * @example capacitySeries({ estate, region, script, end, connectedElsewhere: new Set(["op-0a1b…"]) })
 */
export function capacitySeries(input: {
  estate: Estate;
  region: string;
  script: CapacityScript;
  end: Date;
  start: Date;
  /** Outpost ids whose ConnectedStatus another phase writes. */
  connectedElsewhere: ReadonlySet<string>;
}): SeriesSeed[] {
  const { estate, region, script } = input;
  const from = script.historyFrom.getTime();
  const to = input.end.getTime();
  const out: SeriesSeed[] = [];
  const outposts = "AWS/Outposts";
  const series = (name: string, dimensions: Record<string, string>, points: MetricPoint[]) =>
    out.push({ region, namespace: outposts, name, dimensions, points });
  for (const o of estate.outposts ?? []) {
    if (o.region !== region) continue;
    const squeeze = script.squeeze?.outpostId === o.id ? script.squeeze : undefined;
    for (const type of o.instanceTypes ?? OUTPOST_INSTANCE_TYPES) {
      const level = INSTANCE_LEVELS[type] ?? { percent: 30, slots: 8 };
      const squeezed = squeeze && type === squeeze.instanceType ? squeeze : undefined;
      const percent = (ms: number) => (squeezed ? squeezeAt(squeezed, ms) : level.percent);
      const slots = (ms: number) => (squeezed ? slotsAt(squeezed, ms) : level.slots);
      const used = (ms: number) => Math.min(slots(ms), Math.round((percent(ms) / 100) * slots(ms)));
      const dims = { OutpostId: o.id, InstanceType: type };
      series("InstanceTypeCapacityUtilization", dims, every(from, to, METRIC_PERIOD_MS, percent));
      series("UsedInstanceType_Count", dims, every(from, to, METRIC_PERIOD_MS, used));
      series(
        "AvailableInstanceType_Count",
        dims,
        every(from, to, METRIC_PERIOD_MS, (ms) => slots(ms) - used(ms)),
      );
    }
    const volumeTypes = new Set(
      (estate.volumes ?? []).filter((v) => v.outpostArn === o.arn && v.region === region).map((v) => v.type),
    );
    for (const type of [...volumeTypes].sort()) {
      const level = VOLUME_LEVELS[type] ?? { percent: 30, capacityGB: 10_000 };
      const percent = () => level.percent;
      const usedGB = () => Math.round((level.percent / 100) * level.capacityGB);
      const dims = { OutpostId: o.id, VolumeType: type };
      series("EBSVolumeTypeCapacityUtilization", dims, every(from, to, METRIC_PERIOD_MS, percent));
      series("EBSVolumeTypeCapacityUtilizationGB", dims, every(from, to, METRIC_PERIOD_MS, usedGB));
      series(
        "EBSVolumeTypeCapacityAvailabilityGB",
        dims,
        every(from, to, METRIC_PERIOD_MS, () => level.capacityGB - usedGB()),
      );
    }
    // As the failover phase writes its Outpost's: from before the start (the service link alarm
    // reads the last 15 minutes), a datapoint a minute.
    if (!input.connectedElsewhere.has(o.id))
      series(
        "ConnectedStatus",
        { OutpostId: o.id },
        every(input.start.getTime() - CONNECTED_HISTORY_MS, to, MINUTE, () => 1),
      );
  }
  const onOutposts = (estate.instances ?? []).filter((i) => i.outpostArn && i.region === region);
  for (const i of onOutposts)
    out.push({
      region,
      namespace: "AWS/EC2",
      name: "CPUUtilization",
      dimensions: { InstanceId: i.id ?? "" },
      points: every(from, to, METRIC_PERIOD_MS, () => CPU_PERCENT),
    });
  return out;
}
