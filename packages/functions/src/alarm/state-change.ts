/**
 * EventBridge "CloudWatch Alarm State Change" for our alarms (dead-letter queues, worker errors, and
 * later capacity) → one alert in the common schema, so every notification reads the same.
 */

import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { type AlarmStateChange, alarmAlert, isAlertWorthy } from "@outpost-ops/core/alerts";
import { type AlarmEvent, parseAlarmEvent } from "../lib/events.ts";
import { lambda } from "../lib/handler.ts";
import { logger, metrics } from "../lib/observability.ts";
import { lazyRuntime, type Runtime } from "../lib/runtime.ts";

export const parseEvent = parseAlarmEvent;

/** The alarm relay's view of the event: the core alert is built from this. */
export function alarmChange(event: AlarmEvent): AlarmStateChange {
  const { alarmName, state, previousState, configuration } = event.detail;
  return {
    alarmName,
    state: state.value,
    ...(previousState ? { previousState: previousState.value } : {}),
    ...(state.reason ? { reason: state.reason } : {}),
    ...(configuration?.description ? { description: configuration.description } : {}),
    region: event.region,
    at: new Date(event.time),
    resources: event.resources,
  };
}

export function createHandler(runtime: () => Runtime = lazyRuntime()) {
  return lambda(parseEvent, async (event) => {
    const { alerts, env } = runtime();
    const change = alarmChange(event);
    if (!isAlertWorthy(change)) {
      logger.info("alarm state change not relayed", { alarm: change.alarmName, state: change.state });
      return { published: undefined };
    }
    const alert = { ...alarmAlert(change), stage: env.stage };
    await alerts.publish(alert);
    logger.info("alarm relayed", { alarm: event.detail.alarmName, state: event.detail.state.value });
    metrics.addDimension("severity", alert.severity);
    metrics.addMetric("AlertsPublished", MetricUnit.Count, 1);
    return { published: alert.title };
  });
}

export const handler = createHandler();
