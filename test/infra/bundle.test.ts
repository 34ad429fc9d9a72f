import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { Function as SstFunction, Stack } from "sst/constructs";
import { useProject } from "sst/project.js";
import { beforeAll, describe, expect, it } from "vitest";
import { Handlers } from "../../stacks/handlers.ts";
import { buildApp } from "../../stacks/index.ts";
import { ensureProject, failoverConfig, newApp } from "./synth.ts";

/*
 * What `sst deploy` does before CloudFormation, offline: app.finish() runs SST's deferred tasks, which
 * esbuild-bundle every handler into .sst/artifacts and point each function at its asset. The other
 * infra tests skip this step to stay fast. SST skips its AWS bootstrap lookup only when
 * NODE_ENV is "test" (vitest sets it).
 */

interface FunctionResource {
  Properties: { Handler: string; Runtime: string; Architectures: string[]; Code: { S3Key?: string } };
}

describe("App: deploy build", () => {
  let functions: { fn: SstFunction; resource: FunctionResource }[];

  beforeAll(async () => {
    expect(process.env.NODE_ENV, "SST would look up its bootstrap stack in AWS").toBe("test");
    await ensureProject();
    // Both deployments, with a copy rule and failover: the copy scheduler and the failover
    // functions are deployed in the DR Region only, the capacity functions in the primary (the
    // example's Outposts).
    const apps = [newApp("us-west-2"), newApp("us-east-1")];
    for (const app of apps) {
      buildApp(app, failoverConfig());
      await app.finish();
    }
    functions = apps
      .flatMap((app) => app.node.children)
      .filter((c): c is Stack => c instanceof Stack)
      .flatMap((stack) => {
        const resources = Template.fromStack(stack).toJSON().Resources as Record<string, FunctionResource>;
        return stack.node
          .findAll()
          .filter((c): c is SstFunction => c instanceof SstFunction && c.node.id !== "CustomResourceHandler")
          .map((fn) => ({
            fn,
            resource: resources[stack.getLogicalId(fn.node.defaultChild as CfnFunction)] as FunctionResource,
          }));
      });
  }, 120_000);

  it("bundles every handler, and only those", () => {
    const handlers = [...new Set(functions.map((f) => f.resource.Properties.Handler))].sort();
    expect(handlers).toEqual(
      Object.values(Handlers)
        .map((h) => h.path)
        .sort(),
    );
  });

  it("ships each as an S3 asset for nodejs22.x on arm64", () => {
    for (const { resource } of functions) {
      expect(resource.Properties.Runtime).toBe("nodejs22.x");
      expect(resource.Properties.Architectures).toEqual(["arm64"]);
      expect(resource.Properties.Code.S3Key).toMatch(/\.zip$/);
    }
  });

  /*
   * The failover functions must start fast when the primary site is down: the EC2 client alone is
   * ~1.5 MB and ~200 ms of cold start, and readiness comes from the gauges, not from EC2 or RDS.
   * Each SDK client's bundle carries its class name as a string.
   */
  it("keeps the failover functions free of the EC2 and RDS clients", () => {
    const artifacts = useProject().paths.artifacts;
    const failover = functions.filter(({ resource }) =>
      ([Handlers.failover.path, Handlers.failoverReadiness.path] as string[]).includes(
        resource.Properties.Handler,
      ),
    );
    expect(failover).toHaveLength(2);
    for (const { fn, resource } of failover) {
      const module = resource.Properties.Handler.replace(/\.[^.]+$/, ".mjs");
      const code = readFileSync(path.join(artifacts, fn.node.addr, module), "utf8");
      expect(code, module).toContain('"Route53Client"');
      expect(code, module).not.toContain('"EC2Client"');
      expect(code, module).not.toContain('"RDSClient"');
    }
    // The check can fail: the copy scheduler does carry EC2.
    const copy = functions.find(({ resource }) => resource.Properties.Handler === Handlers.copySchedule.path);
    if (!copy) throw new Error("no copy scheduler");
    const module = copy.resource.Properties.Handler.replace(/\.[^.]+$/, ".mjs");
    expect(readFileSync(path.join(artifacts, copy.fn.node.addr, module), "utf8")).toContain('"EC2Client"');
  });

  /*
   * The capacity functions run in the primary Region only: the monitor carries the Outposts client
   * (GetOutpostInstanceTypes) and publishes no events; the alarm handler and the report publish
   * events (EventBridge) and read the Outpost's instances and volumes (EC2); none sends to SQS.
   */
  it("gives the capacity functions the clients they call, and the monitor no event stream", () => {
    const artifacts = useProject().paths.artifacts;
    const code = (handler: string) => {
      const found = functions.filter(({ resource }) => resource.Properties.Handler === handler);
      expect(found, handler).toHaveLength(1);
      const [{ fn, resource }] = found as [(typeof functions)[number]];
      const module = resource.Properties.Handler.replace(/\.[^.]+$/, ".mjs");
      return readFileSync(path.join(artifacts, fn.node.addr, module), "utf8");
    };
    const monitor = code(Handlers.capacityMonitor.path);
    expect(monitor).toContain('"OutpostsClient"');
    expect(monitor).toContain('"CloudWatchClient"');
    expect(monitor).not.toContain('"EventBridgeClient"');
    for (const handler of [Handlers.capacityAlarm.path, Handlers.capacityReport.path]) {
      const bundle = code(handler);
      expect(bundle, handler).toContain('"CloudWatchClient"');
      expect(bundle, handler).toContain('"EventBridgeClient"');
      expect(bundle, handler).toContain('"EC2Client"');
    }
    for (const handler of [Handlers.capacityMonitor, Handlers.capacityAlarm, Handlers.capacityReport])
      expect(code(handler.path), handler.path).not.toContain('"SQSClient"');
  });

  it("as an ESM (.mjs) bundle", () => {
    const artifacts = useProject().paths.artifacts;
    for (const { fn, resource } of functions) {
      const module = resource.Properties.Handler.replace(/\.[^.]+$/, ".mjs");
      const file = path.join(artifacts, fn.node.addr, module);
      expect(existsSync(file), file).toBe(true);
      expect(statSync(file).size).toBeGreaterThan(0);
    }
  });
});
