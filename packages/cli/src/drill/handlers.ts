/**
 * The handler factory of every function in packages/functions/src/jobs.ts. The drill builds the real
 * handlers through these; the record's type makes a function added to a job without its factory here
 * a compile error, and test/infra/wiring.test.ts checks each factory is the one its deployed path exports.
 */
import { createHandler as capacityAlarm } from "@outpost-ops/functions/src/alarm/capacity-alarm.ts";
import { createHandler as alarmStateChange } from "@outpost-ops/functions/src/alarm/state-change.ts";
import { createHandler as failover } from "@outpost-ops/functions/src/failover/failover.ts";
import type { FunctionName } from "@outpost-ops/functions/src/jobs.ts";
import type { Runtime } from "@outpost-ops/functions/src/lib/runtime.ts";
import { createHandler as copySchedule } from "@outpost-ops/functions/src/queue/copy-schedule.ts";
import { createHandler as retentionWork } from "@outpost-ops/functions/src/queue/retention-work.ts";
import { createHandler as snapshotWork } from "@outpost-ops/functions/src/queue/snapshot-work.ts";
import { createHandler as capacityMonitor } from "@outpost-ops/functions/src/schedule/capacity-monitor.ts";
import { createHandler as capacityReport } from "@outpost-ops/functions/src/schedule/capacity-report.ts";
import { createHandler as failoverReadiness } from "@outpost-ops/functions/src/schedule/failover-readiness.ts";
import { createHandler as retentionSweep } from "@outpost-ops/functions/src/schedule/retention-sweep.ts";
import { createHandler as snapshotWindow } from "@outpost-ops/functions/src/schedule/snapshot-window.ts";
import type { Handler } from "./lambda.ts";

export const HandlerFactories: Record<FunctionName, (runtime: () => Runtime) => Handler> = {
  snapshotWindow,
  snapshotWork,
  retentionSweep,
  retentionWork,
  copySchedule,
  alarmStateChange,
  failover,
  failoverReadiness,
  capacityMonitor,
  capacityAlarm,
  capacityReport,
};
