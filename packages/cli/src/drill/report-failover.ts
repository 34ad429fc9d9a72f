/** The drill report's failover section as text (report.ts prints it; `--json` has the same data). */
import { timelineLines } from "@outpost-ops/core/jobs/failover-summary";
import type { DnsView } from "./failover-dns.ts";
import type { FailoverReport, ReadyScenario, StaleScenario } from "./failover-report.ts";

const minute = (iso: string) => iso.slice(0, 16).replace("T", " ");
const seconds = (ms: number | undefined) => (ms === undefined ? "?" : `${(ms / 1000).toFixed(1)} s`);
const dns = (v: DnsView | undefined) =>
  v ? `${v.site} (${v.records.map((r) => `${r.label} → ${r.target}`).join("; ")})` : "not read";

function timeline(t: NonNullable<ReadyScenario["failover"]>["timeline"]): string[] {
  const at = (s: string | undefined) => (s ? new Date(s) : undefined);
  const receivedAt = new Date(t.receivedAt);
  return timelineLines({
    receivedAt,
    decidedAt: new Date(t.decidedAt),
    ...(t.alarmAt ? { alarmAt: at(t.alarmAt) as Date } : {}),
    ...(t.submittedAt ? { submittedAt: at(t.submittedAt) as Date } : {}),
    ...(t.inSyncAt ? { inSyncAt: at(t.inSyncAt) as Date } : {}),
  }).map((l) => `      ${l.trim()}`);
}

function outcomes(counts: Record<string, number>): string {
  return (
    Object.entries(counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ") || "none"
  );
}

function renderStale(s: StaleScenario): string[] {
  const out = [`  ${s.title}:`, `    ${s.link}`];
  out.push(
    `    trigger alarm: ${s.alarmChanges.alarm} ALARM, ${s.alarmChanges.ok} OK; failover function runs: ${s.runs.length}`,
  );
  const r = s.refusal;
  if (r) {
    out.push(`    ${r.outcome} (${r.code ?? "-"}) at ${minute(r.at)}, the failed checks:`);
    for (const reason of r.reasons) out.push(`      - ${reason}`);
    out.push(
      r.alert
        ? `    alert at ${minute(r.alert.at)}: ${r.alert.subject}${r.alert.namesReasons ? "" : " (does NOT name the failed checks)"}`
        : "    no refusal alert",
    );
  }
  out.push(
    s.readinessBefore
      ? `    the readiness check had alerted before: ${s.readinessBefore.change} at ${minute(s.readinessBefore.at)} (${s.readinessBefore.subject})`
      : "    the readiness check had not alerted before the refusal",
  );
  out.push(
    `    Route 53 changes: ${s.changes}; DNS before: ${dns(s.dnsBefore)}`,
    `    DNS after: ${dns(s.dnsAfter)}`,
  );
  return out;
}

function renderReady(s: ReadyScenario): string[] {
  const out = [`  ${s.title}:`, `    ${s.link}`];
  out.push(
    `    trigger alarm: ${s.alarmChanges.alarm} ALARM, ${s.alarmChanges.ok} OK; failover function runs: ${s.runs.length} (${outcomes(s.outcomes)})`,
    `    Route 53 changes: ${s.changes}; DNS before: ${dns(s.dnsBefore)}`,
    `    DNS after: ${dns(s.dnsAfter)}`,
  );
  const f = s.failover;
  if (f) {
    out.push("    Timeline of the failover (sandbox time):", ...timeline(f.timeline));
    out.push(
      `    RTO, alarm to INSYNC: ${seconds(f.rtoMs)}; the tool's own time, event received to change submitted: ${f.toolWallMs?.toFixed(0) ?? "?"} ms on the wall clock (sandbox clock: ${f.toolSandboxMs ?? "?"} ms, it stands still while a handler computes)`,
    );
  }
  if (s.recovery.length > 0) {
    out.push("    RPO achieved, each copy policy's oldest DR recovery point at the failover:");
    for (const p of s.recovery)
      out.push(`      ${p.policy}: ${p.oldestDrAge} old (RPO ${p.rpo}) ${p.withinRpo ? "ok" : "BEHIND"}`);
  }
  return out;
}

export function renderFailover(f: FailoverReport): string[] {
  const alarms = f.alarms.map((a) => `${a.name} (${a.region}, ConnectedStatus of ${a.outpost})`).join(", ");
  const out = [
    `DNS failover: zone ${f.zone.name} (${f.zone.id}); records ${f.records.join(", ")}; trigger alarm ${alarms || "none"}`,
    `  Trigger ALARMs forwarded to the DR Region: ${f.routing.forwarded}; delivered to the failover function: ${f.routing.delivered}`,
  ];
  // In the order they happen.
  if (f.stale) out.push(...renderStale(f.stale));
  if (f.ready) out.push(...renderReady(f.ready));
  const b = f.failback;
  if (b) {
    out.push(
      `  Failback by command at ${minute(b.at)}: ${b.command}`,
      `    exit ${b.exitCode}, ${b.result?.outcome ?? b.error ?? "?"}; requested by ${b.requestedBy}; Route 53 changes: ${b.changes}`,
      `    DNS after: ${dns(b.dnsAfter)}; ${b.differences.length === 0 ? "every record set exactly as created" : `differs: ${b.differences.join("; ")}`}`,
    );
    if (b.result) out.push("    Timeline (sandbox time):", ...timeline(b.result.timeline));
  }
  out.push(
    `  Readiness check: ${f.readiness.checks} runs, ${f.readiness.notReady} not ready; alerts: ${
      f.readiness.alerts.map((a) => `${a.change} ${minute(a.at)}`).join(", ") || "none"
    }`,
    `  Route 53 accepted ${f.changes.length} change(s) for the zone: ${
      f.changes.map((c) => `${minute(c.at)} ${c.comment ?? c.id}`).join("; ") || "none"
    }`,
    "  Measured:",
    ...f.measured.map((m) => `    - ${m}`),
  );
  return out;
}
