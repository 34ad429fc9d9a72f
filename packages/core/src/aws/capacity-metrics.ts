// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM placeholders, filled by stacks/iam.ts
/**
 * The capacity job's CloudWatch reads: which EBS volume types an Outpost reports (ListMetrics), S3 on
 * Outposts totals and free bytes, and for a list of conditions, in one batched GetMetricData per time
 * range (≤500 queries a call): the latest value within the last 3 hours, the daily maxima of the
 * last 14 UTC days (the forecast's input), the headroom in counts and GiB; and the CPU of an
 * Outpost's running instances (AWS/EC2 has no OutpostId dimension, so the monitor averages them).
 *
 * | kind                | value (latest, 300 s)                               | headroom                       |
 * |---------------------|-----------------------------------------------------|--------------------------------|
 * | instance-type       | AWS/Outposts InstanceTypeCapacityUtilization Maximum | Available/UsedInstanceType_Count |
 * | volume-type         | AWS/Outposts EBSVolumeTypeCapacityUtilization Maximum | EBSVolumeTypeCapacityAvailabilityGB (+ UtilizationGB = total) |
 * | capacity-exceptions | AWS/Outposts CapacityExceptions Sum                 | -                              |
 * | connected           | AWS/Outposts ConnectedStatus Minimum (60 s)         | -                              |
 * | snapshot-storage, local-snapshots | used % of S3Outposts OutpostFreeBytes (Minimum) / OutpostTotalBytes (Maximum) | free/total GiB |
 * | cpu                 | OutpostOps OutpostCpuUtilization Average            | -                              |
 */

import {
  type CloudWatchClient,
  type MetricDataQuery,
  PutMetricDataCommand,
  paginateGetMetricData,
  paginateListMetrics,
} from "@aws-sdk/client-cloudwatch";
import { type EC2Client, paginateDescribeInstances } from "@aws-sdk/client-ec2";
import { CPU_GAUGE, OUTPOSTS_NAMESPACE, S3_OUTPOSTS_NAMESPACE } from "../capacity/alarms.ts";
import type { Condition, Headroom, Point } from "../capacity/model.ts";
import { outpostIdOf } from "../capacity/names.ts";
import { tagsOf } from "./ec2.ts";
import type { PermissionStatement } from "./permissions.ts";

export const CapacityMetricsPermissions = {
  listMetrics: {
    why: "discover the EBS volume types an Outpost reports (ListMetrics has no resource)",
    actions: ["cloudwatch:ListMetrics"],
    resources: ["*"],
  },
  getMetricData: {
    why: "read the Outposts, S3 on Outposts, EC2 CPU and outpost-ops capacity metrics (GetMetricData has no resource)",
    actions: ["cloudwatch:GetMetricData"],
    resources: ["*"],
  },
  putCpuGauge: {
    why: "publish the OutpostCpuUtilization gauge (the cpu alarms read it)",
    actions: ["cloudwatch:PutMetricData"],
    resources: ["*"],
    conditions: { StringEquals: { "cloudwatch:namespace": "OutpostOps" } },
  },
} satisfies Record<string, PermissionStatement>;

/** "Latest" means the newest datapoint within this window; older is no data. */
export const LATEST_WINDOW_MS = 3 * 3_600_000;
/** A running instance's CPU older than this is not "now" (basic monitoring reports every 5 minutes). */
export const CPU_WINDOW_MS = 30 * 60_000;
/** The forecast's days: today (partial) and the 13 before it, one daily maximum each. */
export const DAILY_DAYS = 14;
const DAY_MS = 86_400_000;
/** GetMetricData takes up to 500 queries per call. */
const QUERIES_PER_CALL = 500;
const GIB = 2 ** 30;

export type Stat = "Maximum" | "Minimum" | "Average" | "Sum";

export interface MetricRef {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  stat: Stat;
  periodSeconds: number;
}

/** One series to read over [start, end). */
export interface SeriesRequest {
  metric: MetricRef;
  start: Date;
  end: Date;
}

/** The first instant of the UTC day of `at`. */
export function utcMidnight(at: Date): Date {
  return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
}

/** Where the daily maxima start: UTC midnight, DAILY_DAYS − 1 days before today's (buckets align to it). */
export function dailyStart(now: Date): Date {
  return new Date(utcMidnight(now).getTime() - (DAILY_DAYS - 1) * DAY_MS);
}

function toQuery(id: string, m: MetricRef): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: m.namespace,
        MetricName: m.name,
        Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: m.periodSeconds,
      Stat: m.stat,
    },
    ReturnData: true,
  };
}

/**
 * Every requested series, oldest point first, in the order asked: requests sharing a time range go
 * in one GetMetricData call (500 queries at most, pages followed).
 * @example const [latest, daily] = await readSeries(cloudwatch, [{ metric, start, end }, …])
 */
export async function readSeries(
  cloudwatch: CloudWatchClient,
  requests: readonly SeriesRequest[],
): Promise<Point[][]> {
  const out: Point[][] = requests.map(() => []);
  const byRange = new Map<string, number[]>();
  requests.forEach((r, i) => {
    const key = `${r.start.getTime()}|${r.end.getTime()}`;
    byRange.set(key, [...(byRange.get(key) ?? []), i]);
  });
  for (const indexes of byRange.values()) {
    for (let c = 0; c < indexes.length; c += QUERIES_PER_CALL) {
      const chunk = indexes.slice(c, c + QUERIES_PER_CALL);
      const first = requests[chunk[0] ?? 0];
      if (!first) continue;
      const queries = chunk.map((i) => toQuery(`q${i}`, (requests[i] as SeriesRequest).metric));
      for await (const page of paginateGetMetricData(
        { client: cloudwatch },
        {
          MetricDataQueries: queries,
          StartTime: first.start,
          EndTime: first.end,
          ScanBy: "TimestampAscending",
        },
      )) {
        for (const r of page.MetricDataResults ?? []) {
          const points = out[Number((r.Id ?? "").slice(1))];
          if (!points) continue;
          const values = r.Values ?? [];
          (r.Timestamps ?? []).forEach((at, j) => {
            const value = values[j];
            if (value !== undefined) points.push({ at, value });
          });
        }
      }
    }
  }
  for (const points of out) points.sort((a, b) => a.at.getTime() - b.at.getTime());
  return out;
}

/** The newest point, or undefined. */
export function latestOf(points: readonly Point[]): Point | undefined {
  return points.reduce<Point | undefined>(
    (newest, p) => (!newest || p.at > newest.at ? p : newest),
    undefined,
  );
}

/** Past `now` by a minute: a datapoint stamped `now` is in (EndTime is exclusive). */
const endOf = (now: Date) => new Date(now.getTime() + 60_000);

/** Starts on a 5-minute boundary, as alarms' periods do, so a bucket here is a period there. */
function latest(metric: MetricRef, now: Date, windowMs = LATEST_WINDOW_MS): SeriesRequest {
  const start = Math.floor((now.getTime() - windowMs) / 300_000) * 300_000;
  return { metric, start: new Date(start), end: endOf(now) };
}

function daily(metric: MetricRef, now: Date): SeriesRequest {
  return { metric: { ...metric, periodSeconds: 86_400 }, start: dailyStart(now), end: endOf(now) };
}

/**
 * The volume types an Outpost reports EBSVolumeTypeCapacityUtilization for, sorted.
 * @example await listVolumeTypes(cloudwatch, "op-0a1b2c3d4e5f60718") // ["gp2", "io1"]
 */
export async function listVolumeTypes(cloudwatch: CloudWatchClient, outpostId: string): Promise<string[]> {
  const types = new Set<string>();
  for await (const page of paginateListMetrics(
    { client: cloudwatch },
    {
      Namespace: OUTPOSTS_NAMESPACE,
      MetricName: "EBSVolumeTypeCapacityUtilization",
      Dimensions: [{ Name: "OutpostId", Value: outpostId }],
    },
  )) {
    for (const m of page.Metrics ?? []) {
      const type = m.Dimensions?.find((d) => d.Name === "VolumeType")?.Value;
      if (type) types.add(type);
    }
  }
  return [...types].sort();
}

/** S3 on Outposts capacity as last reported (within 3 hours); a field is missing without data. */
export interface StorageTotals {
  freeBytes?: number;
  totalBytes?: number;
  at?: Date;
}

function storageMetric(name: "OutpostFreeBytes" | "OutpostTotalBytes", outpostId: string): MetricRef {
  return {
    namespace: S3_OUTPOSTS_NAMESPACE,
    name,
    dimensions: { OutpostId: outpostId },
    // Free at its lowest, total at its highest: the worse reading of a period.
    stat: name === "OutpostFreeBytes" ? "Minimum" : "Maximum",
    periodSeconds: 300,
  };
}

/**
 * OutpostFreeBytes and OutpostTotalBytes per Outpost id, the latest within 3 hours, in one call.
 * @example (await readStorageTotals(cloudwatch, ["op-0a1b…"], now)).get("op-0a1b…") // { freeBytes, totalBytes, at }
 */
export async function readStorageTotals(
  cloudwatch: CloudWatchClient,
  outpostIds: readonly string[],
  now: Date,
): Promise<Map<string, StorageTotals>> {
  const requests = outpostIds.flatMap((id) => [
    latest(storageMetric("OutpostFreeBytes", id), now),
    latest(storageMetric("OutpostTotalBytes", id), now),
  ]);
  const series = await readSeries(cloudwatch, requests);
  const out = new Map<string, StorageTotals>();
  outpostIds.forEach((id, i) => {
    const free = latestOf(series[2 * i] ?? []);
    const total = latestOf(series[2 * i + 1] ?? []);
    out.set(id, {
      ...(free ? { freeBytes: free.value } : {}),
      ...(total ? { totalBytes: total.value } : {}),
      ...(free || total ? { at: free?.at ?? total?.at } : {}),
    });
  });
  return out;
}

/**
 * The snapshot planner's view of local snapshot storage, by Outpost ARN: only Outposts that report
 * both figures (and a total above zero); the others are unknown, which plans local as configured.
 * @example (await readLocalStorage(cloudwatch, [FACTORY_ARN], now)).get(FACTORY_ARN) // { freeBytes, totalBytes }
 */
export async function readLocalStorage(
  cloudwatch: CloudWatchClient,
  outpostArns: readonly string[],
  now: Date,
): Promise<Map<string, { freeBytes: number; totalBytes: number }>> {
  const arns = [...new Set(outpostArns)];
  const totals = await readStorageTotals(cloudwatch, arns.map(outpostIdOf), now);
  const out = new Map<string, { freeBytes: number; totalBytes: number }>();
  for (const arn of arns) {
    const t = totals.get(outpostIdOf(arn));
    if (t?.freeBytes !== undefined && t.totalBytes !== undefined && t.totalBytes > 0)
      out.set(arn, { freeBytes: t.freeBytes, totalBytes: t.totalBytes });
  }
  return out;
}

/** What GetMetricData says about a condition now: its value, headroom and daily maxima. */
export interface ConditionMetrics {
  current?: number;
  at?: Date;
  headroom?: Headroom;
  /** Daily maxima (snapshot storage: daily maximum used %), oldest first. */
  daily: Point[];
  /** The daily maximum 7 days before the latest (or today), when there is one. */
  weekAgo?: number;
}

function outposts(name: string, c: Condition, stat: Stat, periodSeconds = 300): MetricRef {
  const dimensions: Record<string, string> = { OutpostId: c.outpostId };
  if (c.kind === "instance-type" || c.kind === "capacity-exceptions")
    dimensions.InstanceType = c.subject ?? "";
  if (c.kind === "volume-type") dimensions.VolumeType = c.subject ?? "";
  return { namespace: OUTPOSTS_NAMESPACE, name, dimensions, stat, periodSeconds };
}

/** The series a condition needs, in a fixed order per kind (see `assemble`). */
function requestsOf(c: Condition, now: Date): SeriesRequest[] {
  switch (c.kind) {
    case "instance-type": {
      const value = outposts("InstanceTypeCapacityUtilization", c, "Maximum");
      return [
        latest(value, now),
        daily(value, now),
        latest(outposts("AvailableInstanceType_Count", c, "Average"), now),
        latest(outposts("UsedInstanceType_Count", c, "Average"), now),
      ];
    }
    case "volume-type": {
      const value = outposts("EBSVolumeTypeCapacityUtilization", c, "Maximum");
      return [
        latest(value, now),
        daily(value, now),
        latest(outposts("EBSVolumeTypeCapacityAvailabilityGB", c, "Average"), now),
        latest(outposts("EBSVolumeTypeCapacityUtilizationGB", c, "Average"), now),
      ];
    }
    case "capacity-exceptions":
      return [latest(outposts("CapacityExceptions", c, "Sum"), now)];
    case "connected":
      return [latest(outposts("ConnectedStatus", c, "Minimum", 60), now)];
    case "snapshot-storage":
    case "local-snapshots": {
      const free = storageMetric("OutpostFreeBytes", c.outpostId);
      const total = storageMetric("OutpostTotalBytes", c.outpostId);
      return [latest(free, now), latest(total, now), daily(free, now), daily(total, now)];
    }
    case "cpu": {
      const value: MetricRef = {
        namespace: CPU_GAUGE.namespace,
        name: CPU_GAUGE.name,
        dimensions: { outpost: c.outpost },
        stat: "Average",
        periodSeconds: 300,
      };
      return [latest(value, now), daily({ ...value, stat: "Maximum" }, now)];
    }
  }
}

const usedPercent = (free: number, total: number) => (100 * (total - free)) / total;

function weekAgoOf(dailyPoints: readonly Point[], reference: Date): number | undefined {
  const day = utcMidnight(reference).getTime() - 7 * DAY_MS;
  return dailyPoints.find((p) => utcMidnight(p.at).getTime() === day)?.value;
}

function assemble(c: Condition, series: Point[][], now: Date): ConditionMetrics {
  const [first = [], second = [], third = [], fourth = []] = series;
  let current: Point | undefined;
  let dailyPoints: Point[] = [];
  let headroom: Headroom | undefined;
  switch (c.kind) {
    case "instance-type": {
      current = latestOf(first);
      dailyPoints = second;
      const available = latestOf(third)?.value;
      const used = latestOf(fourth)?.value;
      if (available !== undefined || used !== undefined)
        headroom = {
          ...(available !== undefined ? { available } : {}),
          ...(used !== undefined ? { used } : {}),
        };
      break;
    }
    case "volume-type": {
      current = latestOf(first);
      dailyPoints = second;
      const freeGiB = latestOf(third)?.value;
      const usedGiB = latestOf(fourth)?.value;
      if (freeGiB !== undefined)
        headroom = { freeGiB, ...(usedGiB !== undefined ? { totalGiB: freeGiB + usedGiB } : {}) };
      break;
    }
    case "snapshot-storage":
    case "local-snapshots": {
      const free = latestOf(first);
      const total = latestOf(second);
      if (free && total && total.value > 0) {
        current = { at: free.at, value: usedPercent(free.value, total.value) };
        headroom = { freeGiB: free.value / GIB, totalGiB: total.value / GIB };
      }
      // A day's highest use is its lowest free, against that day's total (else the latest total).
      const totals = new Map(fourth.map((p) => [utcMidnight(p.at).getTime(), p.value]));
      dailyPoints = third.flatMap((p) => {
        const t = totals.get(utcMidnight(p.at).getTime()) ?? total?.value;
        return t !== undefined && t > 0 ? [{ at: p.at, value: usedPercent(p.value, t) }] : [];
      });
      break;
    }
    case "cpu":
      current = latestOf(first);
      dailyPoints = second;
      break;
    default:
      current = latestOf(first);
  }
  const weekAgo = weekAgoOf(dailyPoints, current?.at ?? now);
  return {
    ...(current ? { current: current.value, at: current.at } : {}),
    ...(headroom ? { headroom } : {}),
    daily: dailyPoints,
    ...(weekAgo !== undefined ? { weekAgo } : {}),
  };
}

/**
 * The metrics of every condition, in the order given: one GetMetricData call per time range for all
 * of them (the latest window, the 14 days), so a whole Outpost costs a few calls.
 * @example const [m5] = await readConditionMetrics(cloudwatch, [{ outpost: "factory", outpostId, kind: "instance-type", subject: "m5.large" }], now)
 */
export async function readConditionMetrics(
  cloudwatch: CloudWatchClient,
  conditions: readonly Condition[],
  now: Date,
): Promise<ConditionMetrics[]> {
  const perCondition = conditions.map((c) => requestsOf(c, now));
  const series = await readSeries(cloudwatch, perCondition.flat());
  let offset = 0;
  return conditions.map((c, i) => {
    const n = perCondition[i]?.length ?? 0;
    const own = series.slice(offset, offset + n);
    offset += n;
    return assemble(c, own, now);
  });
}

/** A running instance on an Outpost and its CPU now. */
export interface InstanceCpu {
  id: string;
  name?: string;
  type?: string;
  launchedAt?: Date;
  /** AWS/EC2 CPUUtilization Average over 300 s, the latest within 30 minutes; undefined: none. */
  cpu?: number;
}

/** The running instances on an Outpost (DescribeInstances, filtered server-side), newest first. */
export async function runningInstancesOn(ec2: EC2Client, outpostArn: string): Promise<InstanceCpu[]> {
  const out: InstanceCpu[] = [];
  for await (const page of paginateDescribeInstances(
    { client: ec2, pageSize: 1000 },
    {
      Filters: [
        { Name: "outpost-arn", Values: [outpostArn] },
        { Name: "instance-state-name", Values: ["running"] },
      ],
    },
  )) {
    for (const i of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      if (!i.InstanceId || (i.OutpostArn !== undefined && i.OutpostArn !== outpostArn)) continue;
      const name = tagsOf(i.Tags).Name;
      out.push({
        id: i.InstanceId,
        ...(name ? { name } : {}),
        ...(i.InstanceType ? { type: i.InstanceType } : {}),
        ...(i.LaunchTime ? { launchedAt: i.LaunchTime } : {}),
      });
    }
  }
  return out.sort((a, b) => (b.launchedAt?.getTime() ?? 0) - (a.launchedAt?.getTime() ?? 0));
}

/**
 * The CPU of an Outpost's running instances and their average (the `cpu` gauge): AWS/EC2
 * CPUUtilization per instance in one batched GetMetricData. No instance with data: no average.
 * @example const { average, instances } = await readOutpostCpu(ec2, cloudwatch, FACTORY_ARN, now)
 */
export async function readOutpostCpu(
  ec2: EC2Client,
  cloudwatch: CloudWatchClient,
  outpostArn: string,
  now: Date,
): Promise<{ average?: number; instances: InstanceCpu[] }> {
  const instances = await runningInstancesOn(ec2, outpostArn);
  if (instances.length === 0) return { instances };
  const series = await readSeries(
    cloudwatch,
    instances.map((i) =>
      latest(
        {
          namespace: "AWS/EC2",
          name: "CPUUtilization",
          dimensions: { InstanceId: i.id },
          stat: "Average",
          periodSeconds: 300,
        },
        now,
        CPU_WINDOW_MS,
      ),
    ),
  );
  const measured = instances.map((i, n) => {
    const cpu = latestOf(series[n] ?? [])?.value;
    return cpu === undefined ? i : { ...i, cpu };
  });
  const values = measured.flatMap((i) => (i.cpu === undefined ? [] : [i.cpu]));
  return {
    instances: measured,
    ...(values.length ? { average: values.reduce((a, b) => a + b, 0) / values.length } : {}),
  };
}

/**
 * Publishes the `cpu` gauge, OutpostOps OutpostCpuUtilization{outpost=<name>}, one datapoint per
 * Outpost with a value (the stack's cpu alarms read it). PutMetricData takes 1,000 per call.
 * @example await putCpuGauge(cloudwatch, [{ outpost: "factory", value: 42.5 }], now)
 */
export async function putCpuGauge(
  cloudwatch: CloudWatchClient,
  values: readonly { outpost: string; value: number }[],
  at: Date,
): Promise<void> {
  for (let i = 0; i < values.length; i += 1000) {
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: CPU_GAUGE.namespace,
        MetricData: values.slice(i, i + 1000).map((v) => ({
          MetricName: CPU_GAUGE.name,
          Dimensions: [{ Name: "outpost", Value: v.outpost }],
          Value: v.value,
          Unit: "Percent",
          Timestamp: at,
        })),
      }),
    );
  }
}
