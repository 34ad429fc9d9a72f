/**
 * One declaration per job: its functions (handler path, trigger, IAM role, environment, timeout),
 * the queues that carry its work items between them, the schedules that start it and the Region it
 * runs in. stacks/ builds the infrastructure from this, and the offline drill wires the same
 * handlers, queues and rules on the sandbox from it, so the drill cannot drift from what is deployed
 * (test/infra/wiring.test.ts compares the two).
 *
 * Adding a job: one entry here, its handlers under packages/functions/src/<trigger>/, its permissions
 * in packages/core/src/aws/permissions.ts, and its CLI command; the stacks and the drill follow.
 * This file holds data only (no SDK imports): stacks and the drill read it without loading handlers.
 */
import type { FunctionRole } from "@outpost-ops/core/aws/permissions";
import type { Config } from "@outpost-ops/core/config";

/** Which deployment a job belongs to: `sst deploy` runs once per Region (PRODUCT.md, "Realities"). */
export type Placement = "primary" | "dr" | "every";
export type Trigger = "schedule" | "sqs" | "alarm";

export interface FunctionSpec {
  /** `file.export`, relative to the repo root, as SST's `handler` prop takes it. */
  path: string;
  trigger: Trigger;
  role: FunctionRole;
  /** Variables the stacks set on this function beyond the defaults every function gets. */
  environment: readonly string[];
  timeoutSeconds: number;
  description: string;
}

export interface QueueSpec {
  /** kebab-case; queue names are `<prefix>-<name>[.fifo]` and `<prefix>-<name>-dlq[.fifo]`. */
  name: string;
  /** FIFO where a duplicated planner run must be dropped (de-duplication id = work item key). */
  fifo: boolean;
  /** The variable holding the queue URL, set on `producer`. */
  urlVariable: string;
  producer: string;
  consumer: string;
  batchSize: number;
  /** Bounded so the workers keep EC2's 5/s mutating buckets busy but never drain them. */
  maxConcurrency: number;
}

export interface ScheduleSpec {
  /** Construct id in the stack (stable: renaming it would replace the deployed rule). */
  id: string;
  description: string;
  /** The config's schedule expression (stacks deploy its EventBridge form). */
  expression: string;
  /** The function key it invokes. */
  target: string;
}

/** An EventBridge pattern in its JSON form (`detail-type`, prefix matchers as `{ prefix }`). */
export interface EventPattern {
  source: string[];
  "detail-type": string[];
  detail?: Record<string, unknown>;
}

export interface EventRuleSpec {
  /** Construct id in the stack (stable). */
  id: string;
  description: string;
  pattern: EventPattern;
  target: string;
  /** EventBridge's retries of a failed delivery, and how old an event may get before it is dropped. */
  retryAttempts: number;
  maxEventAgeHours: number;
}

export interface JobSpec {
  runsIn: Placement;
  functions: Record<string, FunctionSpec>;
  queues: readonly QueueSpec[];
  schedules(config: Config): ScheduleSpec[];
  /** Rules on events other than schedules; `prefix` is the deployment's name prefix (`outpost-ops-<stage>`). */
  eventRules?(prefix: string): EventRuleSpec[];
}

const PLANNER_TIMEOUT_SECONDS = 14 * 60;
const WORKER_TIMEOUT_SECONDS = 5 * 60;

export const Jobs = {
  snapshot: {
    runsIn: "primary",
    functions: {
      snapshotWindow: {
        path: "packages/functions/src/schedule/snapshot-window.handler",
        trigger: "schedule",
        role: "snapshotPlanner",
        environment: ["SNAPSHOT_QUEUE_URL", "ALERT_TOPIC_ARN", "EVENT_BUS_NAME"],
        timeoutSeconds: PLANNER_TIMEOUT_SECONDS,
        description: "Plans the snapshots due in a schedule window and queues one work item per snapshot",
      },
      snapshotWork: {
        path: "packages/functions/src/queue/snapshot-work.handler",
        trigger: "sqs",
        role: "snapshotWorker",
        environment: ["ALERT_TOPIC_ARN", "EVENT_BUS_NAME"],
        timeoutSeconds: WORKER_TIMEOUT_SECONDS,
        description: "Creates the snapshots of one batch of work items",
      },
    },
    queues: [
      {
        name: "snapshot-work",
        fifo: true,
        urlVariable: "SNAPSHOT_QUEUE_URL",
        producer: "snapshotWindow",
        consumer: "snapshotWork",
        batchSize: 10,
        maxConcurrency: 2,
      },
    ],
    // One rule per policy schedule, all with the plain scheduled event: the handler works from its `time`.
    schedules: (config) =>
      config.policies.flatMap((policy) =>
        policy.schedules.map((schedule) => ({
          id: `SnapshotSchedule_${policy.name}_${schedule.name}`,
          description: `Snapshot window: policy ${policy.name}, schedule ${schedule.name} (${schedule.expression})`,
          expression: schedule.expression,
          target: "snapshotWindow",
        })),
      ),
  },
  retention: {
    runsIn: "primary",
    functions: {
      retentionSweep: {
        path: "packages/functions/src/schedule/retention-sweep.handler",
        trigger: "schedule",
        role: "retentionPlanner",
        environment: ["RETENTION_QUEUE_URL", "ALERT_TOPIC_ARN", "EVENT_BUS_NAME"],
        timeoutSeconds: PLANNER_TIMEOUT_SECONDS,
        description: "Plans retention for every policy and queues the deletions",
      },
      retentionWork: {
        path: "packages/functions/src/queue/retention-work.handler",
        trigger: "sqs",
        role: "retentionWorker",
        environment: ["ALERT_TOPIC_ARN", "EVENT_BUS_NAME"],
        timeoutSeconds: WORKER_TIMEOUT_SECONDS,
        description: "Deletes the snapshots of one batch of retention work items",
      },
    },
    // Standard queue: a delete that runs twice finds the snapshot gone, which counts as success.
    queues: [
      {
        name: "retention-work",
        fifo: false,
        urlVariable: "RETENTION_QUEUE_URL",
        producer: "retentionSweep",
        consumer: "retentionWork",
        batchSize: 5,
        maxConcurrency: 2,
      },
    ],
    schedules: (config) => [
      {
        id: "RetentionSchedule",
        description: `Retention sweep (${config.retention.schedule})`,
        expression: config.retention.schedule,
        target: "retentionSweep",
      },
    ],
  },
  alerts: {
    // In every Region: the DR deployment must be able to alert when the primary cannot.
    runsIn: "every",
    functions: {
      alarmStateChange: {
        path: "packages/functions/src/alarm/state-change.handler",
        trigger: "alarm",
        role: "alarmHandler",
        environment: ["ALERT_TOPIC_ARN"],
        timeoutSeconds: 30,
        description: "Turns outpost-ops alarm state changes into alerts on the alert topic",
      },
    },
    queues: [],
    schedules: () => [],
    // Every alarm outpost-ops creates is named with the prefix, so its state changes reach the relay.
    eventRules: (prefix) => [
      {
        id: "AlarmStateChangeRule",
        description: `State changes of alarms named ${prefix}-*, to the alarm handler`,
        pattern: {
          source: ["aws.cloudwatch"],
          "detail-type": ["CloudWatch Alarm State Change"],
          detail: { alarmName: [{ prefix: `${prefix}-` }], state: { value: ["ALARM", "OK"] } },
        },
        target: "alarmStateChange",
        retryAttempts: 8,
        maxEventAgeHours: 2,
      },
    ],
  },
} as const satisfies Record<string, JobSpec>;

export type JobName = keyof typeof Jobs;

type FunctionsOf<J> = J extends { functions: infer F } ? F : never;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;
/** Every function of every job, by key (keys are unique across jobs; the wiring test checks it). */
export type AllFunctions = UnionToIntersection<FunctionsOf<(typeof Jobs)[JobName]>>;
export type FunctionName = keyof AllFunctions & string;

/**
 * @example jobsIn("us-east-1", config) // DR: ["alerts"]
 */
export function jobsIn(region: string, config: Config): JobName[] {
  const where: Placement | undefined =
    region === config.regions.primary ? "primary" : region === config.regions.dr ? "dr" : undefined;
  if (where === undefined) return [];
  return (Object.keys(Jobs) as JobName[]).filter((name) => {
    const runsIn: Placement = Jobs[name].runsIn;
    return runsIn === "every" || runsIn === where;
  });
}

/** Every function of every job, by key. */
export const AllFunctionSpecs = Object.assign(
  {},
  ...Object.values(Jobs).map((job) => job.functions),
) as AllFunctions;
