/**
 * `failover` and `failback`: the same options, the target site differs. Option checks that need no
 * config (a missing stage, --json without --yes or --dry-run) are usage errors here, before the
 * config and the SDK load.
 */
import type { Site } from "@outpost-ops/core/failover/records";
import { type Command, InvalidArgumentError } from "commander";
import type { Cli } from "./cli.ts";
import { type CommonOptions, type ConfirmOptions, commonOptions, confirmOption } from "./options.ts";

export const STAGE_REQUIRED =
  "--stage <name> is required to invoke the deployed failover function (outpost-ops-<stage>-failover in regions.dr): pass --stage NAME or set OUTPOST_OPS_STAGE, or add --local to run it here with your own credentials.";

const JSON_NEEDS_ANSWER =
  "--json prints one JSON object and asks nothing: add --yes to go ahead, or --dry-run for the plan only.";

/** SST stage names: they become part of every resource name, so letters, digits and hyphens only. */
const STAGE = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;

export function parseStage(text: string): string {
  if (!STAGE.test(text))
    throw new InvalidArgumentError("A stage name is a letter, then letters, digits or hyphens (e.g. prod).");
  return text;
}

/** The manual event's `reason`: 1 to 200 characters (it goes into the TXT state record). */
export function parseReason(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 200)
    throw new InvalidArgumentError("Give 1 to 200 characters, e.g. --reason 'factory service link down'.");
  return trimmed;
}

export interface FailoverCommandOptions extends CommonOptions, ConfirmOptions {
  dryRun?: boolean;
  force?: boolean;
  reason?: string;
  local?: boolean;
  stage?: string;
}

const PREFLIGHT = {
  failover:
    "Runs the preflight (where DNS points, DR readiness, the records as configured, the DR target's\nhealth checks, permissions), shows the plan and asks; then one Route 53 change batch, followed",
  failback:
    "Runs the preflight (where DNS points, the records as configured, the primary target's health\nchecks, permissions; not DR readiness), shows the plan and asks; then one Route 53 change batch,",
} as const;

const help = (verb: "failover" | "failback") => `
${PREFLIGHT[verb]}
${verb === "failover" ? "to" : "followed to"} INSYNC. By default the deployed function outpost-ops-<stage>-failover in regions.dr
runs it (you need only lambda:InvokeFunction on it: config failover.operators); --local runs it
here with your own credentials.

Exit codes: 0 done, nothing to do, or a dry run that would go ahead; 2 refused (preflight, not
confirmed) or a usage error; 1 the run or the invocation failed; 3 the config is invalid or has
no failover section.

Examples:
  $ outpost-ops ${verb} --stage prod --dry-run     # the preflight and plan only
  $ outpost-ops ${verb} --stage prod --reason 'factory service link down'
  $ outpost-ops ${verb} --stage prod --yes --json  # from a script: no question, one JSON object
  $ outpost-ops ${verb} --local --yes              # without the deployed function${verb === "failover" ? "\n  $ outpost-ops failover --stage prod --force       # over stale DR data (audited as forced)" : ""}`;

function register(cli: Cli, verb: "failover" | "failback", target: Site, description: string): void {
  const command: Command = confirmOption(
    commonOptions(cli.program.command(verb).description(description).addHelpText("after", help(verb))),
    verb === "failover" ? "fail over" : "fail back",
  )
    .option("--dry-run", "run the preflight and print the plan; change nothing")
    .option(
      "--force",
      "go ahead although the preflight failed on stale DR data, drift or a failing health check (audited)",
    )
    .option("--reason <text>", "why, for the audit record (default: requested by an operator)", parseReason)
    .option("--local", "run here with your own credentials instead of invoking the deployed function")
    .option("--stage <name>", "the deployed stage to invoke (default: OUTPOST_OPS_STAGE)", parseStage);
  cli.action(command, async (options: FailoverCommandOptions) => {
    if (options.json && !options.yes && !options.dryRun)
      command.error(`error: ${JSON_NEEDS_ANSWER}`, { exitCode: 2, code: "outpost-ops.jsonNeedsAnswer" });
    const envStage = cli.io.env.OUTPOST_OPS_STAGE;
    const stage = options.stage ?? (envStage ? stageFromEnv(command, envStage) : undefined);
    if (!options.local && stage === undefined)
      command.error(`error: ${STAGE_REQUIRED}`, { exitCode: 2, code: "outpost-ops.stageRequired" });
    const [{ failover }, ctx] = await Promise.all([import("../commands/failover.ts"), cli.context(options)]);
    return failover(ctx, {
      target,
      force: options.force === true,
      local: options.local === true,
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
      ...(stage !== undefined ? { stage } : {}),
    });
  });
}

function stageFromEnv(command: Command, text: string): string {
  try {
    return parseStage(text);
  } catch (error) {
    command.error(`error: OUTPOST_OPS_STAGE "${text}": ${(error as Error).message}`, {
      exitCode: 2,
      code: "outpost-ops.badStage",
    });
  }
}

export function registerFailover(cli: Cli): void {
  register(
    cli,
    "failover",
    "dr",
    "Point DNS at the DR site: preflight (DR readiness, records, health, permissions), plan, confirm, one Route 53 change",
  );
  register(
    cli,
    "failback",
    "primary",
    "Point DNS back at the primary site: the same preflight the other way, plan, confirm, one Route 53 change",
  );
}
