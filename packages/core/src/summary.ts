import { countReason, type ReasonCode, type ReasonCounts } from "./reasons.ts";

/** An item that failed, by code, with the sentence that names what failed. */
export interface RunError {
  key: string;
  code: ReasonCode;
  detail: string;
}

/**
 * What every run reports, in logs, metrics, CLI output and the drill: the same counters for every job.
 */
export interface RunSummary {
  job: "snapshot" | "retention" | "copy";
  phase: "plan" | "apply";
  at: string;
  dryRun: boolean;
  selected: number;
  planned: number;
  enqueued: number;
  created: number;
  deleted: number;
  /** Reason code → count; every decision not to act has a reason. */
  skipped: ReasonCounts;
  /**
   * Reason code → count of planned items with a caveat (snapshots: `local-storage-low`, a regional
   * snapshot instead of a local one; `tags-dropped`). Absent: none.
   */
  noted?: ReasonCounts;
  /** Rate/quota errors: the item goes back to the queue, not a failure. */
  retried: number;
  failed: number;
  errors: RunError[];
}

export function emptySummary(
  job: RunSummary["job"],
  phase: RunSummary["phase"],
  at: Date,
  dryRun = false,
): RunSummary {
  return {
    job,
    phase,
    at: at.toISOString(),
    dryRun,
    selected: 0,
    planned: 0,
    enqueued: 0,
    created: 0,
    deleted: 0,
    skipped: {},
    retried: 0,
    failed: 0,
    errors: [],
  };
}

export function countSkip(summary: RunSummary, code: ReasonCode, n = 1): void {
  countReason(summary.skipped, code, n);
}

/** Adds `b` into `a` (same job), for totals across invocations. */
export function mergeSummaries(a: RunSummary, b: RunSummary): RunSummary {
  const skipped: ReasonCounts = { ...a.skipped };
  for (const [code, n] of Object.entries(b.skipped)) countReason(skipped, code as ReasonCode, n);
  const noted: ReasonCounts = { ...a.noted };
  for (const [code, n] of Object.entries(b.noted ?? {})) countReason(noted, code as ReasonCode, n);
  return {
    ...a,
    ...(Object.keys(noted).length > 0 ? { noted } : {}),
    selected: a.selected + b.selected,
    planned: a.planned + b.planned,
    enqueued: a.enqueued + b.enqueued,
    created: a.created + b.created,
    deleted: a.deleted + b.deleted,
    skipped,
    retried: a.retried + b.retried,
    failed: a.failed + b.failed,
    errors: [...a.errors, ...b.errors],
  };
}
