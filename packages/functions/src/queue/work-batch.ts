/**
 * Shared by the SQS workers: apply each record's work item, report the ones to retry as batch item
 * failures (SQS redelivers them after the visibility timeout; after 10 receives they reach the
 * dead-letter queue, whose alarm alerts), and stop taking new records before the Lambda timeout.
 * A failure that is not a rate or quota limit (AccessDenied, say) is also announced the first time
 * it happens, so people hear of it at once rather than when the retries run out hours later.
 */
import type { Alert, AlertSink } from "@outpost-ops/core/alerts";
import { addOutcomes, type ItemOutcome } from "@outpost-ops/core/jobs/outcome";
import { emptySummary } from "@outpost-ops/core/summary";
import type { Context, SQSBatchResponse } from "aws-lambda";
import { parseSqsEvent, type SqsEvent } from "../lib/events.ts";
import { lambda } from "../lib/handler.ts";
import { logger, reportSummary } from "../lib/observability.ts";
import type { Runtime } from "../lib/runtime.ts";

/** What distinguishes one worker from another: its job, its work item, and how to apply one. */
export interface WorkerSpec<T> {
  job: "snapshot" | "retention";
  parseItem: (body: unknown) => T;
  apply: (runtime: Runtime, item: T) => Promise<ItemOutcome[]>;
}

/** An SQS worker handler: process the batch, announce first failures, report the run's summary. */
export function createWorker<T>(spec: WorkerSpec<T>, runtime: () => Runtime) {
  return lambda(parseSqsEvent, async (event, context): Promise<SQSBatchResponse> => {
    const rt = runtime();
    const { response, outcomes, firstFailures } = await processBatch(event, context, spec.parseItem, (item) =>
      spec.apply(rt, item),
    );
    const at = new Date(rt.clock.now());
    await announceFailures(rt.alerts, firstFailures, {
      job: spec.job,
      region: rt.env.region,
      stage: rt.env.stage,
      at,
    });
    reportSummary(addOutcomes(emptySummary(spec.job, "apply", at), outcomes));
    return response;
  });
}

/** Leave this much time unused: one more item could take several retried calls. */
const SAFETY_MS = 30_000;

export async function processBatch<T>(
  event: SqsEvent,
  context: Pick<Context, "getRemainingTimeInMillis">,
  parseItem: (body: unknown) => T,
  apply: (item: T) => Promise<ItemOutcome[]>,
): Promise<{ response: SQSBatchResponse; outcomes: ItemOutcome[]; firstFailures: ItemOutcome[] }> {
  const failures: string[] = [];
  const outcomes: ItemOutcome[] = [];
  const firstFailures: ItemOutcome[] = [];
  for (const record of event.Records) {
    if (context.getRemainingTimeInMillis() < SAFETY_MS) {
      failures.push(record.messageId);
      continue;
    }
    let item: T;
    try {
      item = parseItem(JSON.parse(record.body));
    } catch (error) {
      // A malformed body can never succeed: let it reach the dead-letter queue (and its alarm) intact.
      logger.error("malformed work item", { messageId: record.messageId, error: String(error) });
      failures.push(record.messageId);
      continue;
    }
    const results = await apply(item);
    outcomes.push(...results);
    if (results.some((o) => o.status === "retry" || o.status === "failed")) failures.push(record.messageId);
    if ((record.attributes?.ApproximateReceiveCount ?? "1") === "1") {
      firstFailures.push(...results.filter((o) => o.status === "failed"));
    }
  }
  return {
    response: { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) },
    outcomes,
    firstFailures,
  };
}

/** One alert for the batch's first-time failures (none when there are none). */
export async function announceFailures(
  alerts: AlertSink,
  failures: ItemOutcome[],
  context: { job: "snapshot" | "retention"; region: string; stage: string; at: Date },
): Promise<void> {
  if (failures.length === 0) return;
  const what =
    context.job === "snapshot" ? "snapshot(s) could not be taken" : "snapshot(s) could not be deleted";
  const alert: Alert = {
    severity: "warning",
    job: context.job,
    title: `${failures.length} ${what}`,
    body: [
      ...failures.slice(0, 10).map((f) => `${f.key}: ${f.detail}`),
      ...(failures.length > 10 ? [`... and ${failures.length - 10} more (see the function's logs)`] : []),
      "",
      "This is not a rate or quota limit, so waiting alone may not fix it: check the IAM role, the resource",
      "and its state. outpost-ops retries each item; after 10 tries it moves to the dead-letter queue and",
      "its alarm raises a critical alert.",
    ].join("\n"),
    region: context.region,
    at: context.at,
    resourceIds: failures.map((f) => f.key),
    links: [],
    stage: context.stage,
  };
  await alerts.publish(alert);
}
