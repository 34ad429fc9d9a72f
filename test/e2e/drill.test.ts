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
const { checkCopyInvariants, checkEventStream, checkFailoverInvariants, checkInvariants } = await import(
  "../../packages/cli/src/drill/invariants.ts"
);
const { FailoverPhase } = await import("../../packages/cli/src/drill/failover.ts");
const { checkCapacityInvariants } = await import("../../packages/cli/src/drill/capacity-invariants.ts");
const { createInfrastructure, drillHandlers, sandboxClock } = await import(
  "../../packages/cli/src/drill/wiring.ts"
);
const { lambdaContext } = await import("../../packages/cli/src/drill/lambda.ts");
const { jobsIn } = await import("@outpost-ops/functions/src/jobs.ts");
const { drillEstate } = await import("../../packages/cli/src/drill/estate.ts");
const { isAlarmRelay } = await import("../../packages/cli/src/drill/copies.ts");
const { loadConfig } = await import("../../packages/cli/src/load-config.ts");
const { startSandbox } = await import("@outpost-ops/sandbox");
const { createClients } = await import("@outpost-ops/core/aws/clients");

const DAY = 86_400_000;
/** The copy path is down from day 2, 02:00 (after the incident) to day 3, 00:00. */
const OUTAGE = { fromMs: DAY + 2 * 3_600_000, toMs: 2 * DAY };
/** The weekly capacity report on Thursday, day 2, 08:00 (three days from a Wednesday hold no Monday). */
const REPORT_SCHEDULE = "cron(0 8 ? * THU *)";
type Report = Awaited<ReturnType<typeof runDrill>>;
let shared: Promise<Report> | undefined;
/** One three-day drill for the describes that read its report. */
const threeDays = () => {
  shared ??= runDrill({ days: 3, quiet: true, copyOutage: OUTAGE, capacityReportSchedule: REPORT_SCHEDULE });
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
      "no failover run failed",
      "an outage fails DNS over exactly once while the alarm flaps",
      "DNS points at the DR site after the outage",
      "the tool's own time, event to change submitted, is under 1 s",
      "failback by command restores exactly the configured primary records",
      "stale DR data: failover refused with its reasons, nothing changed",
      "readiness drift is alerted before it matters",
      "a capacity squeeze alerts once per band, then once resolved",
      "the squeeze's alerts forecast the seeded trend",
      "local snapshots move to the Region while the Outpost's storage is low, and come back",
      "no snapshot fails when the Outpost's storage fills",
      "one alert as local snapshots move to the Region, one as they resume",
      "the weekly capacity report and `outpost-ops capacity` show the same numbers",
      "the service link's alerts name the failover command and DR readiness",
      "every capacity alert has a cause in the script",
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

  it("says which scenarios it played, what plays throughout first, then in the order they begin", () => {
    expect(report.scenarios).toHaveLength(11);
    expect(report.scenarios[1]).toMatch(/^the primary forwards its snapshot events to us-east-1/);
    expect(report.scenarios[2]).toMatch(
      /^capacity: the Outposts report AWS\/Outposts utilization every 5 minutes/,
    );
    expect(report.scenarios[3]).toMatch(
      /^capacity squeeze: factory's m5\.large utilization rises 9 points a day/,
    );
    expect(report.scenarios[4]).toMatch(/^AWS incident 2024-05-02T00:00 to 2024-05-02T01:00 UTC/);
    expect(report.scenarios[5]).toMatch(/^DR copy outage 2024-05-02T02:00 to 2024-05-03T00:00 UTC/);
    expect(report.scenarios[6]).toMatch(
      /^local snapshot storage fills: .* on factory .* at 2024-05-02 07:00 UTC .* until the Outpost is full/,
    );
    // The failover phase: stale DR data just after the copy outage, then an outage with DR ready
    // once its backlog has drained, then the failback.
    expect(report.scenarios[7]).toMatch(
      /^DNS failover, scenario 2 \(DR data stale\): the service link drops at 2024-05-03 00:40 UTC/,
    );
    expect(report.scenarios[8]).toMatch(
      /^DNS failover, scenario 1 \(DR ready\): the service link drops at 2024-05-03 12:00 UTC .* flaps/,
    );
    expect(report.scenarios[9]).toMatch(/^at 2024-05-03T15:01 an operator fails back by command/);
    expect(report.scenarios[10]).toMatch(/^at 2024-05-04T00:00 an operator changes every schedule/);
  });

  it("ran every handler in both Regions, with duplicate deliveries and retries through the incident", () => {
    expect(report.regions).toEqual(["us-west-2", "us-east-1"]);
    expect(Object.keys(report.log.invocations).sort()).toEqual([
      // The RPO alarms fire until the first DR copies exist, and recover: the relay runs in DR.
      "us-east-1/alarmStateChange",
      "us-east-1/copySchedule",
      // The trigger alarm's ALARMs, forwarded from the primary, and the failback by command.
      "us-east-1/failover",
      "us-east-1/failoverReadiness",
      "us-east-1/retentionSweep",
      "us-east-1/retentionWork",
      // The primary's relay receives the capacity alarms' changes too (its rule matches the prefix)
      // and leaves them to the capacity job: EventBridge cannot AND a prefix with an anything-but.
      "us-west-2/alarmStateChange",
      // The capacity job, in the primary Region: its alarms' state changes, the monitor, the report.
      "us-west-2/capacityAlarm",
      "us-west-2/capacityMonitor",
      "us-west-2/capacityReport",
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
    // Alarm relays come on top (the RPO alarms, until the first DR copies exist): not a job's own;
    // the failover job's alerts are the failover phase's ("Drill: DNS failover"), the capacity job's
    // the capacity phase's ("Drill: Outposts capacity").
    const fromJobs = report.alerts.filter(
      (a) => !isAlarmRelay(a.message) && a.attributes.job !== "failover" && a.attributes.job !== "capacity",
    );
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

describe("Drill: DNS failover", () => {
  let report: Report;
  let f: NonNullable<Report["failover"]>;
  beforeAll(async () => {
    report = await threeDays();
    if (!report.failover) throw new Error("no failover section in the report");
    f = report.failover;
  }, 180_000);

  it("seeds the config's zone, records and health checks, and the user's trigger alarm on the factory's ConnectedStatus", () => {
    expect(f.zone.name).toBe("example.com.");
    expect(f.records).toEqual(["app.example.com A (simple)", "api.example.com A (failover pair)"]);
    expect(f.alarms).toEqual([
      { name: "factory-service-link", region: "us-west-2", outpost: "factory (op-0a1b2c3d4e5f60718)" },
    ]);
    // Every ALARM of the trigger alarm is forwarded to the DR Region and reaches the failover function.
    const alarms = (f.stale?.alarmChanges.alarm ?? 0) + (f.ready?.alarmChanges.alarm ?? 0);
    expect(f.routing).toEqual({ forwarded: alarms, delivered: alarms });
  });

  it("scenario 2, DR data stale: refuses with its reasons (dr-behind-rpo), alerts them, changes nothing", () => {
    const stale = f.stale;
    expect(stale).toMatchObject({
      from: "2024-05-03T00:40:00.000Z",
      alarmChanges: { alarm: 1, ok: 1 },
      changes: 0,
      dnsBefore: { site: "primary" },
      dnsAfter: { site: "primary" },
      refusal: {
        at: "2024-05-03T00:41:00.000Z",
        outcome: "refused",
        code: "dr-behind-rpo",
        alert: { subject: expect.stringMatching(/Failover refused/), namesReasons: true },
      },
    });
    expect(stale?.refusal?.reasons.join("\n")).toMatch(
      /orders-db: its oldest DR copy is .* more than the RPO of 8h 0m/,
    );
  });

  it("alerts readiness lost before the stale data matters, and regained before the next outage", () => {
    const refusal = f.stale?.refusal?.at ?? "";
    expect(f.stale?.readinessBefore?.change).toBe("lost");
    expect((f.stale?.readinessBefore?.at ?? "") < refusal).toBe(true);
    const regained = f.readiness.alerts.find((a) => a.change === "regained" && a.at > refusal);
    expect(regained && regained.at < (f.ready?.from ?? "")).toBe(true);
    // Every 30 minutes for three days.
    expect(f.readiness.checks).toBe(3 * 48);
  });

  it("scenario 1, DR ready: one DNS change while the alarm flaps for an hour, with its timeline, RTO and RPO", () => {
    const ready = f.ready;
    if (!ready?.failover) throw new Error("no failover in scenario 1");
    expect(ready.alarmChanges.alarm).toBeGreaterThanOrEqual(10);
    expect(ready.runs).toHaveLength(ready.alarmChanges.alarm);
    expect(ready.outcomes).toEqual({ changed: 1, "nothing-to-do": ready.runs.length - 1 });
    expect(ready).toMatchObject({ changes: 1, dnsBefore: { site: "primary" }, dnsAfter: { site: "dr" } });
    const t = ready.failover.timeline;
    const steps = [t.alarmAt, t.receivedAt, t.decidedAt, t.submittedAt, t.inSyncAt].map((x) =>
      Date.parse(x ?? ""),
    );
    expect(steps.every((x, i) => Number.isFinite(x) && (i === 0 || x >= (steps[i - 1] ?? 0)))).toBe(true);
    expect(t.alarmAt).toBe("2024-05-03T12:01:00.000Z");
    // Route 53 is INSYNC 40 s after the change here; GetChange is polled every 2 s.
    expect(ready.failover.rtoMs).toBeGreaterThanOrEqual(40_000);
    expect(ready.failover.rtoMs).toBeLessThan(45_000);
    expect(ready.failover.toolWallMs).toBeLessThan(1_000);
    expect(ready.recovery.map((p) => [p.policy, p.withinRpo])).toEqual([
      ["clinic-servers", true],
      ["orders-db", true],
      ["inventory-aurora", true],
      ["line-volumes-dr", true],
    ]);
  });

  it("fails back by command through the CLI's invoke path: exactly the configured primary records", () => {
    expect(f.failback).toMatchObject({
      at: "2024-05-03T15:01:00.000Z",
      exitCode: 0,
      requestedBy: "arn:aws:iam::123456789012:user/sre-oncall",
      invocations: [
        {
          functionName: "outpost-ops-drill-failover",
          region: "us-east-1",
          event: { "outpost-ops": "failback", dryRun: false, force: false },
        },
      ],
      result: { outcome: "changed", target: "primary" },
      changes: 1,
      dnsBefore: { site: "dr" },
      dnsAfter: { site: "primary" },
      differences: [],
    });
    // Two changes in three days: the failover and the failback, each one batch.
    expect(f.changes.map((c) => c.comment)).toEqual([
      "outpost-ops failover (alarm:factory-service-link)",
      "outpost-ops failback (manual:arn:aws:iam::123456789012:user/sre-oncall)",
    ]);
  });

  it("fails the failover invariants on a doctored report", () => {
    const names = (r: typeof f) =>
      checkFailoverInvariants(r)
        .filter((i) => !i.ok)
        .map((i) => i.name);
    expect(names(f)).toEqual([]);
    const ready = f.ready;
    const stale = f.stale;
    const back = f.failback;
    if (!ready?.failover || !stale?.refusal || !back) throw new Error("a scenario was not played");
    const once = "an outage fails DNS over exactly once while the alarm flaps";
    // Route 53 accepted a second change during the flapping (a run that changed DNS twice).
    expect(names({ ...f, ready: { ...ready, changes: 2 } })).toEqual([once]);
    const second = {
      ...(ready.runs[1] ?? ready.runs[0]),
      outcome: "changed",
      changes: 1,
    } as (typeof ready.runs)[0];
    expect(
      names({
        ...f,
        ready: { ...ready, runs: [ready.runs[0], second, ...ready.runs.slice(2)] as typeof ready.runs },
      }),
    ).toEqual([once]);
    expect(names({ ...f, ready: { ...ready, alarmChanges: { alarm: 1, ok: 1 } } })).toEqual([once]);
    expect(names({ ...f, ready: { ...ready, dnsAfter: { site: "mixed", records: [] } } })).toEqual([
      "DNS points at the DR site after the outage",
    ]);
    expect(names({ ...f, ready: { ...ready, failover: { ...ready.failover, toolWallMs: 1_500 } } })).toEqual([
      "the tool's own time, event to change submitted, is under 1 s",
    ]);
    const restores = "failback by command restores exactly the configured primary records";
    expect(
      names({ ...f, failback: { ...back, differences: ["missing app.example.com. A → 10.0.0.10"] } }),
    ).toEqual([restores]);
    expect(names({ ...f, failback: { ...back, exitCode: 1 } })).toEqual([restores]);
    const refused = "stale DR data: failover refused with its reasons, nothing changed";
    expect(names({ ...f, stale: { ...stale, changes: 1 } })).toEqual([refused]);
    expect(
      names({ ...f, stale: { ...stale, refusal: { ...stale.refusal, code: "dr-recovery-unknown" } } }),
    ).toEqual([refused]);
    expect(
      names({ ...f, stale: { ...stale, refusal: { ...stale.refusal, alert: undefined } } as typeof stale }),
    ).toEqual([refused]);
    const drift = "readiness drift is alerted before it matters";
    const before = stale.readinessBefore;
    if (!before) throw new Error("no readiness alert before the refusal");
    expect(names({ ...f, stale: { ...stale, readinessBefore: { ...before, change: "regained" } } })).toEqual([
      drift,
    ]);
    expect(names({ ...f, stale: { ...stale, readinessBefore: undefined } as typeof stale })).toEqual([drift]);
    expect(
      names({ ...f, runs: [...f.runs, { ...f.runs[0], outcome: "failed" } as (typeof f.runs)[0]] }),
    ).toEqual(["no failover run failed"]);
  });

  it("counts every change Route 53 accepted during a run, however many the function says it made", async () => {
    // Prepare: the example's zone and records, the DR deployment's real failover function, and a
    // faulty one around it that fails over and then back within one invocation.
    const { config } = await loadConfig("outpost-ops.config.ts");
    const start = new Date("2024-05-01T00:00:00Z");
    const drill = drillEstate(config, start);
    if (!drill.failover) throw new Error("the example has no failover");
    const sb = await startSandbox({ startTime: start, route53PropagationMs: 1_000 });
    try {
      sb.seed(drill.estate);
      const access = { endpoint: sb.endpoint, credentials: { accessKeyId: "x", secretAccessKey: "x" } };
      const clients = createClients(access);
      const infra = await createInfrastructure(clients, "us-east-1", jobsIn("us-east-1", config), config);
      const real = drillHandlers(config, clients, infra, sandboxClock(sb)).failover;
      const phase = new FailoverPhase(sb, config, drill.failover, {}, access);
      const faulty = phase.record(async (_event: unknown, context: ReturnType<typeof lambdaContext>) => {
        await real({ "outpost-ops": "failover", force: true }, context);
        return real({ "outpost-ops": "failback" }, context);
      }, clients);
      // Act
      await faulty({ "outpost-ops": "failover" }, lambdaContext("failover"));
      // Assess: the function answered one change (its last run's); Route 53 accepted two.
      expect(phase.runs).toMatchObject([{ by: "command", outcome: "changed", changes: 2 }]);
      expect(phase.changeCount()).toBe(2);
    } finally {
      await sb.close();
    }
  });
});

describe("Drill: Outposts capacity", () => {
  let report: Report;
  let c: NonNullable<Report["capacity"]>;
  beforeAll(async () => {
    report = await threeDays();
    if (!report.capacity) throw new Error("no capacity section in the report");
    c = report.capacity;
  }, 180_000);

  it("gives both Outposts S3 on Outposts capacity and their metrics; the monitor creates the alarms", () => {
    expect(c.outposts.map((o) => [o.name, o.instanceTypes, o.volumeTypes, o.storageTiB])).toEqual([
      ["factory", ["m5.large", "m5.xlarge", "c5.xlarge", "r5.2xlarge"], ["gp3"], 96],
      ["clinic", ["m5.large", "m5.xlarge", "c5.xlarge", "r5.2xlarge"], ["gp3", "sc1"], 96],
    ]);
    // Hourly in the drill (deployed: every 5 minutes), 3 days.
    expect(c.monitor).toMatchObject({ runs: 72, everyMinutes: 60, deployed: "rate(5 minutes)" });
    expect(c.monitor.alarmsPut).toEqual(
      expect.arrayContaining([
        "outpost-ops-drill-capacity-factory-instance-m5.large-warning",
        "outpost-ops-drill-capacity-factory-instance-m5.large-critical",
        "outpost-ops-drill-capacity-factory-volume-gp3-warning",
        "outpost-ops-drill-capacity-factory-storage-critical",
        "outpost-ops-drill-capacity-factory-local-snapshots",
        "outpost-ops-drill-capacity-clinic-volume-sc1-warning",
      ]),
    );
    expect(c.monitor.alarmsDeleted).toEqual([]);
    // A new alarm's first OK is no alert; nothing the script does not explain alerted.
    expect(
      c.decisions["silent: OK from INSUFFICIENT_DATA: a new alarm's first evaluation, not a recovery"],
    ).toBe(c.monitor.alarmsPut.length);
    expect(c.unexplained).toEqual([]);
    // The relay, which also receives their state changes, relays none of them.
    expect(report.alerts.filter((a) => isAlarmRelay(a.message) && a.message.includes("-capacity-"))).toEqual(
      [],
    );
  });

  it("a squeeze of m5.large: one warning with the seeded trend's forecast, one critical, one resolved", () => {
    const s = c.squeeze;
    if (!s) throw new Error("the squeeze was not played");
    expect(s.alerts.map((a) => [a.at, a.subject])).toEqual([
      ["2024-05-01T16:15:00.000Z", "[WARNING] factory Outpost: m5.large capacity 80 %, full in ~3 days"],
      ["2024-05-03T08:15:00.000Z", "[CRITICAL] factory Outpost: m5.large capacity 95 %, full in ~1 day"],
      // 3 of the last 5 periods: OK once the third period below has passed.
      ["2024-05-03T14:15:00.000Z", "[INFO] factory Outpost: m5.large capacity resolved (45 %)"],
    ]);
    // The line through the script's daily maxima (today's partial one below it), its days to 100 %
    // rounded up: worked out from the script, not by the product.
    expect(s.forecasts.map((f) => [f.band, f.at, f.level, f.expectedDays, f.alertDays])).toEqual([
      ["warning", "2024-05-01T16:15:00.000Z", 80.1, 3, 3],
      ["critical", "2024-05-03T08:15:00.000Z", 95.1, 1, 1],
    ]);
    // (100 − 81.63) / 8.692 = 2.11: 3 days; (100 − 98.75) / 8.608 = 0.15: 1 day.
    expect(s.forecasts.map((f) => [f.fitted, f.slopePerDay])).toEqual([
      [81.63, 8.692],
      [98.75, 8.608],
    ]);
    const body = s.warning?.lines.join("\n") ?? "";
    expect(body).toContain("Headroom:   5 available, 19 used");
    expect(body).toMatch(/Forecast: +full in ~3 days \(least squares over 7 daily maxima, R² 1\.00\)/);
    expect(body).toContain("i-00000000000000026 (line-controller-1): m5.large");
    expect(s.warning?.band).toBe("warning");
    expect(s.critical).toMatchObject({ severity: "critical", band: "critical", kind: "instance-type" });
    // Each band's alarm went into ALARM once and out once; the critical's OK said nothing (the
    // warning's, the lowest band, said resolved), and the jump back to 45 % was one message.
    const changes = (name: string) =>
      c.alarmChanges.find((a) => a.alarm === name)?.changes.map((x) => x.state);
    expect(changes("outpost-ops-drill-capacity-factory-instance-m5.large-warning")).toEqual([
      "OK",
      "ALARM",
      "OK",
    ]);
    expect(changes("outpost-ops-drill-capacity-factory-instance-m5.large-critical")).toEqual([
      "OK",
      "ALARM",
      "OK",
    ]);
    // The squeeze's critical, and the fill's storage critical (the Outpost full) as it is freed.
    expect(c.decisions["silent: the lowest band's alarm says resolved"]).toBe(2);
  });

  it("the factory's storage fills: its hourly windows snapshot in the Region, none fails, one alert each way", () => {
    const f = c.fill;
    if (!f) throw new Error("the fill was not played");
    const regional = f.windows.filter((w) => w.placement === "region");
    expect(regional.map((w) => w.window.slice(11, 16))).toEqual([
      "11:00",
      "12:00",
      "13:00",
      "14:00",
      "15:00",
      "16:00",
      "17:00",
      "18:00",
      "19:00",
    ]);
    for (const w of f.windows) expect(w.placement, w.window).toBe(w.expected);
    for (const w of regional) expect(w).toMatchObject({ snapshots: 3, noted: true, described: true });
    expect(f.regionalInstead).toBe(27);
    expect(f.errors).toEqual([]);
    // Full from 12:05: 50 GiB free, less than one 100 GiB line volume's local snapshot needs, so a
    // window that stayed local would end in error.
    expect(
      f.windows
        .filter((w) => w.window > "2024-05-02T12:30" && w.window < "2024-05-02T19:30")
        .map((w) => w.freePercent),
    ).toEqual(Array(7).fill(0.1));
    expect(
      f.windows.filter((w) => w.window > "2024-05-02T19:30").every((w) => w.placement === "outpost"),
    ).toBe(true);
    expect(f.lowestFreeGiB).toBe(50);
    expect(f.lowestFreePercent).toBe(0.1);
    expect(f.localSnapshotAlerts.map((a) => a.subject)).toEqual([
      "[WARNING] factory Outpost: local snapshot storage 9 % free, below the 10 % floor",
      "[INFO] factory Outpost: local snapshots resume (32 % free)",
    ]);
    expect(f.localSnapshotAlerts[0]?.lines.join("\n")).toContain(
      "Now snapshot in the Region instead (residency flexible): line-volumes.",
    );
    // Past 80 % and 95 % used on the way to full: the storage alarm's warning, its critical, and one resolved.
    expect(f.storageAlerts.map((a) => a.severity)).toEqual(["warning", "critical", "info"]);
  });

  it("the weekly report and `outpost-ops capacity` at the same moment show the same numbers", () => {
    expect(c.weeklyExpected).toEqual(["2024-05-02T08:00:00.000Z"]);
    expect(c.weekly).toHaveLength(1);
    const [w] = c.weekly;
    expect(w?.at).toBe("2024-05-02T08:00:07Z");
    expect(w?.texts.map((t) => t.subject)).toEqual([
      expect.stringMatching(/^\[INFO\] factory Outpost weekly capacity: highest m5\.large 86 %/),
      expect.stringMatching(/^\[INFO\] clinic Outpost weekly capacity: /),
    ]);
    expect(w?.texts[0]?.message).toMatch(/m5\.large capacity +86 %/);
    expect(w?.cli).toMatchObject({ exitCode: 0 });
    expect(w?.cli?.text).toContain("factory Outpost (op-0a1b2c3d4e5f60718)");
    expect(w?.differences).toEqual([]);
  });

  it("the service link's alerts during the failover phase's outages name the command and the readiness", () => {
    const down = c.connected.filter((a) => a.severity === "critical");
    // 3 down minutes of the last 15: each outage is one alarm, even the hour the link flaps in
    // scenario 1 (whose trigger alarm goes to ALARM at every drop), so one link-down alert and one
    // "restored" (13 minutes after the link holds) each.
    expect(report.failover?.ready?.alarmChanges.alarm).toBeGreaterThan(1);
    expect(c.connected.map((a) => [a.at, a.subject])).toEqual([
      ["2024-05-03T00:43:00.000Z", "[CRITICAL] factory Outpost: service link down"],
      ["2024-05-03T01:08:00.000Z", "[INFO] factory Outpost: service link restored"],
      ["2024-05-03T12:03:00.000Z", "[CRITICAL] factory Outpost: service link down"],
      ["2024-05-03T13:13:00.000Z", "[INFO] factory Outpost: service link restored"],
    ]);
    expect(c.linkOutages.map((o) => [o.drReady, o.down, o.restored])).toEqual([
      [false, 1, 1],
      [true, 1, 1],
    ]);
    for (const a of down) expect(a).toMatchObject({ namesFailover: true, namesReadiness: true });
    // The stale scenario's DR is not ready; the other's is.
    expect(down[0]?.lines.join("\n")).toContain("DR readiness: NOT ready");
    expect(down[1]?.lines.join("\n")).toContain("DR readiness: ready");
  });

  it("fails the capacity invariants on a doctored report", () => {
    const names = (r: typeof c) =>
      checkCapacityInvariants(r)
        .filter((i) => !i.ok)
        .map((i) => i.name);
    expect(names(c)).toEqual([]);
    const s = c.squeeze;
    const f = c.fill;
    const [w] = c.weekly;
    if (!s?.warning || !f || !w) throw new Error("a scenario was not played");
    const once = "a capacity squeeze alerts once per band, then once resolved";
    expect(names({ ...c, squeeze: { ...s, alerts: [...s.alerts, s.warning] } })).toEqual([once]);
    expect(names({ ...c, squeeze: { ...s, critical: undefined } as typeof s })).toEqual([once]);
    const forecast = "the squeeze's alerts forecast the seeded trend";
    const forecasts = (band: string, change: Partial<(typeof s.forecasts)[number]>) =>
      names({
        ...c,
        squeeze: { ...s, forecasts: s.forecasts.map((x) => (x.band === band ? { ...x, ...change } : x)) },
      });
    // A day off either way, in either band (rounded down instead of up: a day short), or no days.
    for (const band of ["warning", "critical"])
      for (const days of [-1, 1]) {
        const expected = s.forecasts.find((x) => x.band === band)?.expectedDays ?? 0;
        expect(forecasts(band, { alertDays: expected + days }), `${band} ${days}`).toEqual([forecast]);
      }
    expect(forecasts("critical", { alertDays: undefined })).toEqual([forecast]);
    expect(forecasts("warning", { subject: "[WARNING] outpost-ops capacity: m5.large" })).toEqual([forecast]);
    expect(names({ ...c, squeeze: { ...s, forecasts: s.forecasts.slice(0, 1) } })).toEqual([forecast]);
    const moved = "local snapshots move to the Region while the Outpost's storage is low, and come back";
    const low = f.windows.findIndex((x) => x.placement === "region");
    const failed = f.windows.map((x, i) => (i === low ? { ...x, placement: "outpost" as const } : x));
    expect(names({ ...c, fill: { ...f, windows: failed } })).toEqual([moved]);
    const unnoted = f.windows.map((x, i) => (i === low ? { ...x, noted: false } : x));
    expect(names({ ...c, fill: { ...f, windows: unnoted } })).toEqual([moved]);
    const undescribed = f.windows.map((x, i) => (i === low ? { ...x, described: false } : x));
    expect(names({ ...c, fill: { ...f, windows: undescribed } })).toEqual([moved]);
    const stuck = f.windows.map((x) => (x.window > f.freedAt ? { ...x, placement: "region" as const } : x));
    expect(names({ ...c, fill: { ...f, windows: stuck } })).toContain(moved);
    const error = {
      id: "snap-0123456789abcdef0",
      volumeId: "vol-1",
      policy: "line-volumes",
      schedule: "hourly",
      window: "x",
      state: "error",
    };
    expect(names({ ...c, fill: { ...f, errors: [error] } })).toEqual([
      "no snapshot fails when the Outpost's storage fills",
    ]);
    const [into] = f.localSnapshotAlerts;
    if (!into) throw new Error("no local-snapshots alert");
    expect(names({ ...c, fill: { ...f, localSnapshotAlerts: [into, ...f.localSnapshotAlerts] } })).toEqual([
      "one alert as local snapshots move to the Region, one as they resume",
    ]);
    const same = "the weekly capacity report and `outpost-ops capacity` show the same numbers";
    expect(names({ ...c, weekly: [{ ...w, differences: ["factory: report 86 % | cli 85 %"] }] })).toEqual([
      same,
    ]);
    expect(
      names({ ...c, weekly: [{ ...w, cli: { ...(w.cli as NonNullable<typeof w.cli>), exitCode: 1 } }] }),
    ).toEqual([same]);
    // The schedule fired and the report did not run: the invariant is the script's, not the product's.
    expect(names({ ...c, weekly: [] })).toEqual([same]);
    const link = "the service link's alerts name the failover command and DR readiness";
    const [down, ...rest] = c.connected;
    if (!down) throw new Error("no service link alert");
    expect(names({ ...c, connected: [{ ...down, namesReadiness: false }, ...rest] })).toEqual([link]);
    // An outage with no link-down alert, or with two (one per drop), fails it too.
    const [first, ...others] = c.linkOutages;
    if (!first) throw new Error("no link outage");
    expect(names({ ...c, connected: [], linkOutages: [{ ...first, down: 0 }, ...others] })).toEqual([link]);
    expect(names({ ...c, linkOutages: [{ ...first, down: 2 }, ...others] })).toEqual([link]);
    expect(names({ ...c, unexplained: [down] })).toEqual(["every capacity alert has a cause in the script"]);
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
    const report = JSON.parse(stdout) as {
      ok: boolean;
      invariants: { ok: boolean }[];
      failover?: {
        ready?: { changes: number; dnsAfter: { site: string } };
        stale?: unknown;
        failback?: unknown;
      };
      capacity?: { squeeze?: unknown; fill?: unknown; weekly: unknown[]; connected: unknown[] };
    };
    expect(report.ok).toBe(true);
    expect(report.invariants.every((i) => i.ok)).toBe(true);
    // One day has no copy outage: the outage with DR ready and the failback, no stale scenario.
    expect(report.failover).toMatchObject({ ready: { changes: 1, dnsAfter: { site: "dr" } }, failback: {} });
    expect(report.failover?.stale).toBeUndefined();
    // One day holds neither the squeeze nor the fill nor a Monday; the link's alerts are there.
    expect(report.capacity).toMatchObject({ weekly: [] });
    expect(report.capacity?.squeeze).toBeUndefined();
    expect(report.capacity?.fill).toBeUndefined();
    expect(report.capacity?.connected.length).toBeGreaterThan(0);
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
