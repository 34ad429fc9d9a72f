/**
 * The plan summaries every run reports, built here once so the Lambdas (logs, metrics) and the CLI
 * (`plan`, `run`, `--json`) count the same things the same way, by reason code.
 */
import { countReason, type ReasonCode, type ReasonCounts, reasonLabel } from "../reasons.ts";
import type { RetentionPlan } from "../retention/plan.ts";
import type { SnapshotPlan } from "../snapshot/plan.ts";
import { countSkip, emptySummary, type RunSummary } from "../summary.ts";
import type { CopyRun } from "./copy.ts";
import { addOutcomes } from "./outcome.ts";

/**
 * @example snapshotPlanSummary(plans, now, { enqueued: 40 })
 */
export function snapshotPlanSummary(
  plans: SnapshotPlan[],
  now: Date,
  options: { dryRun?: boolean; enqueued?: number } = {},
): RunSummary {
  const summary = emptySummary("snapshot", "plan", now, options.dryRun ?? false);
  for (const plan of plans) {
    summary.selected += plan.selected;
    summary.planned += plan.items.length;
    for (const s of plan.skipped) countSkip(summary, s.code);
  }
  const noted: ReasonCounts = {};
  for (const n of snapshotPlanNotes(plans)) countReason(noted, n.code, n.count);
  if (Object.keys(noted).length > 0) summary.noted = noted;
  summary.enqueued = options.enqueued ?? 0;
  return summary;
}

/**
 * The caveats of planned snapshots (a regional snapshot instead of a local one, tags not copied),
 * counted by code like the skips, with each code's label and the policies it touched, so the logs
 * and the CLI say "2 regional snapshot instead: …" once rather than per volume.
 * @example snapshotPlanNotes(plans) // [{ code: "local-storage-low", label: "regional snapshot instead: …", count: 2, policies: ["line-volumes"] }]
 */
export function snapshotPlanNotes(
  plans: SnapshotPlan[],
): { code: ReasonCode; label: string; count: number; policies: string[] }[] {
  const counts: ReasonCounts = {};
  const policies = new Map<ReasonCode, Set<string>>();
  for (const plan of plans)
    for (const n of plan.notes) {
      countReason(counts, n.code);
      policies.set(n.code, (policies.get(n.code) ?? new Set()).add(plan.policy));
    }
  return (Object.entries(counts) as [ReasonCode, number][]).map(([code, count]) => ({
    code,
    label: reasonLabel(code),
    count,
    policies: [...(policies.get(code) ?? [])],
  }));
}

/**
 * A capped plan plans no deletion (its would-be deletions are kept with code `cap-exceeded`).
 * @example retentionPlanSummary(plan, now, { enqueued: items.length })
 */
export function retentionPlanSummary(
  plan: RetentionPlan,
  now: Date,
  options: { dryRun?: boolean; enqueued?: number } = {},
): RunSummary {
  const summary = emptySummary("retention", "plan", now, options.dryRun ?? false);
  summary.selected = plan.managed;
  summary.planned = plan.deletions.length;
  for (const d of plan.decisions) if (d.action === "skip") countSkip(summary, d.code);
  summary.enqueued = options.enqueued ?? 0;
  return summary;
}

/**
 * One scheduler run: `selected` copies wanted (started, queued, blocked, spent), `planned` the ones
 * with a free slot, `created` those AWS accepted; waits count as retried, the rest as skips by code.
 * @example copyRunSummary(run, now)
 */
export function copyRunSummary(run: CopyRun, now: Date, options: { dryRun?: boolean } = {}): RunSummary {
  const { plan } = run.state;
  const summary = emptySummary("copy", options.dryRun ? "plan" : "apply", now, options.dryRun ?? false);
  summary.selected = plan.start.length + plan.queued.length + plan.blocked.length + plan.exhausted.length;
  summary.planned = plan.start.length;
  if (plan.queued.length) countSkip(summary, "copy-queued", plan.queued.length);
  if (plan.blocked.length) countSkip(summary, "kms-key-unusable", plan.blocked.length);
  if (plan.exhausted.length) countSkip(summary, "copy-retries-exhausted", plan.exhausted.length);
  if (plan.superseded) countSkip(summary, "copy-superseded", plan.superseded);
  const inFlight = plan.inFlight.ebs.length + plan.inFlight.rds.length;
  if (inFlight) countSkip(summary, "copy-in-progress", inFlight);
  return addOutcomes(summary, run.outcomes);
}
