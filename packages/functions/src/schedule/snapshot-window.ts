import { SQSClient } from "@aws-sdk/client-sqs";
import { enqueue } from "@outpost-ops/core/aws/queue";
import { DeadlineError } from "@outpost-ops/core/deadline";
import { EnvironmentError } from "@outpost-ops/core/errors";
import { plannerSkipEvents } from "@outpost-ops/core/events/from-outcomes";
import { mergeSnapshotPlans } from "@outpost-ops/core/jobs/merge-plans";
import { planSnapshotPages } from "@outpost-ops/core/jobs/snapshot";
import { missedWindowAlert, quotaExhaustedAlert } from "@outpost-ops/core/jobs/snapshot-alerts";
import { createSnapshotQuotaBudget } from "@outpost-ops/core/jobs/snapshot-quota-budget";
import { snapshotPlanSummary } from "@outpost-ops/core/jobs/summaries";
import type { SnapshotPlan } from "@outpost-ops/core/snapshot/plan";
import type { RunSummary } from "@outpost-ops/core/summary";
import { topicAlerts } from "../lib/alert-topic.ts";
import { eventBridgeEvents, eventContext, publishEvents } from "../lib/event-stream.ts";
import { parseScheduledEvent } from "../lib/events.ts";
import { lambda } from "../lib/handler.ts";
import { logger, reportSummary } from "../lib/observability.ts";
import { lazyRuntime, plannerDeadline, type Runtime } from "../lib/runtime.ts";

export const parseEvent = parseScheduledEvent;

/**
 * Enqueues each page's items as soon as it is planned, so a run stopped by its deadline keeps what
 * it planned: it reports that, then rethrows the DeadlineError so EventBridge retries the run (the
 * FIFO queue's de-duplication and the worker's lookup drop what was already enqueued).
 */
export function createHandler(
  runtime: () => Runtime = lazyRuntime({ alerts: topicAlerts, events: eventBridgeEvents }),
) {
  return lambda(parseEvent, async (event, context): Promise<RunSummary> => {
    const rt = runtime();
    const { config, clients, env, alerts } = rt;
    const queueUrl = env.snapshotQueueUrl;
    if (!queueUrl) throw new EnvironmentError("SNAPSHOT_QUEUE_URL", "is not set");
    const now = new Date(event.time);
    const quota = createSnapshotQuotaBudget(clients, env.region);
    const pages = new Map<string, SnapshotPlan[]>();
    let enqueued = 0;
    let stopped: DeadlineError | undefined;
    try {
      for await (const page of planSnapshotPages({
        clients,
        config,
        region: env.region,
        now,
        deadline: plannerDeadline(context),
        quota,
        // An unreadable local snapshot storage plans as configured; say so in the structured log.
        warn: (message, error) => logger.warn(message, { error: String(error) }),
      })) {
        pages.set(page.policy, [...(pages.get(page.policy) ?? []), page]);
        enqueued += await enqueue(clients.get(SQSClient, env.region), queueUrl, page.items);
        await publishEvents(rt, plannerSkipEvents(page, eventContext(rt, context, now)));
      }
    } catch (error) {
      if (!(error instanceof DeadlineError)) throw error;
      stopped = error;
    }
    for (const problem of quota.problems()) logger.warn("snapshot quota budget planned blind", { problem });
    const shortfall = quotaExhaustedAlert(quota.shortfalls(), env.region, now);
    if (shortfall) await alerts.publish({ ...shortfall, stage: env.stage });
    if (!stopped && [...pages.values()].every((p) => p.every((plan) => plan.code === "not-due")))
      await alerts.publish({
        ...missedWindowAlert({ rules: event.resources, eventTime: event.time, region: env.region }),
        stage: env.stage,
      });
    const summary = snapshotPlanSummary([...pages.values()].map(mergeSnapshotPlans), now, { enqueued });
    reportSummary(summary);
    if (stopped) throw stopped;
    return summary;
  });
}

export const handler = createHandler();
