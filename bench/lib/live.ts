/**
 * The deployment as it runs, on the sandbox and in scaled time: what stacks/ deploys in each Region
 * (the drill's wiring: the same job declarations, queues, rules and real handlers), with Lambda's
 * part played continuously instead of step by step as the drill plays it:
 *
 * - each queue's event source mapping runs `maxConcurrency` pollers, each its own Lambda container
 *   (its own handler instance, runtime and pacer, as deployed), receiving `batchSize` messages,
 *   invoking with a context whose timeout is the function's, and deleting what succeeded;
 * - EventBridge's rules (forwarding included) are pumped every few milliseconds;
 * - every invocation is recorded with its start and end in scaled time, against its timeout.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { AwsClients } from "@outpost-ops/core/aws/clients";
import type { Config } from "@outpost-ops/core/config";
import { createPacer } from "@outpost-ops/core/pacing";
import { cronMatches, parseScheduleExpression } from "@outpost-ops/core/schedule/expression";
import { AllFunctionSpecs, type FunctionName, jobsIn } from "@outpost-ops/functions/src/jobs.ts";
import { WORKER_RATE } from "@outpost-ops/functions/src/lib/runtime.ts";
import type { Sandbox } from "@outpost-ops/sandbox";
import type { SQSBatchResponse } from "aws-lambda";
import { drillClients } from "../../packages/cli/src/drill/clients.ts";
import { EventBridge } from "../../packages/cli/src/drill/eventbridge.ts";
import {
  type Handler,
  lambdaContext,
  scheduledEvent,
  sqsEvent,
} from "../../packages/cli/src/drill/lambda.ts";
import {
  createInfrastructure,
  DRILL_ACCOUNT,
  drillHandlers,
  type EventRule,
  eventRulesIn,
  type Forwarding,
  forwardingFrom,
  type Infrastructure,
  type QueueWiring,
  type Rule,
  rulesIn,
} from "../../packages/cli/src/drill/wiring.ts";
import type { ScaledTime } from "./scaled-time.ts";

export interface Invocation {
  region: string;
  fn: FunctionName;
  /** Scaled ms (ScaledTime.now). */
  startMs: number;
  endMs: number;
  timeoutMs: number;
  result?: unknown;
  error?: string;
}

interface RegionWiring {
  infra: Infrastructure;
  eventRules: EventRule[];
  forwarding: Forwarding[];
  /** The schedule rules (rulesIn): fired only once `fireSchedules` is called. */
  schedules: Rule[];
  /** The containers EventBridge's function targets run in. */
  handlers: Record<FunctionName, Handler>;
}

/** The SDK standard mode's backoff for throttling errors (500 ms base, 20 s cap), in scaled time. */
export function standardBackoff(scale: number): (attempt: number) => number {
  return (attempt) => Math.min(20_000, Math.random() * 2 ** attempt * 500) / scale;
}

const CREDENTIALS = { accessKeyId: "bench", secretAccessKey: "bench" };
/** Wall ms between EventBridge pumps. */
const PUMP_EVERY_MS = 5;
/** A poller's long poll (wall s): the sandbox answers as soon as a message arrives. */
const LONG_POLL_S = 1;

export class LiveDeployment {
  readonly invocations: Invocation[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly bridge: EventBridge;

  private constructor(
    readonly sandbox: Sandbox,
    readonly config: Config,
    readonly clients: AwsClients,
    readonly time: ScaledTime,
    private readonly regions: Map<string, RegionWiring>,
  ) {
    this.bridge = new EventBridge({ sandbox, clients, deployments: [...regions.values()] });
  }

  /**
   * Creates every Region's deployment of `config` on the sandbox (queues, topic, the jobs' alarms).
   * @example const live = await LiveDeployment.create({ sandbox, config, time, regions: ["us-west-2"] })
   */
  static async create(input: {
    sandbox: Sandbox;
    config: Config;
    time: ScaledTime;
    regions: string[];
  }): Promise<LiveDeployment> {
    const clients = drillClients({
      endpoint: input.sandbox.endpoint,
      credentials: CREDENTIALS,
      backoffMs: standardBackoff(input.time.scale),
    });
    const regions = new Map<string, RegionWiring>();
    for (const region of input.regions) {
      const infra = await createInfrastructure(clients, region, jobsIn(region, input.config), input.config);
      regions.set(region, {
        infra,
        eventRules: eventRulesIn(region, input.config),
        forwarding: forwardingFrom(region, input.config),
        schedules: rulesIn(region, input.config),
        handlers: drillHandlers(input.config, clients, infra, input.time, pacer(input.time)),
      });
    }
    return new LiveDeployment(input.sandbox, input.config, clients, input.time, regions);
  }

  infra(region: string): Infrastructure {
    return this.wiring(region).infra;
  }

  /** A fresh Lambda container of `fn`: module state, runtime and pacer of its own. */
  container(region: string, fn: FunctionName): Handler {
    const { infra } = this.wiring(region);
    return drillHandlers(this.config, this.clients, infra, this.time, pacer(this.time))[fn];
  }

  /**
   * One invocation, with the function's timeout running down in scaled time; recorded in
   * `invocations`. A handler's error is recorded and rethrown.
   */
  async invoke(
    region: string,
    fn: FunctionName,
    event: unknown,
    handler: Handler = this.container(region, fn),
  ): Promise<Invocation> {
    const timeoutMs = AllFunctionSpecs[fn].timeoutSeconds * 1000;
    const record: Invocation = { region, fn, startMs: this.time.now(), endMs: 0, timeoutMs };
    this.invocations.push(record);
    try {
      record.result = await handler(
        event,
        lambdaContext(fn, timeoutMs, () => this.time.now()),
      );
      return record;
    } catch (error) {
      record.error = String(error);
      throw error;
    } finally {
      record.endMs = this.time.now();
    }
  }

  /** Starts every queue's event source mapping and EventBridge's rules. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const { infra } of this.regions.values())
      for (const queue of Object.values(infra.queues))
        for (let i = 0; i < queue.spec.maxConcurrency; i++) this.loops.push(this.poll(infra.region, queue));
    this.loops.push(this.pump());
  }

  /**
   * Fires the schedule rules `which` accepts (default: all) as EventBridge does, at every whole
   * minute of the scaled clock whose cron matches, until `stop`: a queue target gets the scheduled
   * event in the rule's message group (sent with the next pump), a function target is invoked with it
   * (recorded in `invocations`). Returns the number of firings so far, as a getter.
   * @example live.fireSchedules((region, rule) => rule.target === "copySchedule")
   */
  fireSchedules(which: (region: string, rule: Rule) => boolean = () => true): () => number {
    let fired = 0;
    const rules = [...this.regions.values()].flatMap((w) =>
      w.schedules
        .filter((rule) => which(w.infra.region, rule))
        .map((rule) => ({ rule, wiring: w, cron: parseScheduleExpression(rule.expression).cron })),
    );
    const loop = async () => {
      const invoked: Promise<unknown>[] = [];
      let next = Math.ceil(this.time.now() / 60_000) * 60_000;
      while (this.running) {
        const wait = next - this.time.now();
        // Short sleeps, so `stop` is not held up by a long one.
        if (wait > 0) {
          await this.time.sleep(Math.min(wait, 5_000));
          continue;
        }
        const at = new Date(next);
        for (const { rule, wiring, cron } of rules) {
          if (!cronMatches(cron, at)) continue;
          const region = wiring.infra.region;
          const event = scheduledEvent(at, region, `outpost-ops-drill-${rule.id}`);
          fired += 1;
          if (rule.queue) this.bridge.sendToQueue(wiring.infra, rule.queue, event);
          else invoked.push(this.invoke(region, rule.target, event).catch(() => undefined));
        }
        next += 60_000;
      }
      await Promise.all(invoked);
    };
    if (!this.running) throw new Error("fireSchedules: start() the deployment first");
    this.loops.push(loop());
    return () => fired;
  }

  /** Stops polling and pumping; resolves when every invocation in flight has returned. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  /**
   * Resolves once `done()` holds (checked every `everyMs` of wall time); rejects after `timeoutMs`
   * of wall time, naming `what`.
   */
  async until(what: string, done: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20) {
    const deadline = performance.now() + timeoutMs;
    while (!(await done())) {
      if (performance.now() > deadline)
        throw new Error(`Benchmark: gave up waiting for ${what} after ${Math.round(timeoutMs / 1000)} s`);
      await wallSleep(everyMs);
    }
  }

  private wiring(region: string): RegionWiring {
    const found = this.regions.get(region);
    if (!found) throw new Error(`No deployment in ${region}`);
    return found;
  }

  private async pump(): Promise<void> {
    while (this.running) {
      await this.bridge.pump();
      await this.bridge.flush();
      await wallSleep(PUMP_EVERY_MS);
    }
  }

  /** One poller of an event source mapping: Lambda's, with the queue's own visibility timeout. */
  private async poll(region: string, queue: QueueWiring): Promise<void> {
    const sqs = this.clients.get(SQSClient, region);
    const fn = queue.spec.consumer as FunctionName;
    const handler = this.container(region, fn);
    const queueArn = `arn:aws:sqs:${region}:${DRILL_ACCOUNT}:${queue.url.split("/").pop()}`;
    while (this.running) {
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: queue.spec.batchSize,
          WaitTimeSeconds: LONG_POLL_S,
          MessageSystemAttributeNames: ["All"],
        }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) continue;
      let failed: Set<string>;
      try {
        const { result } = await this.invoke(region, fn, sqsEvent(messages, queueArn, region), handler);
        failed = new Set(
          ((result as SQSBatchResponse | undefined)?.batchItemFailures ?? []).map((f) => f.itemIdentifier),
        );
      } catch {
        // A function error returns the whole batch to the queue, as Lambda's mapping does.
        continue;
      }
      const done = messages.filter((m) => !failed.has(m.MessageId ?? ""));
      if (done.length > 0)
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
          }),
        );
    }
  }
}

/** The deployed worker pacing (WORKER_RATE), on the benchmark's clock: one per container. */
function pacer(time: ScaledTime) {
  return createPacer(WORKER_RATE, time);
}

export function wallSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
