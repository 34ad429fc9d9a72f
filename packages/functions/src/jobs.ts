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
import type { Severity } from "@outpost-ops/core/alerts";
import type { FunctionRole } from "@outpost-ops/core/aws/permissions";
import { type CapacityAlarm, staticCapacityAlarms } from "@outpost-ops/core/capacity/alarms";
import { capacityAlarmPrefix } from "@outpost-ops/core/capacity/names";
import { type Config, copyRegions, deploymentRegions } from "@outpost-ops/core/config";
import { ALARM_ARN } from "@outpost-ops/core/config/failover";
import { copyView } from "@outpost-ops/core/copy/destinations";
import { WORKER_CONCURRENCY } from "./lib/worker-pacing.ts";

/**
 * Which deployments a job belongs to: `sst deploy` runs once per Region (PRODUCT.md, "Realities").
 * `copyDestinations`: every Region copies go to (regions.dr and the policies' `copy.alsoTo` Regions;
 * none while no policy copies). `every`: all of the config's deploymentRegions.
 */
export type Placement = "primary" | "dr" | "copyDestinations" | "every";
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
  /**
   * Deployed as `<prefix>-<fixedName>`, a name people and the CLI can invoke (`outpost-ops
   * failover`); the others get CloudFormation's generated names.
   */
  fixedName?: string;
  /**
   * The alarm relay: it gets no errors alarm of its own, whose state change would have to reach
   * people through the relay itself.
   */
  relaysAlarms?: true;
  /**
   * False for a function that never publishes an alert (the capacity monitor: its findings are
   * alarms, whose state changes alert): its role gets no publish right on the alert topic.
   * ALERT_TOPIC_ARN stays in its environment, which every handler's env requires (lib/env.ts).
   */
  alerts?: false;
}

export interface QueueSpec {
  /** kebab-case; queue names are `<prefix>-<name>[.fifo]` and `<prefix>-<name>-dlq[.fifo]`. */
  name: string;
  /** FIFO where a duplicated planner run must be dropped (de-duplication id = work item key). */
  fifo: boolean;
  /**
   * FIFO queues fed by EventBridge rules (which set no de-duplication id) de-duplicate on the body:
   * an event delivered twice within five minutes is one message.
   */
  contentBasedDeduplication?: boolean;
  /** The variable holding the queue URL, set on `producer`. */
  urlVariable: string;
  /** The function that sends to it; absent when only EventBridge rules do (`queue` on a rule). */
  producer?: string;
  consumer: string;
  batchSize: number;
  /**
   * Bounded so the workers keep EC2's 5/s snapshot buckets busy but never drain them: the snapshot
   * and retention workers' is WORKER_CONCURRENCY, which their pacing divides the bucket by.
   */
  maxConcurrency: number;
  /**
   * The queue's visibility timeout, when AWS's default advice (six times the consumer's timeout)
   * would hold a crashed batch back for too long; at least the consumer's timeout.
   */
  visibilitySeconds?: number;
}

export interface ScheduleSpec {
  /** Construct id in the stack (stable: renaming it would replace the deployed rule). */
  id: string;
  description: string;
  /** The config's schedule expression (stacks deploy its EventBridge form). */
  expression: string;
  /** The function key it invokes (through `queue`, when set). */
  target: string;
  /** Deliver the event to this queue of the job (its consumer is `target`) instead of invoking it. */
  queue?: QueueTarget;
}

/** An EventBridge rule's SQS target: a FIFO queue of the job, with the message group to send into. */
export interface QueueTarget {
  name: string;
  messageGroupId: string;
}

/** An EventBridge pattern in its JSON form (`detail-type`, prefix matchers as `{ prefix }`). */
export interface EventPattern {
  source: string[];
  "detail-type": string[];
  /** The Region the event happened in (kept when it is forwarded to another Region's bus). */
  region?: string[];
  detail?: Record<string, unknown>;
}

export interface EventRuleSpec {
  /** Construct id in the stack (stable). */
  id: string;
  description: string;
  pattern: EventPattern;
  target: string;
  /** Deliver to this queue of the job (its consumer is `target`) instead of invoking the function. */
  queue?: QueueTarget;
  /** EventBridge's retries of a failed delivery, and how old an event may get before it is dropped. */
  retryAttempts: number;
  maxEventAgeHours: number;
}

/**
 * A CloudWatch alarm a job deploys on a metric (its own, published with PutMetricData, or AWS's). Its
 * state changes reach people through the alarm relay (its name starts with the prefix), once into
 * ALARM and once out; the capacity job's reach its own handler instead (see the capacity job).
 */
export interface AlarmSpec {
  /** Construct id in the stack (stable). */
  id: string;
  /** Full alarm name, `<prefix>-…`. */
  name: string;
  /** The alert's first lines: what it means and what to do (the relay puts it in the body). */
  description: string;
  metric: {
    namespace: string;
    name: string;
    dimensions: Record<string, string>;
    statistic: "Maximum" | "Minimum" | "Average" | "Sum";
    periodSeconds: number;
  };
  /** How the statistic is compared with `threshold`; absent: GreaterThanThreshold. */
  comparison?: AlarmComparison;
  threshold: number;
  evaluationPeriods: number;
  /** Datapoints out of `evaluationPeriods` that must breach; absent: all of them. */
  datapointsToAlarm?: number;
  /** `breaching` where silence means the job that publishes the metric is not running. */
  treatMissingData: "breaching" | "notBreaching";
  /** How grave its ALARM is, where the handler of its state changes needs to know (capacity bands). */
  severity?: Severity;
}

export type AlarmComparison =
  | "GreaterThanOrEqualToThreshold"
  | "GreaterThanThreshold"
  | "LessThanThreshold"
  | "LessThanOrEqualToThreshold";

/**
 * Events another deployment's Region sees first that a job in this Region reacts to: the other
 * Region's deployment forwards them to this Region's default bus with a rule of its own (EventBridge
 * cross-Region targets). The events keep their `region` and `source`.
 */
export interface ForwardSpec {
  id: string;
  description: string;
  from: "primary";
  pattern: EventPattern;
}

export interface JobSpec {
  runsIn: Placement;
  /**
   * False when the config gives the job nothing to do: it is then deployed nowhere (no stack, no
   * forwarding) and the drill does not wire it. Absent: always active.
   */
  activeFor?(config: Config): boolean;
  functions: Record<string, FunctionSpec>;
  queues: readonly QueueSpec[];
  schedules(config: Config): ScheduleSpec[];
  /** Rules on events other than schedules; `prefix` is the deployment's name prefix (`outpost-ops-<stage>`). */
  eventRules?(prefix: string, config: Config): EventRuleSpec[];
  /** Alarms on the job's own metrics in `region` (none for a config that gives the job nothing to do there). */
  alarms?(config: Config, prefix: string, region: string): AlarmSpec[];
  /** Events to forward from another Region's deployment to this job's Region. */
  forwarded?(config: Config): ForwardSpec[];
}

const PLANNER_TIMEOUT_SECONDS = 14 * 60;
/** A scheduler run reads, plans and starts at most 40 copies: minutes, not the planners' quarter hour. */
const COPY_SCHEDULER_TIMEOUT_SECONDS = 5 * 60;
/** The copy scheduler's backstop tick: missed events, copies without a completion event (Aurora). */
export const COPY_TICK_SCHEDULE = "rate(10 minutes)";
/** One message group: the scheduler of this destination Region runs one batch at a time. */
const COPY_TICKS: QueueTarget = { name: "copy-ticks", messageGroupId: "copy-scheduler" };

/** EBS: a snapshot or set completed in the primary Region, or a copy finished here. */
const EBS_SNAPSHOT_EVENTS: EventPattern = {
  source: ["aws.ec2"],
  "detail-type": ["EBS Snapshot Notification", "EBS Multi-Volume Snapshots Completion Status"],
  detail: { event: ["createSnapshot", "createSnapshots", "copySnapshot"] },
};
/** RDS: a manual DB or cluster snapshot created (0042, 0075), a cross-Region copy finished (0060). */
const RDS_SNAPSHOT_EVENTS: EventPattern = {
  source: ["aws.rds"],
  "detail-type": ["RDS DB Snapshot Event", "RDS DB Cluster Snapshot Event"],
  detail: { EventID: ["RDS-EVENT-0042", "RDS-EVENT-0075", "RDS-EVENT-0060"] },
};
const WORKER_TIMEOUT_SECONDS = 5 * 60;
/** Preflight (seconds), the change, and Route 53's INSYNC (usually within a minute; waited for up to 4). */
const FAILOVER_TIMEOUT_SECONDS = 5 * 60;
/** `snapshotWork` → `snapshot-work`, as alarm names read. */
function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * The errors alarm the stacks give every function (but the relay): `<prefix>-<kebab name>-errors`.
 * @example errorsAlarmName("outpost-ops-prod", "snapshotWork") // "outpost-ops-prod-snapshot-work-errors"
 */
export function errorsAlarmName(prefix: string, functionName: string): string {
  return `${prefix}-${kebab(functionName)}-errors`;
}

/** Discovery and reconcile of a few Outposts' alarms: seconds of reads, a few PutMetricAlarm. */
const CAPACITY_MONITOR_TIMEOUT_SECONDS = 2 * 60;
/** One alarm's state change: a DescribeAlarms of its siblings, the reading, the alert. */
const CAPACITY_ALARM_TIMEOUT_SECONDS = 60;
/** Every Outpost's view (14 days of metrics per condition, the consumers) and one alert per Outpost. */
const CAPACITY_REPORT_TIMEOUT_SECONDS = 5 * 60;

/**
 * Whether an alarm is the capacity alarm handler's: named under the capacity prefix, and not the
 * errors alarm of one of the capacity job's own functions (`<prefix>-capacity-monitor-errors`…),
 * which share that prefix by their names but are the relay's, like every function's errors alarm.
 * @example isCapacityAlarm("outpost-ops-prod", "outpost-ops-prod-capacity-factory-connected") // true
 */
export function isCapacityAlarm(prefix: string, alarmName: string): boolean {
  if (!alarmName.startsWith(capacityAlarmPrefix(prefix))) return false;
  return !Object.keys(Jobs.capacity.functions).some((f) => errorsAlarmName(prefix, f) === alarmName);
}

/**
 * The capacity alarms' state changes (every band's ALARM and OK), to the capacity alarm handler.
 * INSUFFICIENT_DATA is never an alert (a new alarm's first evaluation), so it is not delivered.
 */
function capacityAlarmRule(prefix: string): EventRuleSpec {
  return {
    id: "CapacityAlarmStateChangeRule",
    description: `State changes of the capacity alarms (${capacityAlarmPrefix(prefix)}*), to the capacity alarm handler`,
    pattern: {
      source: ["aws.cloudwatch"],
      "detail-type": ["CloudWatch Alarm State Change"],
      detail: {
        alarmName: [{ prefix: capacityAlarmPrefix(prefix) }],
        state: { value: ["ALARM", "OK"] },
      },
    },
    target: "capacityAlarm",
    retryAttempts: 8,
    // A capacity alarm two hours old is stale: the next state change (or the report) says more.
    maxEventAgeHours: 2,
  };
}

/**
 * A capacity alarm (core/capacity/alarms.ts) as the stacks deploy it. The construct id is the name
 * without the stage's prefix, so it does not change with the stage and stays stable per Outpost.
 */
function capacityAlarmSpec(alarm: CapacityAlarm, prefix: string): AlarmSpec {
  return {
    id: `CapacityAlarm_${alarm.name.slice(capacityAlarmPrefix(prefix).length)}`,
    name: alarm.name,
    description: alarm.description,
    metric: {
      namespace: alarm.metric.namespace,
      name: alarm.metric.name,
      dimensions: alarm.metric.dimensions,
      statistic: alarm.metric.statistic,
      periodSeconds: alarm.metric.periodSeconds,
    },
    comparison: alarm.comparison,
    threshold: alarm.threshold,
    evaluationPeriods: alarm.evaluationPeriods,
    datapointsToAlarm: alarm.datapointsToAlarm,
    treatMissingData: alarm.treatMissingData,
    severity: alarm.severity,
  };
}

/** The failover function is `<prefix>-failover`: what `outpost-ops failover` invokes. */
export const FAILOVER_FUNCTION = "failover";

/**
 * The trigger alarms (failover.alarms) in one Region, by name: a bare name is an alarm of the
 * primary Region, an ARN names its own Region.
 * @example triggerAlarms(config, "us-west-2") // ["factory-connected"]
 */
export function triggerAlarms(config: Config, region: string): string[] {
  const names = (config.failover?.alarms ?? []).flatMap((a) => {
    const arn = ALARM_ARN.exec(a);
    if (!arn) return region === config.regions.primary ? [a] : [];
    return arn[1] === region && arn[3] ? [arn[3]] : [];
  });
  return [...new Set(names)];
}

/** A trigger alarm of `region` going to ALARM (OK and INSUFFICIENT_DATA never fail anything over). */
function triggerAlarmPattern(region: string, names: string[]): EventPattern {
  return {
    source: ["aws.cloudwatch"],
    "detail-type": ["CloudWatch Alarm State Change"],
    region: [region],
    detail: { alarmName: names, state: { value: ["ALARM"] } },
  };
}

/**
 * In the DR Region, one rule per Region the trigger alarms are in: the DR Region's own alarms, and
 * the primary's as forwarded to this bus (forwarded events keep their `region`, so an alarm of the
 * same name in the other Region does not match). Both invoke the failover function directly.
 */
function failoverAlarmRules(config: Config): EventRuleSpec[] {
  const rules = [
    {
      id: "FailoverPrimaryAlarmsRule",
      region: config.regions.primary,
      where: "the primary Region (forwarded)",
    },
    { id: "FailoverDrAlarmsRule", region: config.regions.dr, where: "the DR Region" },
  ];
  return rules.flatMap(({ id, region, where }) => {
    const names = triggerAlarms(config, region);
    if (names.length === 0) return [];
    return [
      {
        id,
        description: `Failover trigger alarms of ${where} going to ALARM, to the failover function`,
        pattern: triggerAlarmPattern(region, names),
        target: "failover",
        retryAttempts: 8,
        // An alarm an hour old is history: by then a person has decided.
        maxEventAgeHours: 1,
      },
    ];
  });
}

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
        maxConcurrency: WORKER_CONCURRENCY,
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
    // In the DR Region too: the copies there have their own retention (core/jobs/retention.ts, policiesIn).
    runsIn: "every",
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
        maxConcurrency: WORKER_CONCURRENCY,
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
  copy: {
    // In the destination: CopySnapshot and CopyDB*Snapshot are called there, the copies' completion
    // events arrive there, and the DR site's view of its recovery points must not depend on the
    // primary Region being up.
    // Without a copy rule in any policy there are no destinations: no queue, rules or alarms anywhere.
    runsIn: "copyDestinations",
    functions: {
      copySchedule: {
        path: "packages/functions/src/queue/copy-schedule.handler",
        trigger: "sqs",
        role: "copyScheduler",
        environment: ["ALERT_TOPIC_ARN", "EVENT_BUS_NAME"],
        timeoutSeconds: COPY_SCHEDULER_TIMEOUT_SECONDS,
        description:
          "Starts DR copies into this Region within AWS's 20-copy limit, and publishes recovery points",
      },
    },
    /*
     * The single writer: every trigger (snapshot events, copy completions, the schedule) becomes a
     * message in one FIFO message group, and SQS hands a group's messages to one batch at a time, so
     * two scheduler runs never overlap and a run's derived free slots are its own. Chosen over
     * reserved concurrency 1, whose throttled invocations EventBridge retries one by one: here a
     * burst of completions is read as one batch of ten, and a crashed run's batch comes back after
     * the visibility timeout. The run itself keeps no state, so a redelivered batch only plans again.
     */
    queues: [
      {
        name: COPY_TICKS.name,
        fifo: true,
        contentBasedDeduplication: true,
        urlVariable: "COPY_TICKS_QUEUE_URL",
        consumer: "copySchedule",
        batchSize: 10,
        // SQS's minimum; the one message group keeps it to one batch at a time anyway.
        maxConcurrency: 2,
        /*
         * Twice the scheduler's timeout, not the usual six: while a batch is in flight its message
         * group is locked, so after a crash (or a timeout) no tick of this Region is delivered
         * until the batch becomes visible again. Six times would stop every copy for 30 minutes;
         * twice bounds the stall to 10, and a run never outlives its own timeout, so a batch that
         * is still being worked on never reappears.
         */
        visibilitySeconds: 2 * COPY_SCHEDULER_TIMEOUT_SECONDS,
      },
    ],
    schedules: (config) =>
      config.policies.some((p) => p.copy)
        ? [
            {
              // Not "CopySchedule": that is the scheduler function's construct id (stacks/job.ts).
              id: "CopyScheduleRule",
              description: `DR copy scheduler backstop (${COPY_TICK_SCHEDULE})`,
              expression: COPY_TICK_SCHEDULE,
              target: "copySchedule",
              queue: COPY_TICKS,
            },
          ]
        : [],
    eventRules: () => [
      {
        id: "CopyEbsEventsRule",
        description: "EBS snapshots completed (forwarded from the primary Region) and copies finished here",
        pattern: EBS_SNAPSHOT_EVENTS,
        target: "copySchedule",
        queue: COPY_TICKS,
        retryAttempts: 8,
        maxEventAgeHours: 2,
      },
      {
        id: "CopyRdsEventsRule",
        description:
          "RDS/Aurora snapshots created (forwarded from the primary Region) and copies finished here",
        pattern: RDS_SNAPSHOT_EVENTS,
        target: "copySchedule",
        queue: COPY_TICKS,
        retryAttempts: 8,
        maxEventAgeHours: 2,
      },
    ],
    forwarded: () => [
      {
        id: "ForwardEbsSnapshotEvents",
        description: "EBS snapshot completions, to the DR Region's copy scheduler",
        from: "primary",
        pattern: {
          ...EBS_SNAPSHOT_EVENTS,
          detail: { event: ["createSnapshot", "createSnapshots"] },
        },
      },
      {
        id: "ForwardRdsSnapshotEvents",
        description: "RDS/Aurora manual snapshot creations, to the DR Region's copy scheduler",
        from: "primary",
        pattern: { ...RDS_SNAPSHOT_EVENTS, detail: { EventID: ["RDS-EVENT-0042", "RDS-EVENT-0075"] } },
      },
    ],
    alarms: (config, prefix, region) => copyAlarms(copyView(config, region), prefix, region),
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
        relaysAlarms: true,
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
  failover: {
    // In the DR Region: it must work when the primary Region is gone. Its state is in the zone
    // (core/failover/state.ts), its history on the DR Region's event stream and in its archive.
    runsIn: "dr",
    activeFor: (config) => config.failover !== undefined,
    functions: {
      failover: {
        path: "packages/functions/src/failover/failover.handler",
        // Its rules deliver alarm state changes; people and the CLI invoke it with the manual event.
        trigger: "alarm",
        role: "failover",
        environment: ["ALERT_TOPIC_ARN", "EVENT_BUS_NAME"],
        timeoutSeconds: FAILOVER_TIMEOUT_SECONDS,
        description:
          "Points DNS at the DR site (or back) on a trigger alarm or a command, after the preflight",
        fixedName: FAILOVER_FUNCTION,
      },
      failoverReadiness: {
        path: "packages/functions/src/schedule/failover-readiness.handler",
        trigger: "schedule",
        role: "failoverReadiness",
        environment: ["ALERT_TOPIC_ARN", "EVENT_BUS_NAME"],
        timeoutSeconds: 2 * 60,
        description: "Runs the failover preflight as a dry run and alerts when failover would be refused",
      },
    },
    queues: [],
    schedules: (config) =>
      config.failover
        ? [
            {
              id: "FailoverReadinessSchedule",
              description: `Failover readiness check (${config.failover.readiness.schedule})`,
              expression: config.failover.readiness.schedule,
              target: "failoverReadiness",
            },
          ]
        : [],
    eventRules: (_prefix, config) => failoverAlarmRules(config),
    forwarded: (config) => {
      const names = triggerAlarms(config, config.regions.primary);
      if (names.length === 0) return [];
      return [
        {
          id: "ForwardFailoverAlarms",
          description:
            "Failover trigger alarms of the primary Region going to ALARM, to the DR Region's failover",
          from: "primary",
          pattern: triggerAlarmPattern(config.regions.primary, names),
        },
      ];
    },
  },
  capacity: {
    // In the primary Region: the Outposts are anchored there, and their metrics are there.
    runsIn: "primary",
    activeFor: (config) => config.outposts.length > 0,
    functions: {
      capacityMonitor: {
        path: "packages/functions/src/schedule/capacity-monitor.handler",
        trigger: "schedule",
        role: "capacityMonitor",
        environment: ["ALERT_TOPIC_ARN"],
        alerts: false,
        timeoutSeconds: CAPACITY_MONITOR_TIMEOUT_SECONDS,
        description:
          "Discovers each Outpost's instance types, volume types and S3 storage, reconciles their capacity alarms, publishes the CPU gauge",
      },
      capacityAlarm: {
        path: "packages/functions/src/alarm/capacity-alarm.handler",
        trigger: "alarm",
        role: "capacityAlarm",
        environment: ["ALERT_TOPIC_ARN", "EVENT_BUS_NAME"],
        timeoutSeconds: CAPACITY_ALARM_TIMEOUT_SECONDS,
        description:
          "Turns a capacity alarm's state change into one alert per condition (utilization, headroom, forecast, consumers)",
      },
      capacityReport: {
        path: "packages/functions/src/schedule/capacity-report.handler",
        trigger: "schedule",
        role: "capacityReport",
        environment: ["ALERT_TOPIC_ARN", "EVENT_BUS_NAME"],
        timeoutSeconds: CAPACITY_REPORT_TIMEOUT_SECONDS,
        description: "Publishes the weekly capacity report of each Outpost",
      },
    },
    queues: [],
    schedules: (config) => [
      {
        id: "CapacityMonitorSchedule",
        description: `Capacity monitor: discovery and alarm reconcile (${config.capacity.schedule})`,
        expression: config.capacity.schedule,
        target: "capacityMonitor",
      },
      {
        id: "CapacityReportSchedule",
        description: `Weekly capacity report (${config.capacity.report.schedule})`,
        expression: config.capacity.report.schedule,
        target: "capacityReport",
      },
    ],
    /*
     * Not the alarm relay's: the relay's rule matches every `<prefix>-` alarm, and EventBridge cannot
     * AND a prefix with an anything-but prefix on one field, so the relay itself skips these names
     * (alarm/state-change.ts) and this rule delivers them here.
     */
    eventRules: (prefix) => [capacityAlarmRule(prefix)],
    // The alarms that need no discovery (ConnectedStatus, the CPU gauge's bands); the monitor
    // manages the rest. Only in the primary Region, where the job runs.
    alarms: (config, prefix, region) =>
      region === config.regions.primary
        ? staticCapacityAlarms(config, prefix).map((a) => capacityAlarmSpec(a, prefix))
        : [],
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
 * The jobs deployed in a Region: those placed there that the config gives something to do.
 * @example jobsIn("us-east-1", config) // DR: ["retention", "alerts"], plus "copy" once a policy has `copy`
 */
export function jobsIn(region: string, config: Config): JobName[] {
  if (!deploymentRegions(config).includes(region)) return [];
  const placed: Record<Placement, boolean> = {
    primary: region === config.regions.primary,
    dr: region === config.regions.dr,
    copyDestinations: copyRegions(config).includes(region),
    every: true,
  };
  return (Object.keys(Jobs) as JobName[]).filter((name) => {
    const spec: JobSpec = Jobs[name];
    if (spec.activeFor && !spec.activeFor(config)) return false;
    return placed[spec.runsIn];
  });
}

/** Every function of every job, by key. */
export const AllFunctionSpecs = Object.assign(
  {},
  ...Object.values(Jobs).map((job) => job.functions),
) as AllFunctions;

/**
 * In one destination (`view` is copyView of it): one alarm per policy copying there on its resources
 * behind the RPO (silence counts as behind: the scheduler publishes every ten minutes), and one per
 * destination KMS key on its unusability.
 */
function copyAlarms(view: Config, prefix: string, region: string): AlarmSpec[] {
  const copying = view.policies.filter((p) => p.copy);
  const rpo = copying.map(
    (p): AlarmSpec => ({
      id: `RpoAlarm_${p.name}`,
      name: `${prefix}-rpo-${p.name}`,
      description: `Policy ${p.name}: at least one resource has no DR copy in ${region} within its RPO (${p.copy?.rpo}), or the copy scheduler stopped reporting. Run \`npx outpost-ops status\` to see which resources and why.`,
      metric: {
        namespace: "OutpostOps",
        name: "ResourcesBehindRpo",
        dimensions: { policy: p.name },
        statistic: "Maximum",
        periodSeconds: 1800,
      },
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: "breaching",
    }),
  );
  const keys = [...new Set(copying.map((p) => p.copy?.kmsKeyArn ?? ""))].filter(Boolean);
  const kms = keys.map(
    (arn): AlarmSpec => ({
      id: `CopyKmsKeyAlarm_${arn.split("/").pop()}`,
      name: `${prefix}-copy-kms-${arn.split("/").pop()}`,
      description: `DR copies into ${region} are stopped: KMS key ${arn} cannot be used (missing, disabled, pending deletion, or no grant for the copy function's role). Fix the key (enable it, cancel its deletion, or allow the role kms:CreateGrant, kms:Decrypt, kms:GenerateDataKeyWithoutPlaintext, kms:ReEncrypt*), or name another key of ${region} in ${region === view.regions.dr ? "copy.kmsKeyArn" : "its copy.alsoTo entry"}. \`npx outpost-ops status\` shows AWS's exact reason. Copies resume on their own once the key works.`,
      metric: {
        namespace: "OutpostOps",
        name: "KmsKeyUnusable",
        dimensions: { key: arn },
        statistic: "Maximum",
        // Longer than the scheduler's 10-minute backstop: every window holds a datapoint, so it cannot flap.
        periodSeconds: 900,
      },
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    }),
  );
  return [...rpo, ...kms];
}

/** A rule one deployment creates for a job of another Region: forward matching events to its bus. */
export interface Forwarding {
  /** Construct id: the spec's for regions.dr, suffixed with the Region for each `alsoTo` Region. */
  id: string;
  job: JobName;
  spec: ForwardSpec;
  /** The Region whose default bus receives the events (they keep their `region` and `source`). */
  to: string;
}

/**
 * The forwarding rules the deployment in `region` creates: in the primary Region, every
 * `from: "primary"` ForwardSpec of the jobs of every other deployed Region (regions.dr and each
 * `alsoTo` copy destination), one rule per spec and Region; elsewhere none. The stacks deploy these
 * (stacks/Replication.ts) and the drill plays them (packages/cli/src/drill).
 * @example forwardingIn("us-west-2", config) // [] until a policy has `copy`
 */
export function forwardingIn(region: string, config: Config): Forwarding[] {
  if (region !== config.regions.primary) return [];
  return deploymentRegions(config)
    .filter((to) => to !== region)
    .flatMap((to) =>
      jobsIn(to, config).flatMap((job) => {
        const spec: JobSpec = Jobs[job];
        return (spec.forwarded?.(config) ?? [])
          .filter((f) => f.from === "primary")
          .map((f) => ({
            // regions.dr's ids are the ones deployed before `alsoTo` existed: unchanged, not replaced.
            id: to === config.regions.dr ? f.id : `${f.id}_${to.replaceAll("-", "")}`,
            job,
            spec: f,
            to,
          }));
      }),
    );
}
