/**
 * How a failover run is told, the same way in its alerts, its event and its metrics: the reason code
 * of the run, the trigger in words, the timeline's durations (the RTO's parts), and the command a
 * person runs next. Pure.
 */
import type { FailoverPlan, Trigger } from "../failover/plan.ts";
import { describeTarget, type Site } from "../failover/records.ts";
import type { ReasonCode } from "../reasons.ts";
import type { FailoverRun, Timeline } from "./failover.ts";

export const siteName = (site: Site) => (site === "dr" ? "DR site" : "primary site");
/** `failover` or `failback`: the CLI command that points DNS at `target`. */
export const commandOf = (target: Site) => (target === "dr" ? "failover" : "failback");

/**
 * The run's reason code: the plan's for a refusal or nothing to do, else what the run came to.
 * @example failoverCode(run) // "change-submitted", "dr-behind-rpo", "change-raced", …
 */
export function failoverCode(run: FailoverRun): ReasonCode {
  switch (run.outcome) {
    case "changed":
      return "change-submitted";
    case "raced":
      return "change-raced";
    case "failed":
      return "change-failed";
    case "alert-only":
      return "alert-only";
    case "dry-run":
      // The plan says change-submitted; a dry run submitted nothing: every check passed (or was forced).
      return run.plan.forced
        ? (run.plan.items.find((i) => !i.ok)?.code ?? "failover-ready")
        : "failover-ready";
    default:
      return run.plan.code;
  }
}

/** Who or what started the run, for a person. */
export function triggerText(trigger: Trigger): string {
  if (trigger.kind === "alarm")
    return `alarm ${trigger.alarm} (${trigger.region}) went to ALARM at ${trigger.alarmAt.toISOString()}`;
  if (trigger.kind === "classic") return `the classic DR event, sent by ${trigger.by}`;
  return `${trigger.by}, by command`;
}

export interface Durations {
  /** Event received → decision (the preflight). */
  decisionMs: number;
  /** Event received → change submitted: the tool's own time. */
  submitMs?: number;
  /** Change submitted → INSYNC: Route 53's propagation. */
  inSyncMs?: number;
  /** Alarm state change → change submitted. */
  alarmToSubmitMs?: number;
  /** Alarm state change → INSYNC: DNS's part of the RTO (resolvers' caches hold the old answer for the TTL). */
  alarmToInSyncMs?: number;
}

export function durations(t: Timeline): Durations {
  const ms = (from: Date | undefined, to: Date | undefined) =>
    from && to ? Math.max(0, to.getTime() - from.getTime()) : undefined;
  const out: Durations = { decisionMs: ms(t.receivedAt, t.decidedAt) ?? 0 };
  const add = (key: Exclude<keyof Durations, "decisionMs">, value: number | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  add("submitMs", ms(t.receivedAt, t.submittedAt));
  add("inSyncMs", ms(t.submittedAt, t.inSyncAt));
  add("alarmToSubmitMs", ms(t.alarmAt, t.submittedAt));
  add("alarmToInSyncMs", ms(t.alarmAt, t.inSyncAt));
  return out;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 0)} s`;

/** The timeline, one line per step with the time since the previous one. */
export function timelineLines(t: Timeline): string[] {
  const steps: [string, Date | undefined][] = [
    ["alarm", t.alarmAt],
    ["received", t.receivedAt],
    ["decided", t.decidedAt],
    ["submitted", t.submittedAt],
    ["INSYNC", t.inSyncAt],
  ];
  const lines: string[] = [];
  let previous: Date | undefined;
  for (const [label, at] of steps) {
    if (!at) continue;
    const delta = previous ? ` (+${seconds(Math.max(0, at.getTime() - previous.getTime()))})` : "";
    lines.push(`  ${label.padEnd(9)} ${at.toISOString()}${delta}`);
    previous = at;
  }
  return lines;
}

/** The records the run moves (or would move), `label: from → to`. */
export function moveLines(plan: FailoverPlan): string[] {
  return plan.moves
    .filter((m) => m.site !== plan.target)
    .map((m) => `  ${m.label}: ${describeTarget(m.current)} -> ${describeTarget(m.target)}`);
}

/** A `--reason` text a shell passes through unchanged inside double quotes. */
export function shellReason(reason: string): string {
  return reason
    .replace(/["`$\\]/g, "'")
    .replace(/\s+/g, " ")
    .slice(0, 200);
}

/**
 * The command that does it by hand: `npx outpost-ops failover --force --reason "…"`.
 * @example nextCommand("dr", { force: true, reason: "DR data checked by hand" })
 */
export function nextCommand(
  target: Site,
  options: { force?: boolean; dryRun?: boolean; reason?: string; stage?: string | undefined } = {},
) {
  return [
    `npx outpost-ops ${commandOf(target)}`,
    // The CLI invokes the stage's deployed function: without --stage it refuses.
    ...(options.stage ? [`--stage ${options.stage}`] : []),
    ...(options.dryRun ? ["--dry-run"] : []),
    ...(options.force ? ["--force"] : []),
    ...(options.reason ? [`--reason "${shellReason(options.reason)}"`] : []),
  ].join(" ");
}
