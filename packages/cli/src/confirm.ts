/**
 * Asking before a destructive change (retention's deletes; later failover and failback). A person at a
 * terminal is asked; a script must say `--yes`, since a prompt nobody can answer would hang a pipeline
 * or, worse, read its answer from piped data.
 */
import { createInterface } from "node:readline";
import { OutpostOpsError } from "@outpost-ops/core/errors";
import type { CliIo } from "./io.ts";

/** Not confirmed and nobody to ask (stdin is not a terminal, no --yes); nothing was changed. */
export class ConfirmationRequiredError extends OutpostOpsError {
  constructor(action: string) {
    super(
      `Refusing to ${action} without confirmation: standard input is not a terminal, so nobody can be asked. Pass --yes to go ahead, or --dry-run to see the plan. Nothing was changed.`,
    );
    this.name = "ConfirmationRequiredError";
  }
}

export interface Confirmation {
  /** What will happen, as a verb phrase for the refusal: "delete 9 snapshots in us-west-2". */
  action: string;
  /** The question, without the answer hint: "Delete 9 snapshots in us-west-2?". */
  question: string;
  /** `--yes` was given: confirmed without asking. */
  yes: boolean;
}

/**
 * True when confirmed (`--yes`, or "y"/"yes" typed at the terminal); false when declined (anything
 * else, or end of input). Throws ConfirmationRequiredError when there is no terminal to ask.
 */
export async function confirm(request: Confirmation, io: Pick<CliIo, "stdin" | "stderr">): Promise<boolean> {
  if (request.yes) return true;
  if (io.stdin.isTTY !== true) throw new ConfirmationRequiredError(request.action);
  // terminal: false: the TTY's own line editing echoes the answer, and Ctrl-C stays the shell's
  // interrupt (the process ends before anything was changed).
  const lines = createInterface({ input: io.stdin, terminal: false });
  try {
    const answer = await new Promise<string | undefined>((resolve) => {
      lines.once("line", resolve);
      lines.once("close", () => resolve(undefined));
      io.stderr.write(`${request.question} [y/N] `);
    });
    if (answer === undefined) io.stderr.write("\n");
    return /^\s*y(es)?\s*$/i.test(answer ?? "");
  } finally {
    lines.close();
  }
}
