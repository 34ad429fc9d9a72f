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
import { errorMessage } from "../aws/errors.ts";
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
  /** What could not be read or published, in words (the run went on without it). */
  warnings: string[];
}

const STORAGE_KINDS = new Set(["snapshot-storage", "local-snapshots"]);

/**
 * The existing alarms the run may compare and delete: not those of an Outpost that could not be
 * discovered, nor the storage alarms of one whose S3 on Outposts total is unknown this run (a gap in
 * the metric, as in a long service-link outage, must not delete an alarm that is in ALARM: it would
 * never say "resolved", and would alert again once recreated). Nothing to compare them to either way.
 */
function reconcilable(
  config: Config,
  prefix: string,
  existing: ExistingAlarm[],
  discovered: Discovery[],
  failed: DiscoveryFailure[],
): ExistingAlarm[] {
  const skip = new Set(failed.map((f) => f.outpost));
  const storageUnknown = new Set(
    discovered.filter((d) => d.storageTotalBytes === undefined).map((d) => d.outpost),
  );
  if (skip.size === 0 && storageUnknown.size === 0) return existing;
  return existing.filter((a) => {
    try {
      const { condition } = parseCapacityAlarmName(config, prefix, a.name);
      if (skip.has(condition.outpost)) return false;
      return !(STORAGE_KINDS.has(condition.kind) && storageUnknown.has(condition.outpost));
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
  const [{ discovered, failed, warnings }, existing] = await Promise.all([
    discoverOutposts({ clients, config, region, now }),
    capacityAlarmsByPrefix(cloudwatch, prefix),
  ]);
  const desired = managedCapacityAlarms(config, prefix, discovered);
  const plan = planAlarmReconcile(
    config,
    prefix,
    desired,
    reconcilable(config, prefix, existing, discovered, failed),
  );
  if (!input.dryRun) {
    for (const alarm of plan.put) await putCapacityAlarm(cloudwatch, alarm);
    await deleteAlarms(cloudwatch, plan.remove);
  }
  const cpu: CapacityMonitorResult["cpu"] = [];
  // One Outpost's unreadable CPU must not cost the others their datapoint (missing data is not
  // breaching: a gauge that stops silently keeps its alarms OK).
  for (const o of config.outposts) {
    try {
      const { average } = await readOutpostCpu(ec2, cloudwatch, o.arn, now);
      cpu.push(average === undefined ? { outpost: o.name } : { outpost: o.name, value: average });
    } catch (error) {
      warnings.push(`The CPU of Outpost ${o.name}'s instances could not be read: ${errorMessage(error)}.`);
      cpu.push({ outpost: o.name });
    }
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
    warnings,
  };
}
