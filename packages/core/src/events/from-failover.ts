/**
 * The event of a failover run, one per run whatever it came to, and of a readiness change: the audit
 * record users route with ordinary rules, and that the DR Region's archive keeps (stacks/Failover.ts).
 * Who or what triggered it, why, what the preflight said, what changed, whether it was forced, and
 * the timeline. The state record in the zone holds only the last change; this is the history.
 */
import type { Trigger } from "../failover/plan.ts";
import { describeTarget } from "../failover/records.ts";
import { stateJson } from "../failover/result.ts";
import type { FailoverRun } from "../jobs/failover.ts";
import { failoverCode, siteName } from "../jobs/failover-summary.ts";
import { DetailType, EVENT_SCHEMA_VERSION, type FailoverEventDetail, type OutpostOpsEvent } from "./event.ts";
import type { EventContext } from "./from-outcomes.ts";

const DETAIL_TYPE: Record<FailoverRun["outcome"], DetailType> = {
  changed: DetailType.failoverChanged,
  refused: DetailType.failoverRefused,
  failed: DetailType.failoverFailed,
  "dry-run": DetailType.failoverDryRun,
  "nothing-to-do": DetailType.failoverSkipped,
  raced: DetailType.failoverSkipped,
  "alert-only": DetailType.failoverSkipped,
};

function triggerJson(trigger: Trigger): FailoverEventDetail["trigger"] {
  if (trigger.kind === "alarm")
    return {
      kind: "alarm",
      by: `alarm:${trigger.alarm}`,
      alarm: trigger.alarm,
      region: trigger.region,
      alarmAt: trigger.alarmAt.toISOString(),
    };
  return { kind: trigger.kind, by: trigger.by };
}

function detailOf(run: FailoverRun, trigger: Trigger, dryRun: boolean): FailoverEventDetail {
  const { plan, timeline } = run;
  const times: Record<string, string> = {};
  for (const [key, at] of Object.entries(timeline)) if (at instanceof Date) times[key] = at.toISOString();
  return {
    target: plan.target,
    trigger: triggerJson(trigger),
    reason: plan.next.reason,
    dryRun,
    forced: plan.forced,
    decision: plan.decision,
    items: plan.items.map((i) => ({ check: i.check, ok: i.ok, code: i.code, detail: i.detail })),
    records: plan.moves.map((m) => ({
      label: m.label,
      site: m.site,
      ...(m.current ? { from: describeTarget(m.current) } : {}),
      to: describeTarget(m.target),
    })),
    changes: plan.changes.map((c) => ({
      action: c.action,
      name: c.record.name,
      type: c.record.type,
      ...(c.record.setIdentifier ? { setIdentifier: c.record.setIdentifier } : {}),
    })),
    ...(run.changeId ? { changeId: run.changeId } : {}),
    ...(run.pending ? { pending: true } : {}),
    ...(run.error ? { error: run.error } : {}),
    timeline: times,
    ...(plan.state ? { previous: stateJson(plan.state) } : {}),
  };
}

/** The sentence of the run, ids included. */
function sentence(run: FailoverRun): string {
  const to = siteName(run.plan.target);
  const moving = run.plan.moves.filter((m) => m.site !== run.plan.target).length;
  switch (run.outcome) {
    case "changed":
      return `DNS moved to the ${to} (${moving} record(s), change ${run.changeId}${run.pending ? ", not yet INSYNC" : ", INSYNC"})${run.plan.forced ? ", forced" : ""}`;
    case "refused":
      return `not moved to the ${to}: ${run.plan.items.find((i) => !i.ok)?.detail ?? run.plan.code}`;
    case "failed":
      return `not moved to the ${to}: ${run.error ?? "the change failed"}`;
    case "dry-run":
      return `dry run: ${moving} record(s) would move to the ${to}`;
    case "nothing-to-do":
      return `already on the ${to}: nothing to do`;
    case "raced":
      return `a concurrent run moved DNS to the ${to} first`;
    case "alert-only":
      return `mode alert-only: ${moving} record(s) would move to the ${to}; a person decides`;
  }
}

function envelope(
  detailType: DetailType,
  run: FailoverRun,
  detail: Pick<OutpostOpsEvent["detail"], "outcome" | "code" | "reason" | "failover">,
  ctx: EventContext,
): OutpostOpsEvent {
  const partition = ctx.partition ?? "aws";
  const zoneId = run.zone?.id;
  return {
    detailType,
    time: ctx.at,
    resources: [
      ...(zoneId ? [`arn:${partition}:route53:::hostedzone/${zoneId}`] : []),
      ...(run.changeId ? [`arn:${partition}:route53:::change/${run.changeId}`] : []),
    ],
    detail: {
      version: EVENT_SCHEMA_VERSION,
      stage: ctx.stage,
      job: "failover",
      ...detail,
      resource: { type: "dns-zone", id: zoneId ?? run.zone?.name ?? "unresolved", region: "global" },
      snapshotIds: [],
      lineage: {},
    },
  };
}

/**
 * @example await publishEvents(rt, [failoverEvent(run, { trigger, dryRun: false }, eventContext(rt, context, now))])
 */
export function failoverEvent(
  run: FailoverRun,
  input: { trigger: Trigger; dryRun: boolean },
  ctx: EventContext,
): OutpostOpsEvent {
  return envelope(
    DETAIL_TYPE[run.outcome],
    run,
    {
      outcome: run.outcome,
      code: failoverCode(run),
      reason: sentence(run),
      failover: detailOf(run, input.trigger, input.dryRun),
    },
    ctx,
  );
}

/**
 * The readiness check's event, sent when readiness changed: `outcome` is `ready` or `not-ready`,
 * `code` the first failed check's (or `failover-ready`).
 * @example readinessEvent(run, true, trigger, ctx)
 */
export function readinessEvent(
  run: FailoverRun,
  ready: boolean,
  trigger: Trigger,
  ctx: EventContext,
): OutpostOpsEvent {
  const failed = run.plan.items.filter((i) => !i.ok);
  return envelope(
    DetailType.failoverReadiness,
    run,
    {
      outcome: ready ? "ready" : "not-ready",
      code: ready ? "failover-ready" : run.plan.code,
      reason: ready
        ? "failover to the DR site is ready again"
        : `failover to the DR site would be refused: ${failed.map((i) => i.detail).join("; ")}`,
      failover: detailOf(run, trigger, true),
    },
    ctx,
  );
}
