/**
 * `deploy --stage NAME [-- sst args]`, also `npm run deploy -- --stage NAME`. No --config: sst builds
 * the stacks from outpost-ops.config.ts beside sst.config.ts, so deploy reads that same file (run it
 * at the project root) rather than one sst would not use. No env default for the stage either: which
 * stage gets deployed should be on the command line, not left in a shell's environment.
 */
import { DEFAULT_CONFIG, loadConfig } from "../load-config.ts";
import type { Cli } from "./cli.ts";
import { parseStage } from "./failover.ts";

const HELP = `
Runs npx sst deploy --stage NAME --region REGION for each Region of the config, in order: the
primary, regions.dr, then each copy.alsoTo Region; stops at the first that fails, with its exit
code. Arguments after -- go to every sst deploy. OUTPOST_OPS_SST_BIN replaces "npx sst".

Examples:
  $ outpost-ops deploy --stage prod
  $ npm run deploy -- --stage prod
  $ outpost-ops deploy --stage prod --dry-run       # the commands, not run
  $ outpost-ops deploy --stage prod -- --verbose    # passed to each sst deploy`;

interface DeployOptions {
  stage: string;
  dryRun?: boolean;
}

export function registerDeploy(cli: Cli): void {
  const command = cli.program
    .command("deploy")
    .description("Deploy every Region of the config with sst, in order (primary, DR, copy.alsoTo)")
    .argument("[sst-args...]", "more sst deploy arguments, after --")
    .requiredOption("--stage <name>", "the SST stage to deploy, e.g. prod", parseStage)
    .option("--dry-run", "print the sst commands; run nothing")
    .addHelpText("after", HELP);
  // With an argument declared, commander passes the operands first: the options are read from the command.
  cli.action(command, async (extra: string[]) => {
    const options = command.opts<DeployOptions>();
    const [{ deploy }, { config }] = await Promise.all([
      import("../commands/deploy.ts"),
      loadConfig(DEFAULT_CONFIG),
    ]);
    return deploy(cli.io, config, { stage: options.stage, extra, dryRun: options.dryRun === true });
  });
}
