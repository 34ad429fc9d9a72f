/**
 * The offline drill (`npm start`) end to end: the sandbox, the example estate, the real handlers on
 * their schedules, the incident on day 2 and the mistaken retention change, then the invariants.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { CreateSnapshotCommand, DeleteSnapshotCommand, EC2Client } from "@aws-sdk/client-ec2";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

const { runDrill } = await import("../../packages/cli/src/commands/drill.ts");
const { checkEventStream, checkInvariants } = await import("../../packages/cli/src/drill/invariants.ts");
const { drillEstate } = await import("../../packages/cli/src/drill/estate.ts");
const { loadConfig } = await import("../../packages/cli/src/load-config.ts");
const { startSandbox } = await import("@outpost-ops/sandbox");
const { createClients } = await import("@outpost-ops/core/aws/clients");

describe("Drill: three simulated days of the example estate", () => {
  let report: Awaited<ReturnType<typeof runDrill>>;
  beforeAll(async () => {
    report = await runDrill({ days: 3, quiet: true });
  }, 180_000);

  it("passes every invariant", () => {
    expect(report.invariants.filter((i) => !i.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.invariants.map((i) => i.name)).toEqual([
      "protected snapshots survive",
      "every protected resource has a fresh snapshot",
      "one snapshot per source and window",
      "retention keeps what it promises",
      "a mistaken retention change is stopped by the cap",
      "the event stream records every create and delete",
      "no work item dead-lettered",
    ]);
  });

  it("puts every create, delete and skip on the event stream, with its reason code", () => {
    expect(report.events.byType).toMatchObject({
      "Snapshot Created": expect.any(Number),
      "Snapshot Deleted": expect.any(Number),
      "Snapshot Skipped": expect.any(Number),
    });
    expect(report.events.byCode).toMatchObject({
      "used-by-ami": expect.any(Number),
      "aws-backup": expect.any(Number),
    });
    expect(report.events.sample).toMatchObject({
      source: "outpost-ops",
      "detail-type": "Snapshot Created",
      detail: { version: 1, job: "snapshot", code: "created", lineage: { sourceId: expect.any(String) } },
    });
  });

  it("says which scenarios it played", () => {
    expect(report.scenarios).toHaveLength(3);
    expect(report.scenarios[1]).toMatch(/^AWS incident 2024-05-02T00:00 to 2024-05-02T01:00 UTC/);
  });

  it("ran every handler, with duplicate deliveries and retries through the incident", () => {
    expect(report.regions).toEqual(["us-west-2", "us-east-1"]);
    expect(Object.keys(report.log.invocations).sort()).toEqual([
      "us-west-2/retentionSweep",
      "us-west-2/retentionWork",
      "us-west-2/snapshotWindow",
      "us-west-2/snapshotWork",
    ]);
    expect(report.log.duplicateDeliveries).toBeGreaterThan(0);
    // The midnight window's EBS snapshots hit the incident's quota errors and came back via the queue.
    expect(report.log.workerRetries).toBeGreaterThanOrEqual(4);
    expect(report.totals.failed).toBe(0);
  });

  it("keeps snapshots for every policy and says why", () => {
    expect(new Set(report.kept.map((k) => k.policy))).toEqual(
      new Set(["line-volumes", "clinic-servers", "orders-db", "inventory-aurora"]),
    );
    expect(report.kept.flatMap((k) => Object.keys(k.reasons))).toEqual(
      expect.arrayContaining(["keep-last", "newest-of-source"]),
    );
    expect(report.retention.skipped).toEqual({ "used-by-ami": 1, "aws-backup": 1 });
    expect(report.retention.deleted).toBeGreaterThan(0);
  });

  it("shows the one alert as a user reads it", () => {
    expect(report.alerts).toHaveLength(1);
    const [alert] = report.alerts;
    expect(alert?.subject).toMatch(/^\[WARNING\] outpost-ops retention: Retention stopped/);
    expect(alert?.message).toContain("Nothing was deleted");
    expect(alert?.attributes).toMatchObject({ severity: "warning", job: "retention", region: "us-west-2" });
  });
});

describe("Drill: invariants catch what must never happen", () => {
  it("fails when a protected snapshot is deleted", async () => {
    // Prepare
    const { config } = await loadConfig("outpost-ops.config.ts");
    const start = new Date("2024-05-01T00:00:00Z");
    const drill = drillEstate(config, start);
    const sb = await startSandbox({ startTime: start });
    try {
      sb.seed(drill.estate);
      const held = [...drill.untouchable].find(([, why]) => why === "legal hold")?.[0] ?? "";
      const ec2 = createClients({
        endpoint: sb.endpoint,
        credentials: { accessKeyId: "x", secretAccessKey: "x" },
      }).get(EC2Client, "us-west-2");
      // Act
      await ec2.send(new DeleteSnapshotCommand({ SnapshotId: held }));
      const results = checkInvariants({ sandbox: sb, config, drill, region: "us-west-2", end: start });
      // Assess
      const survive = results.find((r) => r.name === "protected snapshots survive");
      expect(survive?.ok).toBe(false);
      expect(survive?.detail).toContain(held);
    } finally {
      await sb.close();
    }
  });

  it("fails when a snapshot was created or deleted without its event", async () => {
    // Prepare: a snapshot taken and one deleted behind the stream's back
    const { config } = await loadConfig("outpost-ops.config.ts");
    const start = new Date("2024-05-01T00:00:00Z");
    const drill = drillEstate(config, start);
    const sb = await startSandbox({ startTime: start });
    try {
      sb.seed(drill.estate);
      const ec2 = createClients({
        endpoint: sb.endpoint,
        credentials: { accessKeyId: "x", secretAccessKey: "x" },
      }).get(EC2Client, "us-west-2");
      const volumeId = drill.estate.volumes?.[0]?.id ?? "";
      const made = await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
      // Act
      const result = checkEventStream({ sandbox: sb, drill, region: "us-west-2" });
      // Assess
      expect(result.ok).toBe(false);
      expect(result.detail).toContain(made.SnapshotId ?? "?");
    } finally {
      await sb.close();
    }
  });
});

describe("Drill: the command", () => {
  it("npm start's command prints a passing JSON report and exits 0", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["packages/cli/bin/outpost-ops.js", "drill", "--days", "1", "--json"],
      {
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      },
    );
    const report = JSON.parse(stdout) as { ok: boolean; invariants: { ok: boolean }[] };
    expect(report.ok).toBe(true);
    expect(report.invariants.every((i) => i.ok)).toBe(true);
  }, 120_000);

  it("rejects a bad --days with a clear error", async () => {
    const run = promisify(execFile)(process.execPath, [
      "packages/cli/bin/outpost-ops.js",
      "drill",
      "--days",
      "zero",
    ]);
    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--days must be a whole number"),
    });
  }, 60_000);
});
