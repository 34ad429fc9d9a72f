import { parseScheduleExpression } from "@outpost-ops/core/schedule/expression";
import {
  type EventRuleSpec,
  type FunctionName,
  type FunctionSpec,
  type JobName,
  Jobs,
  type QueueSpec,
} from "@outpost-ops/functions/src/jobs.ts";
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
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
}

/** `snapshot-work` / `snapshotWork` → `SnapshotWork`. */
function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, _dash, c: string) => c.toUpperCase());
}

/** `snapshotWork` → `snapshot-work`, as alarm names read. */
function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function workQueues(stack: Stack, prefix: string, spec: QueueSpec, consumerTimeoutSeconds: number) {
  const suffix = spec.fifo ? ".fifo" : "";
  const id = pascal(spec.name);
  const deadLetters = new Queue(stack, `${id}DeadLetters`, {
    queueName: `${prefix}-${spec.name}-dlq${suffix}`,
    ...(spec.fifo ? { fifo: true } : {}),
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
  });
  const queue = new Queue(stack, `${id}Queue`, {
    queueName: `${prefix}-${spec.name}${suffix}`,
    // FIFO so a duplicated planner run is dropped: the planner sets MessageDeduplicationId to the
    // work item key (content-based de-duplication would let two runs with different timestamps in).
    ...(spec.fifo
      ? {
          fifo: true,
          contentBasedDeduplication: false,
          deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
          fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
        }
      : {}),
    // AWS's advice for SQS event sources: at least six times the function timeout.
    visibilityTimeout: Duration.seconds(consumerTimeoutSeconds * 6),
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
  const spec = Jobs[job];
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
    });
    functions[name as FunctionName] = fn;
    // The alarm relay gets none: its own alarm's state change would have to reach people through it.
    if (f.trigger === "alarm") continue;
    alarm(stack, `${pascal(name)}ErrorsAlarm`, {
      name: `${prefix}-${kebab(name)}-errors`,
      description: `The ${kebab(name)} function failed (crash or timeout) at least once in 5 minutes`,
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }),
    });
  }

  for (const q of spec.queues) {
    const queue = queues[q.name] as Queue;
    const producer = functions[q.producer as FunctionName];
    const consumer = functions[q.consumer as FunctionName];
    if (!producer || !consumer)
      throw new Error(`Job ${job}: queue ${q.name} needs functions ${q.producer} and ${q.consumer}`);
    // The planners only send (SendMessageBatch, which SQS authorizes as sqs:SendMessage); CDK's
    // grantSendMessages would add sqs:GetQueueAttributes and sqs:GetQueueUrl, which nothing calls.
    // SQS-managed encryption needs no KMS permission.
    queue.grant(producer, "sqs:SendMessage");
    consumer.addEventSource(
      new SqsEventSource(queue, {
        batchSize: q.batchSize,
        maxConcurrency: q.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }

  for (const s of spec.schedules(config)) {
    const target = functions[s.target as FunctionName];
    if (!target) throw new Error(`Job ${job}: schedule ${s.id} targets no function ${s.target}`);
    new Rule(stack, s.id, {
      description: s.description,
      schedule: Schedule.expression(parseScheduleExpression(s.expression).eventBridge),
      targets: [new LambdaFunction(target)],
    });
  }
  const eventRules: (prefix: string) => EventRuleSpec[] = "eventRules" in spec ? spec.eventRules : () => [];
  for (const r of eventRules(prefix)) {
    const target = functions[r.target as FunctionName];
    if (!target) throw new Error(`Job ${job}: event rule ${r.id} targets no function ${r.target}`);
    new Rule(stack, r.id, {
      description: r.description,
      eventPattern: {
        source: r.pattern.source,
        detailType: r.pattern["detail-type"],
        ...(r.pattern.detail ? { detail: r.pattern.detail } : {}),
      },
      targets: [
        new LambdaFunction(target, {
          retryAttempts: r.retryAttempts,
          maxEventAge: Duration.hours(r.maxEventAgeHours),
        }),
      ],
    });
  }
  return { functions, queues };
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
