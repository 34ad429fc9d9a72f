/**
 * The offline drill (`npm start`) end to end: the sandbox, the example estate, the real handlers on
 * their schedules in both Regions, the events between them, the incident on day 2, the DR copy
 * outage and the mistaken retention change, then the invariants.
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
const { checkCopyInvariants, checkEventStream, checkInvariants } = await import(
  "../../packages/cli/src/drill/invariants.ts"
);
const { drillEstate } = await import("../../packages/cli/src/drill/estate.ts");
const { isAlarmRelay } = await import("../../packages/cli/src/drill/copies.ts");
const { loadConfig } = await import("../../packages/cli/src/load-config.ts");
const { startSandbox } = await import("@outpost-ops/sandbox");
const { createClients } = await import("@outpost-ops/core/aws/clients");

const DAY = 86_400_000;
/** The copy path is down from day 2, 02:00 (after the incident) to day 3, 00:00. */
const OUTAGE = { fromMs: DAY + 2 * 3_600_000, toMs: 2 * DAY };
type Report = Awaited<ReturnType<typeof runDrill>>;
let shared: Promise<Report> | undefined;
/** One three-day drill for the describes that read its report. */
const threeDays = () => {
  shared ??= runDrill({ days: 3, quiet: true, copyOutage: OUTAGE });
  return shared;
};

describe("Drill: three simulated days of the example estate", () => {
  let report: Report;
  beforeAll(async () => {
    report = await threeDays();
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
      "every protected resource has a DR copy within its RPO",
      "copies in flight stay within AWS's limit",
      "no copy failed for good",
      "DR retention deletes only copies outpost-ops made",
      "every DR copy and deletion has its event",
      "the copy backlog drains after the outage",
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
    expect(report.scenarios).toHaveLength(5);
    expect(report.scenarios[1]).toMatch(/^the primary forwards its snapshot events to us-east-1/);
    expect(report.scenarios[2]).toMatch(/^AWS incident 2024-05-02T00:00 to 2024-05-02T01:00 UTC/);
    expect(report.scenarios[3]).toMatch(/^DR copy outage 2024-05-02T02:00 to 2024-05-03T00:00 UTC/);
  });

  it("ran every handler in both Regions, with duplicate deliveries and retries through the incident", () => {
    expect(report.regions).toEqual(["us-west-2", "us-east-1"]);
    expect(Object.keys(report.log.invocations).sort()).toEqual([
      // The RPO alarms fire until the first DR copies exist, and recover: the relay runs in DR.
      "us-east-1/alarmStateChange",
      "us-east-1/copySchedule",
      "us-east-1/retentionSweep",
      "us-east-1/retentionWork",
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
      new Set(["line-volumes", "clinic-servers", "orders-db", "inventory-aurora", "line-volumes-dr"]),
    );
    expect(report.kept.flatMap((k) => Object.keys(k.reasons))).toEqual(
      expect.arrayContaining(["keep-last", "newest-of-source"]),
    );
    expect(report.retention.skipped).toEqual({ "used-by-ami": 1, "aws-backup": 1 });
    expect(report.retention.deleted).toBeGreaterThan(0);
  });

  it("shows the one alert of a job as a user reads it", () => {
    // Alarm relays come on top (the RPO alarms, until the first DR copies exist): not a job's own.
    const fromJobs = report.alerts.filter((a) => !isAlarmRelay(a.message));
    expect(fromJobs).toHaveLength(1);
    const [alert] = fromJobs;
    expect(alert?.subject).toMatch(/^\[WARNING\] outpost-ops retention: Retention stopped/);
    expect(alert?.message).toContain("Nothing was deleted");
    expect(alert?.attributes).toMatchObject({ severity: "warning", job: "retention", region: "us-west-2" });
  });
});

describe("Drill: DR copies across both Regions", () => {
  let report: Report;
  let copy: NonNullable<Report["copy"]>;
  beforeAll(async () => {
    report = await threeDays();
    if (!report.copy) throw new Error("no copy section in the report");
    copy = report.copy;
  }, 180_000);

  it("shows every protected resource's local, regional and DR recovery points, all within RPO", () => {
    expect(copy.expected).toHaveLength(8);
    expect(copy.recovery.map((r) => `${r.policy}/${r.resource}`).sort()).toEqual([...copy.expected].sort());
    for (const r of copy.recovery) {
      expect(r, `${r.policy}/${r.resource}`).toMatchObject({ withinRpo: true, code: "within-rpo" });
      expect(r.regional?.snapshotId).toMatch(/^(snap-|oo-)/);
      expect(r.dr?.snapshotId).toMatch(/^(snap-|oo-)/);
      // A DR copy holds its source's point in time, never a newer one.
      expect(Date.parse(r.dr?.at ?? "")).toBeLessThanOrEqual(Date.parse(r.regional?.at ?? ""));
    }
    // line-volumes-dr's volumes are line-volumes' too: their local points are on the Outpost.
    const line = copy.recovery.filter((r) => r.policy === "line-volumes-dr");
    expect(line).toHaveLength(3);
    for (const r of line) expect(r.local?.snapshotId).toMatch(/^snap-/);
    expect(copy.recovery.find((r) => r.policy === "orders-db")?.rpo).toBe("8h 0m");
  });

  it("feeds the copy scheduler from forwarded snapshot events, copy completions and its schedule", () => {
    const eb = report.log.eventBridge;
    expect(eb.forwarded).toMatchObject({
      ForwardEbsSnapshotEvents: expect.any(Number),
      ForwardRdsSnapshotEvents: expect.any(Number),
    });
    expect(eb.deliveries["us-east-1/CopyEbsEventsRule"]).toBeGreaterThan(
      eb.forwarded.ForwardEbsSnapshotEvents ?? 0,
    );
    expect(eb.deliveries["us-east-1/CopyRdsEventsRule"]).toBeGreaterThan(0);
    // At-least-once delivery: the queue's content-based de-duplication drops every second copy.
    expect(eb.duplicatesSent).toBeGreaterThan(0);
    expect(eb.deduplicated).toBe(eb.duplicatesSent);
    expect(report.log.queueRecords["us-east-1/copy-ticks"]).toBeGreaterThan(0);
    expect(copy.started).toBeGreaterThan(0);
    expect(copy.completed).toBe(copy.started);
    expect(report.events.byType["Snapshot Copy Started"]).toBe(copy.started);
  });

  it("drains the outage's backlog within AWS's 20 copies in flight, another team's included", () => {
    expect(copy.outage).toMatchObject({ from: "2024-05-02T02:00", to: "2024-05-03T00:00" });
    expect(copy.backlog).toMatchObject({
      at: "2024-05-03T00:00:00.000Z",
      byService: { ebs: expect.any(Number), rds: 3 },
      drainedAt: expect.any(String),
    });
    // The other team's 18 copies leave 2 EBS slots: the rest waits for theirs to finish (75 minutes).
    expect(copy.backlog?.drainMinutes).toBeGreaterThan(2 * copy.copyMinutes);
    expect(copy.peakInFlightAll.ebs.copies).toBe(20);
    expect(copy.peakInFlight.ebs.copies).toBeLessThanOrEqual(20);
    expect(copy.peakInFlight.rds.copies).toBeGreaterThan(0);
    expect(copy.failureAlerts).toEqual([]);
  });

  it("applies the copies' own retention in DR, to our copies only", () => {
    expect(copy.retention.deleted).toBeGreaterThan(0);
    expect(copy.retention).toMatchObject({ copies: copy.retention.deleted, notOurs: [], lost: [] });
    expect(copy.missingEvents).toEqual({ started: [], deleted: [] });
    expect(report.log.invocations["us-east-1/retentionWork"]).toBeGreaterThan(0);
  });

  it("creates the copy job's alarms in the DR Region", () => {
    expect(copy.alarms).toEqual([
      "outpost-ops-drill-rpo-clinic-servers",
      "outpost-ops-drill-rpo-orders-db",
      "outpost-ops-drill-rpo-inventory-aurora",
      "outpost-ops-drill-rpo-line-volumes-dr",
      expect.stringMatching(/^outpost-ops-drill-copy-kms-/),
    ]);
    // Once the sandbox evaluates alarms their state changes are listed; until then there are none.
    for (const change of copy.alarmChanges) expect(change.alarm).toMatch(/^outpost-ops-drill-/);
  });

  it("fails the copy invariants on a doctored result", () => {
    const names = (c: typeof copy) =>
      checkCopyInvariants(c)
        .filter((i) => !i.ok)
        .map((i) => i.name);
    expect(names(copy)).toEqual([]);
    const [first, ...rest] = copy.recovery;
    if (!first) throw new Error("no recovery rows");
    expect(
      names({ ...copy, recovery: [{ ...first, withinRpo: false, reason: "DR copy is 2d old" }, ...rest] }),
    ).toEqual(["every protected resource has a DR copy within its RPO"]);
    expect(names({ ...copy, recovery: rest })).toEqual([
      "every protected resource has a DR copy within its RPO",
    ]);
    expect(
      names({ ...copy, peakInFlightAll: { ...copy.peakInFlightAll, ebs: { copies: 21, at: "x" } } }),
    ).toEqual(["copies in flight stay within AWS's limit"]);
    expect(
      names({ ...copy, failureAlerts: [{ subject: "[WARNING] 1 DR copy failed", message: "" }] }),
    ).toEqual(["no copy failed for good"]);
    expect(names({ ...copy, retention: { ...copy.retention, notOurs: ["snap-0123456789abcdef0"] } })).toEqual(
      ["DR retention deletes only copies outpost-ops made"],
    );
    expect(names({ ...copy, missingEvents: { started: ["snap-0123456789abcdef0"], deleted: [] } })).toEqual([
      "every DR copy and deletion has its event",
    ]);
    const {
      drainedAt: _d,
      drainMinutes: _m,
      ...undrained
    } = copy.backlog ?? { at: "", copies: 1, byService: { ebs: 1, rds: 0 } };
    expect(names({ ...copy, backlog: undrained })).toEqual(["the copy backlog drains after the outage"]);
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
