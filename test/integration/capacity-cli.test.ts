/**
 * `outpost-ops capacity` as users run it (a child process, pipes) against the sandbox: the factory
 * Outpost's m5.large filling over two weeks, gp2 and its S3 on Outposts storage, the clinic with one
 * type. What it prints is what the weekly report prints for the same reads (core's reader and
 * renderer, run here in-process), so the two show the same numbers; --json, --outpost, progress on
 * stderr, and the usage error of an Outpost the config does not declare.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  capacityReportAlerts,
  renderCapacityView,
  renderOutpostView,
} from "@outpost-ops/core/capacity/report";
import { readCapacityView } from "@outpost-ops/core/jobs/capacity-view";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CapacitySandbox,
  clinicOutpost,
  DAY_MS,
  FACTORY_ID,
  factoryOutpost,
  factoryStorageMetrics,
  START,
  startCapacitySandbox,
} from "./capacity-sandbox.ts";
import { cliProcess } from "./cli-process.ts";
import { CREDENTIALS, configInput, REGION } from "./helpers.ts";

/** m5.large on the factory: +2 points a day for two weeks, ending at 86 % (a forecast of days). */
function squeeze(): [number, number][] {
  const points: [number, number][] = [];
  for (let d = 13; d >= 0; d--)
    for (let h = 0; h < 24; h += 6) {
      const t = START.getTime() - d * DAY_MS - h * 3_600_000;
      if (t <= START.getTime()) points.push([t, 86 - 2 * d - (h > 0 ? 1 : 0)]);
    }
  return points.sort((a, b) => a[0] - b[0]);
}

describe("Integration: outpost-ops capacity against the sandbox", () => {
  let cs: CapacitySandbox;
  let dir: string;
  let configPath: string;
  let env: Record<string, string>;
  const at = START.toISOString();
  const cli = (args: string[]) => cliProcess(["capacity", ...args, "--at", at, "--config", configPath], env);

  beforeAll(async () => {
    cs = await startCapacitySandbox({
      estate: {
        outposts: [factoryOutpost(), clinicOutpost()],
        metrics: [
          ...factoryStorageMetrics(START),
          {
            region: REGION,
            namespace: "AWS/Outposts",
            name: "InstanceTypeCapacityUtilization",
            dimensions: { OutpostId: FACTORY_ID, InstanceType: "m5.large" },
            points: squeeze(),
          },
        ],
      },
    });
    dir = mkdtempSync(join(tmpdir(), "outpost-ops-capacity-"));
    configPath = join(dir, "outpost-ops.config.ts");
    writeFileSync(
      configPath,
      `import { defineConfig } from "@outpost-ops/core/config";\n\nexport default defineConfig(${JSON.stringify(configInput(), null, 2)});\n`,
    );
    env = {
      AWS_ENDPOINT_URL: cs.sb.endpoint,
      // Another Region in the environment: capacity reads the primary's, where the Outposts are.
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    };
  });

  afterAll(async () => {
    await cs?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prints the weekly report's view of every Outpost, the same text for the same reads; exit 0", async () => {
    // Act
    const run = await cli([]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const view = await readCapacityView({
      clients: cs.clients,
      config: cs.config,
      region: REGION,
      now: START,
    });
    expect(run.stdout).toBe(`${renderCapacityView(view).join("\n")}\n`);
    // The weekly report's mail of each Outpost carries the same lines.
    const alerts = capacityReportAlerts(view, cs.config);
    expect(alerts).toHaveLength(2);
    view.outposts.forEach((o, i) => {
      for (const line of renderOutpostView(o).filter((l) => l.trim() !== "")) {
        expect(run.stdout).toContain(line);
        expect(alerts[i]?.body).toContain(line);
      }
    });
    expect(run.stdout).toContain("factory");
    expect(run.stdout).toContain("clinic");
    expect(run.stdout).toContain("m5.large");
    // Progress while it read, on stderr only.
    expect(run.stderr).toContain("reading capacity");
    expect(run.stdout).not.toContain("reading capacity");
  });

  it("--json: the view as JSON, the same readings, nothing on stderr", async () => {
    const run = await cli(["--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    const json = JSON.parse(run.stdout) as {
      at: string;
      region: string;
      outposts: {
        outpost: string;
        readings: { condition: { kind: string; subject?: string }; current?: number }[];
      }[];
    };
    expect(json.at).toBe(at);
    expect(json.region).toBe(REGION);
    expect(json.outposts.map((o) => o.outpost)).toEqual(["factory", "clinic"]);
    const m5 = json.outposts[0]?.readings.find(
      (r) => r.condition.kind === "instance-type" && r.condition.subject === "m5.large",
    );
    expect(m5?.current).toBe(86);
  });

  it("--outpost clinic: that Outpost only", async () => {
    const run = await cli(["--outpost", "clinic", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(
      (JSON.parse(run.stdout) as { outposts: { outpost: string }[] }).outposts.map((o) => o.outpost),
    ).toEqual(["clinic"]);
  });

  it("--outpost of an Outpost the config does not declare: a usage error naming the configured ones, exit 2", async () => {
    const run = await cli(["--outpost", "warehouse"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "--outpost warehouse is not an Outpost of the config (configured: factory, clinic)",
    );
    expect(run.stdout).toBe("");
  });
});
