/** `plan snapshot` and `run snapshot`: the scheduled job, for one moment (`--at`), from this machine. */
import { applyBatchesLocally } from "@outpost-ops/core/jobs/apply-local";
import { addOutcomes } from "@outpost-ops/core/jobs/outcome";
import { applySnapshotItems, planSnapshotRun } from "@outpost-ops/core/jobs/snapshot";
import { snapshotPlanSummary } from "@outpost-ops/core/jobs/summaries";
import { createPacer } from "@outpost-ops/core/pacing";
import type { SnapshotPlan } from "@outpost-ops/core/snapshot/plan";
import { workItemSource } from "@outpost-ops/core/snapshot/work-item";
import type { RunSummary } from "@outpost-ops/core/summary";
import type { CommandContext } from "../context.ts";
import { counted, table, toJson } from "../format.ts";
import { progress, silentProgress } from "../progress.ts";

export function renderSnapshotPlans(plans: SnapshotPlan[]): string {
  const out: string[] = [];
  for (const plan of plans) {
    out.push(`Policy ${plan.policy} (${plan.region}): ${plan.reason}`);
    if (plan.items.length > 0) {
      out.push(
        table(
          ["source", "kind", "schedule", "window", "placement"],
          plan.items.map((i) => [
            workItemSource(i),
            i.kind,
            i.schedule,
            i.window,
            "outpostArn" in i && i.outpostArn ? "outpost" : "region",
          ]),
        ),
      );
    }
    if (plan.notes.length > 0)
      out.push(
        table(
          ["note", "code", "reason"],
          plan.notes.map((n) => [n.resourceId, n.code, n.reason]),
        ),
      );
    if (plan.skipped.length > 0)
      out.push(
        table(
          ["skipped", "code", "reason"],
          plan.skipped.map((s) => [s.resourceId, s.code, s.reason]),
        ),
      );
    out.push("");
  }
  return out.join("\n");
}

function planSummary(plans: SnapshotPlan[], ctx: CommandContext): RunSummary {
  return snapshotPlanSummary(plans, ctx.now, { dryRun: ctx.dryRun });
}

export async function planSnapshot(ctx: CommandContext): Promise<number> {
  const plans = await planSnapshotRun(ctx);
  ctx.out(ctx.json ? toJson({ plans, summary: planSummary(plans, ctx) }) : renderSnapshotPlans(plans));
  return 0;
}

export async function runSnapshot(ctx: CommandContext): Promise<number> {
  const plans = await planSnapshotRun(ctx);
  if (ctx.dryRun) return planSnapshot({ ...ctx, dryRun: true });
  const items = plans.flatMap((p) => p.items);
  const bar = ctx.json ? silentProgress : progress(items.length, "snapshots");
  const pacer = createPacer({ ratePerSecond: 4, burst: 10 }, ctx.clock);
  let created = 0;
  // In batches, as the worker applies them: one idempotency lookup per batch, and what a batch
  // created is confirmed listed before it counts (EC2's listings lag behind its creates).
  const outcomes = await applyBatchesLocally(
    items,
    (batch) => applySnapshotItems(ctx.clients, batch, pacer, { clock: ctx.clock }),
    {
      clock: ctx.clock,
      onProgress: (done, _total, last) => {
        created += last.filter((o) => o.status === "created").length;
        bar.tick(done, `created ${created}`);
      },
    },
  );
  bar.end();
  const summary = addOutcomes({ ...planSummary(plans, ctx), phase: "apply" }, outcomes);
  if (ctx.json) ctx.out(toJson({ summary, outcomes }));
  else {
    ctx.out(renderSnapshotPlans(plans));
    ctx.out(
      table(
        ["source", "result", "code", "detail"],
        outcomes.map((o) => [o.key, o.status, o.code, o.detail]),
      ),
    );
    ctx.out(`\ncreated ${summary.created}, ${counted(ctx.paint, summary)}`);
  }
  return summary.failed > 0 || summary.retried > 0 ? 1 : 0;
}
