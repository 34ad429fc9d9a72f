/**
 * The report's failover section: per scenario, what the link did, what the trigger alarm did, what
 * the failover function answered and how long it took, what Route 53 accepted and where DNS pointed
 * before and after; the failback; the readiness check's alerts. Built from the phase's records
 * (failover.ts), the EventBridge log and the sandbox's state.
 */
import type { SnsMessageView } from "@outpost-ops/sandbox";
import type { FailbackRecord, FailoverPhase, FailoverRunRecord, PolicyRecovery } from "./failover.ts";
import type { DnsView } from "./failover-dns.ts";
import { describeOutage, type LinkOutage } from "./failover-script.ts";

interface ScenarioBase {
  title: string;
  link: string;
  from: string;
  to: string;
  /** The trigger alarm's state changes in the window, as CloudWatch sent them. */
  alarmChanges: { alarm: number; ok: number };
  /** The failover function's runs on trigger alarms in the window. */
  runs: FailoverRunRecord[];
  /** Change batches Route 53 accepted for the zone in the window. */
  changes: number;
  dnsBefore?: DnsView;
  dnsAfter?: DnsView;
}

export interface ReadyScenario extends ScenarioBase {
  /** The run that changed DNS (the first, if a second did too). */
  failover?: {
    at: string;
    timeline: NonNullable<FailoverRunRecord["timeline"]>;
    /** Alarm to INSYNC, sandbox time: what users wait for. */
    rtoMs?: number;
    /** Event received to change submitted, sandbox time (it stands still while a handler computes). */
    toolSandboxMs?: number;
    /** The same on the wall clock, measured around the handler: the tool's own time. */
    toolWallMs?: number;
  };
  /** Each copy policy's DR recovery points at the failover: the RPO achieved. */
  recovery: PolicyRecovery[];
  outcomes: Record<string, number>;
}

export interface StaleScenario extends ScenarioBase {
  refusal?: {
    at: string;
    outcome: string;
    code?: string;
    reasons: string[];
    /** The refusal's alert, and whether it names every failed check's detail. */
    alert?: { at: string; subject: string; namesReasons: boolean };
  };
  /** The readiness check's last alert before the refusal. */
  readinessBefore?: { at: string; change: "lost" | "regained"; subject: string };
}

export interface FailoverReport {
  zone: { id: string; name: string };
  records: string[];
  alarms: { name: string; region: string; outpost: string }[];
  /** What is measured how (wall clock, sandbox clock). */
  measured: string[];
  /** Scenario 1: DR ready. */
  ready?: ReadyScenario;
  /** Scenario 2: DR data stale. */
  stale?: StaleScenario;
  failback?: FailbackRecord;
  readiness: {
    checks: number;
    notReady: number;
    alerts: { at: string; change: "lost" | "regained"; subject: string }[];
  };
  /** The trigger alarm's ALARMs forwarded to the DR Region, and deliveries to the failover function. */
  routing: { forwarded: number; delivered: number };
  /** Every change batch Route 53 accepted for the zone. */
  changes: { id: string; at: string; comment?: string }[];
  runs: FailoverRunRecord[];
}

const iso = (d: Date) => d.toISOString();
const within = (at: string, from: Date, to: Date) => at >= iso(from) && at < iso(to);

function readinessAlerts(messages: SnsMessageView[]): FailoverReport["readiness"]["alerts"] {
  return messages.flatMap((m) => {
    const subject = m.subject ?? "";
    const change = subject.includes("Failover not ready")
      ? ("lost" as const)
      : subject.includes("Failover is ready again")
        ? ("regained" as const)
        : undefined;
    return change ? [{ at: iso(m.at), change, subject }] : [];
  });
}

export function failoverReport(input: {
  phase: FailoverPhase;
  /** Every "CloudWatch Alarm State Change" the drill's EventBridge saw. */
  alarmChanges: { region: string; alarm: string; state: string; at: string }[];
  forwarded: number;
  delivered: number;
  /** The DR Region's alert topic, all of it. */
  drMessages: SnsMessageView[];
  changes: { id: string; submittedAt: Date; comment?: string }[];
  recordLabels: string[];
}): FailoverReport {
  const { phase } = input;
  const { estate, script } = phase;
  const failoverAlerts = input.drMessages.filter((m) => m.messageAttributes.job?.value === "failover");
  const readiness = readinessAlerts(failoverAlerts);
  const names = new Set(estate.alarms.map((a) => `${a.region} ${a.name}`));

  const base = (o: LinkOutage, title: string, to: Date): ScenarioBase => {
    const changes = input.alarmChanges.filter(
      (c) => names.has(`${c.region} ${c.alarm}`) && within(c.at, o.dropAt, to),
    );
    const dnsBefore = phase.dns.get(o.dropAt.getTime());
    const dnsAfter = phase.dns.get(o.restoredAt.getTime());
    return {
      title,
      link: describeOutage(o),
      from: iso(o.dropAt),
      to: iso(to),
      alarmChanges: {
        alarm: changes.filter((c) => c.state === "ALARM").length,
        ok: changes.filter((c) => c.state === "OK").length,
      },
      runs: phase.runs.filter((r) => r.by === "alarm" && within(r.at, o.dropAt, to)),
      changes: input.changes.filter((c) => within(iso(c.submittedAt), o.dropAt, to)).length,
      ...(dnsBefore ? { dnsBefore } : {}),
      ...(dnsAfter ? { dnsAfter } : {}),
    };
  };

  let ready: ReadyScenario | undefined;
  if (script.ready) {
    const b = base(
      script.ready,
      "Scenario 1: the factory's service link drops with DR ready, then flaps for an hour",
      script.ready.failbackAt,
    );
    const changed = b.runs.find((r) => r.outcome === "changed");
    const t = changed?.timeline;
    const span = (from?: string, to?: string) => (from && to ? Date.parse(to) - Date.parse(from) : undefined);
    const outcomes: Record<string, number> = {};
    for (const r of b.runs) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    const rtoMs = span(t?.alarmAt, t?.inSyncAt);
    const toolSandboxMs = span(t?.receivedAt, t?.submittedAt);
    ready = {
      ...b,
      ...(changed && t
        ? {
            failover: {
              at: changed.at,
              timeline: t,
              ...(rtoMs !== undefined ? { rtoMs } : {}),
              ...(toolSandboxMs !== undefined ? { toolSandboxMs } : {}),
              ...(changed.toolWallMs !== undefined ? { toolWallMs: changed.toolWallMs } : {}),
            },
          }
        : {}),
      recovery: changed?.recovery ?? b.runs.find((r) => r.recovery)?.recovery ?? [],
      outcomes,
    };
  }

  let stale: StaleScenario | undefined;
  if (script.stale) {
    const to = new Date(script.stale.restoredAt.getTime() + 5 * 60_000);
    const b = base(
      script.stale,
      "Scenario 2: the service link drops while the DR copies are past their RPO (just after the copy outage)",
      to,
    );
    const first = b.runs[0];
    const reasons = first?.failed ?? [];
    const alert = first
      ? failoverAlerts.find(
          (m) => iso(m.at) >= first.at && iso(m.at) < iso(to) && /refused/.test(m.subject ?? ""),
        )
      : undefined;
    const before = first ? readiness.filter((a) => a.at < first.at).at(-1) : undefined;
    stale = {
      ...b,
      ...(first
        ? {
            refusal: {
              at: first.at,
              outcome: first.outcome,
              ...(first.code ? { code: first.code } : {}),
              reasons,
              ...(alert
                ? {
                    alert: {
                      at: iso(alert.at),
                      subject: alert.subject ?? "",
                      // Each reason is "code: detail"; the alert lists the details.
                      namesReasons: reasons.every((r) =>
                        alert.message.includes(r.slice(r.indexOf(": ") + 2)),
                      ),
                    },
                  }
                : {}),
            },
          }
        : {}),
      ...(before ? { readinessBefore: before } : {}),
    };
  }

  return {
    zone: { id: estate.zone.id, name: estate.zone.name },
    records: input.recordLabels,
    alarms: estate.alarms.map((a) => ({
      name: a.name,
      region: a.region,
      outpost: `${a.outpostName} (${a.outpostId})`,
    })),
    measured: [
      "DNS changes: the change batches the sandbox's Route 53 accepted for the zone; where DNS points: its records",
      "timeline and RTO: sandbox time, as the function reports them (Route 53 is INSYNC a fixed time after a change here)",
      "the tool's own time (event received to change submitted): wall clock around the failover handler, to Route 53 accepting the change (the sandbox clock stands still while a handler computes)",
      "RPO achieved: each copy policy's oldest DR recovery point when the run started, read from the copies as `outpost-ops status` reads them",
    ],
    ...(ready ? { ready } : {}),
    ...(stale ? { stale } : {}),
    ...(phase.failback ? { failback: phase.failback } : {}),
    readiness: {
      checks: phase.readiness.length,
      notReady: phase.readiness.filter((r) => !r.ready).length,
      alerts: readiness,
    },
    routing: { forwarded: input.forwarded, delivered: input.delivered },
    changes: input.changes.map((c) => ({
      id: c.id,
      at: iso(c.submittedAt),
      ...(c.comment ? { comment: c.comment } : {}),
    })),
    runs: phase.runs,
  };
}
