import { parseScheduleExpression } from "@outpost-ops/core/schedule/expression";
import {
  type AlarmComparison,
  type AlarmSpec,
  type EventRuleSpec,
  errorsAlarmName,
  type FunctionName,
  type FunctionSpec,
  type JobName,
  type JobSpec,
  Jobs,
  type QueueSpec,
  type QueueTarget,
} from "@outpost-ops/functions/src/jobs.ts";
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { type IRuleTarget, Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction, SqsQueue } from "aws-cdk-lib/aws-events-targets";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Duration } from "aws-cdk-lib/core";
import type { App, Function as SstFunction, Stack } from "sst/constructs";
import { namePrefix, useConfig } from "./context.ts";
import { type AlertsOutput, handlerFunction } from "./function.ts";

/*
 * A job's infrastructure, built from its declaration in packages/functions/src/jobs.ts (the drill
 * builds the same on the sandbox): each queue with its dead-letter queue and alarm, each function
 * with its role, environment and errors alarm, the queue's producer and consumer, and the schedules.
 * Construct ids derive from the declaration's names and must stay stable: renaming one replaces the
 * deployed resource.
 */

/** Retryable AWS errors are re-driven by the visibility timeout; ten tries before a human looks. */
export const MAX_RECEIVES = 10;

export interface JobOutput {
  functions: Partial<Record<FunctionName, SstFunction>>;
  queues: Record<string, Queue>;
  alarms: Record<string, Alarm>;
}

/** `snapshot-work` / `snapshotWork` → `SnapshotWork`. */
export function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, _dash, c: string) => c.toUpperCase());
}

/** `snapshotWork` → `snapshot-work`, as alarm names read. */
function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function workQueues(stack: Stack, prefix: string, spec: QueueSpec, consumerTimeoutSeconds: number) {
  const suffix = spec.fifo ? ".fifo" : "";
  const id = pascal(spec.name);
  // AWS's advice for SQS event sources: at least six times the function timeout, unless the
  // declaration says why less (never less than the timeout: Lambda refuses such a mapping).
  const visibilitySeconds = spec.visibilitySeconds ?? consumerTimeoutSeconds * 6;
  if (visibilitySeconds < consumerTimeoutSeconds)
    throw new Error(
      `Queue ${spec.name}: visibilitySeconds ${visibilitySeconds} is below its consumer's timeout (${consumerTimeoutSeconds} s); a batch still running would be delivered again`,
    );
  /*
   * FIFO so a duplicated run is dropped. A planner sets MessageDeduplicationId to the work item key
   * (content-based de-duplication would let two runs with different timestamps in); a queue fed by
   * EventBridge rules, which set no de-duplication id, de-duplicates on the body instead
   * (`contentBasedDeduplication`). The DLQ is FIFO too (SQS requires it of a FIFO queue's DLQ) and
   * de-duplicates the same way, so a message redriven back and forth keeps its semantics.
   */
  const contentBasedDeduplication = spec.contentBasedDeduplication ?? false;
  const deadLetters = new Queue(stack, `${id}DeadLetters`, {
    queueName: `${prefix}-${spec.name}-dlq${suffix}`,
    ...(spec.fifo ? { fifo: true, contentBasedDeduplication } : {}),
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
  });
  const queue = new Queue(stack, `${id}Queue`, {
    queueName: `${prefix}-${spec.name}${suffix}`,
    ...(spec.fifo
      ? {
          fifo: true,
          contentBasedDeduplication,
          deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
          fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
        }
      : {}),
    visibilityTimeout: Duration.seconds(visibilitySeconds),
    retentionPeriod: Duration.days(4),
    encryption: QueueEncryption.SQS_MANAGED,
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: MAX_RECEIVES },
  });
  // Alarms reach people through the Alerts stack's EventBridge rule (matched by name prefix).
  alarm(stack, `${id}DeadLettersAlarm`, {
    name: `${prefix}-${spec.name}-dead-letters`,
    description: `Work items failed ${MAX_RECEIVES} times and were moved to ${deadLetters.queueName}`,
    metric: deadLetters.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: "Maximum",
    }),
  });
  return queue;
}

/**
 * Builds one job in a stack.
 * @example buildJob(stack, app, "snapshot", use(Alerts))
 */
export function buildJob(stack: Stack, app: App, job: JobName, alerts: AlertsOutput): JobOutput {
  const config = useConfig(app);
  const prefix = namePrefix(app);
  const spec: JobSpec = Jobs[job];
  const functionSpecs = spec.functions as Record<string, FunctionSpec>;
  const queues: Record<string, Queue> = {};
  // The event stream goes to the Region's default bus, where users' own rules already live.
  const values: Record<string, string> = {
    ALERT_TOPIC_ARN: alerts.topic.topicArn,
    EVENT_BUS_NAME: "default",
  };
  for (const q of spec.queues) {
    const consumer = functionSpecs[q.consumer];
    if (!consumer) throw new Error(`Job ${job}: queue ${q.name} names no function ${q.consumer}`);
    queues[q.name] = workQueues(stack, prefix, q, consumer.timeoutSeconds);
    values[q.urlVariable] = queues[q.name]?.queueUrl ?? "";
  }

  const functions: Partial<Record<FunctionName, SstFunction>> = {};
  for (const [name, f] of Object.entries(functionSpecs)) {
    const environment: Record<string, string> = {};
    for (const variable of f.environment) {
      const value = values[variable];
      if (value === undefined)
        throw new Error(`Job ${job}: function ${name} reads ${variable}, which no queue or topic sets`);
      environment[variable] = value;
    }
    const fn = handlerFunction(stack, pascal(name), name as FunctionName, {
      description: f.description,
      timeoutSeconds: f.timeoutSeconds,
      environment: environment as never,
      alerts,
      ...(f.fixedName ? { functionName: `${prefix}-${f.fixedName}` } : {}),
    });
    functions[name as FunctionName] = fn;
    // The alarm relay gets none: its own alarm's state change would have to reach people through it.
    if (f.relaysAlarms) continue;
    alarm(stack, `${pascal(name)}ErrorsAlarm`, {
      name: errorsAlarmName(prefix, name),
      description: `The ${kebab(name)} function failed (crash or timeout) at least once in 5 minutes`,
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }),
    });
  }

  for (const q of spec.queues) {
    const queue = queues[q.name] as Queue;
    const consumer = functions[q.consumer as FunctionName];
    if (!consumer) throw new Error(`Job ${job}: queue ${q.name} needs its consumer ${q.consumer}`);
    // A queue without a producer is fed by EventBridge rules only (`queue` on a rule): no function
    // gets send rights on it.
    if (q.producer !== undefined) {
      const producer = functions[q.producer as FunctionName];
      if (!producer) throw new Error(`Job ${job}: queue ${q.name} names no producer ${q.producer}`);
      // The planners only send (SendMessageBatch, which SQS authorizes as sqs:SendMessage); CDK's
      // grantSendMessages would add sqs:GetQueueAttributes and sqs:GetQueueUrl, which nothing calls.
      // SQS-managed encryption needs no KMS permission.
      queue.grant(producer, "sqs:SendMessage");
    }
    consumer.addEventSource(
      new SqsEventSource(queue, {
        batchSize: q.batchSize,
        maxConcurrency: q.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }

  /*
   * A rule with `queue` delivers into that queue of the job (its consumer is the rule's target),
   * in the declared message group. CDK's SqsQueue target adds the queue policy that lets
   * events.amazonaws.com send, conditioned on aws:SourceArn = this rule (the queue's SQS-managed
   * encryption needs no key policy).
   */
  const targetOf = (
    what: string,
    target: string,
    queue: QueueTarget | undefined,
    delivery: { retryAttempts?: number; maxEventAge?: Duration } = {},
  ): IRuleTarget => {
    const fn = functions[target as FunctionName];
    if (!fn) throw new Error(`Job ${job}: ${what} targets no function ${target}`);
    if (!queue) return new LambdaFunction(fn, delivery);
    const declared = spec.queues.find((q) => q.name === queue.name);
    const q = queues[queue.name];
    if (!declared || !q)
      throw new Error(`Job ${job}: ${what} delivers to ${queue.name}, which is not a queue of the job`);
    if (declared.consumer !== target)
      throw new Error(
        `Job ${job}: ${what} targets ${target}, but ${queue.name} is consumed by ${declared.consumer}`,
      );
    if (!declared.fifo)
      throw new Error(`Job ${job}: ${what} sets a message group on ${queue.name}, which is not FIFO`);
    return new SqsQueue(q, { messageGroupId: queue.messageGroupId, ...delivery });
  };

  for (const s of spec.schedules(config)) {
    new Rule(stack, s.id, {
      description: s.description,
      schedule: Schedule.expression(parseScheduleExpression(s.expression).eventBridge),
      targets: [targetOf(`schedule ${s.id}`, s.target, s.queue)],
    });
  }
  const eventRules: EventRuleSpec[] = spec.eventRules?.(prefix, config) ?? [];
  for (const r of eventRules) {
    new Rule(stack, r.id, {
      description: r.description,
      eventPattern: eventPatternOf(r.pattern),
      targets: [
        targetOf(`event rule ${r.id}`, r.target, r.queue, {
          retryAttempts: r.retryAttempts,
          maxEventAge: Duration.hours(r.maxEventAgeHours),
        }),
      ],
    });
  }

  // Alarms on the job's own metrics (published with PutMetricData), named with the prefix so their
  // state changes reach people through the alarm relay.
  const alarms: Record<string, Alarm> = {};
  for (const a of spec.alarms?.(config, prefix, app.region) ?? []) alarms[a.id] = metricAlarm(stack, a);
  return { functions, queues, alarms };
}

/** An EventBridge pattern in CDK's shape (camelCase `detailType`). */
export function eventPatternOf(pattern: EventRuleSpec["pattern"]) {
  return {
    source: pattern.source,
    detailType: pattern["detail-type"],
    ...(pattern.region ? { region: pattern.region } : {}),
    ...(pattern.detail ? { detail: pattern.detail } : {}),
  };
}

const COMPARISONS: Record<AlarmComparison, ComparisonOperator> = {
  GreaterThanOrEqualToThreshold: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  GreaterThanThreshold: ComparisonOperator.GREATER_THAN_THRESHOLD,
  LessThanThreshold: ComparisonOperator.LESS_THAN_THRESHOLD,
  LessThanOrEqualToThreshold: ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
};

function metricAlarm(stack: Stack, a: AlarmSpec): Alarm {
  if (!a.name.startsWith(`${namePrefix(stack.node.root as App)}-`))
    throw new Error(
      `Alarm ${a.id}: its name ${a.name} must start with the prefix, or the relay never sees it`,
    );
  return new Alarm(stack, a.id, {
    alarmName: a.name,
    alarmDescription: a.description,
    metric: new Metric({
      namespace: a.metric.namespace,
      metricName: a.metric.name,
      dimensionsMap: a.metric.dimensions,
      statistic: a.metric.statistic,
      period: Duration.seconds(a.metric.periodSeconds),
    }),
    threshold: a.threshold,
    comparisonOperator: COMPARISONS[a.comparison ?? "GreaterThanThreshold"],
    evaluationPeriods: a.evaluationPeriods,
    datapointsToAlarm: a.datapointsToAlarm ?? a.evaluationPeriods,
    treatMissingData:
      a.treatMissingData === "breaching" ? TreatMissingData.BREACHING : TreatMissingData.NOT_BREACHING,
  });
}

/** Fires on the first datapoint above zero; no data (an idle queue or function) is healthy. */
export function alarm(
  stack: Stack,
  id: string,
  props: { name: string; description: string; metric: IMetric },
): Alarm {
  return new Alarm(stack, id, {
    alarmName: props.name,
    alarmDescription: props.description,
    metric: props.metric,
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}
