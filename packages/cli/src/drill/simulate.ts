/**
 * Runs the product's real handlers on their configured schedules over simulated days, in every
 * Region the app is deployed to: every EventBridge rule the stacks create fires at its times on the
 * sandbox clock, and every queue is drained by an emulated event source mapping. Some scheduled
 * events are delivered twice, as EventBridge may, to show that duplicates create nothing twice.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import type { AwsClients } from "@outpost-ops/core/aws/clients";
import type { Config } from "@outpost-ops/core/config";
import { cronMatches, parseScheduleExpression } from "@outpost-ops/core/schedule/expression";
import type { RunSummary } from "@outpost-ops/core/summary";
import type { FunctionName } from "@outpost-ops/functions/src/jobs.ts";
import type { Sandbox } from "@outpost-ops/sandbox";
import { drainQueue, type Handler, lambdaContext, scheduledEvent, visibleMessages } from "./lambda.ts";
import {
  DRILL_ACCOUNT,
  DRILL_PREFIX,
  type EventRule,
  type Infrastructure,
  matchesPattern,
  type Rule,
} from "./wiring.ts";

/** One deployment of the app: a Region with its infrastructure, handlers and rules. */
export interface RegionDeployment {
  infra: Infrastructure;
  handlers: Record<FunctionName, Handler>;
  rules: Rule[];
  /** Rules on other events (the alarm relay's), matched as EventBridge matches them. */
  eventRules: EventRule[];
}

/** Every (time, rules) at which something fires in [start, end), minute by minute. */
export function fireTimes<R extends Rule>(rules: R[], start: Date, end: Date): { at: Date; rules: R[] }[] {
  const parsed = rules.map((r) => ({ rule: r, cron: parseScheduleExpression(r.expression).cron }));
  const out: { at: Date; rules: R[] }[] = [];
  for (let t = start.getTime(); t < end.getTime(); t += 60_000) {
    const at = new Date(t);
    const firing = parsed.filter((p) => cronMatches(p.cron, at)).map((p) => p.rule);
    if (firing.length > 0) out.push({ at, rules: firing });
  }
  return out;
}

export interface SimulationLog {
  /** `region/function` → invocations. */
  invocations: Record<string, number>;
  duplicateDeliveries: number;
  planSummaries: RunSummary[];
  workerRecords: number;
  workerRetries: number;
  deadLetters: number;
}

/** The planners run ~14 minutes at most; the workers 5 (packages/functions/src/jobs.ts). */
const PLANNER_REMAINING_MS = 840_000;

export async function simulate(input: {
  sandbox: Sandbox;
  config: Config;
  clients: AwsClients;
  deployments: RegionDeployment[];
  start: Date;
  end: Date;
  onStep?: (at: Date) => void;
}): Promise<SimulationLog> {
  const { sandbox, clients, deployments } = input;
  const log: SimulationLog = {
    invocations: {},
    duplicateDeliveries: 0,
    planSummaries: [],
    workerRecords: 0,
    workerRetries: 0,
    deadLetters: 0,
  };
  const count = (region: string, name: string, n = 1) => {
    const key = `${region}/${name}`;
    log.invocations[key] = (log.invocations[key] ?? 0) + n;
  };
  let deliveries = 0;
  const alarming = new Set<string>();
  const rules = deployments.flatMap((d) => d.rules.map((rule) => ({ ...rule, deployment: d })));

  for (const { at, rules: firing } of fireTimes(rules, input.start, input.end)) {
    sandbox.clock.set(at);
    input.onStep?.(at);
    for (const rule of firing) {
      const { region } = rule.deployment.infra;
      const handler = rule.deployment.handlers[rule.target];
      const event = scheduledEvent(at, region, `outpost-ops-drill-${rule.id}`);
      // Every 7th snapshot event arrives twice, concurrently: at-least-once delivery.
      const duplicate = rule.target === "snapshotWindow" && ++deliveries % 7 === 0;
      const runs = duplicate ? [event, { ...event, id: `${event.id}-again` }] : [event];
      const summaries = (await Promise.all(
        runs.map((e) => handler(e, lambdaContext(rule.target, PLANNER_REMAINING_MS))),
      )) as RunSummary[];
      count(region, rule.target, runs.length);
      if (duplicate) log.duplicateDeliveries += 1;
      log.planSummaries.push(...summaries);
    }
    for (const { infra, handlers, eventRules } of deployments) {
      const sqs = clients.get(SQSClient, infra.region);
      let dead = 0;
      for (const { spec, url, dlqUrl } of Object.values(infra.queues)) {
        const consumer = spec.consumer as FunctionName;
        const drained = await drainQueue({
          sqs,
          queueUrl: url,
          region: infra.region,
          handler: handlers[consumer],
          functionName: consumer,
        });
        count(infra.region, consumer, drained.invocations);
        log.workerRecords += drained.records;
        log.workerRetries += drained.failedRecords;
        dead += await visibleMessages(sqs, dlqUrl);
      }
      // Play CloudWatch's part: a dead-letter queue with messages puts its alarm into ALARM, and
      // EventBridge delivers the state change to the rules whose pattern it matches.
      if (dead > 0 && !alarming.has(infra.region)) {
        alarming.add(infra.region);
        log.deadLetters += dead;
        const event = alarmEvent(at, infra.region, `${DRILL_PREFIX}-work-dead-letters`, dead);
        for (const rule of eventRules.filter((r) => matchesPattern({ ...r.pattern }, event))) {
          await handlers[rule.target](event, lambdaContext(rule.target));
          count(infra.region, rule.target);
        }
      }
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
    account: DRILL_ACCOUNT,
    time: at.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region,
    resources: [`arn:aws:cloudwatch:${region}:${DRILL_ACCOUNT}:alarm:${alarmName}`],
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
