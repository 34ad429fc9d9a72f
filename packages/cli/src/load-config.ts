import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type Config, parseConfig } from "@outpost-ops/core/config";
import { OutpostOpsError } from "@outpost-ops/core/errors";

export const DEFAULT_CONFIG = "outpost-ops.config.ts";

/** Loads and strictly validates the config file (TypeScript, run through tsx). */
export async function loadConfig(path = DEFAULT_CONFIG): Promise<{ config: Config; path: string }> {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new OutpostOpsError(`No config at ${file}. Run from the repo root or pass --config PATH.`);
  }
  const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  if (module.default === undefined) {
    throw new OutpostOpsError(`${file} has no default export; write \`export default defineConfig({...})\`.`);
  }
  return { config: parseConfig(module.default, path), path: file };
}
