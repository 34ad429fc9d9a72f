import { SQSClient } from "@aws-sdk/client-sqs";
import type { Alert } from "@outpost-ops/core/alerts";
import { enqueue } from "@outpost-ops/core/aws/queue";
import { DeadlineError } from "@outpost-ops/core/deadline";
import { EnvironmentError } from "@outpost-ops/core/errors";
import { plannerSkipEvents } from "@outpost-ops/core/events/from-outcomes";
import { mergeSnapshotPlans } from "@outpost-ops/core/jobs/merge-plans";
import { planSnapshotPages } from "@outpost-ops/core/jobs/snapshot";
import { quotaExhaustedAlert } from "@outpost-ops/core/jobs/snapshot-alerts";
import { createSnapshotQuotaBudget } from "@outpost-ops/core/jobs/snapshot-quota-budget";
import type { SnapshotPlan } from "@outpost-ops/core/snapshot/plan";
import { countSkip, emptySummary, type RunSummary } from "@outpost-ops/core/summary";
import { eventBridgeEvents, eventContext, publishEvents } from "../lib/event-stream.ts";
import { parseScheduledEvent, type ScheduledEvent } from "../lib/events.ts";
import { lambda } from "../lib/handler.ts";
import { reportSummary } from "../lib/observability.ts";
import { lazyRuntime, plannerDeadline, type Runtime } from "../lib/runtime.ts";

export const parseEvent = parseScheduledEvent;

function summarize(pages: Map<string, SnapshotPlan[]>, now: Date, enqueued: number): RunSummary {
  const summary = emptySummary("snapshot", "plan", now);
  for (const plan of [...pages.values()].map(mergeSnapshotPlans)) {
    summary.selected += plan.selected;
    summary.planned += plan.items.length;
    for (const s of plan.skipped) countSkip(summary, s.code);
  }
  summary.enqueued = enqueued;
  return summary;
}

/**
 * Enqueues each page's items as soon as it is planned, so a run stopped by its deadline keeps what
 * it planned: it reports that, then rethrows the DeadlineError so EventBridge retries the run (the
 * FIFO queue's de-duplication and the worker's lookup drop what was already enqueued).
 */
export function createHandler(runtime: () => Runtime = lazyRuntime({ events: eventBridgeEvents })) {
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
      })) {
        pages.set(page.policy, [...(pages.get(page.policy) ?? []), page]);
        enqueued += await enqueue(clients.get(SQSClient, env.region), queueUrl, page.items);
        await publishEvents(rt, plannerSkipEvents(page, eventContext(rt, context, now)));
      }
    } catch (error) {
      if (!(error instanceof DeadlineError)) throw error;
      stopped = error;
    }
    const shortfall = quotaExhaustedAlert(quota.shortfalls(), env.region, now);
    if (shortfall) await alerts.publish({ ...shortfall, stage: env.stage });
    if (!stopped && [...pages.values()].every((p) => p.every((plan) => plan.due === undefined)))
      await alerts.publish(lateWindowAlert(event, env.region, env.stage));
    const summary = summarize(pages, now, enqueued);
    reportSummary(summary);
    if (stopped) throw stopped;
    return summary;
  });
}

/**
 * Rules fire only when a schedule is due, so an invocation with nothing due means the event came
 * later than the 5-minute lookback (or a rule no longer matches the config): a window was missed.
 */
export function lateWindowAlert(event: ScheduledEvent, region: string, stage: string): Alert {
  return {
    severity: "warning",
    job: "snapshot",
    title: "A snapshot window was missed",
    body: [
      `The schedule rule ${event.resources[0] ?? "(unknown rule)"} fired at ${event.time}, but no policy schedule is due`,
      "at that time or in the 5 minutes before it, so no snapshot was taken for this event. Either the event",
      "arrived late, or the deployed rules no longer match outpost-ops.config.ts: redeploy with `npx sst deploy`.",
      "The next scheduled window will run as usual; take a snapshot now with `npx outpost-ops run snapshot --at <window time>`.",
    ].join("\n"),
    region,
    at: new Date(event.time),
    resourceIds: event.resources,
    links: [],
    stage,
  };
}

export const handler = createHandler();
