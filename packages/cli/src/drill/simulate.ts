/**
 * Runs the product's real handlers on their configured schedules over simulated days, in every
 * Region the app is deployed to: every EventBridge rule the stacks create fires at its times on the
 * sandbox clock (invoking its function, or sending its event to the job's queue), the events that
 * reach the default buses go to the rules that match them (eventbridge.ts), and every queue is
 * drained by an emulated event source mapping. Some events are delivered twice, as EventBridge may,
 * to show that duplicates create nothing twice.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import type { AwsClients } from "@outpost-ops/core/aws/clients";
import type { Config } from "@outpost-ops/core/config";
import { cronMatches, parseScheduleExpression } from "@outpost-ops/core/schedule/expression";
import type { RunSummary } from "@outpost-ops/core/summary";
import type { FunctionName } from "@outpost-ops/functions/src/jobs.ts";
import type { Sandbox } from "@outpost-ops/sandbox";
import { EventBridge, type EventBridgeLog } from "./eventbridge.ts";
import { drainQueue, type Handler, lambdaContext, scheduledEvent } from "./lambda.ts";
import {
  DRILL_ACCOUNT,
  DRILL_PREFIX,
  type EventRule,
  type Forwarding,
  type Infrastructure,
  type Rule,
} from "./wiring.ts";

/** One deployment of the app: a Region with its infrastructure, handlers and rules. */
export interface RegionDeployment {
  infra: Infrastructure;
  handlers: Record<FunctionName, Handler>;
  rules: Rule[];
  /** Rules on other events (snapshot events, alarm state changes), matched as EventBridge matches them. */
  eventRules: EventRule[];
  /** Rules forwarding events of this Region's bus to another Region's (the primary's, to DR). */
  forwarding?: Forwarding[];
}

/**
 * Every (time, rules) at which something fires in [start, end), minute by minute, and the minutes of
 * `extra` (whole minutes in that span) with no rule, where the drill needs a step of its own (an
 * alarm evaluated every minute while it flaps). A firing `keep` refuses is not one: without another,
 * its minute is no step.
 */
export function fireTimes<R extends Rule>(
  rules: R[],
  start: Date,
  end: Date,
  extra: readonly Date[] = [],
  keep: (rule: R, at: Date) => boolean = () => true,
): { at: Date; rules: R[] }[] {
  const parsed = rules.map((r) => ({ rule: r, cron: parseScheduleExpression(r.expression).cron }));
  const wanted = new Set(extra.map((d) => d.getTime()));
  const out: { at: Date; rules: R[] }[] = [];
  for (let t = start.getTime(); t < end.getTime(); t += 60_000) {
    const at = new Date(t);
    const firing = parsed.filter((p) => cronMatches(p.cron, at) && keep(p.rule, at)).map((p) => p.rule);
    if (firing.length > 0 || wanted.has(t)) out.push({ at, rules: firing });
  }
  return out;
}

/** The planners' answers (snapshot, retention); other scheduled functions answer in their own shape. */
function isRunSummary(result: unknown): result is RunSummary {
  const r = result as Partial<RunSummary> | undefined;
  return typeof r?.job === "string" && typeof r.phase === "string" && typeof r.skipped === "object";
}

export interface SimulationLog {
  /** `region/function` → invocations. */
  invocations: Record<string, number>;
  duplicateDeliveries: number;
  planSummaries: RunSummary[];
  workerRecords: number;
  workerRetries: number;
  deadLetters: number;
  /** What EventBridge read, forwarded and delivered. */
  eventBridge: EventBridgeLog;
  /** `region/queue` → messages its consumer received (work items, and the copy scheduler's ticks). */
  queueRecords: Record<string, number>;
}

/** Rounds of draining and delivering per step: work begets events (copies started) that beget work. */
const MAX_ROUNDS = 5;

/** The planners run ~14 minutes at most; the workers 5 (packages/functions/src/jobs.ts). */
const PLANNER_REMAINING_MS = 840_000;

export async function simulate(input: {
  sandbox: Sandbox;
  config: Config;
  clients: AwsClients;
  deployments: RegionDeployment[];
  start: Date;
  end: Date;
  onStep?: (at: Date) => void | Promise<void>;
  /** After a round of draining in which these functions ran (the drill samples copies in flight here). */
  onDrained?: (at: Date, ran: ReadonlySet<FunctionName>) => void;
  /** Whether a queue's event source mapping polls at `at` (default: at every step); unpolled, its messages wait. */
  polls?: (region: string, queueName: string, at: Date) => boolean;
  /**
   * Whether a schedule rule's firing at `at` invokes its target (default: every firing). The drill
   * runs some observers less often than deployed to keep simulated weeks quick (drill.ts says which).
   */
  fires?: (region: string, target: FunctionName, at: Date) => boolean;
  /** Minutes to step at even when no rule fires (fireTimes). */
  extraSteps?: readonly Date[];
  /**
   * Scheduled functions that only look at what the other jobs did (the failover readiness check
   * reads the copy scheduler's gauges): invoked after the step's queues are drained, as if their
   * rule fired later in the minute. Deployed, the copy scheduler runs on its own within seconds of
   * every tick and copy; the drill polls its queue only every half hour, at the minutes the readiness
   * check runs, and checking first would read gauges half an hour old every time.
   */
  lateTargets?: readonly FunctionName[];
}): Promise<SimulationLog> {
  const { sandbox, clients, deployments } = input;
  const count = (region: string, name: string, n = 1) => {
    const key = `${region}/${name}`;
    log.invocations[key] = (log.invocations[key] ?? 0) + n;
  };
  const bridge = new EventBridge({ sandbox, clients, deployments, onInvoke: (r, fn) => count(r, fn) });
  const log: SimulationLog = {
    invocations: {},
    duplicateDeliveries: 0,
    planSummaries: [],
    workerRecords: 0,
    workerRetries: 0,
    deadLetters: 0,
    eventBridge: bridge.log,
    queueRecords: {},
  };
  let deliveries = 0;
  const alarming = new Set<string>();
  const rules = deployments.flatMap((d) => d.rules.map((rule) => ({ ...rule, deployment: d })));

  /** Visible messages in a queue, as CloudWatch's ApproximateNumberOfMessagesVisible reports them. */
  const visible = (region: string, url: string) =>
    sandbox.state.queueMessages(region, url.split("/").pop() ?? "").visible;

  /** Every queue's event source mapping polls until the queue has nothing visible (unless paused). */
  async function drainAll(at: Date): Promise<Set<FunctionName>> {
    const ran = new Set<FunctionName>();
    for (const { infra, handlers } of deployments) {
      const sqs = clients.get(SQSClient, infra.region);
      for (const { spec, url } of Object.values(infra.queues)) {
        const key = `${infra.region}/${spec.name}`;
        if (input.polls && !input.polls(infra.region, spec.name, at)) continue;
        await bridge.flush({ region: infra.region, url });
        const consumer = spec.consumer as FunctionName;
        const drained = await drainQueue({
          sqs,
          queueUrl: url,
          region: infra.region,
          handler: handlers[consumer],
          functionName: consumer,
          hasVisible: () => visible(infra.region, url) > 0,
        });
        count(infra.region, consumer, drained.invocations);
        if (drained.invocations > 0) ran.add(consumer);
        log.queueRecords[key] = (log.queueRecords[key] ?? 0) + drained.records;
        // Work items come from a producer function; the copy scheduler's ticks are triggers, not work.
        if (spec.producer) {
          log.workerRecords += drained.records;
          log.workerRetries += drained.failedRecords;
        }
      }
    }
    return ran;
  }

  const fires = input.fires ?? (() => true);
  const keep = (rule: (typeof rules)[number], at: Date) =>
    fires(rule.deployment.infra.region, rule.target, at);
  for (const { at, rules: firing } of fireTimes(rules, input.start, input.end, input.extraSteps, keep)) {
    sandbox.clock.set(at);
    await input.onStep?.(at);
    // What settled since the last step (snapshots, copies, alarms) reaches its rules first.
    await bridge.pump();
    const late = new Set(input.lateTargets ?? []);
    const fire = async (rule: (typeof firing)[number]) => {
      const { region } = rule.deployment.infra;
      const event = scheduledEvent(at, region, `outpost-ops-drill-${rule.id}`);
      if (rule.queue) {
        bridge.sendToQueue(rule.deployment.infra, rule.queue, event);
        return;
      }
      const handler = rule.deployment.handlers[rule.target];
      // Every 7th snapshot event arrives twice, concurrently: at-least-once delivery.
      const duplicate = rule.target === "snapshotWindow" && ++deliveries % 7 === 0;
      const runs = duplicate ? [event, { ...event, id: `${event.id}-again` }] : [event];
      const results: unknown[] = await Promise.all(
        runs.map((e) => handler(e, lambdaContext(rule.target, PLANNER_REMAINING_MS))),
      );
      count(region, rule.target, runs.length);
      if (duplicate) log.duplicateDeliveries += 1;
      log.planSummaries.push(...results.filter(isRunSummary));
    };
    const settle = async () => {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const ran = await drainAll(at);
        if (ran.size > 0) input.onDrained?.(at, ran);
        if ((await bridge.pump()) === 0) break;
      }
    };
    for (const rule of firing) if (!late.has(rule.target)) await fire(rule);
    await settle();
    const observers = firing.filter((rule) => late.has(rule.target));
    for (const rule of observers) await fire(rule);
    if (observers.length > 0) await settle();
    for (const { infra } of deployments) {
      let dead = 0;
      for (const { dlqUrl } of Object.values(infra.queues)) dead += visible(infra.region, dlqUrl);
      // Play CloudWatch's part: a dead-letter queue with messages puts its alarm into ALARM, and
      // EventBridge delivers the state change to the rules whose pattern it matches.
      if (dead > 0 && !alarming.has(infra.region)) {
        alarming.add(infra.region);
        log.deadLetters += dead;
        await bridge.deliver(
          infra.region,
          alarmEvent(at, infra.region, `${DRILL_PREFIX}-work-dead-letters`, dead),
        );
      }
    }
  }
  await bridge.flush();
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
