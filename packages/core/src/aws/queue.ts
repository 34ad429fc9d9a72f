/**
 * The work queue that carries work items across invocations (SQS). The snapshot queue is FIFO: the
 * de-duplication id is the work item's key, so a scheduled event delivered twice within SQS's
 * 5-minute de-duplication interval enqueues each snapshot once.
 */
import { createHash } from "node:crypto";
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { IncompleteRunError } from "../errors.ts";
import type { WorkItem } from "../snapshot/work-item.ts";

const BATCH = 10; // SQS SendMessageBatch maximum

export class EnqueueError extends IncompleteRunError {
  constructor(readonly failed: { id: string; code: string }[]) {
    super(
      `SQS refused ${failed.length} work item(s): ${failed.map((f) => `${f.id} (${f.code})`).join(", ")}. They were not enqueued; Lambda retries the scheduled run, and duplicates of the items that were enqueued are dropped.`,
    );
    this.name = "EnqueueError";
  }
}

function dedupeId(item: WorkItem): string {
  const key = item.kind === "delete" ? `${item.snapshotKind}:${item.snapshotIds.join(",")}` : item.key;
  return createHash("sha256").update(key).digest("hex");
}

/**
 * Sends work items in batches of 10. Throws EnqueueError listing any entry SQS refused.
 * @example await enqueue(sqs, queueUrl, plan.items)
 */
export async function enqueue(sqs: SQSClient, queueUrl: string, items: WorkItem[]): Promise<number> {
  const fifo = queueUrl.endsWith(".fifo");
  const failed: { id: string; code: string }[] = [];
  for (let i = 0; i < items.length; i += BATCH) {
    const batch = items.slice(i, i + BATCH);
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((item, j) => {
          const id = dedupeId(item);
          return {
            Id: String(j),
            MessageBody: JSON.stringify(item),
            ...(fifo ? { MessageGroupId: id.slice(0, 32), MessageDeduplicationId: id } : {}),
          };
        }),
      }),
    );
    for (const f of out.Failed ?? []) {
      const item = batch[Number(f.Id)];
      const id =
        item === undefined ? (f.Id ?? "?") : item.kind === "delete" ? item.snapshotIds.join(",") : item.key;
      failed.push({ id, code: f.Code ?? "unknown" });
    }
  }
  if (failed.length > 0) throw new EnqueueError(failed);
  return items.length;
}
