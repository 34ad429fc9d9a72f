/** The drill's report: what ran, what is kept per source and why, what was deleted, alerts as read. */
import { countReason, type ReasonCode, type ReasonCounts, reasonLabel } from "@outpost-ops/core/reasons";
import type { RetentionPlan } from "@outpost-ops/core/retention";
import type { EventEnvelope, SnsMessageView } from "@outpost-ops/sandbox";
import { countBy, table } from "../format.ts";
import type { CapacityReport } from "./capacity-report.ts";
import type { CopyReport } from "./copies.ts";
import type { FailoverReport } from "./failover-report.ts";
import type { InvariantResult } from "./invariants.ts";
import { renderCapacity } from "./report-capacity.ts";
import { renderFailover } from "./report-failover.ts";
import type { SimulationLog } from "./simulate.ts";

export interface DrillReport {
  ok: boolean;
  /** The primary Region, where the estate lives. */
  region: string;
  /** Every Region the app is deployed to (primary first, then DR). */
  regions: string[];
  /** What the drill did to the estate besides running the schedules, in the order it happened. */
  scenarios: string[];
  from: string;
  to: string;
  elapsedMs: number;
  log: SimulationLog;
  requests: number;
  totals: {
    created: number;
    deleted: number;
    skipped: ReasonCounts;
    retried: number;
    failed: number;
  };
  kept: {
    policy: string;
    schedule: string;
    source: string;
    count: number;
    /** Reason code → snapshots kept for it (a snapshot kept by two rules counts for both). */
    reasons: ReasonCounts;
  }[];
  retention: { deleted: number; skipped: ReasonCounts };
  alerts: { subject: string; message: string; attributes: Record<string, string> }[];
  /** The event stream as EventBridge received it: counts by detail-type and by reason code, one sample. */
  events: { total: number; byType: Record<string, number>; byCode: Record<string, number>; sample?: unknown };
  /** The DR copies (when a policy copies): recovery points, copies in flight, the outage's backlog. */
  copy?: CopyReport;
  /** DNS failover (when the config has `failover`): the scenarios, the failback, readiness. */
  failover?: FailoverReport;
  /** Outposts capacity (when the config has Outposts): alerts, the squeeze, the fill, the weekly report. */
  capacity?: CapacityReport;
  invariants: InvariantResult[];
}

export function keptByGroup(plan: RetentionPlan): DrillReport["kept"] {
  const groups = new Map<string, DrillReport["kept"][number]>();
  for (const d of plan.decisions) {
    if (d.action !== "keep") continue;
    const t = d.snapshot.tags;
    const policy = t["outpost-ops:policy"] ?? "?";
    const schedule = t["outpost-ops:schedule"] ?? "?";
    const key = `${policy}|${schedule}|${d.snapshot.sourceId}`;
    const g = groups.get(key) ?? { policy, schedule, source: d.snapshot.sourceId, count: 0, reasons: {} };
    g.count += 1;
    for (const code of d.codes) countReason(g.reasons, code);
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) =>
    `${a.policy}${a.schedule}${a.source}`.localeCompare(`${b.policy}${b.schedule}${b.source}`),
  );
}

export function alertsOf(messages: SnsMessageView[]): DrillReport["alerts"] {
  return messages.map((m) => ({
    subject: m.subject ?? "",
    message: m.message,
    attributes: Object.fromEntries(Object.entries(m.messageAttributes).map(([k, v]) => [k, v.value])),
  }));
}

export function eventsOf(events: EventEnvelope[]): DrillReport["events"] {
  const ours = events.filter((e) => e.source === "outpost-ops");
  const code = (e: EventEnvelope) => String((e.detail as { code?: string }).code ?? "?");
  const sample = ours.find((e) => e["detail-type"] === "Snapshot Created");
  return {
    total: ours.length,
    byType: countBy(ours, (e) => e["detail-type"]),
    byCode: countBy(ours, code),
    ...(sample ? { sample } : {}),
  };
}

export function renderReport(r: DrillReport): string {
  const out: string[] = [];
  out.push(
    `outpost-ops drill: ${r.from} to ${r.to} in ${r.regions.join(" and ")} (simulated), ${(r.elapsedMs / 1000).toFixed(1)} s, ${r.requests} AWS API requests to the sandbox`,
  );
  out.push("", "Scenarios:", ...r.scenarios.map((s) => `  - ${s}`));
  out.push("", "What ran:");
  out.push(
    table(
      ["region/function", "invocations"],
      Object.entries(r.log.invocations).map(([k, v]) => [k, v]),
    ),
  );
  out.push(`Scheduled events delivered twice (at-least-once delivery): ${r.log.duplicateDeliveries}`);
  out.push(
    `Work items processed: ${r.log.workerRecords}; returned to the queue for a later try: ${r.log.workerRetries}`,
  );
  out.push(
    "",
    `Snapshots: created ${r.totals.created}, retention deleted ${r.totals.deleted}, retried later ${r.totals.retried}, failed ${r.totals.failed}`,
  );
  out.push("", "Kept now, per source (reasons counted per snapshot):");
  out.push(
    table(
      ["policy", "schedule", "source", "kept", "why"],
      r.kept.map((k) => [
        k.policy,
        k.schedule,
        k.source,
        k.count,
        Object.entries(k.reasons)
          .map(([why, n]) => `${why} x${n}`)
          .join(", "),
      ]),
    ),
  );
  out.push("", "Retention left alone, and why:");
  const skipped = Object.entries(r.retention.skipped);
  out.push(
    skipped.length
      ? table(
          ["code", "reason", "snapshots"],
          skipped.map(([code, n]) => [code, reasonLabel(code as ReasonCode), n ?? 0]),
        )
      : "  nothing",
  );
  out.push("", `Alerts sent: ${r.alerts.length}`);
  // The capacity job's alerts are read in the capacity section; here their subjects.
  const capacity = r.capacity ? r.alerts.filter((a) => a.attributes.job === "capacity") : [];
  for (const a of r.alerts)
    if (!capacity.includes(a))
      out.push("", `  Subject: ${a.subject}`, ...a.message.split("\n").map((l) => `  | ${l}`));
  if (capacity.length > 0)
    out.push(
      "",
      `  The capacity job's ${capacity.length} alerts (read in full in the capacity section below):`,
      ...capacity.map((a) => `    ${a.subject}`),
    );
  out.push("", `Event stream (source outpost-ops, default bus): ${r.events.total} events`);
  if (r.events.total > 0) {
    out.push(
      table(
        ["detail-type", "events"],
        Object.entries(r.events.byType).map(([k, v]) => [k, v]),
      ),
    );
    out.push(
      `By reason code: ${Object.entries(r.events.byCode)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
    if (r.events.sample)
      out.push(
        "Example:",
        ...JSON.stringify(r.events.sample, null, 2)
          .split("\n")
          .map((l) => `  ${l}`),
      );
  }
  if (r.copy) out.push("", ...renderCopy(r.copy));
  if (r.failover) out.push("", ...renderFailover(r.failover));
  if (r.capacity) out.push("", ...renderCapacity(r.capacity));
  out.push("", ...renderRouting(r.log));
  out.push("", "Invariants:");
  for (const i of r.invariants) out.push(`  ${i.ok ? "PASS" : "FAIL"}  ${i.name}: ${i.detail}`);
  out.push("", r.ok ? "Drill passed." : "Drill FAILED: see the invariants above.");
  return out.join("\n");
}

export function countSkips(plan: RetentionPlan): ReasonCounts {
  const counts: ReasonCounts = {};
  for (const d of plan.decisions) if (d.action === "skip") countReason(counts, d.code);
  return counts;
}

/** A recovery point as a table cell: the time it holds, to the minute. */
function point(p?: { snapshotId: string; at: string }): string {
  return p ? p.at.slice(0, 16).replace("T", " ") : "-";
}

function renderCopy(c: CopyReport): string[] {
  const out: string[] = [];
  const peak = (s: "ebs" | "rds") =>
    `${s.toUpperCase()} ${c.peakInFlight[s].copies} ours, ${c.peakInFlightAll[s].copies} with other tools' (limit ${c.limits[s]})`;
  out.push(`DR copies into ${c.destination} (a copy takes ${c.copyMinutes} min here):`);
  out.push(
    `  started ${c.started}, completed ${c.completed}; most in flight at once: ${peak("ebs")}; ${peak("rds")}`,
  );
  if (c.outage) out.push(`  Copy outage ${c.outage.from} to ${c.outage.to} UTC: ${c.outage.how}`);
  if (c.backlog) {
    const b = c.backlog;
    out.push(
      `  Backlog when it ended: ${b.copies} copies (EBS ${b.byService.ebs}, RDS ${b.byService.rds}); ${
        b.drainedAt
          ? `the last reached ${c.destination} at ${b.drainedAt.slice(0, 16)}, ${b.drainMinutes} minutes later`
          : "not drained by the end"
      }`,
    );
  }
  out.push(`  Copy failure alerts: ${c.failureAlerts.length}`);
  for (const a of c.failureAlerts) out.push(`    ${a.subject}`);
  out.push(
    `  DR retention deleted ${c.retention.deleted} snapshots, ${c.retention.copies} of them our copies${
      c.retention.notOurs.length ? `; NOT OURS: ${c.retention.notOurs.join(", ")}` : ""
    }`,
  );
  out.push(
    `  The copy job's alarms: ${c.alarms.length} created; state changes seen: ${
      c.alarmChanges.length
        ? c.alarmChanges.map((a) => `${a.alarm} ${a.state} ${a.at.slice(0, 16)}`).join(", ")
        : "none (the sandbox sends them once it evaluates alarms)"
    }`,
  );
  if (c.duplicates.length > 0)
    out.push(
      `  FINDING: ${c.duplicates.length} source snapshots were copied more than once (${c.duplicates
        .slice(0, 3)
        .map((d) => `${d.source} x${d.copies.length}`)
        .join(
          ", ",
        )}${c.duplicates.length > 3 ? ", ..." : ""}): scheduler runs in quick succession did not see the copies the previous run had just started (EC2 lists a new copy a moment later)`,
    );
  out.push("", "Recovery points at the end, per protected resource (as `outpost-ops status` shows them):");
  out.push(
    table(
      ["policy", "resource", "on Outpost", "in Region", "in DR", "DR age", "RPO", "", "why"],
      c.recovery.map((x) => [
        x.policy,
        x.resource,
        point(x.local),
        point(x.regional),
        point(x.dr),
        x.drAge,
        x.rpo,
        x.withinRpo ? "ok" : "BEHIND",
        x.reason,
      ]),
    ),
  );
  return out;
}

function renderRouting(log: SimulationLog): string[] {
  const eb = log.eventBridge;
  const read = Object.entries(eb.read)
    .map(([region, n]) => `${n} on ${region}`)
    .join(", ");
  const forwarded = Object.values(eb.forwarded).reduce((a, b) => a + b, 0);
  return [
    `Event routing (EventBridge rules, as deployed): read ${read || "nothing"}; forwarded to the DR Region ${forwarded}`,
    table(
      ["region/rule", "deliveries"],
      [
        ...Object.entries(eb.forwarded).map(([k, v]): [string, number] => [`(forward) ${k}`, v]),
        ...Object.entries(eb.deliveries),
      ],
    ),
    `Deliveries to a queue sent twice (at-least-once): ${eb.duplicatesSent}; dropped by the FIFO queue's content-based de-duplication: ${eb.deduplicated}`,
  ];
}
