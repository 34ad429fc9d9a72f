/**
 * The capacity monitor (scheduled, `capacity.schedule`): discovers what each Outpost has, reconciles
 * the managed capacity alarms with it, and publishes the `cpu` gauge.
 *
 * - Discovery: instance types (GetOutpostInstanceTypes), volume types (ListMetrics), S3 on Outposts
 *   total (GetMetricData), so a type added to an Outpost gets its alarms on the next run, no redeploy.
 * - Reconcile: the alarms managedCapacityAlarms wants against those under `<prefix>-capacity-`;
 *   PutMetricAlarm only where one is missing or differs, DeleteAlarms only for managed kinds that are
 *   no longer wanted (never the stack's connected and cpu alarms, nor anyone else's). The alarms of
 *   an Outpost that could not be discovered are left as they are (a wrong ARN must not delete them).
 * - CPU: the average of AWS/EC2 CPUUtilization over the Outpost's running instances (AWS/EC2 has no
 *   OutpostId dimension), as OutpostOps OutpostCpuUtilization{outpost}. No instances, no datapoint.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import { capacityAlarmsByPrefix, deleteAlarms, putCapacityAlarm } from "../aws/alarms.ts";
import { putCpuGauge, readOutpostCpu } from "../aws/capacity-metrics.ts";
import type { AwsClients } from "../aws/clients.ts";
import { type ExistingAlarm, managedCapacityAlarms, planAlarmReconcile } from "../capacity/alarms.ts";
import type { Discovery } from "../capacity/model.ts";
import { parseCapacityAlarmName } from "../capacity/names.ts";
import type { Config } from "../config/schema.ts";
import { type DiscoveryFailure, discoverOutposts } from "./capacity-discovery.ts";

export interface CapacityMonitorInput {
  clients: AwsClients;
  config: Config;
  /** `outpost-ops-<stage>`: alarm names start with `<prefix>-capacity-`. */
  prefix: string;
  region: string;
  now: Date;
  /** Plan only: no PutMetricAlarm, DeleteAlarms or PutMetricData. */
  dryRun?: boolean;
}

export interface CapacityMonitorResult {
  discovered: Discovery[];
  /** Alarm names created or updated (dry run: that would be). */
  put: string[];
  /** Alarm names deleted (dry run: that would be). */
  deleted: string[];
  /** Managed alarms already as wanted. */
  unchanged: number;
  /** The cpu gauge per configured Outpost; no value: no running instance reported CPU. */
  cpu: { outpost: string; value?: number }[];
  /** Outposts that could not be discovered, each with what to fix; their alarms were left alone. */
  failed: DiscoveryFailure[];
}

/** Existing alarms without those of Outposts that could not be discovered (nothing to compare them to). */
function reconcilable(
  config: Config,
  prefix: string,
  existing: ExistingAlarm[],
  failed: DiscoveryFailure[],
): ExistingAlarm[] {
  if (failed.length === 0) return existing;
  const skip = new Set(failed.map((f) => f.outpost));
  return existing.filter((a) => {
    try {
      return !skip.has(parseCapacityAlarmName(config, prefix, a.name).condition.outpost);
    } catch {
      return true;
    }
  });
}

/**
 * @example const result = await runCapacityMonitor({ clients, config, prefix: "outpost-ops-prod", region, now })
 */
export async function runCapacityMonitor(input: CapacityMonitorInput): Promise<CapacityMonitorResult> {
  const { clients, config, prefix, region, now } = input;
  const cloudwatch = clients.get(CloudWatchClient, region);
  const ec2 = clients.get(EC2Client, region);
  const [{ discovered, failed }, existing] = await Promise.all([
    discoverOutposts({ clients, config, region, now }),
    capacityAlarmsByPrefix(cloudwatch, prefix),
  ]);
  const desired = managedCapacityAlarms(config, prefix, discovered);
  const plan = planAlarmReconcile(config, prefix, desired, reconcilable(config, prefix, existing, failed));
  if (!input.dryRun) {
    for (const alarm of plan.put) await putCapacityAlarm(cloudwatch, alarm);
    await deleteAlarms(cloudwatch, plan.remove);
  }
  const cpu: CapacityMonitorResult["cpu"] = [];
  for (const o of config.outposts) {
    const { average } = await readOutpostCpu(ec2, cloudwatch, o.arn, now);
    cpu.push(average === undefined ? { outpost: o.name } : { outpost: o.name, value: average });
  }
  const gauge = cpu.flatMap((c) => (c.value === undefined ? [] : [{ outpost: c.outpost, value: c.value }]));
  if (!input.dryRun && gauge.length > 0) await putCpuGauge(cloudwatch, gauge, now);
  return {
    discovered,
    put: plan.put.map((a) => a.name),
    deleted: [...plan.remove],
    unchanged: plan.unchanged,
    cpu,
    failed,
  };
}
