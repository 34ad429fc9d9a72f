/**
 * The CLI as users run it: a child process of `packages/cli/bin/outpost-ops.js`, its stdin, stdout
 * and stderr pipes (as in a script or CI, not a terminal). Asynchronous, so that a sandbox in this
 * process keeps answering while it runs.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = join(ROOT, "packages/cli/bin/outpost-ops.js");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function cliProcess(
  args: string[],
  env: Record<string, string> = {},
  options: { cwd?: string } = {},
): Promise<CliRun> {
  // The caller's own profile, colour settings and stage must not leak into what is tested.
  const {
    AWS_PROFILE: _profile,
    NO_COLOR: _noColor,
    FORCE_COLOR: _forceColor,
    OUTPOST_OPS_STAGE: _stage,
    OUTPOST_OPS_SST_BIN: _bin,
    ...inherited
  } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: options.cwd ?? ROOT,
        env: { ...inherited, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
