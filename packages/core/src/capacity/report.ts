/**
 * The capacity view as text: what `outpost-ops capacity` prints and what the weekly report mails,
 * from the same function, so the two always show the same numbers.
 */
import type { Alert } from "../alerts/alert.ts";
import type { Config } from "../config/schema.ts";
import { conditionLabel, freePercentOf, headroomText } from "./alert.ts";
import { describeForecast } from "./forecast.ts";
import type { CapacityView, Forecast, OutpostView, Reading } from "./model.ts";
import { BANDED_KINDS } from "./names.ts";

const pct = (n: number) => `${Math.round(n)} %`;
/** The kinds with a percent a week can be compared with: those that have bands. */
const UTILIZATION = BANDED_KINDS;

function now(r: Reading): string {
  const v = r.current;
  switch (r.condition.kind) {
    case "connected":
      return v === undefined ? "no data" : v >= 1 ? "connected" : `impaired (${v})`;
    case "capacity-exceptions":
      return v === undefined ? "-" : `${Math.round(v)} refused`;
    case "snapshot-storage":
      return v === undefined ? "no data" : `${pct(v)} used`;
    case "local-snapshots": {
      const free = freePercentOf(r);
      return free === undefined ? "no data" : `${pct(Math.floor(free))} free`;
    }
    default:
      return v === undefined ? "no data" : pct(v);
  }
}

function change(r: Reading): string {
  if (!UTILIZATION.has(r.condition.kind) || r.current === undefined || r.weekAgo === undefined) return "-";
  const d = Math.round(r.current - r.weekAgo);
  return `${d >= 0 ? "+" : ""}${d} pts`;
}

function forecast(f: Forecast | undefined): string {
  if (!f) return "-";
  if (f.kind === "full-in") return `full in ~${f.days} day${f.days === 1 ? "" : "s"} (R² ${f.r2.toFixed(2)})`;
  return describeForecast(f);
}

function headroom(r: Reading): string {
  return headroomText(r.headroom) ?? "-";
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd());
}

/**
 * One Outpost's readings as text lines: a table (what, now, a week ago, change, forecast, headroom),
 * the top consumers of each reading that has them, then the notes.
 * @example renderOutpostView(view.outposts[0]) // ["factory Outpost (op-0a1b2c3d4e5f60718)", "  what  now  …", …]
 */
export function renderOutpostView(outpost: OutpostView): string[] {
  const header = ["what", "now", "week ago", "change", "forecast", "headroom"];
  const rows = outpost.readings.map((r) => [
    conditionLabel(r.condition),
    now(r),
    r.weekAgo === undefined || !UTILIZATION.has(r.condition.kind) ? "-" : pct(r.weekAgo),
    change(r),
    forecast(r.forecast),
    headroom(r),
  ]);
  const lines = [`${outpost.outpost} Outpost (${outpost.outpostId})`];
  if (rows.length) lines.push(...table([header, ...rows]));
  else lines.push("  no readings");
  for (const r of outpost.readings) {
    if (r.consumers.length === 0) continue;
    const top = r.consumers
      .slice(0, 5)
      .map((c) => `${c.id}${c.name ? ` (${c.name})` : ""} ${c.uses}`)
      .join("; ");
    lines.push(`  Top consumers of ${conditionLabel(r.condition)}: ${top}`);
  }
  for (const r of outpost.readings)
    for (const what of r.unread ?? []) lines.push(`  Not read (${conditionLabel(r.condition)}): ${what}`);
  for (const note of outpost.notes) lines.push(`  Note: ${note}`);
  return lines;
}

/**
 * The whole view as text lines, Outpost by Outpost (the CLI prints these).
 * @example renderCapacityView(view).join("\n")
 */
export function renderCapacityView(view: CapacityView): string[] {
  const lines = [`Capacity in ${view.region} at ${view.at.toISOString()}`, ""];
  for (const o of view.outposts) lines.push(...renderOutpostView(o), "");
  if (view.outposts.length === 0) lines.push("No Outposts in the config.", "");
  return lines;
}

/** The title's summary: the highest utilization and the soonest forecast to fill. */
function summary(outpost: OutpostView): string {
  const link = outpost.readings.find((r) => r.condition.kind === "connected");
  const utilization = outpost.readings.filter(
    (r) => UTILIZATION.has(r.condition.kind) && r.current !== undefined,
  );
  const highest = utilization.reduce<Reading | undefined>(
    (a, r) => (a === undefined || (r.current ?? 0) > (a.current ?? 0) ? r : a),
    undefined,
  );
  const filling = outpost.readings
    .filter((r) => r.forecast?.kind === "full-in")
    .sort(
      (a, b) =>
        (a.forecast?.kind === "full-in" ? a.forecast.days : 0) -
        (b.forecast?.kind === "full-in" ? b.forecast.days : 0),
    )[0];
  const parts: string[] = [];
  if (link?.current !== undefined && link.current < 1) parts.push("service link impaired");
  if (highest) parts.push(`highest ${shortLabel(highest)} ${now(highest)}`);
  if (filling?.forecast?.kind === "full-in")
    parts.push(
      `${shortLabel(filling)} full in ~${filling.forecast.days} day${filling.forecast.days === 1 ? "" : "s"}`,
    );
  else if (highest) parts.push("nothing filling");
  return parts.join(", ") || "no readings";
}

/** A condition in a subject, where SNS's 100 characters are tight: "m5.large", "gp2 volumes", "CPU". */
function shortLabel(r: Reading): string {
  const { kind, subject } = r.condition;
  if (kind === "instance-type" && subject) return subject;
  if (kind === "snapshot-storage" || kind === "local-snapshots") return "snapshot storage";
  return conditionLabel(r.condition);
}

/**
 * One info alert per Outpost for the weekly report: its body is `renderOutpostView`'s lines.
 * @example capacityReportAlerts(view, config)[0].title // "factory Outpost weekly capacity: highest m5.large 88 %, m5.large full in ~12 days"
 */
export function capacityReportAlerts(view: CapacityView, config: Config): Omit<Alert, "stage">[] {
  return view.outposts.map((o) => {
    const title = `${o.outpost} Outpost weekly capacity: ${summary(o)}`;
    const arn = config.outposts.find((c) => c.name === o.outpost)?.arn ?? o.outpostId;
    return {
      severity: "info",
      job: "capacity",
      title,
      subject: `[INFO] ${title}`,
      body: renderOutpostView(o).join("\n"),
      region: view.region,
      at: view.at,
      resourceIds: [arn],
      links: [
        {
          label: "Outpost",
          url: `https://${view.region}.console.aws.amazon.com/outposts/home?region=${view.region}#OutpostDetails:${o.outpostId}`,
        },
      ],
      attributes: { outpost: o.outpost, metric: "report" },
    };
  });
}
