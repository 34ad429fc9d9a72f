import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
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

/**
 * Runs the CLI as users do, asynchronously: the sandbox answers from this process's event loop. Its
 * stdin, stdout and stderr are pipes, as in a script or CI: not a terminal.
 */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const { AWS_PROFILE: _profile, NO_COLOR: _noColor, FORCE_COLOR: _forceColor, ...inherited } = process.env;
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

const ESC = "\x1b[";
/** A stack trace's frame lines ("    at f (file:1:2)"): never shown for an error the user can fix. */
const STACK_FRAME = /^\s+at .+:\d+/m;

/** A config file with these contents in a fresh folder outside the project (no node_modules above it). */
function configOutside(name: string, text: string): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "outpost-ops-config-"));
  const path = join(dir, name);
  writeFileSync(path, text);
  return { path, dir };
}

const CONFIG_SOURCE = (input: unknown) =>
  `import { defineConfig } from "@outpost-ops/core/config";\n\nexport default defineConfig(${JSON.stringify(input, null, 2)});\n`;

describe("Integration: the outpost-ops CLI against the sandbox", () => {
  let h: Harness;
  let seeded: SeededEstate;
  let tmp: string;
  let configPath: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    // Prepare: a small estate with 8 days of daily snapshots per volume (keepLast 5 deletes 3 each),
    // and a config file outside the project (--config works for a file anywhere on disk).
    h = await startHarness({ start: DUE });
    seeded = buildEstate({ lineVolumes: 3, instances: 1 });
    const { snapshots } = seedDailyEbs(seeded.lineVolumeIds, 8, DUE, 5);
    h.sb.seed({ ...seeded.estate, snapshots });
    ({ dir: tmp, path: configPath } = configOutside("outpost-ops.config.ts", CONFIG_SOURCE(configInput())));
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
      plan: { decisions: { id: string; action: string; code: string; reason: string; source: string }[] };
    };
    const decisions = out.plan.decisions;
    expect(decisions).toHaveLength(3 * 8);
    expect(decisions.filter((d) => d.action === "delete")).toHaveLength(3 * 3);
    for (const d of decisions) expect(d.reason).not.toBe("");
    expect(decisions.find((d) => d.action === "delete")?.reason).toMatch(/keepLast 5/);
    expect(decisions.find((d) => d.action === "keep")?.reason).toMatch(/keepLast 5/);
    // Grouped by code, not by wording
    expect(new Set(decisions.filter((d) => d.action === "delete").map((d) => d.code))).toEqual(
      new Set(["beyond-rules"]),
    );
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

  it("run retention without --yes and without a terminal shows the plan, refuses with exit 2 and deletes nothing", async () => {
    // Prepare
    const snapshots = h.sb.state.snapshots(REGION).length;

    // Act
    const run = await cli(["run", "retention", "--config", configPath, "--at", AT], env);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("keep 15, delete 9, skip 0.");
    expect(run.stderr).toContain("Refusing to delete 9 snapshots in us-west-2 without confirmation");
    expect(run.stderr).toContain("Pass --yes");
    expect(run.stderr).toContain("--dry-run to see the plan");
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(h.sb.requests.count("DeleteSnapshot")).toBe(0);
    expect(h.sb.state.deleted(REGION)).toEqual([]);
    expect(h.sb.state.snapshots(REGION)).toHaveLength(snapshots);
  });

  it("run retention --yes deletes exactly the plan's snapshots without asking", async () => {
    // Prepare
    const planned = JSON.parse(
      (await cli(["plan", "retention", "--json", "--config", configPath, "--at", AT], env)).stdout,
    ) as { plan: { decisions: { id: string; action: string }[] } };
    const deletes = planned.plan.decisions.filter((d) => d.action === "delete").map((d) => d.id);

    // Act
    const run = await cli(["run", "retention", "--yes", "--json", "--config", configPath, "--at", AT], env);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain("[y/N]");
    expect(JSON.parse(run.stdout)).toMatchObject({ summary: { deleted: 9, failed: 0, retried: 0 } });
    expect([...h.sb.state.deleted(REGION)].sort()).toEqual([...deletes].sort());
  });

  it("run retention with nothing to delete needs no confirmation", async () => {
    // Act: the previous test deleted everything the plan allows
    const run = await cli(["run", "retention", "--config", configPath, "--at", AT], env);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("delete 0");
    expect(run.stdout).toContain("deleted 0, retried 0, failed 0");
    expect(run.stderr).not.toContain("Refusing");
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

describe.concurrent("Integration: CLI help and usage errors", () => {
  it("--help prints the global help on stdout and exits 0", async () => {
    // Act
    const run = await cli(["--help"]);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("Usage: outpost-ops <command> [options]");
    for (const command of ["validate", "plan", "run", "drill"]) expect(run.stdout).toContain(`  ${command}`);
    expect(run.stdout).toContain("Exit codes:");
  });

  it.each([
    [
      ["plan", "--help"],
      "Usage: outpost-ops plan <job> [options]",
      ["snapshot", "retention"],
      ["--config <path>"],
    ],
    [
      ["plan", "snapshot", "--help"],
      "Usage: outpost-ops plan snapshot [options]",
      ["--at", "--region"],
      ["--yes"],
    ],
    [
      ["run", "retention", "--help"],
      "Usage: outpost-ops run retention [options]",
      ["--yes", "--dry-run"],
      [],
    ],
    [
      ["validate", "--help"],
      "Usage: outpost-ops validate [options]",
      ["--config", "--json"],
      ["--at", "--dry-run"],
    ],
    [["drill", "--help"], "Usage: outpost-ops drill [options]", ["--days"], ["--at"]],
    [["help", "run"], "Usage: outpost-ops run <job> [options]", ["snapshot", "retention"], []],
  ])("%j prints that command's help and exits 0", async (args, usage, present, absent) => {
    // Act
    const run = await cli(args);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")[0]).toBe(usage);
    for (const text of present) expect(run.stdout).toContain(text);
    for (const text of absent) expect(run.stdout).not.toContain(text);
  });

  it("no command prints the help on stderr and exits 2", async () => {
    // Act
    const run = await cli([]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("Usage: outpost-ops <command> [options]");
  });

  it.each([
    [["valdate"], "unknown command 'valdate'", "(Did you mean validate?)"],
    [["plan", "retentoin"], "unknown command 'retentoin'", "(Did you mean retention?)"],
    [["run", "retention", "--jsn"], "unknown option '--jsn'", "(Did you mean --json?)"],
    [["validate", "--at", "2024-05-14T10:00:00Z"], "unknown option '--at'", "--help"],
    [["drill", "--region", "us-east-1"], "unknown option '--region'", "--help"],
    [["validate", "extra"], "too many arguments for 'validate'", "--help"],
  ])("%j exits 2 and says what is wrong, with a suggestion", async (args, problem, suggestion) => {
    // Act
    const run = await cli(args);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(problem);
    expect(run.stderr).toContain(suggestion);
  });

  it.each(["2024-05-14", "2024-05-14 10:00", "2024-05-14T10:00:00", "yesterday"])(
    "--at %j exits 2 and says what is accepted",
    async (at) => {
      // Act
      const run = await cli(["plan", "snapshot", "--at", at]);

      // Assess
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`argument '${at}' is invalid`);
      expect(run.stderr).toContain("It must be an ISO-8601 time with a zone, such as 2024-05-14T10:00:00Z.");
    },
  );
});

describe.concurrent("Integration: --config anywhere on disk, and every way it can fail", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const outside = (name: string, text: string) => {
    const file = configOutside(name, text);
    dirs.push(file.dir);
    return file.path;
  };

  it("validate loads a config in a folder outside the project, and the files it imports", async () => {
    // Prepare: no package.json and no node_modules above it; part of it in a second file
    const input = configInput();
    const { policies, ...rest } = input;
    const path = outside(
      "prod.config.ts",
      `import { defineConfig } from "@outpost-ops/core/config";\nimport { policies } from "./policies.ts";\n\nexport default defineConfig({ ...${JSON.stringify(rest)}, policies });\n`,
    );
    writeFileSync(
      join(dirname(path), "policies.ts"),
      `export const policies = ${JSON.stringify(policies)};\n`,
    );

    // Act
    const run = await cli(["validate", "--json", "--config", path]);

    // Assess
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ valid: true, path, config: { regions: input.regions } });
    expect((JSON.parse(run.stdout) as { config: { policies: unknown[] } }).config.policies).toHaveLength(4);
  });

  it.each([
    [
      "a syntax error",
      `import { defineConfig } from "@outpost-ops/core/config";\nexport default defineConfig({ regions: {\n`,
      /it is not valid TypeScript: .*:3:0: Expected identifier but found end of file/,
    ],
    [
      "no default export",
      `export const config = { regions: { primary: "us-west-2", dr: "us-east-1" } };\n`,
      /it has no default export; write `export default defineConfig\(\{\.\.\.\}\)`/,
    ],
    [
      "an import that cannot be found",
      `import { shared } from "outpost-ops-shared-policies";\nexport default shared;\n`,
      /it imports something that cannot be found: Cannot find package 'outpost-ops-shared-policies'/,
    ],
    [
      "a config that throws",
      `throw new Error("AWS_ACCOUNT is not set");\n`,
      /it threw Error: AWS_ACCOUNT is not set/,
    ],
  ])("%s exits 3 with one paragraph naming the file, and no stack trace", async (_label, text, problem) => {
    // Prepare
    const path = outside("outpost-ops.config.ts", text);

    // Act
    const run = await cli(["validate", "--config", path]);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(problem);
    expect(run.stderr.startsWith(`Cannot load the config ${path}: `)).toBe(true);
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });

  it("a missing config file exits 3, naming it and saying how to pass one", async () => {
    // Prepare
    const path = join(tmpdir(), "outpost-ops-no-such-dir", "prod.config.ts");

    // Act
    const run = await cli(["plan", "snapshot", "--config", path]);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr.trimEnd()).toBe(
      `Cannot load the config ${path}: no such file. Run from the folder that holds outpost-ops.config.ts, or pass --config PATH. Nothing was sent to AWS.`,
    );
  });

  it("validate on a bad config exits 3 and names the field path", async () => {
    // Prepare
    const input = configInput();
    const schedule = input.policies[1]?.schedules[0];
    if (schedule) schedule.expression = "every day at noon";
    const path = outside("bad.config.ts", CONFIG_SOURCE(input));

    // Act
    const run = await cli(["validate", "--config", path]);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`Invalid ${path}:`);
    expect(run.stderr).toContain("policies[1].schedules[0].expression");
    expect(run.stderr).toContain("every day at noon");
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });
});

describe.concurrent("Integration: colour only for a terminal", () => {
  it("piped output has no colour codes: help, errors, and a config summary", async () => {
    // Act
    const runs = await Promise.all([cli(["--help"]), cli(["valdate"]), cli(["validate"])]);

    // Assess
    for (const run of runs) {
      expect(run.stdout).not.toContain(ESC);
      expect(run.stderr).not.toContain(ESC);
    }
  });

  it("FORCE_COLOR colours errors and help even when piped; NO_COLOR wins over it", async () => {
    // Act
    const [error, help, noColor] = await Promise.all([
      cli(["valdate"], { FORCE_COLOR: "1" }),
      cli(["--help"], { FORCE_COLOR: "1" }),
      cli(["valdate"], { FORCE_COLOR: "1", NO_COLOR: "1" }),
    ]);

    // Assess
    expect(error.stderr).toContain(`${ESC}31m`);
    expect(help.stdout).toContain(`${ESC}1mUsage:`);
    expect(noColor.stderr).not.toContain(ESC);
    expect(noColor.stderr).toContain("unknown command 'valdate'");
  });

  it("--json is never coloured, even with FORCE_COLOR", async () => {
    // Act
    const run = await cli(["validate", "--json"], { FORCE_COLOR: "1" });

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(ESC);
    expect(JSON.parse(run.stdout)).toMatchObject({ valid: true });
  });
});
