/**
 * EventBridge "CloudWatch Alarm State Change" for our alarms (dead-letter queues, worker errors, and
 * later capacity) → one alert in the common schema, so every notification reads the same.
 */

import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Alert } from "@outpost-ops/core/alerts";
import { ConsoleLinks } from "@outpost-ops/core/alerts";
import { type AlarmEvent, parseAlarmEvent } from "../lib/events.ts";
import { lambda } from "../lib/handler.ts";
import { logger, metrics } from "../lib/observability.ts";
import { lazyRuntime, type Runtime } from "../lib/runtime.ts";

export const parseEvent = parseAlarmEvent;

/** What the alarm means for a user, by the alarm's name. */
export function alarmAlert(event: AlarmEvent, stage: string): Alert {
  const { alarmName, state, previousState, configuration } = event.detail;
  const deadLetters = alarmName.endsWith("-dead-letters");
  const firing = state.value === "ALARM";
  const body = [
    configuration?.description ?? "",
    deadLetters && firing
      ? "Work items failed 10 times and were set aside in a dead-letter queue: some snapshots were not taken or not deleted. Inspect the messages, fix the cause (often IAM or a quota), then redrive them from the SQS console."
      : "",
    `State: ${previousState?.value ?? "?"} -> ${state.value}.`,
    state.reason ? `Reason: ${state.reason}` : "",
  ].filter(Boolean);
  return {
    severity: firing ? "critical" : "info",
    job: "platform",
    title: `${alarmName} is ${state.value}`,
    body: body.join("\n"),
    region: event.region,
    at: new Date(event.time),
    resourceIds: event.resources,
    links: [ConsoleLinks.alarm(event.region, alarmName)],
    stage,
  };
}

export function createHandler(runtime: () => Runtime = lazyRuntime()) {
  return lambda(parseEvent, async (event) => {
    const { alerts, env } = runtime();
    const alert = alarmAlert(event, env.stage);
    await alerts.publish(alert);
    logger.info("alarm relayed", { alarm: event.detail.alarmName, state: event.detail.state.value });
    metrics.addDimension("severity", alert.severity);
    metrics.addMetric("AlertsPublished", MetricUnit.Count, 1);
    return { published: alert.title };
  });
}

export const handler = createHandler();
