/**
 * The weekly capacity report, on its schedule (capacity.report.schedule) in the primary Region: each
 * Outpost's view (core/jobs/capacity-view.ts readCapacityView: utilization per type, headroom, the
 * change since last week, the 14-day forecast, the top consumers; the very numbers `outpost-ops
 * capacity` prints) as one info alert per Outpost whose body is the view's text
 * (core/capacity/report.ts), and one Capacity Report event per Outpost.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { capacityReportAlerts } from "@outpost-ops/core/capacity/report";
import { capacityReportEvent } from "@outpost-ops/core/events/from-capacity";
import { readCapacityView } from "@outpost-ops/core/jobs/capacity-view";
import { eventBridgeEvents, publishEvents } from "../lib/event-stream.ts";
import { parseScheduledEvent } from "../lib/events.ts";
import { lambda } from "../lib/handler.ts";
import { logger, metrics } from "../lib/observability.ts";
import { lazyRuntime, type Runtime } from "../lib/runtime.ts";

export const parseEvent = parseScheduledEvent;

export function createHandler(runtime: () => Runtime = lazyRuntime({ events: eventBridgeEvents })) {
  return lambda(parseEvent, async (event) => {
    const rt = runtime();
    const { config, clients, env } = rt;
    const now = new Date(event.time);
    const view = await readCapacityView({ clients, config, region: env.region, now });
    const alerts = capacityReportAlerts(view, config);
    for (const alert of alerts) await rt.alerts.publish({ ...alert, stage: env.stage });
    await publishEvents(
      rt,
      view.outposts.map((o) => capacityReportEvent(o, view.at, env.stage, env.region)),
    );
    logger.info("capacity report", {
      outposts: view.outposts.map((o) => ({
        outpost: o.outpost,
        readings: o.readings.length,
        notes: o.notes,
      })),
      alerts: alerts.map((a) => a.title),
    });
    metrics.addDimension("job", "capacity");
    metrics.addMetric("AlertsPublished", MetricUnit.Count, alerts.length);
    return { at: now.toISOString(), alerts: alerts.map((a) => a.title) };
  });
}

export const handler = createHandler();
