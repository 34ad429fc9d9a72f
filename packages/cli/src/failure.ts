/**
 * How a failed command is told to the user, and its exit code: 1 something failed or needs a retry,
 * 2 refused or a usage error, 3 the config cannot be loaded or is invalid. No stack traces for errors
 * the user can act on; a stack only for a bug.
 */
import { ConfigError, ConfigLoadError, IncompleteRunError, OutpostOpsError } from "@outpost-ops/core/errors";
import { CommanderError } from "commander";
import { paintFor } from "./colour.ts";
import type { CliIo } from "./io.ts";

export const ExitCode = { done: 0, failed: 1, refused: 2, invalidConfig: 3 } as const;

/**
 * An AWS or credentials error of a command that only reads (`status`, `capacity`): what was refused,
 * and either the permissions it needs or that nothing was changed, so running it again is safe.
 * @example readOnlyAwsProblem(error, "status", "ec2:DescribeSnapshots …")
 */
export function readOnlyAwsProblem(error: unknown, command: string, reads: string): string | undefined {
  const general = awsProblem(error);
  if (!general || !(error instanceof Error) || !("$metadata" in error)) return general;
  const denied =
    /AccessDenied|UnauthorizedOperation|AuthFailure|InvalidClientTokenId|UnrecognizedClient|ExpiredToken/.test(
      error.name,
    );
  const hint = denied
    ? `${command} needs ${reads} (README, section IAM); or the credentials have expired.`
    : `${command} only reads, so nothing was changed; run it again.`;
  return `AWS refused a call: ${error.name}: ${error.message}\n${hint}`;
}

/** An AWS or credentials error, said so that a user knows what to fix; undefined for anything else. */
export function awsProblem(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === "CredentialsProviderError") {
    return `No AWS credentials found (${error.message}). Set AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; for a local endpoint also AWS_ENDPOINT_URL.`;
  }
  if (!("$metadata" in error)) return undefined;
  const denied =
    /AccessDenied|UnauthorizedOperation|AuthFailure|InvalidClientTokenId|UnrecognizedClient|ExpiredToken/.test(
      error.name,
    );
  const hint = denied
    ? "The credentials in use lack a permission outpost-ops needs (README, section IAM), or have expired."
    : "Nothing after this call was done; run the command again, or with --dry-run to see the plan.";
  return `AWS refused a call: ${error.name}: ${error.message}\n${hint}`;
}

/** Writes what went wrong to stderr and returns the exit code. */
export function reportFailure(error: unknown, io: Pick<CliIo, "stderr" | "env">): number {
  // Commander has already printed its message (or the help that was asked for).
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.done : ExitCode.refused;
  const paint = paintFor(io.stderr, io.env);
  const say = (text: string) => io.stderr.write(`${paint.red(text)}\n`);
  if (error instanceof ConfigError || error instanceof ConfigLoadError) {
    say(error.message);
    return ExitCode.invalidConfig;
  }
  if (error instanceof IncompleteRunError) {
    say(error.message);
    return ExitCode.failed;
  }
  if (error instanceof OutpostOpsError) {
    say(error.message);
    return ExitCode.refused;
  }
  const aws = awsProblem(error);
  if (aws) {
    say(aws);
    return ExitCode.failed;
  }
  io.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return ExitCode.failed;
}
