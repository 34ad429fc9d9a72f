/**
 * `capacity`: each Outpost's capacity now, read as the weekly capacity report reads it
 * (core/jobs/capacity-view.ts readCapacityView) and printed with the report's own renderer
 * (core/capacity/report.ts renderCapacityView), so the two show the same numbers. Read-only.
 */
import type { CapacityView } from "@outpost-ops/core/capacity/model";
import { renderCapacityView } from "@outpost-ops/core/capacity/report";
import type { Config } from "@outpost-ops/core/config";
import { readCapacityView } from "@outpost-ops/core/jobs/capacity-view";
import { paintFor } from "../colour.ts";
import type { CommandContext } from "../context.ts";
import { ExitCode, readOnlyAwsProblem } from "../failure.ts";
import { toJson } from "../format.ts";
import { type Progress, progress, silentProgress } from "../progress.ts";

/** The permissions `capacity` needs: the reads of the capacity report (README, IAM). */
const READS =
  "outposts:GetOutpostInstanceTypes, cloudwatch:ListMetrics and cloudwatch:GetMetricData, ec2:DescribeInstances, ec2:DescribeVolumes and ec2:DescribeSnapshots in the primary Region";

const NO_OUTPOSTS =
  "The config declares no Outposts (`outposts` is empty), so there is no capacity to show. Add each Outpost's name and ARN under `outposts` (README, Config reference).";

/** An AWS or credentials error as `capacity` says it (it only reads: nothing to undo). */
export function capacityAwsProblem(error: unknown): string | undefined {
  return readOnlyAwsProblem(error, "capacity", READS);
}

/**
 * The config with only the Outpost `--outpost` names, or undefined when it names none of them.
 * @example onlyOutpost(config, "factory")?.outposts.map((o) => o.name) // ["factory"]
 */
export function onlyOutpost(config: Config, name: string): Config | undefined {
  const outposts = config.outposts.filter((o) => o.name === name);
  return outposts.length === 0 ? undefined : { ...config, outposts };
}

/** Progress while reading, on stderr: the total is known once the reader has listed what it reads. */
function readingProgress(ctx: CommandContext): {
  tick: (done: number, total: number, what: string) => void;
  end: () => void;
} {
  if (ctx.json) return { tick: () => {}, end: () => {} };
  let bar: Progress = silentProgress;
  let barTotal = -1;
  return {
    tick(done, total, what) {
      if (total !== barTotal) {
        bar = progress(total, "reading capacity", ctx.io.stderr);
        barTotal = total;
      }
      bar.tick(done, what);
    },
    end: () => bar.end(),
  };
}

export async function capacity(ctx: CommandContext, outpost?: string): Promise<number> {
  let config = ctx.config;
  if (outpost !== undefined) {
    const only = onlyOutpost(config, outpost);
    if (!only) {
      const known = config.outposts.map((o) => o.name);
      ctx.io.stderr.write(
        `${paintFor(ctx.io.stderr, ctx.io.env).red(`--outpost ${outpost} is not an Outpost of the config (configured: ${known.join(", ") || "none"}): name one of outposts[].name.`)}\n`,
      );
      return ExitCode.refused;
    }
    config = only;
  }
  const region = config.regions.primary;
  if (config.outposts.length === 0) {
    const empty: CapacityView = { at: ctx.now, region, outposts: [] };
    ctx.out(ctx.json ? toJson({ ...empty, message: NO_OUTPOSTS }) : NO_OUTPOSTS);
    return ExitCode.done;
  }
  const bar = readingProgress(ctx);
  let view: CapacityView;
  try {
    view = await readCapacityView({
      clients: ctx.clients,
      config,
      region,
      now: ctx.now,
      onProgress: (done, total, what) => bar.tick(done, total, what),
    });
  } catch (error) {
    bar.end();
    const problem = capacityAwsProblem(error);
    if (!problem) throw error;
    ctx.io.stderr.write(`${paintFor(ctx.io.stderr, ctx.io.env).red(problem)}\n`);
    return ExitCode.failed;
  }
  bar.end();
  ctx.out(ctx.json ? toJson(view) : renderCapacityView(view).join("\n"));
  // Discovery failures are caught per Outpost (the others are still shown); one that read nothing
  // is not "done".
  const unread = view.outposts.filter((o) => !o.discovered).map((o) => o.outpost);
  if (unread.length === 0) return ExitCode.done;
  ctx.io.stderr.write(
    `${paintFor(ctx.io.stderr, ctx.io.env).red(`Nothing could be read for ${unread.join(", ")} (the note above says why). capacity needs ${READS} (README, section IAM); it only reads, so running it again is safe.`)}\n`,
  );
  return ExitCode.failed;
}
