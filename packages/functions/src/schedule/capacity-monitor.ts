/**
 * The capacity monitor, on its schedule (capacity.schedule) in the primary Region: discovers each
 * Outpost's instance types, volume types and S3 on Outposts storage, reconciles the capacity alarms
 * it manages (core/jobs/capacity-monitor.ts: creates what is missing or different, deletes what no
 * longer exists; never the stack's) and publishes the CPU gauge. Its memory is the alarms
 * themselves (DescribeAlarms by prefix), so a missed run only delays a new type's alarm by one run.
 * An Outpost AWS cannot describe (a wrong ARN, no access) is logged with its fix and counted
 * (OutpostsNotDiscovered); its alarms are left alone, the other Outposts reconciled.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { runCapacityMonitor } from "@outpost-ops/core/jobs/capacity-monitor";
import { parseScheduledEvent } from "../lib/events.ts";
import { lambda } from "../lib/handler.ts";
import { logger, metrics } from "../lib/observability.ts";
import { lazyRuntime, type Runtime } from "../lib/runtime.ts";

export const parseEvent = parseScheduledEvent;

export function createHandler(runtime: () => Runtime = lazyRuntime({ alerts: false })) {
  return lambda(parseEvent, async (event) => {
    const { config, clients, env } = runtime();
    const run = await runCapacityMonitor({
      clients,
      config,
      prefix: env.prefix,
      region: env.region,
      now: new Date(event.time),
    });
    const summary = {
      outposts: run.discovered.map((d) => ({
        outpost: d.outpost,
        instanceTypes: d.instanceTypes,
        volumeTypes: d.volumeTypes,
        ...(d.storageTotalBytes !== undefined ? { storageTotalBytes: d.storageTotalBytes } : {}),
      })),
      put: run.put,
      deleted: run.deleted,
      unchanged: run.unchanged,
      cpu: run.cpu,
      failed: run.failed,
      warnings: run.warnings,
    };
    // An Outpost that could not be discovered keeps its alarms as they were; the others go on.
    for (const f of run.failed)
      logger.error("Outpost not discovered: its capacity alarms were left as they are", { ...f });
    for (const warning of run.warnings) logger.warn(warning);
    logger.info("capacity alarms reconciled", summary);
    metrics.addDimension("job", "capacity");
    metrics.addMetric("CapacityAlarmsPut", MetricUnit.Count, run.put.length);
    metrics.addMetric("CapacityAlarmsDeleted", MetricUnit.Count, run.deleted.length);
    metrics.addMetric("CapacityAlarmsUnchanged", MetricUnit.Count, run.unchanged);
    metrics.addMetric("OutpostsNotDiscovered", MetricUnit.Count, run.failed.length);
    return summary;
  });
}

export const handler = createHandler();
