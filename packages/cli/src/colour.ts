/**
 * Colour for people at a terminal, never for scripts: only on a TTY, never with NO_COLOR
 * (https://no-color.org), and FORCE_COLOR to override the TTY check (CI logs that render ANSI).
 * JSON output is never painted.
 */
import type { CliIo, Output } from "./io.ts";

export function colourEnabled(stream: Pick<Output, "isTTY">, env: CliIo["env"]): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR === "0" || env.FORCE_COLOR === "false") return false;
  if (env.FORCE_COLOR !== undefined) return true;
  return stream.isTTY === true;
}

export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
}

const sgr = (on: number, off: number) => (text: string) => `\x1b[${on}m${text}\x1b[${off}m`;

const ansi: Paint = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  green: sgr(32, 39),
};

export const noPaint: Paint = {
  bold: (t) => t,
  dim: (t) => t,
  red: (t) => t,
  yellow: (t) => t,
  green: (t) => t,
};

/** Paint for one stream: ANSI when colourEnabled, otherwise the text unchanged. */
export function paintFor(stream: Pick<Output, "isTTY">, env: CliIo["env"]): Paint {
  return colourEnabled(stream, env) ? ansi : noPaint;
}

/** Always ANSI: for text that commander strips itself when the stream has no colour (help). */
export const alwaysPaint = ansi;
