/**
 * What must hold after the drill, checked against the sandbox's state (AWS's truth), not against
 * what the product believes it did.
 */
import type { Config } from "@outpost-ops/core/config";
import { parseScheduleExpression } from "@outpost-ops/core/schedule/expression";
import type { Sandbox } from "@outpost-ops/sandbox";
import type { CopyReport } from "./copies.ts";
import type { DrillEstate } from "./estate.ts";
import type { FailoverReport } from "./failover-report.ts";

export interface InvariantResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** A source's snapshots as the sandbox holds them, whatever the kind. */
function snapshotsOf(sandbox: Sandbox, region: string) {
  const ebs = sandbox.state.snapshots(region).map((s) => ({
    id: s.snapshotId,
    source: s.volumeId,
    tags: s.tags,
    at: s.startTime,
    done: s.state === "completed",
  }));
  const rds = [...sandbox.state.dbSnapshots(region), ...sandbox.state.dbClusterSnapshots(region)].map(
    (s) => ({ id: s.id, source: s.sourceId, tags: s.tags, at: s.createdAt, done: s.status === "available" }),
  );
  return [...ebs, ...rds];
}

/** "used by an AMI; another team's snapshot x18": why each was kept, counted. */
function reasons(untouchable: Map<string, string>): string {
  const counts = new Map<string, number>();
  for (const why of untouchable.values()) counts.set(why, (counts.get(why) ?? 0) + 1);
  return [...counts].map(([why, n]) => (n > 1 ? `${why} x${n}` : why)).join("; ");
}

export function checkInvariants(input: {
  sandbox: Sandbox;
  config: Config;
  drill: DrillEstate;
  region: string;
  end: Date;
}): InvariantResult[] {
  const { sandbox, config, drill, region, end } = input;
  const results: InvariantResult[] = [];
  const snapshots = snapshotsOf(sandbox, region);
  const deleted = new Set(sandbox.state.deleted(region));

  // 1. Nothing we must not delete was deleted.
  const lost = [...drill.untouchable].filter(
    ([id]) => deleted.has(id) || !snapshots.some((s) => s.id === id),
  );
  results.push({
    name: "protected snapshots survive",
    ok: lost.length === 0,
    detail:
      lost.length === 0
        ? `${drill.untouchable.size} kept (${reasons(drill.untouchable)})`
        : `deleted: ${lost.map(([id, why]) => `${id} (${why})`).join(", ")}`,
  });

  // 2. Every protected resource has a completed snapshot newer than its most frequent schedule.
  const stale: string[] = [];
  for (const policy of config.policies) {
    const interval = Math.min(
      ...policy.schedules.map((s) => parseScheduleExpression(s.expression).intervalMs),
    );
    const slack = 30 * 60_000; // snapshot completion time plus EventBridge's lateness
    for (const source of drill.protectedSources.get(policy.name) ?? []) {
      const newest = snapshots
        .filter(
          (s) =>
            s.done &&
            s.tags["outpost-ops:policy"] === policy.name &&
            (s.source === source || s.tags["outpost-ops:source"] === source),
        )
        .reduce((max, s) => Math.max(max, s.at.getTime()), 0);
      if (end.getTime() - newest > interval + slack)
        stale.push(`${policy.name}/${source} (last ${newest ? new Date(newest).toISOString() : "never"})`);
    }
  }
  results.push({
    name: "every protected resource has a fresh snapshot",
    ok: stale.length === 0,
    detail: stale.length === 0 ? "all within their schedule interval" : stale.join(", "),
  });

  // 3. Duplicated or concurrent events never produced a second snapshot for one source and window.
  const seen = new Map<string, number>();
  for (const s of snapshots) {
    const window = s.tags["outpost-ops:window"];
    if (!window || !s.tags["outpost-ops:managed"]) continue;
    const key = `${s.tags["outpost-ops:policy"]}/${s.source}/${window}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const dupes = [...seen].filter(([, n]) => n > 1);
  results.push({
    name: "one snapshot per source and window",
    ok: dupes.length === 0,
    detail:
      dupes.length === 0
        ? `${seen.size} windows, no duplicates`
        : dupes
            .slice(0, 5)
            .map(([k, n]) => `${k} x${n}`)
            .join(", "),
  });

  // 4. Retention bounds what accumulates: no group holds more than its rules can keep.
  const over: string[] = [];
  for (const policy of config.policies) {
    for (const schedule of policy.schedules) {
      const r = schedule.retention;
      const tiers = Object.values(r.tiers ?? {}).reduce((a, b) => a + (b ?? 0), 0);
      const bound =
        r.keepLast === undefined && tiers === 0 ? Number.POSITIVE_INFINITY : (r.keepLast ?? 0) + tiers + 2;
      const groups = new Map<string, number>();
      for (const s of snapshots) {
        if (
          s.tags["outpost-ops:policy"] !== policy.name ||
          s.tags["outpost-ops:schedule"] !== schedule.name ||
          s.tags["outpost-ops:legal-hold"]
        )
          continue;
        if (drill.untouchable.has(s.id)) continue;
        groups.set(s.source, (groups.get(s.source) ?? 0) + 1);
      }
      for (const [source, n] of groups)
        if (n > bound) over.push(`${policy.name}/${schedule.name}/${source}: ${n} > ${bound}`);
    }
  }
  results.push({
    name: "retention keeps what it promises",
    ok: over.length === 0,
    detail: over.length === 0 ? "every group within keepLast + tiers" : over.join(", "),
  });
  return results;
}

/**
 * The event stream is complete: every snapshot the drill's handlers created has a "Snapshot Created"
 * event and every one retention deleted a "Snapshot Deleted" event, on the Region's default bus, as
 * the sandbox received them through PutEvents.
 */
export function checkEventStream(input: {
  sandbox: Sandbox;
  drill: DrillEstate;
  region: string;
}): InvariantResult {
  const { sandbox, drill, region } = input;
  const events = sandbox.state.events(region);
  const ids = (type: string) =>
    new Set(
      events
        .filter((e) => e["detail-type"] === type && e.source === "outpost-ops")
        .flatMap((e) => (e.detail as { snapshotIds?: string[] }).snapshotIds ?? []),
    );
  const createdEvents = ids("Snapshot Created");
  const deletedEvents = ids("Snapshot Deleted");
  const seeded = new Set(drill.untouchable.keys());
  const created = [
    ...sandbox.state.snapshots(region).map((s) => s.snapshotId),
    ...sandbox.state.dbSnapshots(region).map((s) => s.id),
    ...sandbox.state.dbClusterSnapshots(region).map((s) => s.id),
    ...sandbox.state.deleted(region),
  ].filter((id) => !seeded.has(id));
  const noCreate = created.filter((id) => !createdEvents.has(id));
  const noDelete = sandbox.state.deleted(region).filter((id) => !deletedEvents.has(id));
  const ok = noCreate.length === 0 && noDelete.length === 0 && created.length > 0;
  return {
    name: "the event stream records every create and delete",
    ok,
    detail: ok
      ? `${events.length} events; every one of ${created.length} snapshots created and ${deletedEvents.size} deleted has its event`
      : `no Snapshot Created event for ${noCreate.slice(0, 5).join(", ") || "-"}; no Snapshot Deleted event for ${noDelete.slice(0, 5).join(", ") || "-"}`,
  };
}

/**
 * What must hold of the DR copies (the drill's copy report, itself read from the sandbox): every
 * protected resource of a copy policy has a DR copy within its RPO at the end; AWS's copy limits
 * were never exceeded; no copy failed for good (the outage is a wait, not a failure); DR retention
 * deleted only copies outpost-ops made; every copy and DR deletion is on the DR Region's event
 * stream; and the outage's backlog drained.
 * @example checkCopyInvariants(report.copy).filter((i) => !i.ok)
 */
export function checkCopyInvariants(copy: CopyReport): InvariantResult[] {
  const results: InvariantResult[] = [];
  const rows = new Map(copy.recovery.map((r) => [`${r.policy}/${r.resource}`, r]));
  const behind = copy.expected.flatMap((key) => {
    const row = rows.get(key);
    if (!row) return [`${key}: not a protected resource of its policy`];
    return row.withinRpo ? [] : [`${key}: ${row.reason}`];
  });
  results.push({
    name: "every protected resource has a DR copy within its RPO",
    ok: behind.length === 0 && copy.expected.length > 0,
    detail:
      behind.length === 0
        ? `${copy.expected.length} resources; oldest DR point ${oldest(copy)}`
        : behind.slice(0, 5).join("; "),
  });

  const over = (["ebs", "rds"] as const).filter(
    (s) => copy.peakInFlight[s].copies > copy.limits[s] || copy.peakInFlightAll[s].copies > copy.limits[s],
  );
  results.push({
    name: "copies in flight stay within AWS's limit",
    ok: over.length === 0,
    detail: (["ebs", "rds"] as const)
      .map(
        (s) =>
          `${s.toUpperCase()} peak ${copy.peakInFlight[s].copies} ours, ${copy.peakInFlightAll[s].copies} with other tools', of ${copy.limits[s]}`,
      )
      .join("; "),
  });

  results.push({
    name: "no copy failed for good",
    ok: copy.failureAlerts.length === 0,
    detail:
      copy.failureAlerts.length === 0
        ? "no copy failure alert: the outage was waited out"
        : copy.failureAlerts.map((a) => a.subject).join("; "),
  });

  const { retention } = copy;
  results.push({
    name: "DR retention deletes only copies outpost-ops made",
    ok:
      retention.notOurs.length === 0 && retention.lost.length === 0 && retention.copies === retention.deleted,
    detail:
      retention.notOurs.length === 0 && retention.lost.length === 0
        ? `${retention.deleted} deleted, all our copies; kept what is not ours`
        : `deleted without our tags: ${retention.notOurs.slice(0, 5).join(", ") || "-"}; lost: ${retention.lost.join(", ") || "-"}`,
  });

  const missing = copy.missingEvents;
  results.push({
    name: "every DR copy and deletion has its event",
    ok: missing.started.length === 0 && missing.deleted.length === 0 && copy.started > 0,
    detail:
      missing.started.length === 0 && missing.deleted.length === 0
        ? `${copy.started} "Snapshot Copy Started" and ${retention.deleted} "Snapshot Deleted" events on the ${copy.destination} bus`
        : `no Snapshot Copy Started event for ${missing.started.slice(0, 5).join(", ") || "-"}; no Snapshot Deleted event for ${missing.deleted.slice(0, 5).join(", ") || "-"}`,
  });

  if (copy.backlog)
    results.push({
      name: "the copy backlog drains after the outage",
      ok: copy.backlog.drainedAt !== undefined,
      detail: copy.backlog.drainedAt
        ? `${copy.backlog.copies} copies waiting at ${copy.backlog.at.slice(0, 16)}, all in ${copy.destination} ${copy.backlog.drainMinutes} minutes later`
        : `${copy.backlog.copies} copies waiting at ${copy.backlog.at.slice(0, 16)}, not all copied by the end`,
    });
  return results;
}

function oldest(copy: CopyReport): string {
  const worst = copy.recovery.reduce<CopyReport["recovery"][number] | undefined>(
    (a, r) => (!a || (r.dr?.at ?? "") < (a.dr?.at ?? "") ? r : a),
    undefined,
  );
  return worst ? `${worst.drAge} old (${worst.policy}/${worst.resource}, RPO ${worst.rpo})` : "-";
}

const seconds = (ms: number | undefined) => (ms === undefined ? "?" : `${(ms / 1000).toFixed(1)} s`);

/** What the tool's own time (event received to change submitted) must stay under, on the wall clock. */
export const TOOL_TIME_LIMIT_MS = 1_000;

/**
 * What must hold of the failover phase (its report, read from the sandbox's Route 53 and alert
 * topic and measured around the handlers): one DNS change for an outage however the alarm flaps, in
 * under a second of the tool's own time, DNS on DR after it and back on exactly the configured
 * primary records after the failback by command; stale DR data refused with its reasons, nothing
 * changed, and the readiness check's "not ready" alert before that refusal. A scenario the span did
 * not play has no invariants.
 * @example checkFailoverInvariants(report.failover).filter((i) => !i.ok)
 */
export function checkFailoverInvariants(f: FailoverReport): InvariantResult[] {
  const results: InvariantResult[] = [];
  const broken = f.runs.filter((r) => r.outcome === "failed" || r.outcome === "error");
  if (f.ready || f.stale)
    results.push({
      name: "no failover run failed",
      ok: broken.length === 0 && f.runs.length > 0,
      detail:
        broken.length === 0
          ? `${f.runs.length} runs of the failover function`
          : broken.map((r) => `${r.at.slice(0, 16)} ${r.outcome}`).join(", "),
    });

  const { ready } = f;
  if (ready) {
    const changed = ready.runs.filter((r) => r.changes > 0 || r.outcome === "changed");
    const nothing = ready.runs.filter((r) => r.outcome === "nothing-to-do").length;
    results.push({
      name: "an outage fails DNS over exactly once while the alarm flaps",
      ok:
        ready.changes === 1 &&
        changed.length === 1 &&
        ready.alarmChanges.alarm >= 2 &&
        ready.dnsBefore?.site === "primary",
      detail: `${ready.alarmChanges.alarm} ALARMs, ${ready.runs.length} runs (${changed.length} changed, ${nothing} nothing to do); Route 53 accepted ${ready.changes} change(s); DNS before: ${ready.dnsBefore?.site ?? "?"}`,
    });
    results.push({
      name: "DNS points at the DR site after the outage",
      ok: ready.dnsAfter?.site === "dr",
      detail: (ready.dnsAfter?.records ?? []).map((r) => `${r.label} ${r.site}`).join(", ") || "not read",
    });
    const tool = ready.failover?.toolWallMs;
    results.push({
      name: "the tool's own time, event to change submitted, is under 1 s",
      ok: tool !== undefined && tool < TOOL_TIME_LIMIT_MS,
      detail:
        tool === undefined
          ? "no change was submitted"
          : `${tool.toFixed(0)} ms on the wall clock (sandbox clock ${ready.failover?.toolSandboxMs ?? "?"} ms); RTO alarm to INSYNC ${seconds(ready.failover?.rtoMs)}`,
    });
  }

  const back = f.failback;
  if (back)
    results.push({
      name: "failback by command restores exactly the configured primary records",
      ok:
        back.exitCode === 0 &&
        back.result?.outcome === "changed" &&
        back.changes === 1 &&
        back.dnsAfter.site === "primary" &&
        back.differences.length === 0,
      detail:
        back.differences.length === 0 && back.exitCode === 0
          ? `exit ${back.exitCode}, ${back.result?.outcome}, ${back.changes} change; every record set as created`
          : `exit ${back.exitCode} ${back.error ?? ""}; ${back.changes} change(s); ${back.differences.join("; ") || `DNS ${back.dnsAfter.site}`}`,
    });

  const { stale } = f;
  if (stale) {
    const refusal = stale.refusal;
    const unchanged =
      stale.changes === 0 &&
      stale.dnsBefore?.site === "primary" &&
      JSON.stringify(stale.dnsAfter) === JSON.stringify(stale.dnsBefore);
    results.push({
      name: "stale DR data: failover refused with its reasons, nothing changed",
      ok:
        refusal?.outcome === "refused" &&
        refusal.code === "dr-behind-rpo" &&
        refusal.reasons.length > 0 &&
        refusal.alert?.namesReasons === true &&
        stale.runs.every((r) => r.outcome === "refused") &&
        unchanged,
      detail: refusal
        ? `${refusal.outcome} (${refusal.code ?? "-"}): ${refusal.reasons.length} failed check(s); alert ${refusal.alert ? (refusal.alert.namesReasons ? "names them" : "DOES NOT name them") : "MISSING"}; Route 53 accepted ${stale.changes} change(s)${unchanged ? "" : "; DNS CHANGED"}`
        : "the failover function did not run",
    });
    const before = stale.readinessBefore;
    results.push({
      name: "readiness drift is alerted before it matters",
      ok: before?.change === "lost" && refusal !== undefined && before.at < refusal.at,
      detail: before
        ? `last readiness alert before the refusal: ${before.change} at ${before.at.slice(0, 16)}`
        : "no readiness alert before the refusal",
    });
  }
  return results;
}
