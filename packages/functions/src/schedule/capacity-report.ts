/**
 * The weekly capacity report, on its schedule (capacity.report.schedule) in the primary Region: each
 * Outpost's view (core/jobs/capacity-report.ts runCapacityReport over readCapacityView: utilization
 * per type, headroom, the change since last week, the 14-day forecast, the top consumers; the very
 * numbers `outpost-ops capacity` prints) as one info alert per Outpost whose body is the view's text,
 * and one Capacity Report event per Outpost.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { runCapacityReport } from "@outpost-ops/core/jobs/capacity-report";
import { topicAlerts } from "../lib/alert-topic.ts";
import { eventBridgeEvents, eventContext, publishEvents } from "../lib/event-stream.ts";
import { parseScheduledEvent } from "../lib/events.ts";
import { lambda } from "../lib/handler.ts";
import { logger, metrics } from "../lib/observability.ts";
import { lazyRuntime, type Runtime } from "../lib/runtime.ts";

export const parseEvent = parseScheduledEvent;

export function createHandler(
  runtime: () => Runtime = lazyRuntime({ alerts: topicAlerts, events: eventBridgeEvents }),
) {
  return lambda(parseEvent, async (event, context) => {
    const rt = runtime();
    const { config, clients, env } = rt;
    const now = new Date(event.time);
    const report = await runCapacityReport({
      clients,
      config,
      region: env.region,
      now,
      context: eventContext(rt, context, now),
    });
    for (const alert of report.alerts) await rt.alerts.publish({ ...alert, stage: env.stage });
    await publishEvents(rt, report.events);
    logger.info("capacity report", {
      outposts: report.view.outposts.map((o) => ({
        outpost: o.outpost,
        readings: o.readings.length,
        notes: o.notes,
      })),
      alerts: report.alerts.map((a) => a.title),
    });
    metrics.addDimension("job", "capacity");
    metrics.addMetric("AlertsPublished", MetricUnit.Count, report.alerts.length);
    return { at: now.toISOString(), alerts: report.alerts.map((a) => a.title) };
  });
}

export const handler = createHandler();
