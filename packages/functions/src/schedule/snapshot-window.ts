import { SQSClient } from "@aws-sdk/client-sqs";
import type { Alert } from "@outpost-ops/core/alerts";
import { enqueue } from "@outpost-ops/core/aws/queue";
import { EnvironmentError } from "@outpost-ops/core/errors";
import { planSnapshotRun } from "@outpost-ops/core/jobs/snapshot";
import { countSkip, emptySummary, type RunSummary } from "@outpost-ops/core/summary";
import { parseScheduledEvent, type ScheduledEvent } from "../lib/events.ts";
import { lambda } from "../lib/handler.ts";
import { reportSummary } from "../lib/observability.ts";
import { lazyRuntime, plannerDeadline, type Runtime } from "../lib/runtime.ts";

export const parseEvent = parseScheduledEvent;

export function createHandler(runtime: () => Runtime = lazyRuntime()) {
  return lambda(parseEvent, async (event, context): Promise<RunSummary> => {
    const { config, clients, env, alerts } = runtime();
    if (!env.snapshotQueueUrl) throw new EnvironmentError("SNAPSHOT_QUEUE_URL", "is not set");
    const now = new Date(event.time);
    const plans = await planSnapshotRun({
      clients,
      config,
      region: env.region,
      now,
      deadline: plannerDeadline(context),
    });
    const summary = emptySummary("snapshot", "plan", now);
    for (const plan of plans) {
      summary.selected += plan.selected;
      summary.planned += plan.items.length;
      for (const s of plan.skipped) countSkip(summary, s.code);
      summary.enqueued += await enqueue(clients.get(SQSClient, env.region), env.snapshotQueueUrl, plan.items);
    }
    if (plans.every((plan) => plan.due === undefined))
      await alerts.publish(lateWindowAlert(event, env.region, env.stage));
    reportSummary(summary);
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
