/**
 * The capacity alarms, as data: which exist for a config (and, for the discovered kinds, what the
 * monitor found), what each watches and when it fires, and what the monitor must put or delete to
 * make CloudWatch match. Pure: the stack deploys `staticCapacityAlarms`, the monitor reconciles
 * `managedCapacityAlarms` through aws/alarms.ts.
 *
 * One alarm per band (design rule 1): CloudWatch's own state changes are then the edges, so no
 * counter of ours has to remember what was already said.
 */
import type { Severity } from "../alerts/alert.ts";
import type { Config } from "../config/schema.ts";
import { METRICS_NAMESPACE } from "../copy/metrics.ts";
import { parseScheduleExpression } from "../schedule/expression.ts";
import { BANDS, type Band, type CapacityKind, type Condition, type Discovery } from "./model.ts";
import { capacityAlarmName, capacityAlarmPrefix, outpostIdOf, parseCapacityAlarmName } from "./names.ts";

export interface CapacityAlarm {
  name: string;
  condition: Condition;
  band?: Band;
  severity: Severity;
  description: string;
  metric: {
    namespace: string;
    name: string;
    dimensions: Record<string, string>;
    statistic: "Maximum" | "Minimum" | "Average" | "Sum";
    periodSeconds: number;
  };
  comparison:
    | "GreaterThanOrEqualToThreshold"
    | "GreaterThanThreshold"
    | "LessThanThreshold"
    | "LessThanOrEqualToThreshold";
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: "breaching" | "notBreaching";
}

/** An alarm as DescribeAlarms returns it, flattened (aws/alarms.ts maps MetricAlarm to this). */
export interface ExistingAlarm {
  name: string;
  namespace?: string;
  metricName?: string;
  dimensions: Record<string, string>;
  statistic?: string;
  periodSeconds?: number;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  threshold?: number;
  comparison?: string;
  treatMissingData?: string;
  description?: string;
}

/** The kinds the monitor creates and deletes; `connected` and `cpu` are the stack's. */
export const MANAGED_KINDS: ReadonlySet<CapacityKind> = new Set([
  "instance-type",
  "volume-type",
  "capacity-exceptions",
  "snapshot-storage",
  "local-snapshots",
]);

/** Tags on every alarm the monitor creates (the adapter sends them with PutMetricAlarm). */
export const MANAGED_ALARM_TAGS = [{ Key: "outpost-ops:managed", Value: "true" }];

/** The OutpostOps gauge the monitor publishes: the average CPU of the Outpost's running instances. */
export const CPU_GAUGE = { namespace: METRICS_NAMESPACE, name: "OutpostCpuUtilization" } as const;

export const OUTPOSTS_NAMESPACE = "AWS/Outposts";
/** S3 on Outposts' namespace: OutpostFreeBytes and OutpostTotalBytes, where local snapshots live. */
export const S3_OUTPOSTS_NAMESPACE = "S3Outposts";
const OUTPOSTS = OUTPOSTS_NAMESPACE;
const S3_OUTPOSTS = S3_OUTPOSTS_NAMESPACE;

/**
 * The percent a condition's band alarms at, for messages: utilization for types and CPU, percent
 * used for snapshot storage, the free-storage floor for local snapshots; ConnectedStatus alarms
 * below 1, CapacityExceptions above 0.
 * @example thresholdOf(config, { kind: "instance-type", ... }, "critical") // 95
 */
export function thresholdOf(
  config: Config,
  condition: Pick<Condition, "kind">,
  band: Band = "warning",
): number {
  const t = config.capacity.thresholds;
  switch (condition.kind) {
    case "instance-type":
      return t.instanceType[band];
    case "volume-type":
      return t.volumeType[band];
    case "snapshot-storage":
      return t.snapshotStorage[band];
    case "cpu":
      return t.cpu[band];
    case "local-snapshots":
      return config.capacity.localSnapshots.minFreePercent;
    case "connected":
      return 1;
    case "capacity-exceptions":
      return 0;
  }
}

const bandSeverity = (band: Band): Severity => (band === "critical" ? "critical" : "warning");

interface Context {
  config: Config;
  prefix: string;
}

function alarm(
  ctx: Context,
  condition: Condition,
  band: Band | undefined,
  spec: Omit<CapacityAlarm, "name" | "condition" | "band">,
): CapacityAlarm {
  return {
    name: capacityAlarmName(ctx.prefix, condition, band),
    condition,
    ...(band === undefined ? {} : { band }),
    ...spec,
  };
}

/**
 * A utilization alarm (instance type, volume type, CPU): its band's percent in 3 of the last 5
 * periods. Not 3 of 3: CloudWatch goes back to OK as soon as one period of the window is below, so a
 * single dip near a threshold would say "resolved" and alert again 15 minutes later; with 3 of 5 it
 * takes a sustained recovery (3 periods below) to go OK, and one spike alarms nothing.
 */
function utilization(
  ctx: Context,
  condition: Condition,
  band: Band,
  metric: CapacityAlarm["metric"],
  what: string,
  todo: string,
): CapacityAlarm {
  const percent = thresholdOf(ctx.config, condition, band);
  return alarm(ctx, condition, band, {
    severity: bandSeverity(band),
    description: `${what} on Outpost ${condition.outpost} is at or above ${percent} % (${band}) in 3 of the last 5 ${periodWords(metric.periodSeconds)} periods. ${todo}`,
    metric,
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: percent,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
  });
}

function connectedAlarm(ctx: Context, outpost: string, outpostId: string): CapacityAlarm {
  return alarm(ctx, { outpost, outpostId, kind: "connected" }, undefined, {
    severity: "critical",
    description: `The service link of Outpost ${outpost} is down or impaired (ConnectedStatus below 1, or no data, in 3 of the last 15 minutes): its instances keep running but cannot be managed from the Region. Check the site's network and power; if the site is lost, fail over (npx outpost-ops failover).`,
    metric: {
      namespace: OUTPOSTS,
      name: "ConnectedStatus",
      dimensions: { OutpostId: outpostId },
      statistic: "Minimum",
      periodSeconds: 60,
    },
    comparison: "LessThanThreshold",
    threshold: 1,
    // 3 down minutes of the last 15: a link that flaps stays in ALARM (one alert, one "restored"
    // once it has held for 13 minutes) instead of alerting at every drop.
    evaluationPeriods: 15,
    datapointsToAlarm: 3,
    // No data from the Outposts service is what a cut service link looks like.
    treatMissingData: "breaching",
  });
}

const periodWords = (seconds: number) =>
  seconds % 3600 === 0 ? `${seconds / 3600}-hour` : `${Math.round(seconds / 60)}-minute`;

/**
 * The CPU gauge's period: the monitor publishes one datapoint per run, so a period shorter than its
 * schedule would leave periods empty and 3 of 5 would never be reached.
 */
export function cpuPeriodSeconds(config: Config): number {
  const intervalMs = parseScheduleExpression(config.capacity.schedule).largestIntervalMs;
  return Math.max(300, Math.ceil(intervalMs / 60_000) * 60);
}

function cpuAlarms(ctx: Context, outpost: string, outpostId: string): CapacityAlarm[] {
  const condition: Condition = { outpost, outpostId, kind: "cpu" };
  return BANDS.map((band) =>
    utilization(
      ctx,
      condition,
      band,
      {
        namespace: CPU_GAUGE.namespace,
        name: CPU_GAUGE.name,
        dimensions: { outpost },
        statistic: "Average",
        periodSeconds: cpuPeriodSeconds(ctx.config),
      },
      "The average CPU of the running instances",
      "Find the hottest instances (npx outpost-ops capacity) and resize or move them.",
    ),
  );
}

/**
 * What the stack deploys per configured Outpost: `connected`, and `cpu` in both bands (neither
 * needs discovery).
 * @example staticCapacityAlarms(config, "outpost-ops-prod").map((a) => a.name)
 * // ["outpost-ops-prod-capacity-factory-connected", "…-factory-cpu-warning", "…-factory-cpu-critical", …]
 */
export function staticCapacityAlarms(config: Config, prefix: string): CapacityAlarm[] {
  const ctx = { config, prefix };
  return config.outposts.flatMap((o) => {
    const id = outpostIdOf(o.arn);
    return [connectedAlarm(ctx, o.name, id), ...cpuAlarms(ctx, o.name, id)];
  });
}

function instanceTypeAlarms(ctx: Context, d: Discovery, type: string): CapacityAlarm[] {
  const condition: Condition = {
    outpost: d.outpost,
    outpostId: d.outpostId,
    kind: "instance-type",
    subject: type,
  };
  const bands = BANDS.map((band) =>
    utilization(
      ctx,
      condition,
      band,
      {
        namespace: OUTPOSTS,
        name: "InstanceTypeCapacityUtilization",
        dimensions: { OutpostId: d.outpostId, InstanceType: type },
        statistic: "Maximum",
        periodSeconds: 300,
      },
      `${type} capacity`,
      `Launches of ${type} will soon fail: stop or resize idle ${type} instances, or order capacity for the Outpost.`,
    ),
  );
  const exceptions = alarm(
    ctx,
    { outpost: d.outpost, outpostId: d.outpostId, kind: "capacity-exceptions", subject: type },
    undefined,
    {
      severity: "critical",
      description: `Launches of ${type} on Outpost ${d.outpost} were refused for lack of capacity (CapacityExceptions above 0). Free ${type} capacity or launch another type.`,
      metric: {
        namespace: OUTPOSTS,
        name: "CapacityExceptions",
        dimensions: { OutpostId: d.outpostId, InstanceType: type },
        statistic: "Sum",
        periodSeconds: 300,
      },
      comparison: "GreaterThanThreshold",
      threshold: 0,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "notBreaching",
    },
  );
  return [...bands, exceptions];
}

function volumeTypeAlarms(ctx: Context, d: Discovery, type: string): CapacityAlarm[] {
  const condition: Condition = {
    outpost: d.outpost,
    outpostId: d.outpostId,
    kind: "volume-type",
    subject: type,
  };
  return BANDS.map((band) =>
    utilization(
      ctx,
      condition,
      band,
      {
        namespace: OUTPOSTS,
        name: "EBSVolumeTypeCapacityUtilization",
        dimensions: { OutpostId: d.outpostId, VolumeType: type },
        statistic: "Maximum",
        periodSeconds: 300,
      },
      `${type} volume capacity`,
      `New or larger ${type} volumes will soon fail: delete unused ${type} volumes or their snapshots' sources, or order storage.`,
    ),
  );
}

const freeBytesMetric = (outpostId: string): CapacityAlarm["metric"] => ({
  namespace: S3_OUTPOSTS,
  name: "OutpostFreeBytes",
  dimensions: { OutpostId: outpostId },
  statistic: "Minimum",
  periodSeconds: 300,
});

function storageAlarms(ctx: Context, d: Discovery, totalBytes: number): CapacityAlarm[] {
  const condition: Condition = { outpost: d.outpost, outpostId: d.outpostId, kind: "snapshot-storage" };
  const banded = BANDS.map((band) => {
    const percent = thresholdOf(ctx.config, condition, band);
    return alarm(ctx, condition, band, {
      severity: bandSeverity(band),
      description: `Local snapshot storage (S3 on Outposts) on Outpost ${d.outpost} is ${percent} % used or more (${band}). Shorten the retention of local snapshots or move policies to placement "region".`,
      metric: freeBytesMetric(d.outpostId),
      comparison: "LessThanOrEqualToThreshold",
      // Free bytes at which `percent` is used, rounded down so the alarm never fires early; whole
      // percents first, since 1 - 80/100 in floating point is a hair under 0.2.
      threshold: Math.floor((totalBytes * (100 - percent)) / 100),
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "notBreaching",
    });
  });
  const floor = ctx.config.capacity.localSnapshots.minFreePercent;
  const local = alarm(ctx, { ...condition, kind: "local-snapshots" }, undefined, {
    severity: "warning",
    description: `Local snapshot storage on Outpost ${d.outpost} is below the ${floor} % floor (capacity.localSnapshots.minFreePercent): policies with residency "flexible" now snapshot in the Region, "strict" ones keep trying locally and may fail. Free local snapshot storage to resume local snapshots.`,
    metric: freeBytesMetric(d.outpostId),
    comparison: "LessThanThreshold",
    threshold: Math.floor((totalBytes * floor) / 100),
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
  });
  return [...banded, local];
}

/**
 * What the monitor keeps in CloudWatch for what it discovered: per instance type both bands and
 * capacity exceptions, per volume type both bands, and, where S3 on Outposts reports a total, the
 * storage bands and the local-snapshots floor. Discoveries of Outposts not in the config are ignored.
 * @example managedCapacityAlarms(config, "outpost-ops-prod", [{ outpost: "factory", outpostId, instanceTypes: ["m5.large"], volumeTypes: [] }])
 */
export function managedCapacityAlarms(
  config: Config,
  prefix: string,
  discovery: Discovery[],
): CapacityAlarm[] {
  const ctx = { config, prefix };
  const known = new Set(config.outposts.map((o) => o.name));
  return discovery
    .filter((d) => known.has(d.outpost))
    .flatMap((d) => [
      ...d.instanceTypes.flatMap((t) => instanceTypeAlarms(ctx, d, t)),
      ...d.volumeTypes.flatMap((t) => volumeTypeAlarms(ctx, d, t)),
      ...(d.storageTotalBytes !== undefined && d.storageTotalBytes > 0
        ? storageAlarms(ctx, d, d.storageTotalBytes)
        : []),
    ]);
}

/**
 * Whether the monitor owns an alarm: a capacity alarm name of a configured Outpost and of a managed
 * kind. The stack's alarms (`connected`, `cpu`) and every other name are never the monitor's to delete.
 * @example isManagedCapacityAlarm(config, "outpost-ops-prod", "outpost-ops-prod-capacity-factory-connected") // false
 */
export function isManagedCapacityAlarm(config: Config, prefix: string, name: string): boolean {
  if (!name.startsWith(capacityAlarmPrefix(prefix))) return false;
  try {
    return MANAGED_KINDS.has(parseCapacityAlarmName(config, prefix, name).condition.kind);
  } catch {
    return false; // not a name we make: not ours to delete
  }
}

/** The metrics only the monitor's alarms watch (the stack's watch ConnectedStatus and the CPU gauge). */
const MANAGED_METRICS = new Set([
  `${OUTPOSTS}|InstanceTypeCapacityUtilization`,
  `${OUTPOSTS}|EBSVolumeTypeCapacityUtilization`,
  `${OUTPOSTS}|CapacityExceptions`,
  `${S3_OUTPOSTS}|OutpostFreeBytes`,
]);

/**
 * Whether an existing alarm is the monitor's to delete when it is not wanted: a managed name of a
 * configured Outpost, or, under the capacity prefix, an alarm on one of the managed metrics whose name
 * no longer parses: an Outpost taken out of the config (or renamed), whose alarms would otherwise stay
 * forever. The stack's alarms watch other metrics and are CloudFormation's to remove.
 */
function isMonitorsAlarm(config: Config, prefix: string, alarm: ExistingAlarm): boolean {
  if (isManagedCapacityAlarm(config, prefix, alarm.name)) return true;
  if (!alarm.name.startsWith(capacityAlarmPrefix(prefix))) return false;
  try {
    parseCapacityAlarmName(config, prefix, alarm.name);
    return false; // a configured Outpost's alarm of a kind the stack owns
  } catch {
    return MANAGED_METRICS.has(`${alarm.namespace}|${alarm.metricName}`);
  }
}

function sameDimensions(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function matches(want: CapacityAlarm, have: ExistingAlarm): boolean {
  return (
    have.namespace === want.metric.namespace &&
    have.metricName === want.metric.name &&
    sameDimensions(have.dimensions, want.metric.dimensions) &&
    have.statistic === want.metric.statistic &&
    have.periodSeconds === want.metric.periodSeconds &&
    have.evaluationPeriods === want.evaluationPeriods &&
    have.datapointsToAlarm === want.datapointsToAlarm &&
    have.threshold === want.threshold &&
    have.comparison === want.comparison &&
    have.treatMissingData === want.treatMissingData &&
    have.description === want.description
  );
}

export interface AlarmReconcilePlan {
  /** Missing, or different from what is wanted (PutMetricAlarm replaces the whole alarm). */
  put: CapacityAlarm[];
  /** Managed alarms nothing discovered wants any more (a type gone from the Outpost). */
  remove: string[];
  unchanged: number;
}

/**
 * What to put and delete so CloudWatch holds `desired`: put what is missing or differs, delete the
 * managed alarms no longer desired; never anything the stack or anyone else made.
 * @example planAlarmReconcile(config, prefix, managedCapacityAlarms(config, prefix, discovery), existing)
 */
export function planAlarmReconcile(
  config: Config,
  prefix: string,
  desired: CapacityAlarm[],
  existing: ExistingAlarm[],
): AlarmReconcilePlan {
  const have = new Map(existing.map((e) => [e.name, e]));
  const wanted = new Set(desired.map((d) => d.name));
  const put: CapacityAlarm[] = [];
  let unchanged = 0;
  for (const want of desired) {
    const current = have.get(want.name);
    if (current && matches(want, current)) unchanged++;
    else put.push(want);
  }
  const remove = existing
    .filter((e) => !wanted.has(e.name) && isMonitorsAlarm(config, prefix, e))
    .map((e) => e.name)
    .sort();
  return { put, remove, unchanged };
}
