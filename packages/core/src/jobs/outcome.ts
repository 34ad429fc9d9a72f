import type { ReasonCode } from "../reasons.ts";
import type { RunSummary } from "../summary.ts";
import { countSkip } from "../summary.ts";

/** What applying one work item (or deleting one snapshot) came to. */
export interface ItemOutcome {
  key: string;
  status: "created" | "exists" | "deleted" | "gone" | "retry" | "skipped" | "failed";
  /** Why, as a code summaries and events group by; `detail` is the sentence, ids included. */
  code: ReasonCode;
  snapshotIds: string[];
  detail: string;
}

/** Folds outcomes into a run summary. `exists`/`gone` are idempotent successes, counted as skips. */
export function addOutcomes(summary: RunSummary, outcomes: ItemOutcome[]): RunSummary {
  for (const o of outcomes) {
    if (o.status === "created") summary.created += o.snapshotIds.length || 1;
    else if (o.status === "deleted") summary.deleted += 1;
    else if (o.status === "retry") summary.retried += 1;
    else if (o.status === "failed") {
      summary.failed += 1;
      summary.errors.push({ key: o.key, code: o.code, detail: o.detail });
    } else countSkip(summary, o.code);
  }
  return summary;
}

/**
 * Whether the queue must deliver the item again: a rate limit or an unconfirmed create (see
 * snapshot-visibility.ts) needs another pass, and so does a failure a retry may fix. A full quota
 * does not: only a person can raise it, so its item fails at once and its alert says how to take
 * the missed snapshots once the quota is raised, instead of cycling until the dead-letter queue.
 * @example needsRedelivery({ status: "failed", code: "quota-exceeded", ... }) // false
 */
export function needsRedelivery(outcome: ItemOutcome): boolean {
  if (outcome.status === "retry" || outcome.code === "not-yet-visible") return true;
  return outcome.status === "failed" && outcome.code !== "quota-exceeded";
}
