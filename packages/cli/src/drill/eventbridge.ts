/**
 * EventBridge's part in the drill, between the sandbox's buses and the deployments' rules. The
 * sandbox stores the events that reach each Region's default bus (AWS's snapshot events when
 * snapshots settle on its clock, the handlers' own PutEvents, alarm state changes once it evaluates
 * alarms) but runs no rules; this module does, as the stacks deploy them:
 *
 * - after each step it reads the events that arrived on every deployment's default bus since it last
 *   looked (it remembers how many it consumed per Region);
 * - the primary's forwarding rules (`forwarded` of the DR Region's jobs) put matching events on the
 *   DR Region's bus. The sandbox refuses PutEvents with an `aws.*` source, as AWS does, so a forwarded
 *   event goes straight to the DR Region's matching rules, unchanged (it keeps its `region`, as a
 *   cross-Region target keeps it);
 * - every rule whose pattern matches gets the event: a function target is invoked with it, a queue
 *   target gets it as the message body (SendMessage with the rule's MessageGroupId; the FIFO queue
 *   de-duplicates on content, as deployed).
 *
 * EventBridge delivers at least once: every 7th delivery to a queue is sent twice, and SQS's
 * content-based de-duplication must drop the second (counted in `deduplicated`). Deliveries to a
 * queue are sent when its consumer next polls (`flush`), which its consumer cannot tell apart.
 */
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { AwsClients } from "@outpost-ops/core/aws/clients";
import { OutpostOpsError } from "@outpost-ops/core/errors";
import type { FunctionName, QueueTarget } from "@outpost-ops/functions/src/jobs.ts";
import type { EventEnvelope, Sandbox } from "@outpost-ops/sandbox";
import { type Handler, lambdaContext } from "./lambda.ts";
import { type EventRule, type Forwarding, type Infrastructure, matchesPattern, queue } from "./wiring.ts";

/** What one Region's deployment offers EventBridge: its rules, its handlers and its queues. */
export interface BusDeployment {
  infra: Infrastructure;
  handlers: Record<FunctionName, Handler>;
  eventRules: EventRule[];
  /** Rules of this deployment that forward events of its bus to another Region's. */
  forwarding?: Forwarding[];
}

export interface EventBridgeLog {
  /** Events read off each Region's default bus. */
  read: Record<string, number>;
  /** Forwarding rule id → events it forwarded. */
  forwarded: Record<string, number>;
  /** `region/rule id` → events delivered to its target. */
  deliveries: Record<string, number>;
  /** Deliveries sent twice (at-least-once) whose second copy the FIFO queue dropped as a duplicate. */
  duplicatesSent: number;
  deduplicated: number;
  /** Every "CloudWatch Alarm State Change" seen on a bus (the sandbox's alarms, once it evaluates them). */
  alarmChanges: { region: string; alarm: string; state: string; at: string }[];
}

interface AlarmDetail {
  alarmName?: string;
  state?: { value?: string };
}

export class EventBridge {
  readonly log: EventBridgeLog = {
    read: {},
    forwarded: {},
    deliveries: {},
    duplicatesSent: 0,
    deduplicated: 0,
    alarmChanges: [],
  };
  private readonly consumed = new Map<string, number>();
  private queueDeliveries = 0;
  /**
   * Deliveries to queues not yet sent, by Region and queue URL (two Regions' queues of one name can
   * share a URL in the sandbox); `twice` pairs a body's two indexes.
   */
  private readonly pending = new Map<
    string,
    {
      region: string;
      url: string;
      fifo: boolean;
      groupId: string;
      bodies: string[];
      twice: [number, number][];
    }
  >();

  constructor(
    private readonly input: {
      sandbox: Pick<Sandbox, "state">;
      clients: AwsClients;
      deployments: BusDeployment[];
      /** Called for every function invocation (the simulation's counts). */
      onInvoke?: (region: string, fn: FunctionName) => void;
    },
  ) {
    // Events already on the buses (none, in a fresh sandbox) are history, not news.
    for (const d of input.deployments)
      this.consumed.set(d.infra.region, input.sandbox.state.events(d.infra.region).length);
  }

  /**
   * Reads what arrived on every bus since the last call and delivers it: forwarded first where a
   * forwarding rule matches, then to the matching rules of the bus's own Region.
   * @returns how many deliveries were made (0: nothing new for any rule)
   */
  async pump(): Promise<number> {
    let delivered = 0;
    for (const d of this.input.deployments) {
      const region = d.infra.region;
      const all = this.input.sandbox.state.events(region);
      const fresh = all.slice(this.consumed.get(region) ?? 0);
      this.consumed.set(region, all.length);
      if (fresh.length === 0) continue;
      this.log.read[region] = (this.log.read[region] ?? 0) + fresh.length;
      for (const event of fresh) {
        if (event["detail-type"] === "CloudWatch Alarm State Change") {
          const detail = (event.detail ?? {}) as AlarmDetail;
          this.log.alarmChanges.push({
            region,
            alarm: detail.alarmName ?? "?",
            state: detail.state?.value ?? "?",
            at: event.time,
          });
        }
        for (const f of d.forwarding ?? []) {
          if (!matchesPattern({ ...f.pattern }, event as unknown as Record<string, unknown>)) continue;
          this.log.forwarded[f.id] = (this.log.forwarded[f.id] ?? 0) + 1;
          delivered += await this.deliver(f.to, event);
        }
        delivered += await this.deliver(region, event);
      }
    }
    return delivered;
  }

  /**
   * Delivers one event to the rules of `region`'s deployment whose pattern it matches (the way
   * CloudWatch's synthetic alarms and forwarded events arrive). Returns the deliveries made.
   */
  async deliver(region: string, event: EventEnvelope | Record<string, unknown>): Promise<number> {
    const d = this.input.deployments.find((x) => x.infra.region === region);
    if (!d) return 0;
    let delivered = 0;
    for (const rule of d.eventRules) {
      if (!matchesPattern({ ...rule.pattern }, event as Record<string, unknown>)) continue;
      const key = `${region}/${rule.id}`;
      this.log.deliveries[key] = (this.log.deliveries[key] ?? 0) + 1;
      delivered += 1;
      if (rule.queue) this.sendToQueue(d.infra, rule.queue, event);
      else {
        await d.handlers[rule.target](event, lambdaContext(rule.target));
        this.input.onInvoke?.(region, rule.target);
      }
    }
    return delivered;
  }

  /**
   * An SQS target: the event is the message body, in the target's message group. Every 7th delivery
   * is sent twice, as EventBridge may; the FIFO queue's content-based de-duplication drops the copy.
   * Deliveries wait here until `flush` (before the queue's consumer polls): nothing reads a queue in
   * between, so sending them then, ten to a SendMessageBatch, changes nothing the consumer sees and
   * spares the drill a request per event.
   */
  sendToQueue(
    infra: Infrastructure,
    target: QueueTarget,
    event: EventEnvelope | Record<string, unknown>,
  ): void {
    const wiring = queue(infra, target.name);
    const key = `${infra.region} ${wiring.url}`;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = {
        region: infra.region,
        url: wiring.url,
        fifo: wiring.spec.fifo,
        groupId: target.messageGroupId,
        bodies: [],
        twice: [],
      };
      this.pending.set(key, pending);
    }
    const body = JSON.stringify(event);
    pending.bodies.push(body);
    if (++this.queueDeliveries % 7 !== 0) return;
    this.log.duplicatesSent += 1;
    pending.twice.push([pending.bodies.length - 1, pending.bodies.length]);
    pending.bodies.push(body);
  }

  /** Sends what waits for one queue (default: every queue), in batches of ten, in delivery order. */
  async flush(queue?: { region: string; url: string }): Promise<void> {
    for (const [key, pending] of this.pending) {
      if (queue !== undefined && (pending.url !== queue.url || pending.region !== queue.region)) continue;
      this.pending.delete(key);
      const url = pending.url;
      const sqs = this.input.clients.get(SQSClient, pending.region);
      const ids: (string | undefined)[] = [];
      for (let i = 0; i < pending.bodies.length; i += 10) {
        const chunk = pending.bodies.slice(i, i + 10);
        const out = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: chunk.map((body, j) => ({
              Id: String(j),
              MessageBody: body,
              ...(pending.fifo ? { MessageGroupId: pending.groupId } : {}),
            })),
          }),
        );
        const failed = out.Failed ?? [];
        if (failed.length > 0)
          throw new OutpostOpsError(
            `SendMessageBatch to ${url} failed for ${failed.length} entries: ${failed[0]?.Code} ${failed[0]?.Message}`,
          );
        const byId = new Map((out.Successful ?? []).map((e) => [e.Id, e.MessageId]));
        chunk.forEach((_, j) => {
          ids.push(byId.get(String(j)));
        });
      }
      for (const [first, second] of pending.twice)
        if (ids[first] !== undefined && ids[first] === ids[second]) this.log.deduplicated += 1;
    }
  }
}
