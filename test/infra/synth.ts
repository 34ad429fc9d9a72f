import { Template } from "aws-cdk-lib/assertions";
import { App, Stack } from "sst/constructs";
import type { FunctionalStack } from "sst/constructs/FunctionalStack.js";
import { initProject } from "sst/project.js";
import exampleConfig from "../../outpost-ops.config.ts";
import { buildApp } from "../../stacks/index.ts";

/*
 * Offline synthesis, as PRODUCT.md describes: initProject loads sst.config.ts the way `sst deploy`
 * does (a broken sst.config.ts fails here), then an App in deploy mode gets the stacks. We do not call
 * app.finish(): that runs SST's deferred tasks, i.e. esbuild-bundles every handler. Functions keep
 * SST's placeholder code, which is all the CDK assertions need; bundle.test.ts does the real build.
 */

export const STAGE = "test";
export const ACCOUNT = "123456789012";
export { exampleConfig };

let project: Promise<void> | undefined;

/** Once per test file (vitest isolates files): loads sst.config.ts through SST's own loader. */
export function ensureProject(): Promise<void> {
  project ??= initProject({ stage: STAGE });
  return project;
}

export interface Synthesized {
  app: App;
  template(stack: FunctionalStack<unknown>): Template;
}

/** Builds the app for `region` (default: the config's primary Region) from a raw config. */
export async function synth(input: unknown = exampleConfig, region?: string): Promise<Synthesized> {
  await ensureProject();
  const app = newApp(region ?? (input as typeof exampleConfig).regions?.primary ?? "us-west-2");
  buildApp(app, input);
  const templates = new Map<FunctionalStack<unknown>, Template>();
  return {
    app,
    template(stack) {
      let template = templates.get(stack);
      if (!template) {
        // Looked up in this app, not through getStack(), which reads the most recently built app.
        const found = app.node.tryFindChild(app.logicalPrefixedName(stack.name));
        if (!(found instanceof Stack))
          throw new Error(`Stack ${stack.name} is not in this app (region ${app.region})`);
        template = Template.fromStack(found);
        templates.set(stack, template);
      }
      return template;
    },
  };
}

export function newApp(region: string): App {
  return new App({ mode: "deploy", name: "outpost-ops", stage: STAGE, region, account: ACCOUNT });
}

/** The example config with some fields replaced (a structured clone, so tests never share state). */
export function configWith(change: (config: typeof exampleConfig) => void): typeof exampleConfig {
  const copy = structuredClone(exampleConfig);
  change(copy);
  return copy;
}
