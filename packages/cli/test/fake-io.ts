/**
 * Streams for a command under test: a terminal or a pipe, and (for prompts) a person who types an
 * answer once asked.
 */
import { PassThrough } from "node:stream";
import type { CliIo } from "../src/io.ts";

export interface FakeIo {
  io: CliIo;
  stdout(): string;
  stderr(): string;
  /** How many times a [y/N] question was asked. */
  asked(): number;
}

export function fakeIo(
  options: { tty?: boolean; env?: Record<string, string>; answer?: string | null } = {},
): FakeIo {
  const tty = options.tty ?? false;
  const stdin = Object.assign(new PassThrough(), { isTTY: tty });
  const out: string[] = [];
  const err: string[] = [];
  let asked = 0;
  const io: CliIo = {
    stdin,
    stdout: { isTTY: tty, columns: 100, write: (text: string) => out.push(text) },
    stderr: {
      isTTY: tty,
      columns: 100,
      write: (text: string) => {
        err.push(text);
        if (!text.endsWith("[y/N] ")) return;
        asked += 1;
        // The person answers (a line), or presses Ctrl-D (null: end of input), after seeing the question.
        setImmediate(() =>
          options.answer === null ? stdin.end() : stdin.write(`${options.answer ?? ""}\n`),
        );
      },
    },
    env: options.env ?? {},
  };
  return { io, stdout: () => out.join(""), stderr: () => err.join(""), asked: () => asked };
}
