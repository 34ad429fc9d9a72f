/**
 * `failover` and `failback`: point DNS at the DR site, or back at the primary, by the deployed
 * failover function (default) or `--local`. Without `--yes` it first runs the preflight as a dry run,
 * shows the plan and asks; the real run then plans again from what Route 53 says at that moment (so a
 * change made in between is not undone, and stale data found in between still refuses).
 */
import { OutpostOpsError } from "@outpost-ops/core/errors";
import { ManualEventSchema } from "@outpost-ops/core/failover/manual-event";
import type { Site } from "@outpost-ops/core/failover/records";
import { type FailoverResult, FailoverResultError } from "@outpost-ops/core/failover/result";
import { paintFor } from "../colour.ts";
import { confirm } from "../confirm.ts";
import type { CommandContext } from "../context.ts";
import { callerArn } from "../failover/caller.ts";
import { FailoverInvokeError, failoverLambda, invokeRunner } from "../failover/invoke.ts";
import { type CommandHint, renderOutcome, renderPlan, siteName } from "../failover/render.ts";
import { type FailoverRunner, type FailoverStep, localRunner } from "../failover/runner.ts";
import { ExitCode } from "../failure.ts";
import { toJson } from "../format.ts";
import { STAGE_REQUIRED } from "../program/failover.ts";

export interface FailoverOptions {
  /** `dr` for `failover`, `primary` for `failback`. */
  target: Site;
  force: boolean;
  /** Why, for the audit (default: the manual event's "requested by an operator"). */
  reason?: string;
  /** Run here with the operator's credentials instead of invoking the deployed function. */
  local: boolean;
  /** The deployed stage whose function to invoke (required unless `local`). */
  stage?: string;
}

/** What each outcome exits with: 0 done or nothing to do (or a dry run that would go ahead), 2 refused, 1 failed. */
export function exitOf(result: Pick<FailoverResult, "outcome">): number {
  switch (result.outcome) {
    case "changed":
    case "raced":
    case "nothing-to-do":
    case "dry-run":
      return ExitCode.done;
    case "refused":
    case "alert-only":
      return ExitCode.refused;
    case "failed":
      return ExitCode.failed;
  }
}

const NO_FAILOVER =
  "The config has no `failover` section, so there are no DNS records to move. Add one (README, Failover: the hosted zone, the records and their primary and DR targets) and deploy the DR Region.";

/** Builds the runner and the caller's identity, then runs the command (runFailoverCommand). */
export async function failover(ctx: CommandContext, options: FailoverOptions): Promise<number> {
  if (!ctx.config.failover) {
    ctx.io.stderr.write(`${paintFor(ctx.io.stderr, ctx.io.env).red(NO_FAILOVER)}\n`);
    return ExitCode.invalidConfig;
  }
  const region = ctx.config.regions.dr;
  if (!options.local && options.stage === undefined) throw new OutpostOpsError(STAGE_REQUIRED);
  const runner =
    options.local || options.stage === undefined
      ? localRunner({ clients: ctx.clients, config: ctx.config, clock: ctx.clock })
      : invokeRunner({ lambda: failoverLambda(region), region, stage: options.stage });
  const hint: CommandHint = { flags: options.local ? "--local" : `--stage ${options.stage}` };
  const requestedBy = await callerArn(ctx.clients, region);
  return runFailoverCommand(ctx, { ...options, requestedBy }, runner, hint);
}

/** The flow once the runner is chosen: dry run, `--yes`, or plan-confirm-run. */
export async function runFailoverCommand(
  ctx: CommandContext,
  options: FailoverOptions & { requestedBy: string },
  runner: FailoverRunner,
  hint: CommandHint,
): Promise<number> {
  const event = ManualEventSchema.parse({
    "outpost-ops": options.target === "dr" ? "failover" : "failback",
    force: options.force,
    requestedBy: options.requestedBy,
    ...(options.reason !== undefined ? { reason: options.reason } : {}),
  });
  const say = paintFor(ctx.io.stderr, ctx.io.env);
  const once = async (dryRun: boolean): Promise<FailoverResult | number> => {
    try {
      return await runner.run({ ...event, dryRun }, ctx.json ? () => {} : stepReporter(ctx, runner, dryRun));
    } catch (error) {
      if (!(error instanceof FailoverInvokeError || error instanceof FailoverResultError)) throw error;
      ctx.io.stderr.write(`${say.red(error.message)}\n`);
      return ExitCode.failed;
    }
  };
  const print = (result: FailoverResult, withPlan: boolean, preview = false) => {
    if (ctx.json) return ctx.out(toJson(result));
    const plan = withPlan ? renderPlan(result, hint, ctx.paint, { preview }) : "";
    ctx.out([plan, renderOutcome(result, hint, ctx.paint)].filter(Boolean).join("\n\n"));
  };

  if (ctx.dryRun || ctx.yes) {
    const result = await once(ctx.dryRun);
    if (typeof result === "number") return result;
    print(result, true);
    return exitOf(result);
  }

  const plan = await once(true);
  if (typeof plan === "number") return plan;
  print(plan, true, true);
  if (plan.decision !== "change") return exitOf(plan);
  const count = plan.moves.filter((m) => m.site !== plan.target).length;
  const what = `${count} record(s) to ${siteName(plan.target)}${plan.forced ? ", forced" : ""}`;
  const verb = plan.target === "dr" ? "Fail over" : "Fail back";
  const confirmed = await confirm(
    { action: `${verb.toLowerCase()} ${what}`, question: `${verb} ${what}?`, yes: false },
    ctx.io,
  );
  if (!confirmed) {
    ctx.io.stderr.write("Declined: nothing was changed.\n");
    return ExitCode.refused;
  }
  const result = await once(false);
  if (typeof result === "number") return result;
  // What changed since the dry run (a refusal now, or DNS moved by someone else) needs the new plan.
  print(result, result.decision !== "change");
  return exitOf(result);
}

/** Progress lines on stderr as the run reaches each step. */
function stepReporter(
  ctx: CommandContext,
  runner: FailoverRunner,
  dryRun: boolean,
): (step: FailoverStep) => void {
  const write = (text: string) => ctx.io.stderr.write(`${text}\n`);
  return (step) => {
    if (step === "invoke")
      write(
        dryRun
          ? `Invoking ${runner.where} (dry run: preflight only)…`
          : `Invoking ${runner.where}: preflight, change, then waiting for INSYNC (usually under a minute)…`,
      );
    else if (step === "preflight")
      write(
        `Preflight ${runner.where}: the hosted zone, the records, DR readiness, health checks, permissions…`,
      );
    else if (step === "change") write("Submitting the change batch to Route 53…");
    else write("Change submitted; waiting for INSYNC (GetChange every 2 s)…");
  };
}
