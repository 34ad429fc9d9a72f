import { parseScheduleExpression } from "@outpost-ops/core/schedule/expression";
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Duration } from "aws-cdk-lib/core";
import { type Function as SstFunction, type Stack, type StackContext, use } from "sst/constructs";
import { Alerts } from "./Alerts.ts";
import { namePrefix, useConfig } from "./context.ts";
import { handlerFunction } from "./function.ts";

/*
 * Snapshots and retention, each as a planner on a schedule that fans work items out to an SQS queue,
 * and a worker that drains it with bounded concurrency (AWS-LIMITS.md: CreateSnapshot and
 * DeleteSnapshot refill at 5/s per account and Region, so 10,000 volumes cannot fit in one Lambda run).
 */

const PLANNER_TIMEOUT = Duration.minutes(14);
const WORKER_TIMEOUT = Duration.minutes(5);
/** AWS's advice for SQS event sources: at least six times the function timeout. */
const WORK_VISIBILITY = Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6);
/** Retryable AWS errors are re-driven by the visibility timeout; ten tries before a human looks. */
const MAX_RECEIVES = 10;
/** Two workers at most: enough to keep EC2's 5/s mutating buckets busy, never enough to drain them. */
const WORKER_CONCURRENCY = 2;

export interface BackupOutput {
  snapshotQueue: Queue;
  retentionQueue: Queue;
  snapshotWindow: SstFunction;
  snapshotWork: SstFunction;
  retentionSweep: SstFunction;
  retentionWork: SstFunction;
}

export function Backup({ stack, app }: StackContext): BackupOutput {
  const config = useConfig(app);
  const alerts = use(Alerts);
  const prefix = namePrefix(app);

  // FIFO so a duplicated planner run is dropped: the planner sets MessageDeduplicationId to the work
  // item key (content-based dedup would let two runs with different timestamps through).
  const snapshotDeadLetters = new Queue(stack, "SnapshotWorkDeadLetters", {
    queueName: `${prefix}-snapshot-work-dlq.fifo`,
    fifo: true,
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
  });
  const snapshotQueue = new Queue(stack, "SnapshotWorkQueue", {
    queueName: `${prefix}-snapshot-work.fifo`,
    fifo: true,
    contentBasedDeduplication: false,
    deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
    fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
    visibilityTimeout: WORK_VISIBILITY,
    retentionPeriod: Duration.days(4),
    encryption: QueueEncryption.SQS_MANAGED,
    deadLetterQueue: { queue: snapshotDeadLetters, maxReceiveCount: MAX_RECEIVES },
  });

  // Standard queue: a delete that runs twice finds the snapshot gone, which counts as success.
  const retentionDeadLetters = new Queue(stack, "RetentionWorkDeadLetters", {
    queueName: `${prefix}-retention-work-dlq`,
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
  });
  const retentionQueue = new Queue(stack, "RetentionWorkQueue", {
    queueName: `${prefix}-retention-work`,
    visibilityTimeout: WORK_VISIBILITY,
    retentionPeriod: Duration.days(4),
    encryption: QueueEncryption.SQS_MANAGED,
    deadLetterQueue: { queue: retentionDeadLetters, maxReceiveCount: MAX_RECEIVES },
  });

  const snapshotWindow = handlerFunction(stack, "SnapshotWindow", "snapshotWindow", {
    description: "Plans the snapshots due in a schedule window and queues one work item per snapshot",
    timeoutSeconds: PLANNER_TIMEOUT.toSeconds(),
    environment: { SNAPSHOT_QUEUE_URL: snapshotQueue.queueUrl, ALERT_TOPIC_ARN: alerts.topic.topicArn },
    alerts,
  });
  grantSend(snapshotQueue, snapshotWindow);
  // One rule per policy schedule, all with the plain scheduled event: the handler works from its `time`.
  for (const policy of config.policies) {
    for (const schedule of policy.schedules) {
      new Rule(stack, `SnapshotSchedule_${policy.name}_${schedule.name}`, {
        description: `Snapshot window: policy ${policy.name}, schedule ${schedule.name} (${schedule.expression})`,
        schedule: Schedule.expression(parseScheduleExpression(schedule.expression).eventBridge),
        targets: [new LambdaFunction(snapshotWindow)],
      });
    }
  }

  const snapshotWork = handlerFunction(stack, "SnapshotWork", "snapshotWork", {
    description: "Creates the snapshots of one batch of work items",
    timeoutSeconds: WORKER_TIMEOUT.toSeconds(),
    environment: { ALERT_TOPIC_ARN: alerts.topic.topicArn },
    alerts,
  });
  snapshotWork.addEventSource(
    new SqsEventSource(snapshotQueue, {
      batchSize: 10,
      maxConcurrency: WORKER_CONCURRENCY,
      reportBatchItemFailures: true,
    }),
  );

  const retentionSweep = handlerFunction(stack, "RetentionSweep", "retentionSweep", {
    description: "Plans retention for every policy and queues the deletions",
    timeoutSeconds: PLANNER_TIMEOUT.toSeconds(),
    environment: { RETENTION_QUEUE_URL: retentionQueue.queueUrl, ALERT_TOPIC_ARN: alerts.topic.topicArn },
    alerts,
  });
  grantSend(retentionQueue, retentionSweep);
  new Rule(stack, "RetentionSchedule", {
    description: `Retention sweep (${config.retention.schedule})`,
    schedule: Schedule.expression(parseScheduleExpression(config.retention.schedule).eventBridge),
    targets: [new LambdaFunction(retentionSweep)],
  });

  const retentionWork = handlerFunction(stack, "RetentionWork", "retentionWork", {
    description: "Deletes the snapshots of one batch of retention work items",
    timeoutSeconds: WORKER_TIMEOUT.toSeconds(),
    environment: { ALERT_TOPIC_ARN: alerts.topic.topicArn },
    alerts,
  });
  retentionWork.addEventSource(
    new SqsEventSource(retentionQueue, {
      batchSize: 5,
      maxConcurrency: WORKER_CONCURRENCY,
      reportBatchItemFailures: true,
    }),
  );

  // Alarms reach people through the Alerts stack's EventBridge rule (matched by name prefix).
  alarm(stack, "SnapshotWorkDeadLettersAlarm", {
    name: `${prefix}-snapshot-work-dead-letters`,
    description: `Snapshot work items failed ${MAX_RECEIVES} times and were moved to ${snapshotDeadLetters.queueName}`,
    metric: snapshotDeadLetters.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: "Maximum",
    }),
  });
  alarm(stack, "RetentionWorkDeadLettersAlarm", {
    name: `${prefix}-retention-work-dead-letters`,
    description: `Retention work items failed ${MAX_RECEIVES} times and were moved to ${retentionDeadLetters.queueName}`,
    metric: retentionDeadLetters.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: "Maximum",
    }),
  });
  const functions = {
    "snapshot-window": snapshotWindow,
    "snapshot-work": snapshotWork,
    "retention-sweep": retentionSweep,
    "retention-work": retentionWork,
  };
  for (const [name, fn] of Object.entries(functions)) {
    alarm(stack, `${fn.node.id}ErrorsAlarm`, {
      name: `${prefix}-${name}-errors`,
      description: `The ${name} function failed (crash or timeout) at least once in 5 minutes`,
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }),
    });
  }

  return { snapshotQueue, retentionQueue, snapshotWindow, snapshotWork, retentionSweep, retentionWork };
}

/**
 * The planners only send (SendMessageBatch, which SQS authorizes as sqs:SendMessage). CDK's
 * grantSendMessages would add sqs:GetQueueAttributes and sqs:GetQueueUrl, which nothing calls.
 * The queues use SQS-managed encryption, so no KMS permission is needed; a queue with a KMS key
 * would also need kms:GenerateDataKey and kms:Decrypt on it.
 */
function grantSend(queue: Queue, fn: SstFunction): void {
  queue.grant(fn, "sqs:SendMessage");
}

/** Fires on the first datapoint above zero; no data (an idle queue or function) is healthy. */
function alarm(
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
