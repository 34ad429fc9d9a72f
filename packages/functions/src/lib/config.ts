/**
 * The deployed config: the repo's outpost-ops.config.ts, bundled into each function by esbuild and
 * validated at cold start with the same schema `npm test` and `sst deploy` use.
 */
import { type Config, parseConfig } from "@outpost-ops/core/config";
import raw from "../../../../outpost-ops.config.ts";

let parsed: Config | undefined;
export function config(): Config {
  parsed ??= parseConfig(raw);
  return parsed;
}
