/** `plan retention` and `run retention`: what retention keeps and deletes as of `--at`, and why. */
import type { Cli } from "./cli.ts";
import { type ConfirmOptions, confirmOption, type JobOptions, jobOptions } from "./options.ts";

export function registerRetention(cli: Cli): void {
  const plan = jobOptions(
    cli.plan
      .command("retention")
      .description("Show every managed snapshot as keep / delete / skip as of --at (default now), and why"),
  );
  cli.action(plan, async (options: JobOptions) => {
    const [{ planRetention }, ctx] = await Promise.all([
      import("../commands/retention.ts"),
      cli.context(options),
    ]);
    return planRetention(ctx);
  });

  const run = confirmOption(
    jobOptions(
      cli.run
        .command("retention")
        .description(
          "Delete the snapshots retention no longer keeps; shows the plan and asks first (--yes to skip)",
        )
        .addHelpText(
          "after",
          "\nExamples:\n  $ outpost-ops run retention --dry-run     # the plan only\n  $ outpost-ops run retention --yes         # from a script or CI",
        ),
      "print the plan; delete nothing",
    ),
    "delete",
  );
  cli.action(run, async (options: JobOptions & ConfirmOptions) => {
    const [{ runRetention }, ctx] = await Promise.all([
      import("../commands/retention.ts"),
      cli.context(options),
    ]);
    return runRetention(ctx);
  });
}
