/**
 * Shared by the SQS workers: apply each record's work item, report the ones to retry as batch item
 * failures (SQS redelivers them after the visibility timeout; after 10 receives they reach the
 * dead-letter queue, whose alarm alerts), and stop taking new records before the Lambda timeout.
 */
import type { ItemOutcome } from "@outpost-ops/core/jobs/outcome";
import type { Context, SQSBatchResponse } from "aws-lambda";
import type { SqsEvent } from "../lib/events.ts";
import { logger } from "../lib/observability.ts";

/** Leave this much time unused: one more item could take several retried calls. */
const SAFETY_MS = 30_000;

export async function processBatch<T>(
  event: SqsEvent,
  context: Pick<Context, "getRemainingTimeInMillis">,
  parseItem: (body: unknown) => T,
  apply: (item: T) => Promise<ItemOutcome[]>,
): Promise<{ response: SQSBatchResponse; outcomes: ItemOutcome[] }> {
  const failures: string[] = [];
  const outcomes: ItemOutcome[] = [];
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
  }
  return {
    response: { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) },
    outcomes,
  };
}
