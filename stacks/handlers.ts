/**
 * The only place handler paths appear. Stacks name a handler by its key; test/infra/handlers.test.ts
 * checks that every path exists, exports `handler` and `parseEvent`, and that `parseEvent` accepts the
 * event its trigger sends. `environment` lists the variables the stacks set on that function (beyond
 * the defaults every function gets, see defaults.ts), so a handler knows exactly what it may read.
 */
export const Handlers = {
  snapshotWindow: {
    path: "packages/functions/src/schedule/snapshot-window.handler",
    trigger: "schedule",
    role: "snapshotPlanner",
    environment: ["SNAPSHOT_QUEUE_URL", "ALERT_TOPIC_ARN"],
  },
  snapshotWork: {
    path: "packages/functions/src/queue/snapshot-work.handler",
    trigger: "sqs",
    role: "snapshotWorker",
    environment: ["ALERT_TOPIC_ARN"],
  },
  retentionSweep: {
    path: "packages/functions/src/schedule/retention-sweep.handler",
    trigger: "schedule",
    role: "retentionPlanner",
    environment: ["RETENTION_QUEUE_URL", "ALERT_TOPIC_ARN"],
  },
  retentionWork: {
    path: "packages/functions/src/queue/retention-work.handler",
    trigger: "sqs",
    role: "retentionWorker",
    environment: ["ALERT_TOPIC_ARN"],
  },
  alarmStateChange: {
    path: "packages/functions/src/alarm/state-change.handler",
    trigger: "alarm",
    role: "alarmHandler",
    environment: ["ALERT_TOPIC_ARN"],
  },
} as const;

export type HandlerName = keyof typeof Handlers;
export type Trigger = (typeof Handlers)[HandlerName]["trigger"];
