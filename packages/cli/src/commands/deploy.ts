/**
 * `deploy --stage NAME`: `sst deploy` once per Region of the config, in order (the primary, then
 * regions.dr, then each copy.alsoTo Region), because SST v2 deploys an app to one Region at a time
 * and the copy and failover jobs must run outside the Region they protect. Stops at the first
 * failure with its exit code: a later Region is not deployed on top of an earlier one that failed.
 * The command it runs is `npx sst`, or OUTPOST_OPS_SST_BIN (tests run a fake; a pinned sst works too).
 */
import { spawn } from "node:child_process";
import { type Config, deploymentRegions } from "@outpost-ops/core/config";
import { OutpostOpsError } from "@outpost-ops/core/errors";
import { paintFor } from "../colour.ts";
import type { CliIo } from "../io.ts";

export interface DeployStep {
  region: string;
  /** What the Region is to the config, for the progress line. */
  role: "primary" | "DR" | "copy.alsoTo";
  /** The program and its arguments. */
  command: string;
  args: string[];
}

/** `sst deploy` arguments outpost-ops sets itself: giving them again would deploy somewhere else. */
const OWN = /^--(stage|region)(=|$)/;

/** A usage error (exit 2): nothing was deployed. */
export class DeployArgumentError extends OutpostOpsError {
  constructor(argument: string) {
    super(
      `${argument} cannot be passed to sst here: deploy sets --stage and --region itself, once per Region of the config.`,
    );
    this.name = "DeployArgumentError";
  }
}

/**
 * Every `sst deploy` to run, in order.
 * @example deploySteps(config, "prod", [], undefined)[0] // { region: "us-west-2", role: "primary", command: "npx", args: ["sst", "deploy", "--stage", "prod", "--region", "us-west-2"] }
 */
export function deploySteps(
  config: Config,
  stage: string,
  extra: readonly string[],
  bin?: string,
): DeployStep[] {
  const own = extra.find((a) => OWN.test(a));
  if (own) throw new DeployArgumentError(own);
  const [command, ...prefix] = bin ? [bin] : ["npx", "sst"];
  return deploymentRegions(config).map((region) => ({
    region,
    role: region === config.regions.primary ? "primary" : region === config.regions.dr ? "DR" : "copy.alsoTo",
    command: command ?? "npx",
    args: [...prefix, "deploy", "--stage", stage, "--region", region, ...extra],
  }));
}

/** A command line as a person would type it (arguments with spaces or quotes quoted). */
export function commandLine(step: Pick<DeployStep, "command" | "args">): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);
  return [step.command, ...step.args].map(quote).join(" ");
}

/** Runs one step with the terminal passed through (sst's own output and prompts); resolves its exit code. */
function runStep(step: DeployStep): Promise<{ code: number; problem?: string }> {
  return new Promise((resolve) => {
    const child = spawn(step.command, step.args, { stdio: "inherit" });
    child.once("error", (error) => resolve({ code: 1, problem: error.message }));
    child.once("exit", (code, signal) =>
      resolve(code === null ? { code: 1, problem: `stopped by ${signal}` } : { code }),
    );
  });
}

export async function deploy(
  io: CliIo,
  config: Config,
  options: { stage: string; extra: readonly string[]; dryRun: boolean },
): Promise<number> {
  const bin = io.env.OUTPOST_OPS_SST_BIN;
  const steps = deploySteps(config, options.stage, options.extra, bin || undefined);
  const paint = paintFor(io.stderr, io.env);
  const regions = steps.map((s) => `${s.region} (${s.role})`).join(", then ");
  if (options.dryRun) {
    io.stdout.write(`Would deploy stage ${options.stage} to ${regions}:\n`);
    for (const step of steps) io.stdout.write(`${commandLine(step)}\n`);
    return 0;
  }
  io.stderr.write(`Deploying stage ${options.stage} to ${regions}.\n`);
  for (const [i, step] of steps.entries()) {
    io.stderr.write(
      paint.bold(`[${i + 1}/${steps.length}] ${step.region} (${step.role}): ${commandLine(step)}\n`),
    );
    const { code, problem } = await runStep(step);
    if (code !== 0) {
      const done = steps.slice(0, i).map((s) => s.region);
      const left = steps.slice(i).map((s) => s.region);
      io.stderr.write(
        `${paint.red(
          `Deploying ${step.region} failed (exit code ${code}${problem ? `: ${problem}` : ""}). ${
            done.length > 0
              ? `Deployed: ${done.join(", ")}; not deployed: ${left.join(", ")}.`
              : "Nothing was deployed."
          } Fix the problem and run the same command again: a Region already deployed is only updated.`,
        )}\n`,
      );
      return code;
    }
  }
  io.stdout.write(`Deployed stage ${options.stage} to ${steps.map((s) => s.region).join(", ")}.\n`);
  return 0;
}
