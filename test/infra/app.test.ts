import { fileURLToPath } from "node:url";
import { parseConfig } from "@outpost-ops/core/config";
import { ConfigError, OutpostOpsError } from "@outpost-ops/core/errors";
import { Stack } from "sst/constructs";
import { load } from "sst/stacks/build.js";
import { beforeAll, describe, expect, it } from "vitest";
import sstConfig from "../../sst.config.ts";
import { Alerts } from "../../stacks/Alerts.ts";
import { Backup } from "../../stacks/Backup.ts";
import { Capacity } from "../../stacks/Capacity.ts";
import { Failover } from "../../stacks/Failover.ts";
import { buildApp } from "../../stacks/index.ts";
import { Replication } from "../../stacks/Replication.ts";
import { stacksFor } from "../../stacks/select.ts";
import {
  configWith,
  copyConfig,
  ensureProject,
  exampleConfig,
  newApp,
  withoutCopies,
  withoutFailover,
} from "./synth.ts";

/** The example declares Outposts: the Capacity stack, last, in the primary Region only. */
const capacityIn = (region: string) => (region === "us-west-2" ? ["test-outpost-ops-Capacity"] : []);

const stackNames = (app: ReturnType<typeof newApp>) =>
  app.node.children.filter((c): c is Stack => c instanceof Stack).map((s) => s.stackName);

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("App: sst.config.ts", () => {
  beforeAll(ensureProject);

  it("is the outpost-ops app, deployed to the primary Region by default", async () => {
    expect(await sstConfig.config()).toEqual({ name: "outpost-ops", region: "us-west-2" });
  });

  it("primary Region: Alerts, Backup, Replication and Failover (the example's forwarding: snapshot events, its trigger alarm), Capacity (its Outposts)", async () => {
    const app = newApp("us-west-2");
    await sstConfig.stacks(app);
    expect(stackNames(app)).toEqual([
      "test-outpost-ops-Alerts",
      "test-outpost-ops-Backup",
      "test-outpost-ops-Replication",
      "test-outpost-ops-Failover",
      "test-outpost-ops-Capacity",
    ]);
  });

  it("loads as `sst deploy` loads it (esbuild-bundled, with the stacks) and builds the same stacks", async () => {
    const [, bundled] = await load(fileURLToPath(new URL("../../sst.config.ts", import.meta.url)), false);
    const app = newApp("us-west-2");
    await bundled.stacks(app);
    expect(stackNames(app)).toEqual([
      "test-outpost-ops-Alerts",
      "test-outpost-ops-Backup",
      "test-outpost-ops-Replication",
      "test-outpost-ops-Failover",
      "test-outpost-ops-Capacity",
    ]);
  });

  it("DR Region (sst deploy --region): Alerts, Backup (retention of the copies), Replication (the copy job) and Failover (the failover job)", async () => {
    const app = newApp("us-east-1");
    await sstConfig.stacks(app);
    expect(stackNames(app)).toEqual([
      "test-outpost-ops-Alerts",
      "test-outpost-ops-Backup",
      "test-outpost-ops-Replication",
      "test-outpost-ops-Failover",
    ]);
  });

  it("without a copy rule or failover: Alerts and Backup in both Regions (and Capacity in the primary), no Replication, no Failover", () => {
    for (const region of ["us-west-2", "us-east-1"]) {
      const app = newApp(region);
      buildApp(app, withoutFailover(withoutCopies(exampleConfig)));
      expect(stackNames(app), region).toEqual([
        "test-outpost-ops-Alerts",
        "test-outpost-ops-Backup",
        ...capacityIn(region),
      ]);
    }
  });

  it("failover without a copy rule: Failover in both Regions (its job in DR, its alarm forwarding in the primary), no Replication", () => {
    for (const region of ["us-west-2", "us-east-1"]) {
      const app = newApp(region);
      buildApp(app, withoutCopies(exampleConfig));
      expect(stackNames(app), region).toEqual([
        "test-outpost-ops-Alerts",
        "test-outpost-ops-Backup",
        "test-outpost-ops-Failover",
        ...capacityIn(region),
      ]);
    }
  });

  it("with a copy rule: Replication in both Regions (the copy job in DR, its forwarding in the primary)", () => {
    for (const region of ["us-west-2", "us-east-1"]) {
      const app = newApp(region);
      buildApp(app, copyConfig());
      expect(stackNames(app), region).toEqual([
        "test-outpost-ops-Alerts",
        "test-outpost-ops-Backup",
        "test-outpost-ops-Replication",
        ...capacityIn(region),
      ]);
    }
  });

  it("a Region that is neither primary nor DR fails before any stack exists", () => {
    const app = newApp("eu-west-1");
    expect(() => buildApp(app, exampleConfig)).toThrow(/is not one outpost-ops.config.ts deploys to/);
    expect(stackNames(app)).toEqual([]);
  });
});

describe("App: config validation at deploy", () => {
  beforeAll(ensureProject);

  it("an unknown key throws ConfigError naming its path, before any stack exists", () => {
    const app = newApp("us-west-2");
    const bad = configWith((c) =>
      Object.assign(c.policies[0]?.schedules[0]?.retention ?? {}, { keepLst: 3 }),
    );
    const error = configErrorOf(() => buildApp(app, bad));
    expect(error.name).toBe("ConfigError");
    expect(error.issues.map((i) => i.path)).toEqual(["policies[0].schedules[0].retention"]);
    expect(error.message).toContain("keepLst");
    expect(stackNames(app)).toEqual([]);
  });

  it("a bad schedule expression names policies[i].schedules[j].expression", () => {
    const app = newApp("us-west-2");
    const bad = configWith((c) => {
      const schedule = c.policies[1]?.schedules[0];
      if (schedule) schedule.expression = "rate(7 minutes)";
    });
    const error = configErrorOf(() => buildApp(app, bad));
    expect(error.issues.map((i) => i.path)).toEqual(["policies[1].schedules[0].expression"]);
    expect(stackNames(app)).toEqual([]);
  });

  it("a missing section fails too (the config is checked as a whole)", () => {
    const app = newApp("us-west-2");
    const { policies: _dropped, ...rest } = exampleConfig;
    const error = configErrorOf(() => buildApp(app, rest));
    expect(error.issues.map((i) => i.path)).toEqual(["policies"]);
    expect(stackNames(app)).toEqual([]);
  });
});

describe("Function: stacksFor", () => {
  const config = parseConfig(exampleConfig);
  const noCopies = parseConfig(withoutCopies(exampleConfig));
  /** Neither copies nor failover: the stacks every deployment has. */
  const bare = parseConfig(withoutFailover(withoutCopies(exampleConfig)));

  it("primary Region: Alerts, then Backup (which uses Alerts), then Capacity (the example's Outposts)", () => {
    expect(stacksFor("us-west-2", bare)).toEqual([Alerts, Backup, Capacity]);
  });

  it("DR Region: Alerts, then Backup (retention only)", () => {
    expect(stacksFor("us-east-1", bare)).toEqual([Alerts, Backup]);
  });

  it("the example config copies to DR and fails over: Replication, then Failover, after Backup in both Regions", () => {
    expect(stacksFor("us-west-2", config)).toEqual([Alerts, Backup, Replication, Failover, Capacity]);
    expect(stacksFor("us-east-1", config)).toEqual([Alerts, Backup, Replication, Failover]);
  });

  it("a config without a copy rule deploys Replication nowhere; one with a copy rule, in both Regions", () => {
    for (const region of ["us-west-2", "us-east-1"]) {
      expect(stacksFor(region, noCopies), region).not.toContain(Replication);
      expect(stacksFor(region, noCopies), region).toContain(Failover);
    }
    const copying = parseConfig(copyConfig());
    expect(stacksFor("us-west-2", copying)).toEqual([Alerts, Backup, Replication, Capacity]);
    expect(stacksFor("us-east-1", copying)).toEqual([Alerts, Backup, Replication]);
  });

  it("any other Region: refuses, naming both configured Regions", () => {
    expect(() => stacksFor("eu-west-1", config)).toThrow(OutpostOpsError);
    expect(() => stacksFor("eu-west-1", config)).toThrow(/eu-west-1.*us-west-2.*us-east-1/);
  });
});
