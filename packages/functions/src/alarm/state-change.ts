/**
 * EventBridge "CloudWatch Alarm State Change" for our alarms (dead-letter queues, worker errors, RPO,
 * KMS keys) → one alert in the common schema, so every notification reads the same. The capacity
 * alarms (`<prefix>-capacity-…`) are the capacity alarm handler's (alarm/capacity-alarm.ts): skipped.
 */

import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { alarmAlert, isAlertWorthy } from "@outpost-ops/core/alerts";
import { isCapacityAlarm } from "../jobs.ts";
import { topicAlerts } from "../lib/alert-topic.ts";
import { alarmChange, parseAlarmEvent } from "../lib/events.ts";
import { lambda } from "../lib/handler.ts";
import { logger, metrics } from "../lib/observability.ts";
import { lazyRuntime, type Runtime } from "../lib/runtime.ts";

export const parseEvent = parseAlarmEvent;
/** The relay's view of the event (lib/events.ts; the capacity alarm handler shares it). */
export { alarmChange };

export function createHandler(runtime: () => Runtime = lazyRuntime({ alerts: topicAlerts })) {
  return lambda(parseEvent, async (event) => {
    const { alerts, env } = runtime();
    const change = alarmChange(event);
    // Every state change delivered, relayed or not (and an invocation always has a metric).
    metrics.addMetric("AlarmChanges", MetricUnit.Count, 1);
    /*
     * The relay's rule matches every `<prefix>-` alarm, the capacity alarms too: EventBridge cannot
     * AND a prefix with an anything-but prefix on one field (alarmName), so the rule cannot leave
     * them out. Their own rule delivers them to the capacity alarm handler, which sends one alert per
     * condition; relaying them too would send a second, generic one. The capacity functions' own
     * errors alarms share the prefix by their names, and are relayed like every errors alarm.
     */
    if (isCapacityAlarm(env.prefix, change.alarmName)) {
      logger.info("capacity alarm not relayed: the capacity alarm handler alerts it", {
        alarm: change.alarmName,
        state: change.state,
      });
      return { published: undefined, skipped: "capacity-alarm" as const };
    }
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
