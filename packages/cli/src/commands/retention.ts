import { applyLocally } from "@outpost-ops/core/jobs/apply-local";
import { addOutcomes } from "@outpost-ops/core/jobs/outcome";
import { applyDeleteItem, deleteWorkItems, planRetentionRun } from "@outpost-ops/core/jobs/retention";
import { capExceededAlert } from "@outpost-ops/core/jobs/retention-alerts";
import { retentionPlanSummary } from "@outpost-ops/core/jobs/summaries";
import { createPacer } from "@outpost-ops/core/pacing";
import type { RetentionPlan } from "@outpost-ops/core/retention";
import type { RunSummary } from "@outpost-ops/core/summary";
import { noPaint, type Paint } from "../colour.ts";
import { confirm } from "../confirm.ts";
import type { CommandContext } from "../context.ts";
import { countBy, counted, table, toJson } from "../format.ts";
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
      code: d.code,
      codes: d.codes,
      reason: d.reason,
    })),
  };
}

/** The plan in one line: how many snapshots are kept, deleted and skipped. */
export function retentionHeadline(plan: RetentionPlan): string {
  const byAction = countBy(plan.decisions, (d) => d.action);
  return `Retention as of ${plan.at.toISOString()}: ${plan.managed} managed snapshots; keep ${byAction.keep ?? 0}, delete ${plan.deletions.length}, skip ${byAction.skip ?? 0}.`;
}

const decisionRow = (d: RetentionPlan["decisions"][number]) => [
  d.snapshot.id,
  d.snapshot.sourceId,
  d.snapshot.createdAt.toISOString().slice(0, 16),
  d.action,
  d.codes.join(", "),
  d.reason,
];
const HEADERS = ["snapshot", "source", "created", "action", "code", "reason"];

export function renderRetentionPlan(plan: RetentionPlan, paint: Paint = noPaint): string {
  const lines = [retentionHeadline(plan)];
  if (plan.cap.exceeded)
    lines.push(
      paint.yellow(
        `Deletion cap exceeded: ${plan.cap.planned} planned, limit ${plan.cap.limit}. Nothing will be deleted.`,
      ),
    );
  const rows = plan.decisions
    .filter((d) => d.action !== "keep" || plan.decisions.length <= 200)
    .map(decisionRow);
  if (rows.length > 0) lines.push("", table(HEADERS, rows));
  return lines.join("\n");
}

/** What is about to be deleted, shown before asking: the headline and the first deletions. */
export function renderDeletionPreview(plan: RetentionPlan, shown = 20): string {
  const deletes = plan.decisions.filter((d) => d.action === "delete");
  const lines = [retentionHeadline(plan), "", table(HEADERS, deletes.slice(0, shown).map(decisionRow))];
  if (deletes.length > shown)
    lines.push(`… and ${deletes.length - shown} more (outpost-ops plan retention lists them all)`);
  return lines.join("\n");
}

function planSummary(plan: RetentionPlan, ctx: CommandContext): RunSummary {
  return retentionPlanSummary(plan, ctx.now, { dryRun: ctx.dryRun });
}

export async function planRetention(ctx: CommandContext): Promise<number> {
  const plan = await planRetentionRun(ctx);
  ctx.out(
    ctx.json
      ? toJson({ plan: retentionPlanJson(plan), summary: planSummary(plan, ctx) })
      : renderRetentionPlan(plan, ctx.paint),
  );
  return 0;
}

export async function runRetention(ctx: CommandContext): Promise<number> {
  const plan = await planRetentionRun(ctx);
  if (ctx.dryRun) {
    ctx.out(
      ctx.json
        ? toJson({ plan: retentionPlanJson(plan), summary: planSummary(plan, ctx) })
        : renderRetentionPlan(plan, ctx.paint),
    );
    return 0;
  }
  if (plan.cap.exceeded) {
    await ctx.alerts.publish({
      ...capExceededAlert(plan, ctx.region),
    });
    ctx.out(
      ctx.json
        ? toJson({ plan: retentionPlanJson(plan), summary: planSummary(plan, ctx) })
        : renderRetentionPlan(plan, ctx.paint),
    );
    return 2;
  }
  if (plan.deletions.length > 0 && !(await confirmDeletions(plan, ctx))) {
    ctx.io.stderr.write("Declined: nothing was deleted.\n");
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
      `${renderRetentionPlan(plan, ctx.paint)}\n\ndeleted ${summary.deleted}, ${counted(ctx.paint, summary)}`,
    );
  return summary.failed > 0 || summary.retried > 0 ? 1 : 0;
}

/**
 * Deleting snapshots cannot be undone: show what goes and ask, unless --yes. Without a terminal to ask
 * (and no --yes) confirm() refuses, so nothing is deleted by a script that forgot to say so.
 */
async function confirmDeletions(plan: RetentionPlan, ctx: CommandContext): Promise<boolean> {
  const count = plan.deletions.length;
  const what = `${count} snapshot${count === 1 ? "" : "s"} in ${ctx.region}`;
  if (!ctx.yes) ctx.io.stderr.write(`${renderDeletionPreview(plan)}\n\n`);
  return confirm({ action: `delete ${what}`, question: `Delete ${what}?`, yes: ctx.yes }, ctx.io);
}
