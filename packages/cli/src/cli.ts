/** Runs one `outpost-ops` command line and returns its exit code (main.ts sets it on the process). */
import { reportFailure } from "./failure.ts";
import type { CliIo } from "./io.ts";
import { buildProgram } from "./program/index.ts";

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const { program, exitCode } = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode();
  } catch (error) {
    return reportFailure(error, io);
  }
}
