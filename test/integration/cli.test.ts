import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { copyTags } from "@outpost-ops/core/copy/lineage";
import type { SnapshotRecord } from "@outpost-ops/core/inventory";
import { rdsSnapshotId } from "@outpost-ops/core/snapshot/names";
import type { Estate } from "@outpost-ops/sandbox";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  buildEstate,
  CREDENTIALS,
  configInput,
  FACTORY_ARN,
  type Harness,
  managedTags,
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
    for (const command of ["validate", "status", "plan", "run", "drill"])
      expect(run.stdout).toContain(`  ${command}`);
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
    [
      ["status", "--help"],
      "Usage: outpost-ops status [options]",
      ["--at", "--json", "Exit codes: 0"],
      ["--region", "--dry-run"],
    ],
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

/**
 * `status` against a sandbox seeded with what the snapshot and copy jobs would have left: primary
 * snapshots (local on the Outpost and regional) and DR copies carrying core's lineage tags
 * (copyTags), plus the DR Region's KMS keys, one of them disabled.
 */
describe("Integration: outpost-ops status against the sandbox", () => {
  const NOW = new Date("2024-05-14T12:00:00Z");
  const DR = "us-east-1";
  const GOOD_KEY = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-0000-4000-8000-000000000001";
  const DISABLED_KEY = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-0000-4000-8000-000000000002";
  const hours = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
  const snap = (n: number) => `snap-0d${String(n).padStart(15, "0")}`;

  let h: Harness;
  let seeded: SeededEstate;
  let env: Record<string, string>;
  const dirs: string[] = [];
  /** A: within RPO; B: behind, its newest snapshot's copy pending; C: no snapshot; D: local only. */
  let vol: { a: string; b: string; c: string; d: string };
  let db: string;
  let orderSnapshot: string;

  /** The README's two-policy fix: `line` stays local (no copy), `line-dr` takes regional snapshots and copies them. */
  function statusConfig(lineDr: { rpo: string; tier?: string }, ordersCopy = true): string {
    const input = configInput();
    const policies = input.policies.filter((p) => p.name !== "clinic" && p.name !== "inventory");
    const orders = policies.find((p) => p.name === "orders");
    if (orders && ordersCopy) orders.copy = { rpo: "26h", kmsKeyArn: DISABLED_KEY };
    policies.push({
      name: "line-dr",
      resource: "ebs-volume",
      selector: {
        tags: { Backup: "outpost-ops", ...(lineDr.tier ? { Tier: lineDr.tier } : {}) },
        outposts: ["factory"],
      },
      schedules: [{ name: "six-hourly", expression: "rate(6 hours)", retention: { keepLast: 4 } }],
      copy: { rpo: lineDr.rpo, kmsKeyArn: GOOD_KEY },
    });
    const file = configOutside("outpost-ops.config.ts", CONFIG_SOURCE({ ...input, policies }));
    dirs.push(file.dir);
    return file.path;
  }

  beforeAll(async () => {
    // Prepare
    h = await startHarness({ start: NOW });
    seeded = buildEstate({ lineVolumes: 4, instances: 0, serial: 7 });
    const [a, b, c, d] = seeded.lineVolumeIds as [string, string, string, string];
    vol = { a, b, c, d };
    db = seeded.dbInstanceIds[0] as string;
    // A and B are gold tier: the narrower config below protects only them.
    for (const v of seeded.estate.volumes ?? [])
      if (v.id === a || v.id === b) v.tags = { ...v.tags, Tier: "gold" };

    type Seed = NonNullable<Estate["snapshots"]>[number];
    const primary: Seed[] = [];
    const copies: Seed[] = [];
    const regional = (id: string, volumeId: string, at: Date) => {
      primary.push({
        region: REGION,
        id,
        volumeId,
        startTime: at.toISOString(),
        tags: managedTags("line-dr", "six-hourly", volumeId, at),
      });
      return id;
    };
    const local = (id: string, volumeId: string, at: Date) =>
      primary.push({
        region: REGION,
        id,
        volumeId,
        startTime: at.toISOString(),
        outpostArn: FACTORY_ARN,
        tags: managedTags("line", "hourly", volumeId, at),
      });
    /** A DR copy as the copy job makes it: EBS's placeholder volume, the source's tags plus lineage. */
    const copy = (id: string, source: Seed, startedAt: Date, state: "pending" | "completed") => {
      const record: SnapshotRecord = {
        kind: "ebs",
        id: source.id as string,
        sourceId: source.volumeId,
        createdAt: new Date(source.startTime),
        state: "completed",
        tags: source.tags ?? {},
        awsBackup: false,
      };
      copies.push({
        region: DR,
        id,
        volumeId: "vol-ffffffff",
        startTime: startedAt.toISOString(),
        state,
        tags: Object.fromEntries(copyTags(record, REGION).map((t) => [t.Key, t.Value])),
      });
    };
    local(snap(1), a, hours(1));
    regional(snap(2), a, hours(6));
    copy(snap(101), primary.at(-1) as Seed, hours(5.8), "completed");
    regional(snap(3), b, hours(12));
    copy(snap(102), primary.at(-1) as Seed, hours(11.8), "completed");
    regional(snap(4), b, hours(6));
    copy(snap(103), primary.at(-1) as Seed, hours(5.7), "pending");
    local(snap(5), d, hours(1));
    orderSnapshot = rdsSnapshotId("orders", db, "2024-05-14T00:00Z");
    h.sb.seed({
      ...seeded.estate,
      snapshots: [...primary, ...copies],
      dbSnapshots: [
        {
          region: REGION,
          id: orderSnapshot,
          dbInstanceId: db,
          createdAt: hours(12).toISOString(),
          tags: managedTags("orders", "daily", db, hours(12)),
        },
      ],
      kmsKeys: [
        { region: DR, id: GOOD_KEY.split("/")[1] as string },
        { region: DR, id: DISABLED_KEY.split("/")[1] as string, enabled: false },
      ],
    });
    env = {
      AWS_ENDPOINT_URL: h.sb.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    };
  });

  afterAll(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await h?.sb.close();
  });

  it("--json gives every protected resource's points, its RPO state and why, as the sandbox holds them; exit 4", async () => {
    // Prepare
    const config = statusConfig({ rpo: "8h" });
    const mutating = [
      "CopySnapshot",
      "CopyDBSnapshot",
      "CopyDBClusterSnapshot",
      "CreateTags",
      "AddTagsToResource",
    ];
    const before = mutating.map((op) => h.sb.requests.count(op));

    // Act
    const run = await cli(["status", "--json", "--config", config, "--at", NOW.toISOString()], env);

    // Assess
    expect(run.stderr).toBe("");
    expect(run.code).toBe(4);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({
      at: NOW.toISOString(),
      sourceRegion: REGION,
      destination: DR,
      withinRpo: false,
      needsAttention: true,
      copies: {
        ebs: { limit: 20, inFlight: 1, ready: 0, queued: 0, blocked: 0, exhausted: 0 },
        rds: { limit: 20, inFlight: 0, ready: 0, queued: 0, blocked: 1, exhausted: 0 },
      },
      keys: [
        { arn: DISABLED_KEY, usable: false, policies: ["orders"] },
        { arn: GOOD_KEY, usable: true, policies: ["line-dr"] },
      ],
      policies: [
        {
          name: "orders",
          resource: "rds-instance",
          rpo: "26h",
          schedules: ["daily"],
          resources: 1,
          behind: 1,
        },
        {
          name: "line-dr",
          resource: "ebs-volume",
          rpo: "8h",
          schedules: ["six-hourly"],
          resources: 4,
          behind: 3,
        },
      ],
    });
    expect(out.keys[0].problem).toMatch(/is Disabled: enable the key/);
    const point = (snapshotId: string, h: number) => ({
      snapshotId,
      at: hours(h).toISOString(),
      ageMs: h * 3_600_000,
    });
    const base = { policy: "line-dr", rpo: "8h", rpoMs: 8 * 3_600_000 };
    expect(out.resources).toEqual([
      {
        ...base,
        resource: vol.a,
        local: point(snap(1), 1),
        regional: point(snap(2), 6),
        dr: point(snap(101), 6),
        withinRpo: true,
        code: "within-rpo",
        reason: "DR copy is 6h 0m old (RPO 8h 0m)",
      },
      {
        ...base,
        resource: vol.b,
        regional: point(snap(4), 6),
        dr: point(snap(103 - 1), 12),
        withinRpo: false,
        code: "copy-in-progress",
        reason: `DR copy is 12h 0m old (RPO 8h 0m); copy ${snap(103)} of ${snap(4)} in progress since ${hours(5.7).toISOString()}`,
      },
      {
        ...base,
        resource: vol.c,
        withinRpo: false,
        code: "no-snapshot-yet",
        reason: "no DR copy yet; no completed regional snapshot yet",
      },
      {
        ...base,
        resource: vol.d,
        local: point(snap(5), 1),
        withinRpo: false,
        code: "local-only",
        reason: `no DR copy yet; only local snapshots on its Outpost (newest ${snap(5)}), which EC2 cannot copy`,
      },
      {
        policy: "orders",
        rpo: "26h",
        rpoMs: 26 * 3_600_000,
        resource: db,
        regional: point(orderSnapshot, 12),
        withinRpo: false,
        code: "kms-key-unusable",
        reason: expect.stringMatching(/^no DR copy yet; KMS key .*0002 in us-east-1 is Disabled/),
      },
    ]);
    // Read-only: status never starts, tags or marks anything.
    expect(mutating.map((op) => h.sb.requests.count(op))).toEqual(before);
  });

  it("the table shows the same: the header, then one row per resource with its points, state and reason", async () => {
    // Prepare
    const config = statusConfig({ rpo: "8h" });

    // Act
    const run = await cli(["status", "--config", config, "--at", NOW.toISOString()], env);

    // Assess
    expect(run.code).toBe(4);
    expect(run.stderr).toBe("");
    expect(run.stdout).not.toContain(ESC);
    const lines = run.stdout.split("\n");
    expect(lines.slice(0, 4)).toEqual([
      `DR recovery points as of ${NOW.toISOString()}: ${REGION} -> ${DR}`,
      `Copies into ${DR}:`,
      "  EBS: 1/20 in flight, 0 ready to start, 0 queued",
      "  RDS/Aurora: 0/20 in flight, 0 ready to start, 0 queued, 1 blocked by a KMS key",
    ]);
    expect(run.stdout).toContain(`  usable    ${GOOD_KEY} (line-dr)`);
    expect(run.stdout).toMatch(
      new RegExp(`  UNUSABLE  ${DISABLED_KEY} \\(orders\\): in us-east-1 is Disabled: enable the key`),
    );
    expect(run.stdout).toContain("5 resource(s) in 2 copy policies: 1 within RPO, 4 behind.");
    expect(run.stdout).toContain(
      "Policy line-dr (ebs-volume, RPO 8h, copies six-hourly): 4 resource(s), 3 behind",
    );
    const row = (resource: string) => lines.find((l) => l.startsWith(`${resource} `)) ?? "";
    expect(row(vol.a)).toMatch(
      new RegExp(
        `^${vol.a}\\s+${snap(1)} 2024-05-14T11:00Z \\(1h 0m\\)\\s+${snap(2)} 2024-05-14T06:00Z \\(6h 0m\\)\\s+${snap(101)} 2024-05-14T06:00Z \\(6h 0m\\)\\s+ok\\s+within-rpo\\s+DR copy is 6h 0m old`,
      ),
    );
    expect(row(vol.b)).toMatch(
      new RegExp(
        `^${vol.b}\\s+-\\s+${snap(4)} .*\\s+${snap(102)} 2024-05-14T00:00Z \\(12h 0m\\)\\s+BEHIND\\s+copy-in-progress\\s+`,
      ),
    );
    expect(row(vol.c)).toMatch(new RegExp(`^${vol.c}\\s+-\\s+-\\s+-\\s+BEHIND\\s+no-snapshot-yet\\s+`));
    expect(row(vol.d)).toMatch(
      new RegExp(`^${vol.d}\\s+${snap(5)} .*\\s+-\\s+-\\s+BEHIND\\s+local-only\\s+`),
    );
    expect(row(db)).toMatch(
      new RegExp(`^${db}\\s+-\\s+${orderSnapshot} .*\\s+-\\s+BEHIND\\s+kms-key-unusable\\s+`),
    );
  });

  it("exits 0 when every protected resource is within its RPO and every key is usable", async () => {
    // Prepare: only the gold volumes (A and B), an RPO B's 12-hour-old copy meets, and no RDS copy
    const input = statusConfig({ rpo: "24h", tier: "gold" }, false);

    // Act
    const run = await cli(["status", "--json", "--config", input, "--at", NOW.toISOString()], env);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({
      withinRpo: true,
      needsAttention: false,
      keys: [{ arn: GOOD_KEY, usable: true }],
    });
    expect(out.resources.map((r: { resource: string; code: string }) => [r.resource, r.code])).toEqual([
      [vol.a, "within-rpo"],
      [vol.b, "within-rpo"],
    ]);
  });

  it("a config without copy policies says so and exits 0 without calling AWS", async () => {
    // Prepare: no credentials and no endpoint: any AWS call would fail
    const config = configOutside("outpost-ops.config.ts", CONFIG_SOURCE(configInput()));
    dirs.push(config.dir);

    // Act
    const [text, json] = await Promise.all([
      cli(["status", "--config", config.path], { AWS_REGION: REGION }),
      cli(["status", "--json", "--config", config.path], { AWS_REGION: REGION }),
    ]);

    // Assess
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^No policy in the config copies to the DR Region/);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ withinRpo: true, needsAttention: false, resources: [] });
  });

  it("without credentials it exits 1 and says how to provide them, with no stack trace", async () => {
    // Prepare
    const config = statusConfig({ rpo: "8h" });

    // Act
    const run = await cli(["status", "--config", config], {
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL: h.sb.endpoint,
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
      AWS_SESSION_TOKEN: "",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "",
      AWS_CONTAINER_CREDENTIALS_FULL_URI: "",
      AWS_WEB_IDENTITY_TOKEN_FILE: "",
      AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), "outpost-ops-no-credentials"),
      AWS_CONFIG_FILE: join(tmpdir(), "outpost-ops-no-config"),
    });

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("No AWS credentials found");
    expect(run.stderr).toContain("Set AWS_PROFILE");
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });
});
