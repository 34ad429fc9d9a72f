import type { Config } from "@outpost-ops/core/config";
import type { App } from "sst/constructs";

/*
 * The validated config travels with the app rather than a module global, so tests can build several
 * apps from different configs in one process.
 */
const configs = new WeakMap<App, Config>();

export function provideConfig(app: App, config: Config): void {
  configs.set(app, config);
}

export function useConfig(app: App): Config {
  const config = configs.get(app);
  if (!config)
    throw new Error("No validated config for this app: build it with buildApp() from stacks/index.ts");
  return config;
}

/**
 * Prefix for names people see (alarms, queues, topics). The Alerts rule matches alarms by it, so every
 * alarm outpost-ops creates, in any stack, must be named with it.
 */
export function namePrefix(app: App): string {
  return `outpost-ops-${app.stage}`;
}
