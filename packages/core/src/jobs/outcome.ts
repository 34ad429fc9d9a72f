import type { RunSummary } from "../summary.ts";
import { countSkip } from "../summary.ts";

/** What applying one work item (or deleting one snapshot) came to. */
export interface ItemOutcome {
  key: string;
  status: "created" | "exists" | "deleted" | "gone" | "retry" | "skipped" | "failed";
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
      summary.errors.push(`${o.key}: ${o.detail}`);
    } else
      countSkip(
        summary,
        o.status === "exists"
          ? "already exists for this window"
          : o.status === "gone"
            ? "already deleted"
            : o.detail,
      );
  }
  return summary;
}
