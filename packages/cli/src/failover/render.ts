/**
 * A failover result for a person: the preflight item by item, each record's current and new target,
 * the decision (and, when refused, what `--force` can and cannot override), and after a change the
 * outcome with its timeline. Pure: the command decides where it goes (stdout) and when.
 */
import type { Site } from "@outpost-ops/core/failover/records";
import { describeTarget } from "@outpost-ops/core/failover/records";
import type { FailoverResult, FailoverResultState } from "@outpost-ops/core/failover/result";
import { reasonLabel } from "@outpost-ops/core/reasons";
import { noPaint, type Paint } from "../colour.ts";

export const siteName = (site: Site) => (site === "dr" ? "the DR site" : "the primary site");
const verbOf = (target: Site) => (target === "dr" ? "failover" : "failback");

/** How the operator runs the commands this one suggests: `--stage prod` or `--local`. */
export interface CommandHint {
  /** The flags that pick the runner, e.g. "--stage prod" or "--local". */
  flags: string;
}

const command = (verb: string, hint: CommandHint, more = "") =>
  `npx outpost-ops ${verb} ${hint.flags}${more}`.trimEnd();

/**
 * @example formatDuration(450) // "450 ms"; formatDuration(40_450) // "40.5 s"; formatDuration(95_000) // "1m 35s"
 */
export function formatDuration(ms: number): string {
  const n = Math.max(0, Math.round(ms));
  if (n < 1000) return `${n} ms`;
  if (n < 60_000) return `${(n / 1000).toFixed(1)} s`;
  const seconds = Math.round(n / 1000);
  return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
}

function stateLine(state: FailoverResultState): string {
  return `${siteName(state.site)} since ${state.at} (by ${state.by}: ${state.reason}${state.forced ? "; forced" : ""})`;
}

/**
 * The preflight, the records and the decision: what `--dry-run` prints and what is confirmed.
 * `preview`: the dry run shown before asking (it is a plan to confirm, not the dry run asked for).
 */
export function renderPlan(
  result: FailoverResult,
  hint: CommandHint,
  paint: Paint = noPaint,
  options: { preview?: boolean } = {},
): string {
  const verb = verbOf(result.target);
  const note =
    result.outcome !== "dry-run"
      ? ""
      : options.preview
        ? " (the plan: nothing is changed unless you confirm)"
        : " (dry run: nothing is changed)";
  const lines = [
    paint.bold(`${verb === "failover" ? "Failover" : "Failback"} to ${siteName(result.target)}${note}`),
  ];
  if (result.state) lines.push(`Last change: ${stateLine(result.state)}`);
  lines.push("Preflight:");
  const width = Math.max(...result.items.map((i) => i.check.length));
  for (const item of result.items) {
    const mark = item.ok ? paint.green("✓") : paint.red("✗");
    const overridable = !item.ok && item.forceable ? paint.dim(" (--force overrides)") : "";
    lines.push(`  ${mark} ${item.check.padEnd(width)}  ${item.detail}${overridable}`);
  }
  if (result.moves.length > 0) {
    lines.push("Records:");
    const labels = Math.max(...result.moves.map((m) => m.label.length));
    for (const m of result.moves) {
      const now = m.site === result.target ? paint.dim(` (already at ${siteName(result.target)})`) : "";
      const arrow =
        m.site === result.target
          ? describeTarget(m.current)
          : `${describeTarget(m.current)} → ${describeTarget(m.target)}${paint.dim(` (now: ${m.site})`)}`;
      lines.push(`  ${m.label.padEnd(labels)}  ${arrow}${now}`);
    }
  }
  lines.push(...decisionLines(result, hint, paint));
  return lines.join("\n");
}

function decisionLines(result: FailoverResult, hint: CommandHint, paint: Paint): string[] {
  const verb = verbOf(result.target);
  if (result.decision === "nothing-to-do")
    return [
      paint.green(
        `Nothing to do: DNS already points at ${siteName(result.target)}${result.state?.site === result.target ? ` (since ${result.state.at})` : ""}.`,
      ),
    ];
  const failed = result.items.filter((i) => !i.ok);
  if (result.decision === "refused") {
    const lines = [
      paint.red(`Refused (${result.code}): ${reasonLabel(result.code)}. Nothing was changed.`),
      ...failed.map((i) => `  - ${i.check}: ${i.detail}`),
    ];
    const forceable = failed.filter((i) => i.forceable);
    const hard = failed.filter((i) => !i.forceable);
    if (hard.length > 0)
      lines.push(
        `${hard.map((i) => i.check).join(", ")} cannot be overridden: fix ${hard.length === 1 ? "it" : "them"} first.`,
      );
    if (forceable.length > 0)
      lines.push(
        hard.length > 0
          ? `--force would override ${forceable.map((i) => i.check).join(", ")} once that is fixed.`
          : `--force overrides ${forceable.map((i) => i.check).join(", ")} (recorded as forced=yes in the state record): ${command(verb, hint, " --force")}`,
      );
    return lines;
  }
  const moving = result.moves.filter((m) => m.site !== result.target).length;
  const lines = [
    `Decision: move ${moving} record(s) to ${siteName(result.target)} in one Route 53 change batch, with the state record.`,
  ];
  if (result.forced)
    lines.push(
      paint.yellow(
        `Forced: ${failed.map((i) => i.check).join(", ")} failed and --force overrides it (recorded as forced=yes in the state record).`,
      ),
    );
  return lines;
}

/** The steps of the timeline that happened, in order, each with the time since the one before. */
export function renderTimeline(timeline: FailoverResult["timeline"]): string[] {
  const steps: [string, string | undefined][] = [
    ["alarm", timeline.alarmAt],
    ["received", timeline.receivedAt],
    ["decided", timeline.decidedAt],
    ["submitted", timeline.submittedAt],
    ["INSYNC", timeline.inSyncAt],
  ];
  const lines = ["Timeline:"];
  let previous: number | undefined;
  for (const [name, at] of steps) {
    if (!at) continue;
    const ms = Date.parse(at);
    lines.push(
      `  ${name.padEnd(9)}  ${at}${previous === undefined ? "" : `  +${formatDuration(ms - previous)}`}`,
    );
    previous = ms;
  }
  const start = Date.parse(timeline.receivedAt);
  const totals: string[] = [];
  if (timeline.submittedAt)
    totals.push(
      `${formatDuration(Date.parse(timeline.submittedAt) - start)} to submit (the tool's own time)`,
    );
  if (timeline.inSyncAt) totals.push(`${formatDuration(Date.parse(timeline.inSyncAt) - start)} to INSYNC`);
  if (timeline.alarmAt && timeline.inSyncAt)
    totals.push(
      `${formatDuration(Date.parse(timeline.inSyncAt) - Date.parse(timeline.alarmAt))} from the alarm`,
    );
  if (totals.length > 0) lines.push(`  ${totals.join("; ")}`);
  return lines;
}

/** After a run that was not a dry run: what happened, the timeline, and the next command. */
export function renderOutcome(result: FailoverResult, hint: CommandHint, paint: Paint = noPaint): string {
  const site = siteName(result.target);
  const moved = result.moves.filter((m) => m.site !== result.target).length;
  switch (result.outcome) {
    case "changed": {
      const head = result.pending
        ? paint.yellow(
            `Submitted: ${moved} record(s) to ${site} in change ${result.changeId}, not INSYNC yet: Route 53 is still propagating it (aws route53 get-change --id ${result.changeId}).`,
          )
        : paint.green(
            `Done: DNS points at ${site}: ${moved} record(s) moved in change ${result.changeId}, INSYNC.`,
          );
      const next =
        result.target === "dr"
          ? `Fail back, once the primary site is healthy again: ${command("failback", hint)}`
          : `DNS is back on the primary site; failover stays armed (${command("failover", hint, " --dry-run")} shows its preflight).`;
      return [head, ...renderTimeline(result.timeline), next].join("\n");
    }
    case "raced":
      return paint.green(
        `Another run moved DNS to ${site} first: this one changed nothing, and DNS points at ${site}.`,
      );
    case "failed":
      return [
        paint.red(
          `Failed: ${result.error ?? "the change was not made"}. Route 53 applies a change batch whole or not at all, so the records are as they were.`,
        ),
        `Run it again (safe: it plans from where DNS points now): ${command(verbOf(result.target), hint)}`,
      ].join("\n");
    case "alert-only":
      return `Mode alert-only: nothing was changed; run ${command(verbOf(result.target), hint)} to decide by hand.`;
    default:
      // dry-run, refused and nothing-to-do are said in full by the plan.
      return "";
  }
}
