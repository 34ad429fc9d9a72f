/** `plan retention` and `run retention`: what retention keeps and deletes as of `--at`, and why. */
import { ConsoleLinks } from "@outpost-ops/core/alerts";
import { applyLocally } from "@outpost-ops/core/jobs/apply-local";
import { addOutcomes } from "@outpost-ops/core/jobs/outcome";
import { applyDeleteItem, deleteWorkItems, planRetentionRun } from "@outpost-ops/core/jobs/retention";
import { capExceededAlert } from "@outpost-ops/core/jobs/retention-alerts";
import { createPacer } from "@outpost-ops/core/pacing";
import type { RetentionPlan } from "@outpost-ops/core/retention";
import { countSkip, emptySummary, type RunSummary } from "@outpost-ops/core/summary";
import type { CommandContext } from "../context.ts";
import { countBy, table, toJson } from "../format.ts";
import { progress, silentProgress } from "../progress.ts";

export function retentionPlanJson(plan: RetentionPlan) {
  return {
    at: plan.at,
    managed: plan.managed,
    cap: plan.cap,
    decisions: plan.decisions.map((d) => ({
      id: d.snapshot.id,
      kind: d.snapshot.kind,
      source: d.snapshot.sourceId,
      createdAt: d.snapshot.createdAt,
      state: d.snapshot.state,
      policy: d.snapshot.tags["outpost-ops:policy"],
      schedule: d.snapshot.tags["outpost-ops:schedule"],
      action: d.action,
      reason: d.reason,
    })),
  };
}

export function renderRetentionPlan(plan: RetentionPlan): string {
  const byAction = countBy(plan.decisions, (d) => d.action);
  const lines = [
    `Retention as of ${plan.at.toISOString()}: ${plan.managed} managed snapshots; keep ${byAction.keep ?? 0}, delete ${plan.deletions.length}, skip ${byAction.skip ?? 0}.`,
  ];
  if (plan.cap.exceeded)
    lines.push(
      `Deletion cap exceeded: ${plan.cap.planned} planned, limit ${plan.cap.limit}. Nothing will be deleted.`,
    );
  const rows = plan.decisions
    .filter((d) => d.action !== "keep" || plan.decisions.length <= 200)
    .map((d) => [
      d.snapshot.id,
      d.snapshot.sourceId,
      d.snapshot.createdAt.toISOString().slice(0, 16),
      d.action,
      d.reason,
    ]);
  if (rows.length > 0) lines.push("", table(["snapshot", "source", "created", "action", "reason"], rows));
  return lines.join("\n");
}

function planSummary(plan: RetentionPlan, ctx: CommandContext): RunSummary {
  const summary = emptySummary("retention", "plan", ctx.now, ctx.dryRun);
  summary.selected = plan.managed;
  summary.planned = plan.deletions.length;
  for (const d of plan.decisions) if (d.action === "skip") countSkip(summary, d.code);
  return summary;
}

export async function planRetention(ctx: CommandContext): Promise<number> {
  const plan = await planRetentionRun(ctx);
  ctx.out(
    ctx.json
      ? toJson({ plan: retentionPlanJson(plan), summary: planSummary(plan, ctx) })
      : renderRetentionPlan(plan),
  );
  return 0;
}

export async function runRetention(ctx: CommandContext): Promise<number> {
  const plan = await planRetentionRun(ctx);
  if (ctx.dryRun) {
    ctx.out(
      ctx.json
        ? toJson({ plan: retentionPlanJson(plan), summary: planSummary(plan, ctx) })
        : renderRetentionPlan(plan),
    );
    return 0;
  }
  if (plan.cap.exceeded) {
    await ctx.alerts.publish({
      ...capExceededAlert(plan, ctx.region),
      links: [ConsoleLinks.managedSnapshots(ctx.region)],
    });
    ctx.out(
      ctx.json
        ? toJson({ plan: retentionPlanJson(plan), summary: planSummary(plan, ctx) })
        : renderRetentionPlan(plan),
    );
    return 2;
  }
  const items = deleteWorkItems(plan, ctx.region);
  const bar = ctx.json ? silentProgress : progress(items.length, "delete batches");
  const pacer = createPacer({ ratePerSecond: 4, burst: 10 }, ctx.clock);
  let deleted = 0;
  const outcomes = await applyLocally(items, (item) => applyDeleteItem(ctx.clients, item, pacer), {
    clock: ctx.clock,
    onProgress: (done, _total, last) => {
      deleted += last.filter((o) => o.status === "deleted").length;
      bar.tick(done, `deleted ${deleted}`);
    },
  });
  bar.end();
  const summary = addOutcomes({ ...planSummary(plan, ctx), phase: "apply" }, outcomes);
  if (ctx.json) ctx.out(toJson({ summary }));
  else
    ctx.out(
      `${renderRetentionPlan(plan)}\n\ndeleted ${summary.deleted}, retried ${summary.retried}, failed ${summary.failed}`,
    );
  return summary.failed > 0 || summary.retried > 0 ? 1 : 0;
}
