/** `status`: DR recovery points per protected resource, RPO compliance and why anything is behind. */
import type { Cli } from "./cli.ts";
import { type CommonOptions, commonOptions, parseAt } from "./options.ts";

const HELP = `
Reads the primary Region's snapshots, one destination's copies and keys (regions.dr, or the copy.alsoTo
Region --destination names); starts no copies. With a failover section, also the failover preflight
towards the DR site, as a dry run (Failover readiness).

Exit codes: 0 every resource within its RPO, every DR key usable, and failover (if configured) would
go ahead or DNS is on DR; 4 needs attention (a resource behind its RPO or without a DR copy, a DR
KMS key unusable, or a failover that would be refused); 1 AWS refused a call or no credentials;
2 usage error; 3 the config cannot be loaded or is invalid.

Examples:
  $ outpost-ops status
  $ outpost-ops status --json | jq '.resources[] | select(.withinRpo | not)'
  $ outpost-ops status --at 2024-05-14T12:00:00Z   # ages and RPO as of then, of what AWS holds now
  $ outpost-ops status --destination eu-west-1     # the copies a copy.alsoTo Region holds`;

export function registerStatus(cli: Cli): void {
  const status = commonOptions(
    cli.program
      .command("status")
      .description(
        "Show each protected resource's newest Outpost, Region and DR recovery points, RPO compliance, and why anything is behind",
      )
      .addHelpText("after", HELP),
  )
    .option("--at <iso-time>", "evaluate ages and RPO as of this time (default: now)", parseAt)
    .option(
      "--destination <region>",
      "the copy destination to report on: regions.dr (default) or a copy.alsoTo Region",
    );
  cli.action(status, async (options: CommonOptions & { at?: Date; destination?: string }) => {
    const [{ status: run }, ctx] = await Promise.all([import("../commands/status.ts"), cli.context(options)]);
    return run(ctx, options.destination);
  });
}
