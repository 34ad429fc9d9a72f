import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  buildEstate,
  CREDENTIALS,
  configInput,
  FACTORY_ARN,
  type Harness,
  REGION,
  type SeededEstate,
  seedDailyEbs,
  startHarness,
} from "./helpers.ts";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "packages/cli/bin/outpost-ops.js");
const DUE = new Date("2024-05-14T00:00:00Z");
const AT = "2024-05-14T00:00:20Z";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as users do, asynchronously: the sandbox answers from this process's event loop. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const { AWS_PROFILE: _profile, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: ROOT,
        env: {
          ...inherited,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          ...env,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("Integration: the outpost-ops CLI against the sandbox", () => {
  let h: Harness;
  let seeded: SeededEstate;
  let tmp: string;
  let configPath: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    // Prepare: a small estate with 8 days of daily snapshots per volume (keepLast 5 deletes 3 each),
    // and a config file inside the repo so it resolves @outpost-ops/core like the user's does.
    h = await startHarness({ start: DUE });
    seeded = buildEstate({ lineVolumes: 3, instances: 1 });
    const { snapshots } = seedDailyEbs(seeded.lineVolumeIds, 8, DUE, 5);
    h.sb.seed({ ...seeded.estate, snapshots });
    tmp = mkdtempSync(join(ROOT, "test/integration/.tmp-cli-"));
    configPath = join(tmp, "outpost-ops.config.ts");
    writeFileSync(
      configPath,
      `import { defineConfig } from "@outpost-ops/core/config";\n\nexport default defineConfig(${JSON.stringify(configInput(), null, 2)});\n`,
    );
    env = {
      AWS_ENDPOINT_URL: h.sb.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    };
  });

  afterAll(async () => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    await h?.sb.close();
  });

  it("plan retention --json prints every decision with its reason", async () => {
    // Act
    const run = await cli(["plan", "retention", "--json", "--config", configPath, "--at", AT], env);

    // Assess
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      plan: { decisions: { id: string; action: string; reason: string; source: string }[] };
    };
    const decisions = out.plan.decisions;
    expect(decisions).toHaveLength(3 * 8);
    expect(decisions.filter((d) => d.action === "delete")).toHaveLength(3 * 3);
    for (const d of decisions) expect(d.reason).not.toBe("");
    expect(decisions.find((d) => d.action === "delete")?.reason).toMatch(/keepLast 5/);
    expect(decisions.find((d) => d.action === "keep")?.reason).toMatch(/keepLast 5/);
  });

  it("run retention --dry-run changes nothing", async () => {
    // Prepare
    const snapshots = h.sb.state.snapshots(REGION).length;

    // Act
    const run = await cli(
      ["run", "retention", "--dry-run", "--json", "--config", configPath, "--at", AT],
      env,
    );

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ summary: { dryRun: true, planned: 9 } });
    expect(h.sb.requests.count("DeleteSnapshot")).toBe(0);
    expect(h.sb.state.deleted(REGION)).toEqual([]);
    expect(h.sb.state.snapshots(REGION)).toHaveLength(snapshots);
  });

  it("run snapshot --at a due time creates the window's snapshots and exits 0", async () => {
    // Prepare
    h.sb.clock.set(DUE);

    // Act
    const run = await cli(["run", "snapshot", "--config", configPath, "--at", AT], env);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const window = h.sb.state
      .snapshots(REGION)
      .filter((s) => s.tags["outpost-ops:window"] === "2024-05-14T00:00Z");
    const volumes = window.filter((s) => s.tags["outpost-ops:policy"] === "line");
    expect(volumes.map((s) => s.volumeId).sort()).toEqual([...seeded.lineVolumeIds].sort());
    for (const s of volumes) expect(s.outpostArn).toBe(FACTORY_ARN);
    expect(window.filter((s) => s.tags["outpost-ops:policy"] === "clinic").map((s) => s.volumeId)).toEqual(
      seeded.dataVolumeIds,
    );
    expect(h.sb.state.dbSnapshots(REGION)).toHaveLength(1);
    expect(h.sb.state.dbClusterSnapshots(REGION)).toHaveLength(1);
    expect(run.stdout).toContain("created 7, retried 0, failed 0");
  });
});

describe.concurrent("Integration: CLI usage errors", () => {
  it("validate on a bad config exits 3 and names the field path", async () => {
    // Prepare
    const ROOT_TMP = mkdtempSync(join(ROOT, "test/integration/.tmp-cli-bad-"));
    try {
      const input = configInput();
      const schedule = input.policies[1]?.schedules[0];
      if (schedule) schedule.expression = "every day at noon";
      const path = join(ROOT_TMP, "bad.config.ts");
      writeFileSync(
        path,
        `import { defineConfig } from "@outpost-ops/core/config";\n\nexport default defineConfig(${JSON.stringify(input)});\n`,
      );

      // Act
      const run = await cli(["validate", "--config", path]);

      // Assess
      expect(run.code).toBe(3);
      expect(run.stderr).toContain("policies[1].schedules[0].expression");
      expect(run.stderr).toContain("every day at noon");
    } finally {
      rmSync(ROOT_TMP, { recursive: true, force: true });
    }
  });

  it("an unknown command exits 2 and says so", async () => {
    // Act
    const run = await cli(["snapshot-everything"]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Unknown command "snapshot-everything"');
  });
});
