/**
 * The failover readiness check, on its schedule (failover.readiness.schedule) in the DR Region:
 * the failover preflight as a dry run (core/jobs/failover-readiness.ts), the FailoverReady gauge,
 * and an alert and an event only when readiness changed since the last gauge: a warning naming the
 * failed checks when failover would now be refused, info when it is ready again. Its memory is the
 * gauge, in CloudWatch: a missed or failed run only compares with an older point.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { putMetrics } from "@outpost-ops/core/aws/metrics";
import { readinessDatum } from "@outpost-ops/core/aws/readiness-gauge";
import { METRICS_NAMESPACE } from "@outpost-ops/core/copy/metrics";
import { readinessEvent } from "@outpost-ops/core/events/from-failover";
import { toFailoverResult } from "@outpost-ops/core/failover/result";
import { failoverOf } from "@outpost-ops/core/jobs/failover";
import { readinessLostAlert, readinessRegainedAlert } from "@outpost-ops/core/jobs/failover-alerts";
import { checkReadiness, READINESS_TRIGGER } from "@outpost-ops/core/jobs/failover-readiness";
import { failoverCode } from "@outpost-ops/core/jobs/failover-summary";
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
  return lambda(parseEvent, async (_event, context) => {
    const rt = runtime();
    const { config, clients, env } = rt;
    failoverOf(config);
    const check = await checkReadiness({ clients, config, clock: rt.clock });
    const { run } = check;
    const at = run.timeline.decidedAt;
    // The alert before the gauge: an alert that fails (and fails the run) leaves the gauge as it
    // was, so the next run sees the same change and alerts it then.
    if (check.change) {
      const alert =
        check.change === "lost"
          ? readinessLostAlert(run, { region: env.region, stage: env.stage })
          : readinessRegainedAlert(run, { region: env.region, stage: env.stage });
      await rt.alerts.publish({ ...alert, stage: env.stage });
      await publishEvents(rt, [
        readinessEvent(run, check.ready, READINESS_TRIGGER, eventContext(rt, context, at)),
      ]);
    }
    // A gauge that does not go out makes the next run compare with an older one (it may alert
    // again, never miss a change): logged, not thrown, like the copy scheduler's gauges.
    try {
      await putMetrics(
        clients.get(CloudWatchClient, config.regions.dr),
        METRICS_NAMESPACE,
        [readinessDatum(check.ready)],
        at,
      );
    } catch (error) {
      logger.error("FailoverReady not published", { error: String(error) });
      metrics.addMetric("GaugesFailed", MetricUnit.Count, 1);
    }
    const summary = {
      ready: check.ready,
      onDr: check.onDr,
      code: failoverCode(run),
      ...(check.previous
        ? { previous: { value: check.previous.value, at: check.previous.at.toISOString() } }
        : {}),
      ...(check.change ? { change: check.change } : {}),
    };
    logger.info(
      check.onDr
        ? "DNS already points at the DR site: failover readiness is moot (failback is by command)"
        : "failover readiness",
      { ...summary, failed: run.plan.items.filter((i) => !i.ok) },
    );
    metrics.addDimension("job", "failover");
    metrics.addMetric("FailoverReadinessChecks", MetricUnit.Count, 1);
    return { ...summary, result: toFailoverResult(run) };
  });
}

export const handler = createHandler();
