/**
 * The event stream from a handler: EventBridge for the functions that publish (only they import its
 * client, so the alarm relay's bundle stays without it), and one place that decides what a refused
 * event means. An event EventBridge refuses for good does not undo the snapshot it describes: it is
 * logged whole (so nothing is lost) and counted as `EventsFailed`, which an alarm can watch.
 */

import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { AwsClients } from "@outpost-ops/core/aws/clients";
import type { OutpostOpsEvent } from "@outpost-ops/core/events/event";
import type { EventContext } from "@outpost-ops/core/events/from-outcomes";
import { eventBridgeEvents as busEvents, type EventSink } from "@outpost-ops/core/events/publish";
import type { Context } from "aws-lambda";
import type { Env } from "./env.ts";
import { logger, metrics } from "./observability.ts";
import type { Runtime } from "./runtime.ts";

/** The deployed event stream: the Region's bus named by EVENT_BUS_NAME (the default bus). */
export function eventBridgeEvents(clients: AwsClients, env: Env): EventSink {
  return busEvents(clients, env.region, env.eventBusName);
}

/** Account and partition from the invoked function's ARN, for the ARNs events carry. */
export function eventContext(
  runtime: Runtime,
  context: Pick<Context, "invokedFunctionArn">,
  at: Date,
): EventContext {
  const [, partition, , , account] = (context.invokedFunctionArn ?? "").split(":");
  return {
    stage: runtime.env.stage,
    at,
    ...(account ? { account } : {}),
    ...(partition ? { partition } : {}),
  };
}

/** Publishes, never throws for a refused event: see the module comment. */
export async function publishEvents(runtime: Runtime, events: OutpostOpsEvent[]): Promise<void> {
  if (events.length === 0) return;
  const { sent, failed } = await runtime.events.publish(events);
  metrics.addMetric("EventsPublished", MetricUnit.Count, sent);
  if (failed.length > 0) {
    metrics.addMetric("EventsFailed", MetricUnit.Count, failed.length);
    for (const f of failed) logger.error("event not published", { code: f.code, event: f.event });
  }
}
