/**
 * The report's capacity section: every capacity alert as a user reads it, the capacity alarms'
 * state changes, the squeeze's alerts and forecast against the script, the fill's windows (where
 * each Outpost-placed window's snapshots went, read from the sandbox), the weekly report next to
 * `outpost-ops capacity`, and the service link's alerts during the failover phase's outages. Built
 * from the phase's records (capacity.ts), the EventBridge log and the sandbox's state.
 */
import type { SnsMessageView } from "@outpost-ops/sandbox";
import { countBy } from "../format.ts";
import type { CapacityPhase, PlacedSnapshot } from "./capacity.ts";
import type { CapacityCommandRun } from "./capacity-command.ts";
import { describeFill, describeSqueeze, expectedForecast, squeezeAt } from "./capacity-script.ts";

/** A capacity alert as the topic received it. */
export interface CapacityAlertView {
  at: string;
  subject: string;
  /** The body's first lines (the full text is in the report's alert list). */
  lines: string[];
  severity: string;
  outpost?: string;
  /** The condition's kind (the `metric` attribute). */
  kind?: string;
  band?: string;
}

export interface SqueezeSection {
  title: string;
  outpost: string;
  instanceType: string;
  slopePerDay: number;
  crosses: { warning: string; critical: string };
  recoveredAt: string;
  /** Every alert for the squeezed condition, in order. */
  alerts: CapacityAlertView[];
  warning?: CapacityAlertView;
  critical?: CapacityAlertView;
  resolved?: CapacityAlertView;
  /** The warning and critical alerts' forecasts, and what the script says each should be. */
  forecasts: ForecastCheck[];
}

/** An alert's "full in ~N days" against the script's (capacity-script.ts expectedForecast). */
export interface ForecastCheck {
  band: "warning" | "critical";
  /** The alert's time (its reading's). */
  at: string;
  /** The script's level then, and the line through its daily maxima (value at the last, slope). */
  level: number;
  fitted: number;
  slopePerDay: number;
  expectedDays: number;
  /** The days the alert's subject says (undefined: it says none). */
  alertDays?: number;
  subject: string;
}

export interface FillWindow {
  window: string;
  schedule: string;
  snapshots: number;
  /** Where its snapshots are: on the Outpost, in the Region, or some of each. */
  placement: "outpost" | "region" | "mixed";
  /** Free local storage (percent) in the latest OutpostFreeBytes datapoint the planner could read. */
  freePercent?: number;
  /** Where the floor says they belong, from that datapoint. */
  expected: "outpost" | "region";
  /** Whether its planner run's summary noted local-storage-low (undefined: no summary that minute). */
  noted?: boolean;
  /** Whether every one of its snapshots' descriptions says so (the planner writes the note there too). */
  described: boolean;
}

export interface FillSection {
  title: string;
  outpost: string;
  floorPercent: number;
  from: string;
  freedAt: string;
  lowestFreePercent?: number;
  /** The same in GiB: less than one local snapshot needs once the Outpost is full. */
  lowestFreeGiB?: number;
  windows: FillWindow[];
  /** Snapshots of the Outpost-placed policies taken in the Region during the fill (from the sandbox). */
  regionalInstead: number;
  /** Snapshots of the primary Region seen in state `error` at any sample. */
  errors: PlacedSnapshot[];
  localSnapshotAlerts: CapacityAlertView[];
  storageAlerts: CapacityAlertView[];
}

export interface WeeklySection {
  at: string;
  texts: { subject: string; message: string }[];
  cli?: CapacityCommandRun;
  /** Numbers in the report's text that `outpost-ops capacity` did not show the same (empty: all). */
  differences: string[];
  error?: string;
}

export interface CapacityReport {
  outposts: {
    name: string;
    id: string;
    storageTiB: number;
    instanceTypes: string[];
    volumeTypes: string[];
  }[];
  measured: string[];
  monitor: {
    runs: number;
    everyMinutes: number;
    deployed: string;
    alarmsPut: string[];
    alarmsDeleted: string[];
    meanWallMs: number;
    maxWallMs: number;
  };
  /** The alarm handler's runs by decision ("alert warning", "resolved", "silent: why", …). */
  decisions: Record<string, number>;
  /** Each capacity alarm that changed state, with its changes. */
  alarmChanges: { alarm: string; changes: { state: string; at: string }[] }[];
  /** Every capacity alert but the weekly report's, in order. */
  alerts: CapacityAlertView[];
  squeeze?: SqueezeSection;
  fill?: FillSection;
  weekly: WeeklySection[];
  /** When the script has the weekly report's schedule fire (each must be in `weekly`). */
  weeklyExpected: string[];
  /**
   * The failover phase's outages of the service link, oldest first, with the DR readiness the
   * script gives each (stale data: not ready), and how many link-down and restored alerts each had.
   */
  linkOutages: { from: string; to: string; drReady: boolean; down: number; restored: number }[];
  /**
   * The service link's alerts (the failover phase's outages): whether each names the failover
   * command and the DR readiness the script gives its outage (`namesReadiness`), and what the
   * readiness check last reported before it (`drReady`; absent: none reported).
   */
  connected: (CapacityAlertView & {
    /** Which of the failover phase's outages (0: the first in time). */
    outage: number;
    namesFailover: boolean;
    namesReadiness: boolean;
    drReady?: boolean;
  })[];
  /** Alerts the script does not explain (should be none). */
  unexplained: CapacityAlertView[];
}

/** The most of an alert's text the section shows: its subject line, the numbers, the consumers. */
const HEAD_LINES = 18;

/** An alert's own text: the message up to the alert schema's footer (Severity, Job, Region, When, links). */
export function ownLines(message: string, max = HEAD_LINES): string[] {
  const lines = message.split("\n");
  const footer = lines.findIndex((l) => l.startsWith("Severity: "));
  const own = footer > 0 ? lines.slice(0, footer) : lines;
  while (own.length > 0 && own.at(-1)?.trim() === "") own.pop();
  return own.slice(0, max);
}

export function alertView(m: SnsMessageView): CapacityAlertView {
  const a = m.messageAttributes;
  return {
    at: m.at.toISOString(),
    subject: m.subject ?? "",
    lines: ownLines(m.message),
    severity: a.severity?.value ?? "?",
    ...(a.outpost ? { outpost: a.outpost.value } : {}),
    ...(a.metric ? { kind: a.metric.value } : {}),
    ...(a.band ? { band: a.band.value } : {}),
  };
}

/** Weekly report messages carry the report's title; every other capacity alert is a condition's. */
export const isWeeklyReport = (m: Pick<SnsMessageView, "subject">) =>
  /weekly capacity/i.test(m.subject ?? "");

/** Where a snapshot is: on an Outpost (OutpostArn) or in the Region. */
const placementOf = (s: PlacedSnapshot) => (s.outpostArn ? "outpost" : "region");

export function capacityReport(input: {
  phase: CapacityPhase;
  /** The capacity alarms' state changes the drill's EventBridge saw. */
  alarmChanges: { region: string; alarm: string; state: string; at: string }[];
  /** The primary Region's alert topic, all of it. */
  messages: SnsMessageView[];
  alarmPrefix: string;
  deployedSchedule: string;
  monitorEveryMinutes: number;
  floorPercent: number;
  /**
   * The outages of the service link the failover phase plays (a connected alert outside them is
   * unexplained), with the DR readiness each link-down alert must report.
   */
  linkOutages: { from: Date; to: Date; drReady: boolean }[];
  /** When the script has the weekly report run. */
  reportsAt: Date[];
  /** What the failover readiness check last reported before `at` (undefined: nothing yet, or no failover). */
  readinessAt: (at: string) => boolean | undefined;
  /** The Outposts as seeded, with their S3 on Outposts capacity. */
  outposts: CapacityReport["outposts"];
  /** OutpostFreeBytes and OutpostTotalBytes of an Outpost, as the sandbox published them. */
  storageSeries: (outpostId: string) => { free: { at: Date; value: number }[]; total: number };
  /** The snapshot planner's runs (their notes by code, when the summaries carry them). */
  planNotes: { at: string; codes: string[] }[];
}): CapacityReport {
  const { phase } = input;
  const ours = input.messages.filter((m) => m.messageAttributes.job?.value === "capacity");
  const alerts = ours.filter((m) => !isWeeklyReport(m)).map(alertView);
  const changes = new Map<string, { state: string; at: string }[]>();
  for (const c of input.alarmChanges) {
    if (!c.alarm.startsWith(input.alarmPrefix)) continue;
    changes.set(c.alarm, [...(changes.get(c.alarm) ?? []), { state: c.state, at: c.at }]);
  }
  const wall = phase.monitorRuns.map((r) => r.wallMs);
  const explained = new Set<CapacityAlertView>();

  const squeeze = squeezeSection(phase, alerts);
  for (const a of squeeze?.alerts ?? []) explained.add(a);
  const fill = fillSection(phase, alerts, input);
  for (const a of [...(fill?.localSnapshotAlerts ?? []), ...(fill?.storageAlerts ?? [])]) explained.add(a);

  const outageOf = (a: CapacityAlertView) =>
    input.linkOutages.findIndex((o) => a.at >= o.from.toISOString() && a.at < o.to.toISOString());
  const connected = alerts
    .filter((a) => a.kind === "connected" && outageOf(a) >= 0)
    .map((a) => {
      explained.add(a);
      const text = a.lines.join("\n");
      const drReady = input.readinessAt(a.at);
      const said = /DR readiness: (ready|NOT ready|unknown|no failover configured)/.exec(text)?.[1];
      const outage = outageOf(a);
      const expected = input.linkOutages[outage]?.drReady ? "ready" : "NOT ready";
      return {
        ...a,
        outage,
        namesFailover: /npx outpost-ops failover --stage drill/.test(text),
        namesReadiness: said === expected,
        ...(drReady !== undefined ? { drReady } : {}),
      };
    });
  const isDown = (a: CapacityAlertView) => a.severity === "critical";
  const linkOutages = input.linkOutages.map((o, i) => {
    const mine = connected.filter((a) => a.outage === i);
    return {
      from: o.from.toISOString(),
      to: o.to.toISOString(),
      drReady: o.drReady,
      down: mine.filter(isDown).length,
      restored: mine.filter((a) => a.severity === "info" && /restored/i.test(a.subject)).length,
    };
  });

  return {
    outposts: input.outposts,
    measured: [
      "alerts: the primary Region's alert topic as the sandbox received them (job capacity)",
      'alarm state changes: the "CloudWatch Alarm State Change" events the sandbox\'s CloudWatch sent, evaluated on its clock',
      "where snapshots went: the sandbox's snapshots (OutpostArn or not) and their states, sampled every hour and at every step of the fill",
      "the forecasts expected: a least-squares line through the script's own daily maxima up to each alert's time, its days to 100 % rounded up, worked out apart from the product",
      "the weekly report against `outpost-ops capacity --json`: the CLI's own command, against the sandbox, at the report's time",
    ],
    monitor: {
      runs: phase.monitorRuns.length,
      everyMinutes: input.monitorEveryMinutes,
      deployed: input.deployedSchedule,
      alarmsPut: [...new Set(phase.monitorRuns.flatMap((r) => r.put))],
      alarmsDeleted: [...new Set(phase.monitorRuns.flatMap((r) => r.deleted))],
      meanWallMs: wall.length ? wall.reduce((a, b) => a + b, 0) / wall.length : 0,
      maxWallMs: wall.length ? Math.max(...wall) : 0,
    },
    decisions: countBy(phase.alarmRuns, (r) => r.decision),
    alarmChanges: [...changes].map(([alarm, c]) => ({ alarm, changes: c })),
    alerts,
    ...(squeeze ? { squeeze } : {}),
    ...(fill ? { fill } : {}),
    weekly: phase.reportRuns.map((r) => weeklySection(r)),
    weeklyExpected: input.reportsAt.map((d) => d.toISOString()),
    linkOutages,
    connected,
    unexplained: alerts.filter((a) => !explained.has(a)),
  };
}

function squeezeSection(phase: CapacityPhase, alerts: CapacityAlertView[]): SqueezeSection | undefined {
  const s = phase.script.squeeze;
  if (!s) return undefined;
  const mine = alerts.filter(
    (a) => a.outpost === s.outpost && a.kind === "instance-type" && a.subject.includes(s.instanceType),
  );
  const warning = mine.find((a) => a.severity === "warning");
  const critical = mine.find((a) => a.severity === "critical");
  const resolved = mine.find((a) => /resolved/i.test(a.subject));
  const check = (band: ForecastCheck["band"], a: CapacityAlertView | undefined): ForecastCheck[] => {
    if (!a) return [];
    const at = new Date(a.at);
    const days = /full in ~(\d+) days?/.exec(a.subject)?.[1];
    const e = expectedForecast(s, at);
    const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
    return [
      {
        band,
        at: a.at,
        level: round(squeezeAt(s, at.getTime()), 1),
        fitted: round(e.fitted, 2),
        slopePerDay: round(e.slopePerDay, 3),
        expectedDays: e.days,
        ...(days !== undefined ? { alertDays: Number(days) } : {}),
        subject: a.subject,
      },
    ];
  };
  return {
    title: describeSqueeze(s),
    outpost: s.outpost,
    instanceType: s.instanceType,
    slopePerDay: s.slopePerDay,
    crosses: { warning: s.crosses.warning.toISOString(), critical: s.crosses.critical.toISOString() },
    recoveredAt: s.recoveredAt.toISOString(),
    alerts: mine,
    ...(warning ? { warning } : {}),
    ...(critical ? { critical } : {}),
    ...(resolved ? { resolved } : {}),
    forecasts: [...check("warning", warning), ...check("critical", critical)],
  };
}

/** The latest point at or before `ms` (+ a minute, as the readers' EndTime), or undefined. */
function latestAt(points: { at: Date; value: number }[], ms: number): number | undefined {
  let value: number | undefined;
  for (const p of points) {
    if (p.at.getTime() > ms + 60_000) break;
    value = p.value;
  }
  return value;
}

function fillSection(
  phase: CapacityPhase,
  alerts: CapacityAlertView[],
  input: Parameters<typeof capacityReport>[0],
): FillSection | undefined {
  const f = phase.script.fill;
  if (!f) return undefined;
  const from = f.from.getTime() - 2 * 3_600_000;
  const to = f.settledAt.getTime();
  const byWindow = new Map<string, PlacedSnapshot[]>();
  for (const s of phase.placed.values()) {
    const at = Date.parse(s.window);
    if (!Number.isFinite(at) || at < from || at > to) continue;
    const key = `${s.window}|${s.schedule}`;
    byWindow.set(key, [...(byWindow.get(key) ?? []), s]);
  }
  const { free, total } = input.storageSeries(f.outpostId);
  const notes = new Map(input.planNotes.map((n) => [n.at.slice(0, 16), n.codes]));
  const windows = [...byWindow]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, snaps]): FillWindow => {
      const [window = "", schedule = ""] = key.split("|");
      const places = new Set(snaps.map(placementOf));
      const bytes = latestAt(free, Date.parse(window));
      const freePercent = bytes === undefined || total === 0 ? undefined : (100 * bytes) / total;
      const codes = notes.get(new Date(Date.parse(window)).toISOString().slice(0, 16));
      return {
        window,
        schedule,
        snapshots: snaps.length,
        placement:
          places.size > 1
            ? "mixed"
            : ((places.values().next().value as FillWindow["placement"]) ?? "outpost"),
        ...(freePercent !== undefined ? { freePercent: Math.round(freePercent * 10) / 10 } : {}),
        expected: freePercent !== undefined && freePercent < input.floorPercent ? "region" : "outpost",
        ...(codes ? { noted: codes.includes("local-storage-low") } : {}),
        described: snaps.every((x) => /regional snapshot instead/.test(x.description ?? "")),
      };
    });
  const during = [...phase.placed.values()].filter((s) => {
    const at = Date.parse(s.window);
    return !s.outpostArn && at >= f.from.getTime() && at <= f.freedAt.getTime();
  });
  const fromIso = f.from.toISOString();
  const mine = (kind: string) =>
    alerts.filter((a) => a.outpost === f.outpost && a.kind === kind && a.at >= fromIso);
  const lowest = phase.freeAt.reduce<number | undefined>(
    (min, x) => (min === undefined || x.freePercent < min ? x.freePercent : min),
    undefined,
  );
  const lowestGiB = phase.freeAt.reduce<number | undefined>(
    (min, x) => (min === undefined || x.freeGiB < min ? x.freeGiB : min),
    undefined,
  );
  return {
    title: describeFill(f, input.floorPercent),
    outpost: f.outpost,
    floorPercent: input.floorPercent,
    from: fromIso,
    freedAt: f.freedAt.toISOString(),
    ...(lowest !== undefined ? { lowestFreePercent: Math.round(lowest * 10) / 10 } : {}),
    ...(lowestGiB !== undefined ? { lowestFreeGiB: Math.round(lowestGiB) } : {}),
    windows,
    regionalInstead: during.length,
    errors: [...phase.errors.values()],
    localSnapshotAlerts: mine("local-snapshots"),
    storageAlerts: mine("snapshot-storage"),
  };
}

/** The report's body in a message: between the title and the alert schema's footer (Severity: …). */
export function reportBody(message: string): string {
  const start = message.indexOf("\n\n");
  const end = message.indexOf("\n\nSeverity:");
  return message.slice(start + 2, end > start ? end : undefined).trim();
}

/** The lines of `a` that `b` does not have, as "report: … | cli: …" (the first few). */
function lineDifferences(outpost: string, a: string, b: string): string[] {
  const x = a.split("\n");
  const y = b.split("\n");
  const out: string[] = [];
  for (let i = 0; i < Math.max(x.length, y.length) && out.length < 3; i++)
    if ((x[i] ?? "").trim() !== (y[i] ?? "").trim())
      out.push(`${outpost}: report "${(x[i] ?? "").trim()}" | cli "${(y[i] ?? "").trim()}"`);
  return out;
}

function weeklySection(r: CapacityPhase["reportRuns"][number]): WeeklySection {
  const differences: string[] = [];
  for (const t of r.messages) {
    const body = reportBody(t.message);
    const outpost = /^(.+?) Outpost \(/.exec(body)?.[1] ?? t.subject;
    const cli = r.cli;
    if (!cli) continue;
    // The CLI's text holds each Outpost's section verbatim; its --json, rendered by the report's
    // renderer, gives the same section: the same numbers either way.
    if (!cli.text.includes(body))
      differences.push(`${outpost}: the report's section is not in the CLI's text`);
    const fromJson = cli.fromJson[outpost];
    if (fromJson === undefined) differences.push(`${outpost}: not in the CLI's --json`);
    else if (fromJson.trim() !== body) differences.push(...lineDifferences(outpost, body, fromJson));
  }
  return {
    at: r.at,
    texts: r.messages,
    ...(r.cli ? { cli: r.cli } : {}),
    differences,
    ...(r.error ? { error: r.error } : {}),
  };
}
