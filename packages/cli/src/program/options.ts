/**
 * The option sets commands share, so that `--config` or `--at` means the same thing everywhere and a
 * new command gets them by one call. Each command takes only the options that mean something for it
 * (commander rejects the rest with exit 2).
 */
import { TimeFormatError } from "@outpost-ops/core/errors";
import { ISO_TIME_ACCEPTED, parseIsoTime } from "@outpost-ops/core/time";
import { type Command, InvalidArgumentError } from "commander";
import { DEFAULT_CONFIG } from "../load-config.ts";

/** Every command: `--config PATH`, `--json`. */
export interface CommonOptions {
  config: string;
  json?: boolean;
}

/** Job commands (plan/run of a job, later failover): also `--dry-run`, `--at`, `--region`. */
export interface JobOptions extends CommonOptions {
  dryRun?: boolean;
  at?: Date;
  region?: string;
}

/** Destructive commands: `--yes`. */
export interface ConfirmOptions {
  yes?: boolean;
}

export function commonOptions(command: Command): Command {
  return command
    .option("--config <path>", "config file, anywhere on disk", DEFAULT_CONFIG)
    .option("--json", "machine-readable output on stdout");
}

/** `--at`: exactly the times the Lambda handlers accept from an event (core's parseIsoTime). */
export function parseAt(text: string): Date {
  try {
    return parseIsoTime(text, "--at");
  } catch (error) {
    if (error instanceof TimeFormatError) throw new InvalidArgumentError(`It must be ${ISO_TIME_ACCEPTED}.`);
    throw error;
  }
}

/** `dryRun` describes `--dry-run` for a command that changes something; a plan has none. */
export function jobOptions(command: Command, dryRun?: string): Command {
  const withDryRun =
    dryRun === undefined ? commonOptions(command) : commonOptions(command).option("--dry-run", dryRun);
  return withDryRun
    .option("--at <iso-time>", "evaluate as of this time, e.g. 2024-05-14T10:00:00Z (default: now)", parseAt)
    .option("--region <region>", "Region to act in (default: AWS_REGION, else the config's primary)");
}

/** `--yes` for a command that asks before it changes something; `what` completes "…without asking". */
export function confirmOption(command: Command, what: string): Command {
  return command.option("-y, --yes", `${what} without asking (required when stdin is not a terminal)`);
}
