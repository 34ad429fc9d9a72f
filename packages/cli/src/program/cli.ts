/** What a command module gets to register itself with: the program, the job groups, the streams. */
import type { Command } from "commander";
import type { CommandContext } from "../context.ts";
import type { CliIo } from "../io.ts";
import type { ConfirmOptions, JobOptions } from "./options.ts";

export interface Cli {
  program: Command;
  /** `plan <job>`: what a job would do, and why; changes nothing. */
  readonly plan: Command;
  /** `run <job>`: do it. */
  readonly run: Command;
  io: CliIo;
  /** Sets what `command` does; the number its handler resolves to is the exit code. */
  action<O>(command: Command, handler: (options: O) => Promise<number>): void;
  /**
   * Config, Region, clients and time for a job, loaded only when a job runs (the AWS SDK takes most of
   * a second to load, which `--help` and usage errors should not wait for).
   */
  context(options: JobOptions & ConfirmOptions): Promise<CommandContext>;
}

/** A command module: registers its commands (and their subcommands) on the program. */
export type Register = (cli: Cli) => void;
