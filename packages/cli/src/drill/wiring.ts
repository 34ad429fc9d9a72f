/**
 * What the stacks deploy in a Region, created on the sandbox from the same job declarations
 * (packages/functions/src/jobs.ts): each job's queues with their dead-letter queues, the alert
 * topic, the real handlers with the environment the stacks set, and the schedule rules.
 */
import { CloudWatchClient, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { snsAlertSink } from "@outpost-ops/core/alerts";
import type { AwsClients } from "@outpost-ops/core/aws/clients";
import type { Config } from "@outpost-ops/core/config";
import { OutpostOpsError } from "@outpost-ops/core/errors";
import { eventBridgeEvents } from "@outpost-ops/core/events/publish";
import { type Pacer, type Sleeper, unpaced } from "@outpost-ops/core/pacing";
import { parseScheduleExpression } from "@outpost-ops/core/schedule/expression";
import {
  type AlarmSpec,
  AllFunctionSpecs,
  type EventPattern,
  type FunctionName,
  forwardingIn,
  type JobName,
  type JobSpec,
  Jobs,
  jobsIn,
  type QueueSpec,
  type QueueTarget,
} from "@outpost-ops/functions/src/jobs.ts";
import { readEnv } from "@outpost-ops/functions/src/lib/env.ts";
import { noEvents, type Runtime, systemClock } from "@outpost-ops/functions/src/lib/runtime.ts";
import type { Sandbox } from "@outpost-ops/sandbox";
import { HandlerFactories } from "./handlers.ts";
import type { Handler } from "./lambda.ts";

/** The sandbox's account, as in every ARN it returns. */
export const DRILL_ACCOUNT = "123456789012";
/** Same shape as the deployed names (`outpost-ops-<stage>-…`), stage "drill". */
const PREFIX = "outpost-ops-drill";
/** As in stacks/: ten receives before a work item is set aside. */
const MAX_RECEIVES = 10;
/** As in stacks/: six times the worker's timeout, unless the queue declares its own. */
const VISIBILITY_SECONDS = 1800;

export interface QueueWiring {
  spec: QueueSpec;
  url: string;
  dlqUrl: string;
}

export interface Infrastructure {
  region: string;
  topicArn: string;
  /** By queue name (`snapshot-work`, `retention-work`). */
  queues: Record<string, QueueWiring>;
  /** Names of the jobs' own CloudWatch alarms created here (AlarmSpec), when created. */
  alarms?: string[];
}

export interface Rule {
  id: string;
  target: FunctionName;
  /** The EventBridge expression the stacks deploy. */
  expression: string;
  /** Delivered into this queue of the job (consumed by `target`), not to the function. */
  queue?: QueueTarget;
}

/** A queue of the wiring, by name; throws when the Region has no such queue. */
export function queue(infra: Infrastructure, name: string): QueueWiring {
  const found = infra.queues[name];
  if (!found)
    throw new OutpostOpsError(
      `No queue ${name} in ${infra.region} (have: ${Object.keys(infra.queues).join(", ")})`,
    );
  return found;
}

function queueName(spec: QueueSpec, dlq: boolean): string {
  return `${PREFIX}-${spec.name}${dlq ? "-dlq" : ""}${spec.fifo ? ".fifo" : ""}`;
}

/**
 * Creates in the sandbox what stacks/ creates in AWS for the given jobs (default: every job, for
 * integration tests that drive one Region): queues with their dead-letter queues, the alert topic,
 * and, given the config, the jobs' own alarms (`alarms` of a JobSpec, PutMetricAlarm).
 * @example const infra = await createInfrastructure(clients, "us-west-2", jobsIn("us-west-2", config), config)
 */
export async function createInfrastructure(
  clients: AwsClients,
  region: string,
  jobs: JobName[] = Object.keys(Jobs) as JobName[],
  config?: Config,
): Promise<Infrastructure> {
  const sqs = clients.get(SQSClient, region);
  const make = async (name: string, attributes: Record<string, string>) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl ?? "";
  const arnOf = (url: string) => `arn:aws:sqs:${region}:${DRILL_ACCOUNT}:${url.split("/").pop()}`;
  const queues: Record<string, QueueWiring> = {};
  for (const job of jobs) {
    for (const spec of Jobs[job].queues as readonly QueueSpec[]) {
      const fifo: Record<string, string> = spec.fifo ? { FifoQueue: "true" } : {};
      // Queues fed by EventBridge rules (no de-duplication id) de-duplicate on the body, as deployed.
      const dedupe: Record<string, string> = spec.contentBasedDeduplication
        ? { ContentBasedDeduplication: "true" }
        : {};
      const dlqUrl = await make(queueName(spec, true), fifo);
      const url = await make(queueName(spec, false), {
        ...fifo,
        ...dedupe,
        VisibilityTimeout: String(spec.visibilitySeconds ?? VISIBILITY_SECONDS),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf(dlqUrl), maxReceiveCount: MAX_RECEIVES }),
      });
      queues[spec.name] = { spec, url, dlqUrl };
    }
  }
  const topic = await clients
    .get(SNSClient, region)
    .send(new CreateTopicCommand({ Name: `${PREFIX}-alerts` }));
  const alarms: string[] = [];
  if (config) {
    const cloudwatch = clients.get(CloudWatchClient, region);
    for (const job of jobs) {
      const spec: JobSpec = Jobs[job];
      for (const alarm of spec.alarms?.(config, PREFIX, region) ?? []) {
        await cloudwatch.send(putMetricAlarm(alarm));
        alarms.push(alarm.name);
      }
    }
  }
  return { region, topicArn: topic.TopicArn ?? "", queues, alarms };
}

/**
 * The CloudWatch alarm a job declares, as the stacks create it (its comparison, GreaterThanThreshold
 * when it names none, and its datapoints to alarm, all of its periods when it names none). Its
 * actions are none: its state changes reach people through EventBridge, the alarm relay or the
 * capacity alarm handler.
 */
export function putMetricAlarm(alarm: AlarmSpec): PutMetricAlarmCommand {
  return new PutMetricAlarmCommand({
    AlarmName: alarm.name,
    AlarmDescription: alarm.description,
    Namespace: alarm.metric.namespace,
    MetricName: alarm.metric.name,
    Dimensions: Object.entries(alarm.metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
    Statistic: alarm.metric.statistic,
    Period: alarm.metric.periodSeconds,
    EvaluationPeriods: alarm.evaluationPeriods,
    ...(alarm.datapointsToAlarm !== undefined ? { DatapointsToAlarm: alarm.datapointsToAlarm } : {}),
    Threshold: alarm.threshold,
    ComparisonOperator: alarm.comparison ?? "GreaterThanThreshold",
    TreatMissingData: alarm.treatMissingData,
  });
}

/** What every function gets whatever its declaration (stacks/defaults.ts, and Lambda's own). */
const DEFAULT_VARIABLES = ["AWS_REGION", "OUTPOST_OPS_STAGE"];

/** Every variable the stacks set on some function in this Region (defaults, topic, bus, queue URLs). */
export function environmentOf(infra: Infrastructure): Record<string, string> {
  const vars: Record<string, string> = {
    AWS_REGION: infra.region,
    OUTPOST_OPS_STAGE: "drill",
    ALERT_TOPIC_ARN: infra.topicArn,
    EVENT_BUS_NAME: "default",
  };
  for (const { spec, url } of Object.values(infra.queues)) vars[spec.urlVariable] = url;
  return vars;
}

/**
 * The variables one function gets: the defaults and those its declaration lists, as in Lambda, so a
 * handler that reads one its job does not declare fails in the drill too, not only once deployed.
 * @example variablesFor("alarmStateChange", infra) // no queue URLs
 */
export function variablesFor(name: FunctionName, infra: Infrastructure): Record<string, string> {
  const declared: readonly string[] = AllFunctionSpecs[name].environment;
  return Object.fromEntries(
    Object.entries(environmentOf(infra)).filter(
      ([key]) => DEFAULT_VARIABLES.includes(key) || declared.includes(key),
    ),
  );
}

/**
 * The handlers' clock on the sandbox: now() is the sandbox clock, and sleep(ms) advances it by ms
 * instead of waiting (then yields, so other pollers and the sandbox's server run). The sandbox clock
 * is the world's time here: a worker's backoff spends it, so EC2's visibility delay passes during it
 * as it would in AWS, without waiting, and alerts and events carry simulated times.
 * @example drillHandlers(config, clients, infra, sandboxClock(sandbox))
 */
export function sandboxClock(sandbox: Pick<Sandbox, "clock">): Sleeper {
  return {
    now: () => sandbox.clock.now().getTime(),
    sleep: async (ms) => {
      sandbox.clock.advance(ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/**
 * The real handlers over the sandbox, exactly as deployed but with the sandbox's clients and, unless
 * `pacer` is given, no pacing (the drill's sandbox is not throttled; pacing would only slow simulated
 * weeks down). The benchmarks pace as deployed: they call this once per Lambda container, each with a
 * pacer of its own.
 * @example const handlers = drillHandlers(config, clients, infra); await handlers.snapshotWindow(event, ctx)
 */
export function drillHandlers(
  config: Config,
  clients: AwsClients,
  infra: Infrastructure,
  clock: Sleeper = systemClock,
  pacer: Pacer = unpaced,
): Record<FunctionName, Handler> {
  const handlers = {} as Record<FunctionName, Handler>;
  for (const name of Object.keys(HandlerFactories) as FunctionName[]) {
    const declared: readonly string[] = AllFunctionSpecs[name].environment;
    const env = readEnv(variablesFor(name, infra));
    const runtime: Runtime = {
      config,
      env,
      clients,
      alerts: snsAlertSink(clients.get(SNSClient, env.region), env.alertTopicArn),
      events: declared.includes("EVENT_BUS_NAME")
        ? eventBridgeEvents(clients, env.region, env.eventBusName)
        : noEvents,
      pacer,
      clock,
    };
    handlers[name] = HandlerFactories[name](() => runtime);
  }
  return handlers;
}

/** The schedule rules the stacks create in this Region for this config. */
export function rulesIn(region: string, config: Config): Rule[] {
  return jobsIn(region, config).flatMap((job) =>
    (Jobs[job] as JobSpec).schedules(config).map((s) => ({
      id: s.id,
      target: s.target as FunctionName,
      expression: parseScheduleExpression(s.expression).eventBridge,
      ...(s.queue ? { queue: s.queue } : {}),
    })),
  );
}

/** The name prefix the drill's resources carry, as deployed ones carry `outpost-ops-<stage>`. */
export const DRILL_PREFIX = PREFIX;

export interface EventRule {
  id: string;
  target: FunctionName;
  pattern: EventPattern;
  /** Delivered into this queue of the job (consumed by `target`), not to the function. */
  queue?: QueueTarget;
}

/** The rules on events other than schedules the stacks create in this Region, for `prefix`. */
export function eventRulesIn(region: string, config: Config, prefix = PREFIX): EventRule[] {
  return jobsIn(region, config).flatMap((job) => {
    const spec: JobSpec = Jobs[job];
    return (spec.eventRules?.(prefix, config) ?? []).map((r) => ({
      id: r.id,
      target: r.target as FunctionName,
      pattern: r.pattern,
      ...(r.queue ? { queue: r.queue } : {}),
    }));
  });
}

/** A rule of one deployment that forwards matching events of its default bus to another Region's. */
export interface Forwarding {
  id: string;
  /** The destination Region, whose default bus receives the events (they keep their `region`). */
  to: string;
  pattern: EventPattern;
}

/**
 * The forwarding rules the deployment in `region` creates (jobs.ts forwardingIn, as the stacks
 * deploy them), in the drill's terms.
 * @example forwardingFrom("us-west-2", config) // [{ id: "ForwardEbsSnapshotEvents", to: "us-east-1", … }, …]
 */
export function forwardingFrom(region: string, config: Config): Forwarding[] {
  return forwardingIn(region, config).map((f) => ({ id: f.id, to: f.to, pattern: f.spec.pattern }));
}

/**
 * EventBridge's matching (User Guide, "Event patterns"), for the patterns our rules and forwarding
 * rules use: per field a list of allowed values, any of which may be a `{ prefix }`, `{ exists }` or
 * `{ "anything-but" }` matcher; nested objects for nested fields; every field named must match. A
 * field whose value in the event is an array matches when any of its elements does.
 * @example matchesPattern(rule.pattern, alarmEvent) // true for one of our alarms
 */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, wanted]) => {
    const actual = event[key];
    if (Array.isArray(wanted)) {
      const exists = wanted.find((w) => isMatcher(w, "exists")) as { exists: unknown } | undefined;
      if (exists) return (actual !== undefined) === Boolean(exists.exists);
      const values = Array.isArray(actual) ? actual : [actual];
      return values.some((value) => wanted.some((w) => matchesValue(w, value)));
    }
    if (typeof wanted === "object" && wanted !== null)
      return (
        typeof actual === "object" &&
        actual !== null &&
        !Array.isArray(actual) &&
        matchesPattern(wanted as Record<string, unknown>, actual as Record<string, unknown>)
      );
    return wanted === actual;
  });
}

function isMatcher(w: unknown, name: string): boolean {
  return typeof w === "object" && w !== null && !Array.isArray(w) && name in w;
}

function matchesValue(wanted: unknown, actual: unknown): boolean {
  if (isMatcher(wanted, "prefix"))
    return typeof actual === "string" && actual.startsWith(String((wanted as { prefix: unknown }).prefix));
  if (isMatcher(wanted, "anything-but")) {
    const but = (wanted as { "anything-but": unknown })["anything-but"];
    const excluded = Array.isArray(but) ? but : [but];
    return actual !== undefined && !excluded.some((e) => matchesValue(e, actual));
  }
  return wanted === actual;
}
