/**
 * Runs the product's real handlers on their configured schedules over simulated days: every
 * EventBridge rule the stacks create fires at its times on the sandbox clock, and the queues are
 * drained by an emulated event source mapping. Some scheduled events are delivered twice, as
 * EventBridge may, to show that duplicates create nothing twice.
 */
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { memoryAlertSink, snsAlertSink } from "@outpost-ops/core/alerts";
import type { AwsClients } from "@outpost-ops/core/aws/clients";
import type { Config } from "@outpost-ops/core/config";
import { unpaced } from "@outpost-ops/core/pacing";
import { cronMatches, parseScheduleExpression } from "@outpost-ops/core/schedule/expression";
import type { RunSummary } from "@outpost-ops/core/summary";
import { createHandler as alarmHandler } from "@outpost-ops/functions/src/alarm/state-change.ts";
import type { Runtime } from "@outpost-ops/functions/src/lib/runtime.ts";
import { systemClock } from "@outpost-ops/functions/src/lib/runtime.ts";
import { createHandler as retentionWorkHandler } from "@outpost-ops/functions/src/queue/retention-work.ts";
import { createHandler as snapshotWorkHandler } from "@outpost-ops/functions/src/queue/snapshot-work.ts";
import { createHandler as retentionSweepHandler } from "@outpost-ops/functions/src/schedule/retention-sweep.ts";
import { createHandler as snapshotWindowHandler } from "@outpost-ops/functions/src/schedule/snapshot-window.ts";
import type { Sandbox } from "@outpost-ops/sandbox";
import { drainQueue, lambdaContext, scheduledEvent, visibleMessages } from "./lambda.ts";

export interface Rule {
  name: string;
  target: "snapshot-window" | "retention-sweep";
  expression: string;
}

/** The EventBridge rules the stacks create for this config (see stacks/Backup.ts). */
export function rulesFor(config: Config): Rule[] {
  return [
    ...config.policies.flatMap((p) =>
      p.schedules.map((s) => ({
        name: `${p.name}-${s.name}`,
        target: "snapshot-window" as const,
        expression: parseScheduleExpression(s.expression).eventBridge,
      })),
    ),
    {
      name: "retention",
      target: "retention-sweep",
      expression: parseScheduleExpression(config.retention.schedule).eventBridge,
    },
  ];
}

/** Every (time, rules) at which something fires in [start, end), minute by minute. */
export function fireTimes(rules: Rule[], start: Date, end: Date): { at: Date; rules: Rule[] }[] {
  const parsed = rules.map((r) => ({ rule: r, cron: parseScheduleExpression(r.expression).cron }));
  const out: { at: Date; rules: Rule[] }[] = [];
  for (let t = start.getTime(); t < end.getTime(); t += 60_000) {
    const at = new Date(t);
    const firing = parsed.filter((p) => cronMatches(p.cron, at)).map((p) => p.rule);
    if (firing.length > 0) out.push({ at, rules: firing });
  }
  return out;
}

export interface Infrastructure {
  snapshotQueueUrl: string;
  retentionQueueUrl: string;
  snapshotDlqUrl: string;
  retentionDlqUrl: string;
  topicArn: string;
}

/** Creates in the sandbox what stacks/ creates in AWS: the queues (FIFO for snapshots) and the topic. */
export async function createInfrastructure(clients: AwsClients, region: string): Promise<Infrastructure> {
  const sqs = clients.get(SQSClient, region);
  const make = async (name: string, attributes: Record<string, string>) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl ?? "";
  const snapshotDlqUrl = await make("outpost-ops-snapshot-dlq.fifo", { FifoQueue: "true" });
  const retentionDlqUrl = await make("outpost-ops-retention-dlq", {});
  const arnOf = (url: string) => `arn:aws:sqs:${region}:123456789012:${url.split("/").pop()}`;
  const snapshotQueueUrl = await make("outpost-ops-snapshot-work.fifo", {
    FifoQueue: "true",
    VisibilityTimeout: "1800",
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf(snapshotDlqUrl), maxReceiveCount: 10 }),
  });
  const retentionQueueUrl = await make("outpost-ops-retention-work", {
    VisibilityTimeout: "1800",
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf(retentionDlqUrl), maxReceiveCount: 10 }),
  });
  const topic = await clients
    .get(SNSClient, region)
    .send(new CreateTopicCommand({ Name: "outpost-ops-alerts" }));
  return {
    snapshotQueueUrl,
    retentionQueueUrl,
    snapshotDlqUrl,
    retentionDlqUrl,
    topicArn: topic.TopicArn ?? "",
  };
}

export interface SimulationLog {
  invocations: Record<string, number>;
  duplicateDeliveries: number;
  planSummaries: RunSummary[];
  workerRecords: number;
  workerRetries: number;
  deadLetters: number;
}

/** Handlers built over the sandbox, exactly as the deployed ones but with the sandbox's clients. */
export function drillHandlers(config: Config, clients: AwsClients, region: string, infra: Infrastructure) {
  const runtime: Runtime = {
    config,
    env: {
      region,
      stage: "drill",
      alertTopicArn: infra.topicArn,
      snapshotQueueUrl: infra.snapshotQueueUrl,
      retentionQueueUrl: infra.retentionQueueUrl,
    },
    clients,
    alerts: infra.topicArn ? snsAlertSink(clients.get(SNSClient, region), infra.topicArn) : memoryAlertSink(),
    // The sandbox is not throttled in the drill; pacing would only slow simulated weeks down.
    pacer: unpaced,
    clock: systemClock,
  };
  const get = () => runtime;
  return {
    snapshotWindow: snapshotWindowHandler(get),
    snapshotWork: snapshotWorkHandler(get),
    retentionSweep: retentionSweepHandler(get),
    retentionWork: retentionWorkHandler(get),
    alarm: alarmHandler(get),
  };
}

export async function simulate(input: {
  sandbox: Sandbox;
  config: Config;
  clients: AwsClients;
  region: string;
  infra: Infrastructure;
  start: Date;
  end: Date;
  onStep?: (at: Date) => void;
}): Promise<SimulationLog> {
  const { sandbox, config, clients, region, infra } = input;
  const handlers = drillHandlers(config, clients, region, infra);
  const sqs: SQSClient = clients.get(SQSClient, region);
  const log: SimulationLog = {
    invocations: {},
    duplicateDeliveries: 0,
    planSummaries: [],
    workerRecords: 0,
    workerRetries: 0,
    deadLetters: 0,
  };
  const count = (name: string, n = 1) => {
    log.invocations[name] = (log.invocations[name] ?? 0) + n;
  };
  let deliveries = 0;
  let dlqAlarming = false;

  for (const { at, rules } of fireTimes(rulesFor(config), input.start, input.end)) {
    sandbox.clock.set(at);
    input.onStep?.(at);
    for (const rule of rules) {
      const handler = rule.target === "snapshot-window" ? handlers.snapshotWindow : handlers.retentionSweep;
      const event = scheduledEvent(at, region, `outpost-ops-drill-${rule.name}`);
      // Every 7th snapshot event arrives twice, concurrently: at-least-once delivery.
      const duplicate = rule.target === "snapshot-window" && ++deliveries % 7 === 0;
      const runs = duplicate ? [event, { ...event, id: `${event.id}-again` }] : [event];
      const summaries = (await Promise.all(
        runs.map((e) => handler(e, lambdaContext(rule.target, 840_000))),
      )) as RunSummary[];
      count(rule.target, runs.length);
      if (duplicate) log.duplicateDeliveries += 1;
      log.planSummaries.push(...summaries);
    }
    for (const [queueUrl, handler, name] of [
      [infra.snapshotQueueUrl, handlers.snapshotWork, "snapshot-work"],
      [infra.retentionQueueUrl, handlers.retentionWork, "retention-work"],
    ] as const) {
      const drained = await drainQueue({ sqs, queueUrl, region, handler, functionName: name });
      count(name, drained.invocations);
      log.workerRecords += drained.records;
      log.workerRetries += drained.failedRecords;
    }
    // Play CloudWatch's part: a dead-letter queue with messages puts its alarm into ALARM.
    const dead =
      (await visibleMessages(sqs, infra.snapshotDlqUrl)) +
      (await visibleMessages(sqs, infra.retentionDlqUrl));
    if (dead > 0 && !dlqAlarming) {
      dlqAlarming = true;
      log.deadLetters = dead;
      await handlers.alarm(
        alarmEvent(at, region, "outpost-ops-drill-work-dead-letters", dead),
        lambdaContext("alarm"),
      );
      count("alarm-state-change");
    }
  }
  return log;
}

function alarmEvent(at: Date, region: string, alarmName: string, messages: number) {
  return {
    version: "0",
    id: `alarm-${at.getTime()}`,
    "detail-type": "CloudWatch Alarm State Change",
    source: "aws.cloudwatch",
    account: "123456789012",
    time: at.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region,
    resources: [`arn:aws:cloudwatch:${region}:123456789012:alarm:${alarmName}`],
    detail: {
      alarmName,
      configuration: { description: "Messages in an outpost-ops dead-letter queue" },
      previousState: { value: "OK", reason: "", timestamp: at.toISOString() },
      state: {
        value: "ALARM",
        reason: `Threshold Crossed: ${messages} messages visible`,
        timestamp: at.toISOString(),
      },
    },
  };
}
