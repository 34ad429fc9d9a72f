/**
 * What the failover function answers: the run as plain JSON (dates as ISO strings, absent fields
 * omitted), flat, so `aws lambda invoke` shows it readably and `outpost-ops failover` prints it:
 * `{ outcome, target, decision, code, items, moves, changes, changeId?, pending?, error?, timeline,
 * forced, state?, next }`.
 */

import type { RecordSet } from "@outpost-ops/core/failover/records";
import type { FailoverState } from "@outpost-ops/core/failover/state";
import type { FailoverRun } from "@outpost-ops/core/jobs/failover";

/** JSON of a record set: keys the SDK left undefined dropped. */
const recordJson = (r: RecordSet) => JSON.parse(JSON.stringify(r)) as RecordSet;

const stateJson = (s: FailoverState) => ({
  site: s.site,
  at: s.at.toISOString(),
  by: s.by,
  reason: s.reason,
  forced: s.forced,
});

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
}

/**
 * @example JSON.stringify(toFailoverResult(run))
 */
export function toFailoverResult(run: FailoverRun) {
  const { plan, timeline } = run;
  return {
    outcome: run.outcome,
    target: plan.target,
    decision: plan.decision,
    code: plan.code,
    items: plan.items.map((i) => ({
      check: i.check,
      ok: i.ok,
      code: i.code,
      detail: i.detail,
      ...optional("forceable", i.forceable),
    })),
    moves: plan.moves.map((m) => ({
      label: m.label,
      site: m.site,
      ...optional("current", m.current && recordJson(m.current)),
      target: recordJson(m.target),
    })),
    changes: plan.changes.map((c) => ({ action: c.action, record: recordJson(c.record) })),
    ...optional("changeId", run.changeId),
    ...optional("pending", run.pending),
    ...optional("error", run.error),
    timeline: {
      ...optional("alarmAt", timeline.alarmAt?.toISOString()),
      receivedAt: timeline.receivedAt.toISOString(),
      decidedAt: timeline.decidedAt.toISOString(),
      ...optional("submittedAt", timeline.submittedAt?.toISOString()),
      ...optional("inSyncAt", timeline.inSyncAt?.toISOString()),
    },
    forced: plan.forced,
    ...optional("state", plan.state && stateJson(plan.state)),
    next: stateJson(plan.next),
  };
}

export type FailoverResult = ReturnType<typeof toFailoverResult>;
