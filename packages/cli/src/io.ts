/**
 * The streams and environment a command talks through. Passed in rather than read from `process`, so
 * that tests can give a command a terminal (or not) and read what it wrote.
 */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Input extends NodeJS.ReadableStream {
  isTTY?: boolean;
}

export interface CliIo {
  stdin: Input;
  /** Results only: a plan, a report, JSON. */
  stdout: Output;
  /** Everything else: progress, prompts, errors. */
  stderr: Output;
  env: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}
