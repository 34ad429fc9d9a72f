/** `capacity`: each Outpost's capacity now, as the weekly capacity report prints it. */
import type { Cli } from "./cli.ts";
import { type CommonOptions, commonOptions, parseAt } from "./options.ts";

const HELP = `
Reads, in the primary Region, what the capacity job reads (GetOutpostInstanceTypes, ListMetrics,
GetMetricData of AWS/Outposts, S3Outposts and OutpostOps, the instances, volumes and local snapshots
on each Outpost) and prints the same view as the weekly capacity report: utilization per instance
type, volume type, snapshot storage and CPU, headroom, the change since last week, the 14-day trend
with its forecast, and the top consumers. Changes nothing, sends no alert.

Exit codes: 0 shown; 2 usage error (an --outpost the config does not declare); 1 AWS refused a call,
no credentials, or an Outpost could not be discovered (the others are still shown); 3 the config
cannot be loaded or is invalid.

Examples:
  $ outpost-ops capacity
  $ outpost-ops capacity --outpost factory
  $ outpost-ops capacity --json | jq '.outposts[].readings[] | select(.current >= 80)'
  $ outpost-ops capacity --at 2024-05-14T08:00:00Z   # the metrics as they were then`;

export interface CapacityCommandOptions extends CommonOptions {
  at?: Date;
  outpost?: string;
}

export function registerCapacity(cli: Cli): void {
  const command = commonOptions(
    cli.program
      .command("capacity")
      .description(
        "Show each Outpost's capacity: utilization per instance type, volume type, snapshot storage and CPU, the forecast of when it fills, the top consumers",
      )
      .addHelpText("after", HELP),
  )
    .option("--at <iso-time>", "read the metrics as of this time (default: now)", parseAt)
    .option("--outpost <name>", "only this Outpost (a name from the config's outposts)");
  cli.action(command, async (options: CapacityCommandOptions) => {
    const [{ capacity }, ctx] = await Promise.all([import("../commands/capacity.ts"), cli.context(options)]);
    return capacity(ctx, options.outpost);
  });
}
