/** `plan snapshot` and `run snapshot`: the snapshot job for one moment, from this machine. */
import type { Cli } from "./cli.ts";
import { type JobOptions, jobOptions } from "./options.ts";

export function registerSnapshot(cli: Cli): void {
  const plan = jobOptions(
    cli.plan
      .command("snapshot")
      .description("Show which resources are due a snapshot as of --at (default now), and why"),
  );
  cli.action(plan, async (options: JobOptions) => {
    const [{ planSnapshot }, ctx] = await Promise.all([
      import("../commands/snapshot.ts"),
      cli.context(options),
    ]);
    return planSnapshot(ctx);
  });

  const run = jobOptions(
    cli.run
      .command("snapshot")
      .description("Take the snapshots due as of --at (default now); progress on stderr")
      .addHelpText("after", "\nExample:\n  $ outpost-ops run snapshot --at 2024-05-14T00:00:00Z"),
    "print the plan; create nothing",
  );
  cli.action(run, async (options: JobOptions) => {
    const [{ runSnapshot }, ctx] = await Promise.all([
      import("../commands/snapshot.ts"),
      cli.context(options),
    ]);
    return runSnapshot(ctx);
  });
}
