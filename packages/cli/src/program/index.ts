/**
 * The `outpost-ops` program: commander's parsing, help and errors, configured once here and inherited
 * by every command; each command module in COMMANDS adds its commands. A new job or command (status,
 * failover, run copy…) is one module that registers on `cli.program`, `cli.plan` or `cli.run`.
 */
import { createRequire } from "node:module";
import { Command } from "commander";
import { alwaysPaint, colourEnabled, paintFor } from "../colour.ts";
import type { CliIo } from "../io.ts";
import { registerCapacity } from "./capacity.ts";
import type { Cli, Register } from "./cli.ts";
import { registerDeploy } from "./deploy.ts";
import { registerDrill } from "./drill.ts";
import { registerFailover } from "./failover.ts";
import { registerRetention } from "./retention.ts";
import { registerSnapshot } from "./snapshot.ts";
import { registerStatus } from "./status.ts";
import { registerValidate } from "./validate.ts";

/** In the order `outpost-ops --help` lists them. */
const COMMANDS: Register[] = [
  registerValidate,
  registerStatus,
  registerFailover,
  registerCapacity,
  registerSnapshot,
  registerRetention,
  registerDrill,
  registerDeploy,
];

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

const NOTES = `
Run outpost-ops <command> --help for a command's options.

Exit codes: 0 done; 1 some items failed or still need a retry; 2 refused (deletion cap, a failover
preflight, no confirmation) or a usage error; 3 the config cannot be loaded or is invalid; 4 (status) needs
attention: a resource is behind its RPO, a DR KMS key is unusable, or a failover would be refused.

Environment: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL as for the AWS CLI; ALERT_TOPIC_ARN sends
alerts to SNS (otherwise they are printed); OUTPOST_OPS_STAGE is failover's default --stage;
NO_COLOR turns colour off, FORCE_COLOR forces it on.`;

const GROUPS = {
  plan: "Show what a job would do, and why; changes nothing",
  run: "Do a job (with --dry-run: print the plan instead)",
} as const;

export function buildProgram(io: CliIo): { program: Command; exitCode: () => number } {
  let exitCode = 0;
  const errors = paintFor(io.stderr, io.env);
  // Settings before any .command(): subcommands copy them when created.
  const program = new Command("outpost-ops")
    .description(
      "Snapshots, retention, DR recovery points, DNS failover and drills for AWS Outposts estates, run from this machine with the same code as the Lambdas.",
    )
    .usage("<command> [options]")
    .version(version, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help for this command")
    .helpCommand("help [command]", "show help for a command")
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(errors.red(text)),
      // Help is styled below; commander strips the styling when these say the stream has no colour.
      getOutHasColors: () => colourEnabled(io.stdout, io.env),
      getErrHasColors: () => colourEnabled(io.stderr, io.env),
      getOutHelpWidth: () => (io.stdout.isTTY ? (io.stdout.columns ?? 80) : 80),
      getErrHelpWidth: () => (io.stderr.isTTY ? (io.stderr.columns ?? 80) : 80),
    })
    .configureHelp({
      styleTitle: (text) => alwaysPaint.bold(text),
      styleSubcommandTerm: (text) => alwaysPaint.bold(text),
      styleOptionTerm: (text) => alwaysPaint.bold(text),
    })
    .showSuggestionAfterError(true)
    .showHelpAfterError("(add --help for usage)")
    // Never process.exit from inside: runCli turns commander's errors into our exit codes.
    .exitOverride()
    .addHelpText("after", NOTES);

  const groups = new Map<keyof typeof GROUPS, Command>();
  const group = (name: keyof typeof GROUPS) => {
    const existing = groups.get(name);
    if (existing) return existing;
    const created = program.command(name).description(GROUPS[name]).usage("<job> [options]");
    groups.set(name, created);
    return created;
  };
  const cli: Cli = {
    program,
    // Created on first use, so they are listed where the first job registers them.
    get plan() {
      return group("plan");
    },
    get run() {
      return group("run");
    },
    io,
    action(command, handler) {
      command.action(async (options) => {
        exitCode = await handler(options);
      });
    },
    async context(options) {
      const { commandContext } = await import("../context.ts");
      return commandContext(options, io);
    },
  };
  for (const register of COMMANDS) register(cli);
  return { program, exitCode: () => exitCode };
}
