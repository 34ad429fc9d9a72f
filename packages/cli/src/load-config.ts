/**
 * Loads the user's config (TypeScript, run through tsx) from anywhere on disk and validates it
 * strictly. Every way this can fail is a ConfigLoadError or ConfigError: one message naming the file,
 * never a stack trace, since the fix is always in that file.
 */
import { existsSync, statSync } from "node:fs";
import { register } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type Config, parseConfig } from "@outpost-ops/core/config";
import { ConfigLoadError } from "@outpost-ops/core/errors";

export const DEFAULT_CONFIG = "outpost-ops.config.ts";

/** Marks the config's URL for config-hooks.mjs (which explains why the hooks are needed). */
const MARK = "outpost-ops-config";

let hooksRegistered = false;

function registerConfigHooks(): void {
  if (hooksRegistered) return;
  register(new URL("./config-hooks.mjs", import.meta.url), { data: { cliURL: import.meta.url } });
  hooksRegistered = true;
}

/** One sentence (or a few) on why importing the config failed, in the user's terms. */
export function importProblem(error: unknown): string {
  const oneLine = (text: string) =>
    text
      .replaceAll(`?${MARK}=`, "")
      .replace(/\s*\n\s*/g, " ")
      .trim();
  if (!(error instanceof Error)) return `it threw ${oneLine(String(error))}.`;
  const message = oneLine(error.message);
  // esbuild's TransformError (through tsx): "Transform failed with 1 error: FILE:3:0: ERROR: Expected ..."
  if (error.name === "TransformError" || /^Transform failed/.test(message))
    return `it is not valid TypeScript: ${message.replace(/^Transform failed with \d+ errors?: /, "").replaceAll("ERROR: ", "")}.`;
  if ("code" in error && error.code === "ERR_MODULE_NOT_FOUND")
    return `it imports something that cannot be found: ${message}. A config can import "@outpost-ops/core/config" (this CLI's own copy) and files or packages reachable from its own folder.`;
  if (error instanceof SyntaxError) return `it is not a valid module: ${message}.`;
  return `it threw ${error.name}: ${message}.`;
}

async function importConfig(file: string): Promise<Record<string, unknown>> {
  registerConfigHooks();
  const url = pathToFileURL(file);
  url.searchParams.set(MARK, "");
  try {
    return (await import(url.href)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigLoadError(file, importProblem(error), { cause: error });
  }
}

/** Loads and strictly validates the config file; `path` is relative to the working directory. */
export async function loadConfig(path = DEFAULT_CONFIG): Promise<{ config: Config; path: string }> {
  const file = resolve(path);
  if (!existsSync(file))
    throw new ConfigLoadError(
      file,
      "no such file. Run from the folder that holds outpost-ops.config.ts, or pass --config PATH.",
    );
  if (statSync(file).isDirectory())
    throw new ConfigLoadError(
      file,
      `it is a folder; pass the file, e.g. --config ${file}/${DEFAULT_CONFIG}.`,
    );
  const module = await importConfig(file);
  if (module.default === undefined)
    throw new ConfigLoadError(file, "it has no default export; write `export default defineConfig({...})`.");
  return { config: parseConfig(module.default, file), path: file };
}
