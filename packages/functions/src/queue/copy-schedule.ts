/**
 * The copy scheduler of this (destination) Region. Its trigger is the copy-ticks FIFO queue: every
 * snapshot completion, copy completion and scheduled tick is a message in one message group, so one
 * batch runs at a time (the single writer, see jobs.ts). Which events a batch holds does not change
 * what the run does: it reads AWS, plans and starts what fits (core/jobs/copy.ts). So ten ticks are
 * one run, and a redelivered batch only plans again.
 *
 * A tick that is not an EventBridge event is reported as a batch item failure (after ten receives it
 * reaches the dead-letter queue, whose alarm alerts) and changes nothing; the others still run.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { putMetrics } from "@outpost-ops/core/aws/metrics";
import { copyView } from "@outpost-ops/core/copy/destinations";
import { copyMetrics, METRICS_NAMESPACE } from "@outpost-ops/core/copy/metrics";
import { EventShapeError } from "@outpost-ops/core/errors";
import { copyRunEvents } from "@outpost-ops/core/events/from-copies";
import { markAlerted, runCopyScheduler } from "@outpost-ops/core/jobs/copy";
import { firstFailuresAlert } from "@outpost-ops/core/jobs/failure-alerts";
import { copyRunSummary } from "@outpost-ops/core/jobs/summaries";
import type { RunSummary } from "@outpost-ops/core/summary";
import { isIsoTime } from "@outpost-ops/core/time";
import type { SQSBatchResponse } from "aws-lambda";
import * as z from "zod";
import { topicAlerts } from "../lib/alert-topic.ts";
import { eventBridgeEvents, eventContext, publishEvents } from "../lib/event-stream.ts";
import { parseSqsEvent } from "../lib/events.ts";
import { lambda } from "../lib/handler.ts";
import { logger, metrics, reportSummary } from "../lib/observability.ts";
import { lazyRuntime, plannerDeadline, type Runtime } from "../lib/runtime.ts";

export const parseEvent = parseSqsEvent;

/** What a tick must be: an EventBridge event (a snapshot event, a copy event or the schedule's). */
const TickSchema = z.looseObject({
  "detail-type": z.string().min(1),
  source: z.string().min(1),
  time: z.string().refine(isIsoTime, "must be an ISO-8601 time"),
  region: z.string().min(1),
});

function parseTick(body: string): z.infer<typeof TickSchema> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new EventShapeError("copy tick", [{ path: "", message: "body is not JSON" }]);
  }
  const result = TickSchema.safeParse(json);
  if (!result.success)
    throw new EventShapeError(
      "copy tick",
      result.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    );
  return result.data;
}

/**
 * A copy AWS refuses for a reason waiting will not fix (a missing permission, say) is refused again on
 * every run: a container alerts it once in this long. Its events still record every refusal; the
 * memory dies with the container, so it cannot stick. (A copy that fails in AWS after it started is
 * retried and alerted once by the job itself: core/jobs/copy-alerts.ts.)
 */
export const REFUSAL_ALERT_QUIET_MS = 60 * 60_000;

export function createHandler(
  runtime: () => Runtime = lazyRuntime({ alerts: topicAlerts, events: eventBridgeEvents }),
) {
  const refusalAlerted = new Map<string, number>();
  return lambda(parseEvent, async (event, context): Promise<SQSBatchResponse & { summary?: RunSummary }> => {
    const rt = runtime();
    const { config, clients, env, alerts } = rt;
    const batchItemFailures: { itemIdentifier: string }[] = [];
    const ticks: string[] = [];
    for (const record of event.Records) {
      try {
        const tick = parseTick(record.body);
        ticks.push(`${tick.source}/${tick["detail-type"]}`);
      } catch (error) {
        logger.error("malformed copy tick", { messageId: record.messageId, error: String(error) });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    if (ticks.length === 0) return { batchItemFailures };

    // The run is a function of AWS's state now, not of when the ticks were sent.
    const now = new Date(rt.clock.now());
    const run = await runCopyScheduler({
      clients,
      config,
      now,
      destination: env.region,
      deadline: plannerDeadline(context),
      withResources: true,
      clock: rt.clock,
    });
    // Without the listing the recovery gauges would leave out every resource with no snapshot yet:
    // they are not published, so the RPO alarm (missing data breaches) and readiness (stale) say so.
    if (run.resourcesUnread) {
      logger.error("protected resources not listed; recovery gauges not published this run", {
        error: run.resourcesUnread,
      });
      metrics.addMetric("ResourcesUnread", MetricUnit.Count, 1);
    }
    // The copies stand whether or not their gauges go out; a gauge that stays missing trips the RPO
    // alarm (it treats silence as breaching), so a failure here is logged, not thrown.
    try {
      await putMetrics(
        clients.get(CloudWatchClient, env.region),
        METRICS_NAMESPACE,
        copyMetrics({
          plan: run.state.plan,
          recovery: run.recovery,
          keys: run.keys,
          policies: copyView(config, env.region)
            .policies.filter((p) => p.copy)
            .map((p) => p.name),
          at: now,
          resourcesRead: run.resourcesUnread === undefined,
        }),
        now,
      );
    } catch (error) {
      logger.error("copy gauges not published", { error: String(error) });
      metrics.addMetric("GaugesFailed", MetricUnit.Count, 1);
    }
    for (const alert of run.alerts) await alerts.publish({ ...alert, stage: env.stage });
    for (const u of await markAlerted(clients, env.region, run.toMarkAlerted, now))
      logger.warn("failed copy not marked as alerted; its alert will repeat", u);
    const refused = run.outcomes.filter(
      (o) =>
        o.status === "failed" &&
        now.getTime() - (refusalAlerted.get(o.key) ?? Number.NEGATIVE_INFINITY) >= REFUSAL_ALERT_QUIET_MS,
    );
    const refusal = firstFailuresAlert(refused, { job: "copy", region: env.region, at: now });
    if (refusal) {
      for (const o of refused) refusalAlerted.set(o.key, now.getTime());
      await alerts.publish({ ...refusal, stage: env.stage });
    }
    await publishEvents(rt, copyRunEvents(run, eventContext(rt, context, now)));
    const summary = copyRunSummary(run, now);
    logger.info("copy ticks", { ticks });
    reportSummary(summary);
    if (run.unlisted.length > 0) {
      // Hand the whole batch back: while its messages are in flight the message group is blocked,
      // so the next run starts after the visibility timeout, when EC2 lists these copies.
      logger.warn("copies not yet listed; delaying the next run", { unlisted: run.unlisted });
      return {
        batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
        summary,
      };
    }
    return { batchItemFailures, summary };
  });
}

export const handler = createHandler();
