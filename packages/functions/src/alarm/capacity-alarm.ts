/**
 * A capacity alarm's state change (`<prefix>-capacity-…`, ALARM or OK; its own rule, the relay skips
 * these) → at most one alert per condition, decided from the states of the condition's band alarms
 * (core/jobs/capacity-alarm.ts: a higher band already in ALARM has spoken; OK of the lowest band is
 * "resolved"), enriched with the reading, forecast and consumers; and one event on the event stream
 * with the decision, silent ones included (the audit of why nothing was sent).
 *
 * No counter of ours: CloudWatch's alarms per band are the edge triggers. An alarm name that no
 * longer parses (an Outpost removed from the config, a hand-made alarm under the prefix) is a
 * CapacityAlarmError: logged, counted, no alert; a retry would not make it parse. A malformed event
 * fails parsing, naming the field, before any AWS call.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { CapacityAlarmError } from "@outpost-ops/core/errors";
import { capacityAlertEvent } from "@outpost-ops/core/events/from-capacity";
import { handleCapacityAlarm } from "@outpost-ops/core/jobs/capacity-alarm";
import { isCapacityAlarm } from "../jobs.ts";
import { topicAlerts } from "../lib/alert-topic.ts";
import { eventBridgeEvents, publishEvents } from "../lib/event-stream.ts";
import { alarmChange, parseAlarmEvent } from "../lib/events.ts";
import { lambda } from "../lib/handler.ts";
import { logger, metrics } from "../lib/observability.ts";
import { lazyRuntime, type Runtime } from "../lib/runtime.ts";

export const parseEvent = parseAlarmEvent;

export function createHandler(
  runtime: () => Runtime = lazyRuntime({ alerts: topicAlerts, events: eventBridgeEvents }),
) {
  return lambda(parseEvent, async (event) => {
    const rt = runtime();
    const { config, clients, env } = rt;
    const change = alarmChange(event);
    const now = new Date(rt.clock.now());
    metrics.addDimension("job", "capacity");
    // Every state change the rule delivers, whatever is decided (and an invocation always has a metric).
    metrics.addMetric("CapacityAlarmChanges", MetricUnit.Count, 1);
    // The rule's prefix also matches the capacity functions' own errors alarms: the relay's.
    if (!isCapacityAlarm(env.prefix, change.alarmName)) {
      logger.info("not a capacity alarm: the alarm relay alerts it", { alarm: change.alarmName });
      return { alarm: change.alarmName, ignored: "not a capacity alarm (the alarm relay's)" };
    }
    let handled: Awaited<ReturnType<typeof handleCapacityAlarm>>;
    try {
      handled = await handleCapacityAlarm({
        clients,
        config,
        prefix: env.prefix,
        region: env.region,
        stage: env.stage,
        change,
        now,
      });
    } catch (error) {
      if (!(error instanceof CapacityAlarmError)) throw error;
      logger.error("capacity alarm not understood: no alert", {
        alarm: change.alarmName,
        state: change.state,
        error: error.message,
      });
      metrics.addMetric("CapacityAlarmsNotUnderstood", MetricUnit.Count, 1);
      return { alarm: change.alarmName, ignored: error.message };
    }
    const { decision, alert, reading, condition, band } = handled;
    if (alert) {
      await rt.alerts.publish({ ...alert, stage: env.stage });
      metrics.addMetric("AlertsPublished", MetricUnit.Count, 1);
    }
    await publishEvents(rt, [
      capacityAlertEvent({
        condition,
        ...(band ? { band } : {}),
        state: change.state,
        decision,
        ...(reading ? { reading } : {}),
        at: change.at,
        stage: env.stage,
        region: env.region,
      }),
    ]);
    logger.info(alert ? "capacity alert published" : "capacity alarm state change: no alert", {
      alarm: change.alarmName,
      state: change.state,
      ...(change.previousState ? { previousState: change.previousState } : {}),
      decision,
      ...(alert ? { title: alert.title, severity: alert.severity } : {}),
    });
    return { alarm: change.alarmName, decision, ...(alert ? { published: alert.title } : {}) };
  });
}

export const handler = createHandler();
