import { type Config, parseConfig } from "@outpost-ops/core/config";
import type { App } from "sst/constructs";
import { provideConfig } from "./context.ts";
import { defaultFunctionProps } from "./defaults.ts";
import { stacksFor } from "./select.ts";

/**
 * Validates the config, then adds the stacks for the app's Region. A bad config throws ConfigError
 * (naming the field path) before any stack exists, so `sst deploy` fails before anything reaches AWS.
 * @example buildApp(app, (await import("../outpost-ops.config.ts")).default)
 */
export function buildApp(app: App, input: unknown): Config {
  const config = parseConfig(input);
  const stacks = stacksFor(app.region, config);
  provideConfig(app, config);
  app.setDefaultFunctionProps(defaultFunctionProps(app));
  for (const stack of stacks) app.stack(stack);
  return config;
}
