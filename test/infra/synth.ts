import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import type { CfnElement } from "aws-cdk-lib/core";
import { App, type FunctionProps, Function as SstFunction, Stack } from "sst/constructs";
import type { FunctionalStack } from "sst/constructs/FunctionalStack.js";
import { initProject, useProject } from "sst/project.js";
import { afterAll } from "vitest";
import exampleConfig from "../../outpost-ops.config.ts";
import { type HandlerName, Handlers } from "../../stacks/handlers.ts";
import { buildApp } from "../../stacks/index.ts";

/*
 * Offline synthesis, as PRODUCT.md describes: initProject loads sst.config.ts's config() as every sst
 * command does (app.test.ts also loads its stacks() as `sst deploy` does), then an App in deploy mode
 * gets the stacks. We do not call
 * app.finish(): that runs SST's deferred tasks, i.e. esbuild-bundles every handler. Functions keep
 * SST's placeholder code, which is all the CDK assertions need; bundle.test.ts does the real build.
 */

export const STAGE = "test";
export const ACCOUNT = "123456789012";
export { exampleConfig };

let project: Promise<void> | undefined;
let outDir: string | undefined;

// Registered on the importing file's root suite; vitest ends workers without a process "exit".
afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/**
 * Once per test file (vitest isolates files): loads sst.config.ts through SST's own loader. Each file
 * then gets its own output directory: every SST App empties `<out>/types` when constructed and
 * appends to it per function, which races when test files run in parallel against one `.sst`.
 */
export function ensureProject(): Promise<void> {
  project ??= initProject({ stage: STAGE }).then(() => {
    const out = mkdtempSync(path.join(tmpdir(), "outpost-ops-infra-"));
    outDir = out;
    const { paths } = useProject();
    paths.out = out;
    paths.artifacts = path.join(out, "artifacts");
  });
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

export interface TemplateJson {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** One of our functions as synthesized: which Handlers entry, where, and its resources' logical ids. */
export interface DeployedFunction {
  name: HandlerName;
  fn: SstFunction;
  stack: Stack;
  region: string;
  template: TemplateJson;
  /** The AWS::Lambda::Function's properties. */
  properties: Record<string, unknown> & { Environment: { Variables: Record<string, unknown> } };
  /** The logical id of its AWS::IAM::Role. */
  roleId: string;
}

/** The props SST merged (app defaults + ours); SST marks the field private, we only read it. */
export const propsOf = (fn: SstFunction): FunctionProps => (fn as unknown as { props: FunctionProps }).props;

/**
 * Our functions (not SST's own custom-resource handler) in every stack of these apps, found through
 * the construct tree and matched to their Handlers entry by handler path.
 */
export function deployedFunctions(apps: Synthesized[]): DeployedFunction[] {
  const paths = new Map(
    Object.entries(Handlers).map(([name, spec]) => [spec.path as string, name as HandlerName]),
  );
  return apps.flatMap(({ app }) =>
    app.node.children
      .filter((c): c is Stack => c instanceof Stack)
      .flatMap((stack) => {
        const template = Template.fromStack(stack).toJSON() as TemplateJson;
        return stack.node
          .findAll()
          .filter((c): c is SstFunction => c instanceof SstFunction && paths.has(String(propsOf(c).handler)))
          .map((fn) => {
            const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
            const role = fn.role?.node.defaultChild as CfnElement | undefined;
            if (!role) throw new Error(`${fn.node.path} has no role of its own`);
            return {
              name: paths.get(String(propsOf(fn).handler)) as HandlerName,
              fn,
              stack,
              region: stack.region,
              template,
              properties: template.Resources[logicalId]
                ?.Properties as unknown as DeployedFunction["properties"],
              roleId: stack.getLogicalId(role),
            };
          });
      }),
  );
}

/** The DR key the copy tests use (a key of the example's DR Region, us-east-1). */
export const DR_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
/** A second DR key, so per-key resources can be told from per-policy ones. */
export const DR_KEY_2 = `arn:aws:kms:us-east-1:${ACCOUNT}:key/5678abcd-56ef-78ab-90cd-567890abcdef`;

/**
 * A config with every policy's `copy` removed (by default the example's): what a config without any
 * copy rule deploys, whatever copies the example itself gives.
 */
export function withoutCopies(config: typeof exampleConfig = exampleConfig): typeof exampleConfig {
  const copy = structuredClone(config);
  for (const p of copy.policies) delete p.copy;
  return copy;
}

/**
 * A config without the `failover` section (by default the example's): what a config without DNS
 * failover deploys, whatever the example itself fails over.
 */
export function withoutFailover(config: typeof exampleConfig = exampleConfig): typeof exampleConfig {
  const copy = structuredClone(config);
  delete (copy as { failover?: unknown }).failover;
  return copy;
}

/**
 * The example config with DR copies of our own, independent of the example's: its copies and its
 * failover removed (withoutCopies, withoutFailover), then the clinic instances and the orders DB into DR_KEY, the inventory cluster
 * into DR_KEY_2. line-volumes stays local (Outpost snapshots cannot be copied) and line-volumes-dr
 * copies nothing, so the counts of the copy tests are those of these three rules alone.
 */
export function copyConfig(): typeof exampleConfig {
  const config = withoutFailover(withoutCopies());
  for (const p of config.policies) {
    if (p.name === "clinic-servers") Object.assign(p, { copy: { rpo: "36h", kmsKeyArn: DR_KEY } });
    if (p.name === "orders-db") Object.assign(p, { copy: { rpo: "12h", kmsKeyArn: DR_KEY } });
    if (p.name === "inventory-aurora") Object.assign(p, { copy: { rpo: "36h", kmsKeyArn: DR_KEY_2 } });
  }
  return config;
}

/** The failover tests' hosted zone (by id) and health checks. */
export const FAILOVER_ZONE_ID = "Z0FAILOVER000000000001";
export const PRIMARY_HEALTH_CHECK = "11111111-2222-3333-4444-555555555555";
export const DR_HEALTH_CHECK = "66666666-7777-8888-9999-000000000000";
/** An operator allowed to invoke the failover function, and a trigger alarm of each Region. */
export const OPERATOR = `arn:aws:iam::${ACCOUNT}:role/dr-operators`;
export const PRIMARY_ALARM = "factory-connected";
export const DR_ALARM_ARN = `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:dr-app-health`;

/**
 * A `failover` section of the tests' own (independent of the example's): the zone by id, a simple A
 * record and a failover-routed pair with health checks, a trigger alarm in the primary Region by
 * name, one there by ARN and one in the DR Region by ARN, automatic mode, one operator.
 */
export function failoverSection() {
  return {
    hostedZone: { id: FAILOVER_ZONE_ID },
    records: [
      {
        name: "app.example.com",
        type: "A" as const,
        primary: { values: ["10.0.0.10"] },
        dr: { values: ["10.1.0.10"] },
      },
      {
        name: "api.example.com",
        type: "A" as const,
        routing: "failover" as const,
        primary: { values: ["10.0.0.20"] },
        dr: { values: ["10.1.0.20"] },
        primaryHealthCheckId: PRIMARY_HEALTH_CHECK,
        drHealthCheckId: DR_HEALTH_CHECK,
      },
    ],
    alarms: [PRIMARY_ALARM, `arn:aws:cloudwatch:us-west-2:${ACCOUNT}:alarm:orders-app-health`, DR_ALARM_ARN],
    mode: "automatic" as const,
    operators: [OPERATOR],
  };
}

/** copyConfig() (DR copies, so readiness has recovery points to check) with failoverSection(). */
export function failoverConfig(
  change: (section: ReturnType<typeof failoverSection>) => void = () => {},
): typeof exampleConfig {
  const section = failoverSection();
  change(section);
  return Object.assign(copyConfig(), { failover: section });
}
