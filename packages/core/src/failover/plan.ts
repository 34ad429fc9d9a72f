/**
 * The failover planner: from what Route 53 and the DR Region's gauges say now, the preflight item by
 * item and, when it passes (or is forced), the one change batch that moves DNS to the target site.
 * Pure: the job (jobs/failover.ts) reads, plans, applies.
 *
 * The batch cannot double-apply: each record is replaced by a DELETE of its exact current value and
 * a CREATE of the new one, and the state record likewise, in one batch, which Route 53 applies
 * atomically or not at all. Two runs racing on the same state both plan the same DELETEs; the first
 * batch applies, the second is refused (InvalidChangeBatch) because the values it deletes are gone,
 * and a re-read finds DNS already on the target site.
 */
import type { FailoverConfig, FailoverRecord } from "../config/index.ts";
import type { ReasonCode } from "../reasons.ts";
import { parseDuration } from "../time.ts";
import type { PolicyReadiness } from "./readiness.ts";
import {
  changedSetOf,
  describeTarget,
  type RecordChange,
  type RecordSet,
  recordFor,
  recordLabel,
  type Site,
  sameRecord,
  secondaryFor,
  siteOf,
} from "./records.ts";
import { type FailoverState, parseState, stateRecord, stateRecordName } from "./state.ts";

/** What started a run. */
export type Trigger =
  | { kind: "alarm"; alarm: string; alarmAt: Date; region: string }
  | { kind: "manual"; by: string }
  /** The classic DR Lambda's event (`hosted_zone_id`, `domain_name`, `dr_ip`). */
  | { kind: "classic"; by: string };

export const triggerLabel = (t: Trigger) => (t.kind === "alarm" ? `alarm:${t.alarm}` : `${t.kind}:${t.by}`);

export type CheckName =
  | "zone"
  | "state"
  | "records"
  | "recovery-points"
  | "health"
  | "permissions"
  | "cooldown";

export interface PreflightItem {
  check: CheckName;
  ok: boolean;
  code: ReasonCode;
  detail: string;
  /** A failed item `--force` may override (stale data, drift, a failing health check); never a missing zone or permission. */
  forceable?: true;
}

export interface RecordMove {
  label: string;
  /** Where it points now. */
  site: Site | "drifted" | "missing";
  current?: RecordSet;
  target: RecordSet;
}

export interface FailoverPlan {
  /** The site DNS is to point at: `dr` (failover) or `primary` (failback). */
  target: Site;
  decision: "change" | "nothing-to-do" | "refused";
  /** The decision's reason: the first failed check, `already-on-site`, or `failover-ready`. */
  code: ReasonCode;
  items: PreflightItem[];
  moves: RecordMove[];
  changes: RecordChange[];
  /** The state record before the change (undefined: none, or not ours). */
  state?: FailoverState;
  /** The state the change writes. */
  next: FailoverState;
  /** The preflight failed and `force` overrode it. */
  forced: boolean;
}

export interface FailoverInput {
  failover: FailoverConfig;
  target: Site;
  trigger: Trigger;
  reason: string;
  /** This run's id, written into the state record: the run can tell its own applied batch from another's. */
  runId?: string;
  force: boolean;
  now: Date;
  /** The resolved zone, or why it could not be. */
  zone: { id: string; name: string } | { problem: string };
  /** The zone's record sets of the configured names and the state record's. */
  current: readonly RecordSet[];
  /** Failover only: per copy policy in scope (empty: none copies; DR data is not checked). */
  readiness: readonly PolicyReadiness[];
  /** The target site's health checks. */
  health: readonly { id: string; healthy: boolean; detail: string }[];
  /** Whether the role may change the zone's records (a change batch that cannot apply, sent as a probe). */
  permission: { ok: boolean; detail: string };
}

const ok = (check: CheckName, detail: string): PreflightItem => ({
  check,
  ok: true,
  code: "failover-ready",
  detail,
});
const fail = (check: CheckName, code: ReasonCode, detail: string, forceable = false): PreflightItem => ({
  check,
  ok: false,
  code,
  detail,
  ...(forceable ? { forceable: true as const } : {}),
});

function moveOf(record: FailoverRecord, current: readonly RecordSet[], target: Site): RecordMove {
  const set = changedSetOf(record, current);
  return {
    label: recordLabel(recordFor(record, target)),
    site: siteOf(record, set),
    ...(set ? { current: set } : {}),
    target: recordFor(record, target),
  };
}

function recordItems(
  failover: FailoverConfig,
  moves: RecordMove[],
  current: readonly RecordSet[],
): PreflightItem {
  const problems: string[] = [];
  let forceable = true;
  moves.forEach((m) => {
    if (m.site === "missing") {
      forceable = false;
      problems.push(`${m.label} does not exist: create it as configured (${describeTarget(m.target)})`);
    } else if (m.site === "drifted")
      problems.push(`${m.label} points at ${describeTarget(m.current)}, neither site as configured`);
  });
  for (const record of failover.records) {
    const secondary = secondaryFor(record);
    if (!secondary) continue;
    const found = current.find(
      (s) =>
        s.name === secondary.name && s.type === secondary.type && s.setIdentifier === secondary.setIdentifier,
    );
    if (!found || !sameRecord(found, secondary))
      problems.push(
        `the SECONDARY ${recordLabel(secondary)} ${found ? `points at ${describeTarget(found)}` : "does not exist"}: Route 53 cannot fail over by itself; expected ${describeTarget(secondary)}`,
      );
  }
  if (problems.length === 0) return ok("records", `${moves.length} record(s) exist as configured`);
  const missing = moves.some((m) => m.site === "missing");
  return fail("records", missing ? "record-missing" : "record-drifted", problems.join("; "), forceable);
}

/**
 * @example const plan = planFailover({ failover, target: "dr", trigger, reason, force: false, now, zone, current, readiness, health, permission })
 */
export function planFailover(input: FailoverInput): FailoverPlan {
  const { failover, target, now } = input;
  const stateSet =
    "id" in input.zone
      ? input.current.find(
          (s) => s.name === stateRecordName((input.zone as { name: string }).name) && s.type === "TXT",
        )
      : undefined;
  const state = parseState(stateSet);
  const next: FailoverState = {
    site: target,
    at: now,
    by: triggerLabel(input.trigger),
    reason: input.reason,
    forced: false,
    ...(input.runId ? { run: input.runId } : {}),
  };
  const base = { target, next, ...(state ? { state } : {}) };
  if (!("id" in input.zone)) {
    const items = [fail("zone", "zone-not-found", input.zone.problem)];
    return {
      ...base,
      decision: "refused",
      code: "zone-not-found",
      items,
      moves: [],
      changes: [],
      forced: false,
    };
  }
  const zone = input.zone;
  const items: PreflightItem[] = [ok("zone", `hosted zone ${zone.name} (${zone.id})`)];

  // An alarm's state change from before the last DNS change (a retried or delayed delivery, after a
  // failback say) is not a reason to move DNS now: a new outage sends a new state change.
  if (input.trigger.kind === "alarm" && state && input.trigger.alarmAt.getTime() < state.at.getTime()) {
    items.push({
      check: "state",
      ok: true,
      code: "stale-trigger",
      detail: `the alarm went to ALARM at ${input.trigger.alarmAt.toISOString()}, before the last change (${state.at.toISOString()}, by ${state.by}): a late delivery, ignored`,
    });
    return {
      ...base,
      decision: "nothing-to-do",
      code: "stale-trigger",
      items,
      moves: [],
      changes: [],
      forced: false,
    };
  }
  const moves = failover.records.map((r) => moveOf(r, input.current, target));
  const toMove = moves.filter((m) => m.site !== target);
  if (toMove.length === 0) {
    items.push({
      check: "state",
      ok: true,
      code: "already-on-site",
      detail: `every record already points at the ${target === "dr" ? "DR" : "primary"} site${state ? ` (since ${state.at.toISOString()}, by ${state.by})` : ""}: nothing to do`,
    });
    return {
      ...base,
      decision: "nothing-to-do",
      code: "already-on-site",
      items,
      moves,
      changes: [],
      forced: false,
    };
  }
  items.push(
    ok(
      "state",
      `${toMove.length} of ${moves.length} record(s) to move to the ${target === "dr" ? "DR" : "primary"} site${state ? `; last change ${state.at.toISOString()} by ${state.by}` : ""}`,
    ),
  );
  items.push(recordItems(failover, moves, input.current));

  if (target === "dr") {
    const behind = input.readiness.filter((r) => !r.ready);
    items.push(
      input.readiness.length === 0
        ? ok("recovery-points", "no copy policy in scope: DR data is not checked")
        : behind.length === 0
          ? ok("recovery-points", input.readiness.map((r) => r.detail).join("; "))
          : fail(
              "recovery-points",
              behind.some((r) => r.code === "dr-behind-rpo") ? "dr-behind-rpo" : "dr-recovery-unknown",
              behind.map((r) => r.detail).join("; "),
              true,
            ),
    );
  }
  const sick = input.health.filter((h) => !h.healthy);
  items.push(
    input.health.length === 0
      ? ok("health", `no health check configured for the ${target === "dr" ? "DR" : "primary"} target`)
      : sick.length === 0
        ? ok("health", input.health.map((h) => h.detail).join("; "))
        : fail("health", "health-check-failing", sick.map((h) => h.detail).join("; "), true),
  );
  items.push(
    input.permission.ok
      ? ok("permissions", input.permission.detail)
      : fail("permissions", "permission-denied", input.permission.detail),
  );
  if (input.trigger.kind === "alarm" && state) {
    const until = state.at.getTime() + parseDuration(failover.cooldown);
    if (now.getTime() < until)
      items.push(
        fail(
          "cooldown",
          "cooldown-active",
          `the last change was at ${state.at.toISOString()} (${state.by}); no automatic failover until ${new Date(until).toISOString()} (cooldown ${failover.cooldown}). Run \`npx outpost-ops failover\` to decide by hand`,
        ),
      );
  }

  const failed = items.filter((i) => !i.ok);
  const blocking = failed.filter((i) => !i.forceable || !input.force);
  if (blocking.length > 0) {
    const first = blocking[0] as PreflightItem;
    return { ...base, decision: "refused", code: first.code, items, moves, changes: [], forced: false };
  }
  const forced = failed.length > 0;
  const written = { ...next, forced };
  const changes: RecordChange[] = [];
  for (const m of toMove) {
    if (m.current) changes.push({ action: "DELETE", record: m.current });
    changes.push({ action: "CREATE", record: m.target });
  }
  if (stateSet) changes.push({ action: "DELETE", record: stateSet });
  changes.push({ action: "CREATE", record: stateRecord(zone.name, written) });
  return {
    ...base,
    next: written,
    decision: "change",
    code: "change-submitted",
    items,
    moves,
    changes,
    forced,
  };
}
