import { SQSClient } from "@aws-sdk/client-sqs";
import { enqueue } from "@outpost-ops/core/aws/queue";
import { EnvironmentError } from "@outpost-ops/core/errors";
import { retentionSkipEvents } from "@outpost-ops/core/events/from-outcomes";
import { deleteWorkItems, planRetentionRun } from "@outpost-ops/core/jobs/retention";
import { capExceededAlert } from "@outpost-ops/core/jobs/retention-alerts";
import { retentionPlanSummary } from "@outpost-ops/core/jobs/summaries";
import type { RunSummary } from "@outpost-ops/core/summary";
import { topicAlerts } from "../lib/alert-topic.ts";
import { eventBridgeEvents, eventContext, publishEvents } from "../lib/event-stream.ts";
import { parseScheduledEvent } from "../lib/events.ts";
import { lambda } from "../lib/handler.ts";
import { reportSummary } from "../lib/observability.ts";
import { lazyRuntime, plannerDeadline, type Runtime } from "../lib/runtime.ts";

export const parseEvent = parseScheduledEvent;

/**
 * Unlike snapshots, retention cannot be planned page by page: which snapshot is the newest of its
 * source, or beyond keepLast, is only known once every managed snapshot of the Region was read
 * (across policies). So the whole inventory is planned first, and only the enqueue is paged: the
 * deletions go out in SQS batches of 10 messages of up to 50 snapshot ids each.
 */
export function createHandler(
  runtime: () => Runtime = lazyRuntime({ alerts: topicAlerts, events: eventBridgeEvents }),
) {
  return lambda(parseEvent, async (event, context): Promise<RunSummary> => {
    const rt = runtime();
    const { config, clients, env, alerts } = rt;
    if (!env.retentionQueueUrl) throw new EnvironmentError("RETENTION_QUEUE_URL", "is not set");
    const now = new Date(event.time);
    const plan = await planRetentionRun({
      clients,
      config,
      region: env.region,
      now,
      deadline: plannerDeadline(context),
    });
    let enqueued = 0;
    if (plan.cap.exceeded) {
      await alerts.publish({
        ...capExceededAlert(plan, env.region),
        stage: env.stage,
      });
    } else {
      const items = deleteWorkItems(plan, env.region);
      enqueued = await enqueue(clients.get(SQSClient, env.region), env.retentionQueueUrl, items);
    }
    const summary = retentionPlanSummary(plan, now, { enqueued });
    await publishEvents(rt, retentionSkipEvents(plan, env.region, eventContext(rt, context, now)));
    reportSummary(summary);
    return summary;
  });
}

export const handler = createHandler();
