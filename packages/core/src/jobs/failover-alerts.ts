/**
 * The failover job's alerts, in the one alert schema: when a change starts, when it is INSYNC, when
 * the preflight refuses, when Route 53 fails it (critical), and in mode alert-only what an alarm
 * would have done. Each names the trigger, the reason, the records and the exact command to run
 * next. And the readiness check's two: failover would now be refused (warning), and it is ready
 * again (info). Pure: the handlers publish them.
 *
 * Not alerted, on purpose: a run with nothing to do or that a concurrent run beat (an alarm that
 * flaps after the failover must not mail anyone every minute), and dry runs (the caller sees them).
 */
import type { Alert } from "../alerts/alert.ts";
import type { FailoverPlan, PreflightItem, Trigger } from "../failover/plan.ts";
import { recordLabel, type Site } from "../failover/records.ts";
import { reasonLabel } from "../reasons.ts";
import type { FailoverRun } from "./failover.ts";
import {
  commandOf,
  durations,
  moveLines,
  nextCommand,
  siteName,
  timelineLines,
  triggerText,
} from "./failover-summary.ts";

export interface FailoverAlertContext {
  /** Where the function runs (the DR Region). */
  region: string;
  trigger: Trigger;
  /** The deployment's stage: the commands in the alerts name it (`--stage`), as the CLI needs. */
  stage?: string;
}

type FailoverAlert = Omit<Alert, "stage">;

const direction = (target: Site) =>
  target === "dr" ? "Failover to the DR site" : "Failback to the primary site";
/** Short, for titles that go on with a reason (SNS subjects stop at 100 characters). */
const verb = (target: Site) => (target === "dr" ? "Failover" : "Failback");

function zoneLink(zone: { id: string } | undefined): Alert["links"] {
  if (!zone) return [];
  return [
    {
      label: "Hosted zone",
      url: `https://console.aws.amazon.com/route53/v2/hostedzones#ListRecordSets/${zone.id}`,
    },
  ];
}

function resourceIds(plan: FailoverPlan, zone: { id: string } | undefined): string[] {
  return [...(zone ? [zone.id] : []), ...plan.moves.map((m) => m.label)];
}

const itemLine = (i: PreflightItem) => `  [${i.ok ? "ok" : "FAILED"}] ${i.check}: ${i.detail}`;

/** The lines every failover alert has: who or what, why. */
function about(plan: FailoverPlan, context: FailoverAlertContext): string[] {
  return [`Trigger: ${triggerText(context.trigger)}`, `Reason:  ${plan.next.reason}`];
}

/**
 * Sent as the change is submitted (in parallel with it, so it costs the failover no time).
 * @example failoverStartedAlert(plan, undefined, { region: "us-east-1", trigger })
 */
export function failoverStartedAlert(
  plan: FailoverPlan,
  zone: { id: string } | undefined,
  context: FailoverAlertContext,
): FailoverAlert {
  return {
    severity: "critical",
    job: "failover",
    title: `${direction(plan.target)} started`,
    body: [
      `outpost-ops is moving DNS to the ${siteName(plan.target)}${plan.forced ? ", FORCED past a failed preflight" : ""}. An alert follows once Route 53 reports the change INSYNC.`,
      "",
      ...about(plan, context),
      "",
      "Records:",
      ...moveLines(plan),
      ...(plan.forced ? ["", "Preflight (forced):", ...plan.items.map(itemLine)] : []),
    ].join("\n"),
    region: context.region,
    at: plan.next.at,
    resourceIds: resourceIds(plan, zone),
    links: zoneLink(zone),
  };
}

/** The change is INSYNC (or submitted and still PENDING when the run stopped waiting). */
export function failoverSucceededAlert(run: FailoverRun, context: FailoverAlertContext): FailoverAlert {
  const { plan, timeline } = run;
  const d = durations(timeline);
  const tool = d.submitMs !== undefined ? `outpost-ops' own time, event to change: ${d.submitMs} ms.` : "";
  const back = plan.target === "dr" ? "primary" : "dr";
  return {
    severity: "critical",
    job: "failover",
    title: run.pending
      ? `${direction(plan.target)} submitted, not yet INSYNC`
      : `DNS now points at the ${siteName(plan.target)}`,
    body: [
      run.pending
        ? `Route 53 accepted the change (${run.changeId}) but did not report it INSYNC while outpost-ops waited. It applies the batch whole; check with \`aws route53 get-change --id ${run.changeId}\`.`
        : `Route 53 reports the change INSYNC: every Route 53 name server answers with the ${siteName(plan.target)}. Resolvers that cached the old answer follow within the records' TTL.`,
      ...(plan.forced
        ? ["The preflight failed and the change was FORCED (recorded in the state record)."]
        : []),
      "",
      ...about(plan, context),
      `Change:  ${run.changeId}`,
      "",
      "Records:",
      ...moveLines(plan),
      "",
      "Timeline:",
      ...timelineLines(timeline),
      ...(tool ? [tool] : []),
      "",
      plan.target === "dr"
        ? `outpost-ops never fails back by itself. Once the primary site is healthy: \`${nextCommand(back, { dryRun: true, stage: context.stage })}\`, then \`${nextCommand(back, { stage: context.stage })}\`.`
        : "Automatic failover is armed again after the cooldown.",
    ].join("\n"),
    region: context.region,
    at: timeline.inSyncAt ?? timeline.submittedAt ?? timeline.decidedAt,
    resourceIds: resourceIds(plan, run.zone),
    links: zoneLink(run.zone),
  };
}

/**
 * What to run after a refusal: with `--force` when every failed item may be forced, else the fixes
 * first (a missing zone, record or permission cannot be forced), then the command.
 */
function afterRefusal(plan: FailoverPlan, failed: PreflightItem[], context: { stage?: string }): string[] {
  const cooldown = failed.some((i) => i.check === "cooldown");
  const unforceable = failed.filter((i) => !i.forceable && i.check !== "cooldown");
  if (unforceable.length > 0)
    return [
      `Fix ${unforceable.map((i) => i.check).join(", ")} first (these cannot be forced), then run \`${nextCommand(plan.target, { dryRun: true, stage: context.stage })}\`.`,
    ];
  const forceable = failed.filter((i) => i.forceable);
  if (forceable.length === 0 && cooldown)
    return [
      `The cooldown only holds back automatic runs. To ${commandOf(plan.target)} now, decide by hand: \`${nextCommand(plan.target, { reason: plan.next.reason, stage: context.stage })}\`.`,
    ];
  return [
    `If the ${siteName(plan.target)} must take over anyway (the failed checks above are known and accepted), force it; the state record and the event stream record that it was forced:`,
    `  ${nextCommand(plan.target, { force: true, reason: plan.next.reason, stage: context.stage })}`,
  ];
}

/** The preflight failed: nothing was changed. */
export function failoverRefusedAlert(run: FailoverRun, context: FailoverAlertContext): FailoverAlert {
  const { plan } = run;
  const failed = plan.items.filter((i) => !i.ok);
  return {
    severity: "warning",
    job: "failover",
    title: `${verb(plan.target)} refused: ${reasonLabel(plan.code)}`,
    body: [
      `The preflight failed, so DNS was not changed: it still points where it did.`,
      "",
      ...about(plan, context),
      "",
      "Failed checks:",
      ...failed.map(itemLine),
      "",
      ...afterRefusal(plan, failed, context),
      "",
      "Preflight:",
      ...plan.items.map(itemLine),
    ].join("\n"),
    region: context.region,
    at: run.timeline.decidedAt,
    resourceIds: resourceIds(plan, run.zone),
    links: zoneLink(run.zone),
  };
}

/**
 * Route 53 refused or failed the change, or the run itself failed (`error`): nothing was changed,
 * since Route 53 applies a batch whole or not at all. Unless the run failed after Route 53 had
 * accepted the change (`afterSubmit`: following it to INSYNC failed), which is said as such.
 */
export function failoverFailedAlert(
  failure: { run?: FailoverRun; target: Site; error: string; at: Date; afterSubmit?: boolean },
  context: FailoverAlertContext,
): FailoverAlert {
  const { run, target } = failure;
  const what = failure.afterSubmit
    ? [
        `Route 53 accepted the change, but following it to INSYNC failed: ${failure.error}`,
        `DNS is moving to the ${siteName(target)}: Route 53 applies an accepted batch whole.`,
      ]
    : [
        `${run ? "Route 53 did not accept the change" : "The failover run stopped before it could decide"}: ${failure.error}`,
        "DNS was not changed by this run (Route 53 applies a change batch whole or not at all).",
      ];
  return {
    severity: "critical",
    job: "failover",
    title: failure.afterSubmit
      ? `${direction(target)} submitted, not followed to INSYNC`
      : `${direction(target)} failed`,
    body: [
      ...what,
      "",
      `Trigger: ${triggerText(context.trigger)}`,
      ...(run ? [`Reason:  ${run.plan.next.reason}`, "", "Records:", ...moveLines(run.plan)] : []),
      "",
      `See where DNS points and what would change: \`${nextCommand(target, { dryRun: true, stage: context.stage })}\`; then run it by hand: \`${nextCommand(target, { ...(run ? { reason: run.plan.next.reason } : {}), stage: context.stage })}\`.`,
      "If Route 53's control plane is impaired, records with failover routing still move by their health checks.",
    ].join("\n"),
    region: context.region,
    at: failure.at,
    resourceIds: run ? resourceIds(run.plan, run.zone) : [],
    links: zoneLink(run?.zone),
  };
}

/**
 * Mode alert-only: a trigger alarm fired and the preflight passed; a person decides. (A preflight
 * that fails is a refusal, alerted as one, with the same command.)
 */
export function failoverAlertOnlyAlert(run: FailoverRun, context: FailoverAlertContext): FailoverAlert {
  const { plan } = run;
  return {
    severity: "critical",
    job: "failover",
    title: `${direction(plan.target)} needed: the DR site is ready (mode alert-only)`,
    body: [
      `${triggerText(context.trigger)}. The config's failover mode is alert-only, so DNS was not changed: a person decides.`,
      "The preflight passed: the DR site is ready to take over.",
      "",
      `Reason:  ${plan.next.reason}`,
      "",
      "Records it would move:",
      ...moveLines(plan),
      "",
      "Preflight:",
      ...plan.items.map(itemLine),
      "",
      "To fail over now:",
      `  ${nextCommand(plan.target, { reason: plan.next.reason, stage: context.stage })}`,
    ].join("\n"),
    region: context.region,
    at: run.timeline.decidedAt,
    resourceIds: resourceIds(plan, run.zone),
    links: zoneLink(run.zone),
  };
}

/**
 * The alert a finished run gets, if any: none for a dry run, nothing to do, or a lost race.
 * @example const alert = failoverOutcomeAlert(run, { region, trigger }); if (alert) await alerts.publish(alert)
 */
export function failoverOutcomeAlert(
  run: FailoverRun,
  context: FailoverAlertContext,
): FailoverAlert | undefined {
  switch (run.outcome) {
    case "changed":
      return failoverSucceededAlert(run, context);
    case "refused":
      return failoverRefusedAlert(run, context);
    case "alert-only":
      return failoverAlertOnlyAlert(run, context);
    case "failed":
      return failoverFailedAlert(
        { run, target: run.plan.target, error: run.error ?? "unknown error", at: run.timeline.decidedAt },
        context,
      );
    default:
      return undefined;
  }
}

/**
 * Readiness: failover to the DR site would now be refused (it was ready at the last check, or there
 * is no earlier check to compare with).
 */
export function readinessLostAlert(
  run: FailoverRun,
  context: { region: string; stage?: string },
): FailoverAlert {
  const { plan } = run;
  const failed = plan.items.filter((i) => !i.ok);
  return {
    severity: "warning",
    job: "failover",
    title: `Failover not ready: ${reasonLabel(plan.code)}`,
    body: [
      "The scheduled readiness check ran the failover preflight: a failover to the DR site now would be refused. Nothing was changed; fix it before it is needed.",
      "",
      "Failed checks:",
      ...failed.map(itemLine),
      "",
      `\`npx outpost-ops status\` shows the DR recovery points; \`${nextCommand("dr", { dryRun: true, stage: context.stage })}\` runs the same preflight. An alert follows when it is ready again.`,
    ].join("\n"),
    region: context.region,
    at: run.timeline.decidedAt,
    resourceIds: [...(run.zone ? [run.zone.id] : []), ...failed.map((i) => i.check)],
    links: zoneLink(run.zone),
  };
}

/** Readiness: failover to the DR site would pass its preflight again. */
export function readinessRegainedAlert(
  run: FailoverRun,
  context: { region: string; stage?: string },
): FailoverAlert {
  return {
    severity: "info",
    job: "failover",
    title: "Failover is ready again",
    body: [
      "The scheduled readiness check ran the failover preflight: every check passes again, so a failover to the DR site would go ahead.",
      "",
      "Preflight:",
      ...run.plan.items.map(itemLine),
    ].join("\n"),
    region: context.region,
    at: run.timeline.decidedAt,
    resourceIds: [...(run.zone ? [run.zone.id] : []), ...run.plan.moves.map((m) => recordLabel(m.target))],
    links: zoneLink(run.zone),
  };
}
