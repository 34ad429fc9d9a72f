/**
 * A sandbox for the capacity job: the factory and clinic Outposts (instance types per Outpost), the
 * AWS/Outposts and S3Outposts series the job reads, clients through the real SDK, and helpers to
 * play a squeeze and follow the alarms' state change events.
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
} from "@aws-sdk/client-cloudwatch";
import type { AlarmStateChange } from "@outpost-ops/core/alerts";
import { type AwsClients, createClients } from "@outpost-ops/core/aws/clients";
import { type Config, type ConfigInput, parseConfig } from "@outpost-ops/core/config";
import { type Estate, type Sandbox, startSandbox } from "@outpost-ops/sandbox";
import { AZ, CLINIC_ARN, CREDENTIALS, configInput, FACTORY_ARN, REGION } from "./helpers.ts";

export const PREFIX = "outpost-ops-test";
export const STAGE = "test";
export const FACTORY_ID = "op-0a1b2c3d4e5f60718";
export const CLINIC_ID = "op-0f1e2d3c4b5a69788";
/** Midday, so the 14 daily buckets (from UTC midnight 13 days back) hold today's points too. */
export const START = new Date("2024-05-14T12:00:00Z");
export const DAY_MS = 86_400_000;
export const GIB = 2 ** 30;

export interface CapacitySandbox {
  sb: Sandbox;
  clients: AwsClients;
  cloudwatch: CloudWatchClient;
  config: Config;
  now(): Date;
  /** Metric alarms under a name prefix (default: the capacity prefix), name → state. */
  alarms(prefix?: string): Promise<Map<string, string>>;
  tagsOf(name: string): Promise<Record<string, string>>;
  /** A plain alarm, as the stack (or another team) would create it. */
  putPlainAlarm(
    name: string,
    metric?: { namespace: string; name: string; dimensions: Record<string, string> },
  ): Promise<void>;
  /** The "CloudWatch Alarm State Change" events of one alarm since `from` (index into all events). */
  changesOf(name: string, from?: number): AlarmStateChange[];
  /** How many events the default bus holds now (a cursor for changesOf). */
  eventCount(): number;
  close(): Promise<void>;
}

export const factoryOutpost = (
  instanceTypes = ["c5.xlarge", "m5.large"],
): NonNullable<Estate["outposts"]>[number] => ({
  region: REGION,
  id: FACTORY_ID,
  arn: FACTORY_ARN,
  name: "factory",
  availabilityZone: AZ,
  instanceTypes,
});

export const clinicOutpost = (instanceTypes = ["m5.large"]): NonNullable<Estate["outposts"]>[number] => ({
  region: REGION,
  id: CLINIC_ID,
  arn: CLINIC_ARN,
  name: "clinic",
  availabilityZone: AZ,
  instanceTypes,
});

/** A constant series: one point every 5 minutes over the `hours` before `end`. */
export function flat(value: number, end: Date, hours = 1): [number, number][] {
  const points: [number, number][] = [];
  for (let t = end.getTime() - hours * 3_600_000; t <= end.getTime(); t += 300_000) points.push([t, value]);
  return points;
}

/** gp2 on the factory reports EBS capacity, and its S3 on Outposts storage has `totalGiB` (`freeGiB` free). */
export function factoryStorageMetrics(
  now: Date,
  totalGiB = 1000,
  freeGiB = 600,
): NonNullable<Estate["metrics"]> {
  return [
    {
      region: REGION,
      namespace: "AWS/Outposts",
      name: "EBSVolumeTypeCapacityUtilization",
      dimensions: { OutpostId: FACTORY_ID, VolumeType: "gp2" },
      points: flat(40, now),
    },
    {
      region: REGION,
      namespace: "S3Outposts",
      name: "OutpostTotalBytes",
      dimensions: { OutpostId: FACTORY_ID },
      points: flat(totalGiB * GIB, now),
    },
    {
      region: REGION,
      namespace: "S3Outposts",
      name: "OutpostFreeBytes",
      dimensions: { OutpostId: FACTORY_ID },
      points: flat(freeGiB * GIB, now),
    },
  ];
}

export async function startCapacitySandbox(
  options: { estate?: Estate; input?: ConfigInput; start?: Date } = {},
): Promise<CapacitySandbox> {
  const sb = await startSandbox({ port: 0, startTime: options.start ?? START });
  sb.seed(options.estate ?? { outposts: [factoryOutpost(), clinicOutpost()] });
  const clients = createClients({ endpoint: sb.endpoint, credentials: CREDENTIALS, maxAttempts: 3 });
  const cloudwatch = clients.get(CloudWatchClient, REGION);
  const config = parseConfig(options.input ?? configInput());
  return {
    sb,
    clients,
    cloudwatch,
    config,
    now: () => sb.clock.now(),
    async alarms(prefix = `${PREFIX}-capacity-`) {
      const out = new Map<string, string>();
      let token: string | undefined;
      do {
        const page = await cloudwatch.send(
          new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, ...(token ? { NextToken: token } : {}) }),
        );
        for (const a of page.MetricAlarms ?? []) out.set(a.AlarmName ?? "", a.StateValue ?? "");
        token = page.NextToken;
      } while (token);
      return out;
    },
    async tagsOf(name) {
      const arn = `arn:aws:cloudwatch:${REGION}:123456789012:alarm:${name}`;
      const out = await cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
      return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
    },
    async putPlainAlarm(
      name,
      metric = { namespace: "AWS/Outposts", name: "ConnectedStatus", dimensions: { OutpostId: FACTORY_ID } },
    ) {
      await cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          Namespace: metric.namespace,
          MetricName: metric.name,
          Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
          Statistic: "Minimum",
          Period: 60,
          EvaluationPeriods: 3,
          Threshold: 1,
          ComparisonOperator: "LessThanThreshold",
          TreatMissingData: "breaching",
        }),
      );
    },
    eventCount: () => sb.state.events(REGION).length,
    changesOf(name, from = 0) {
      return sb.state
        .events(REGION)
        .slice(from)
        .filter((e) => e["detail-type"] === "CloudWatch Alarm State Change")
        .flatMap((e) => {
          const d = e.detail as {
            alarmName: string;
            state: { value: AlarmStateChange["state"]; reason?: string };
            previousState?: { value: string };
          };
          if (d.alarmName !== name) return [];
          return [
            {
              alarmName: d.alarmName,
              state: d.state.value,
              ...(d.previousState ? { previousState: d.previousState.value } : {}),
              region: e.region,
              at: new Date(e.time),
              resources: e.resources,
            },
          ];
        });
    },
    close: () => sb.close(),
  };
}
