/**
 * What every run reports, in logs, metrics, CLI output and the drill: the same counters for every job.
 */
export interface RunSummary {
  job: "snapshot" | "retention";
  phase: "plan" | "apply";
  at: string;
  dryRun: boolean;
  selected: number;
  planned: number;
  enqueued: number;
  created: number;
  deleted: number;
  /** Reason → count; every decision not to act has a reason. */
  skipped: Record<string, number>;
  /** Rate/quota errors: the item goes back to the queue, not a failure. */
  retried: number;
  failed: number;
  errors: string[];
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

export function countSkip(summary: RunSummary, reason: string): void {
  summary.skipped[reason] = (summary.skipped[reason] ?? 0) + 1;
}

/** Adds `b` into `a` (same job), for totals across invocations. */
export function mergeSummaries(a: RunSummary, b: RunSummary): RunSummary {
  const skipped = { ...a.skipped };
  for (const [reason, n] of Object.entries(b.skipped)) skipped[reason] = (skipped[reason] ?? 0) + n;
  return {
    ...a,
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
