/** The drill report's capacity section as text (report.ts prints it; `--json` has the same data). */
import {
  type CapacityAlertView,
  type CapacityReport,
  type FillSection,
  ownLines,
  type SqueezeSection,
} from "./capacity-report.ts";

const minute = (iso: string) => iso.slice(0, 16).replace("T", " ");
const days = (n: number | undefined) => (n === undefined ? "none" : `${n} day${n === 1 ? "" : "s"}`);

function alertLines(a: CapacityAlertView, indent: string): string[] {
  return [`${indent}${minute(a.at)}  Subject: ${a.subject}`, ...a.lines.map((l) => `${indent}  | ${l}`)];
}

function renderSqueeze(s: SqueezeSection): string[] {
  const out = [`  Squeeze: ${s.title}`];
  for (const f of s.forecasts)
    out.push(
      `    forecast in the ${f.band} alert: ${days(f.alertDays)}; the script's ${f.level} % at ${minute(f.at)}, its daily maxima's line ${f.fitted} % rising ${f.slopePerDay} points a day: ${days(f.expectedDays)}`,
    );
  out.push(`    alerts for ${s.outpost} ${s.instanceType}: ${s.alerts.length}`);
  for (const a of s.alerts) out.push(...alertLines(a, "      "));
  return out;
}

function renderFill(f: FillSection): string[] {
  const out = [`  Fill: ${f.title}`];
  out.push(
    `    lowest free: ${f.lowestFreePercent ?? "?"} % (${f.lowestFreeGiB ?? "?"} GiB); snapshots in the Region instead: ${f.regionalInstead}; in state error: ${f.errors.length}`,
    "    windows (where the sandbox holds their snapshots; free % as the planner could read it):",
  );
  for (const w of f.windows)
    out.push(
      `      ${minute(w.window)} ${w.schedule.padEnd(7)} ${String(w.snapshots).padStart(2)} snapshots ${w.placement.padEnd(7)} free ${w.freePercent ?? "?"} %${w.placement === w.expected ? "" : ` (expected ${w.expected})`}${w.noted ? ", summary notes local-storage-low" : ""}${w.described ? ", so do its descriptions" : ""}`,
    );
  out.push(`    local-snapshots alerts: ${f.localSnapshotAlerts.length}`);
  for (const a of f.localSnapshotAlerts) out.push(...alertLines(a, "      "));
  out.push(`    snapshot-storage alerts: ${f.storageAlerts.length}`);
  for (const a of f.storageAlerts) out.push(...alertLines(a, "      "));
  return out;
}

export function renderCapacity(c: CapacityReport): string[] {
  const out = [
    `Capacity: ${c.outposts.map((o) => `${o.name} (${o.id}: ${o.instanceTypes.join(", ")}; volumes ${o.volumeTypes.join(", ") || "-"}; S3 on Outposts ${o.storageTiB} TiB)`).join("; ")}`,
    `  Monitor: ${c.monitor.runs} runs, every ${c.monitor.everyMinutes} simulated minutes (deployed: ${c.monitor.deployed}); alarms it created: ${c.monitor.alarmsPut.length}, deleted: ${c.monitor.alarmsDeleted.length}; ${c.monitor.meanWallMs.toFixed(0)} ms a run on average (max ${c.monitor.maxWallMs.toFixed(0)})`,
    `  Alarm handler runs: ${Object.values(c.decisions).reduce((a, b) => a + b, 0)}; capacity alerts: ${c.alerts.length}`,
    ...Object.entries(c.decisions).map(([d, n]) => `    ${String(n).padStart(3)}  ${d}`),
  ];
  // An alarm's first evaluation (INSUFFICIENT_DATA to OK) is no news: counted, not listed.
  const moved = c.alarmChanges.filter((a) => a.changes.some((x) => x.state !== "OK"));
  const quiet = c.alarmChanges.length - moved.length;
  out.push(
    `  Alarm state changes (${moved.length} alarms moved; ${quiet} more went OK at their first evaluation and stayed there):`,
    ...moved.map(
      (a) =>
        `    ${a.alarm}: ${a.changes
          .filter((x, i) => !(i === 0 && x.state === "OK"))
          .map((x) => `${x.state} ${minute(x.at)}`)
          .join(", ")}`,
    ),
  );
  if (c.squeeze) out.push(...renderSqueeze(c.squeeze));
  if (c.fill) out.push(...renderFill(c.fill));
  c.weekly.forEach((w, i) => {
    out.push(
      `  Weekly report at ${minute(w.at)}: ${w.texts.length} messages${w.error ? `; FAILED: ${w.error}` : ""}`,
    );
    // The first week's texts in full (up to the alert footer); later weeks by subject (--json: all).
    for (const t of w.texts)
      out.push(
        `    Subject: ${t.subject}`,
        ...(i === 0 ? ownLines(t.message, 40).map((l) => `    | ${l}`) : []),
      );
    if (w.cli)
      out.push(
        `    ${w.cli.command}: exit ${w.cli.exitCode}; ${w.differences.length === 0 ? "the same numbers as the report" : `differs: ${w.differences.join("; ")}`}`,
      );
  });
  if (c.linkOutages.length > 0) {
    out.push(
      `  Service link alerts during the failover phase's outages: ${c.connected.length} (${c.linkOutages.map((o) => `from ${minute(o.from)}: ${o.down} link-down, ${o.restored} restored`).join("; ")})`,
    );
    // Each outage's first link-down alert as read; the rest by time and severity.
    const firsts = new Set(
      [...new Set(c.connected.map((a) => a.outage))].flatMap((o) => {
        const first = c.connected.find((a) => a.outage === o && a.severity === "critical");
        return first ? [first] : [];
      }),
    );
    for (const a of firsts) out.push("    the outage's first, as read:", ...alertLines(a, "      "));
    out.push(
      `    the rest: ${c.connected
        .filter((a) => !firsts.has(a))
        .map((a) => `${minute(a.at).slice(11)} ${a.severity}`)
        .join(", ")}`,
    );
  }
  if (c.unexplained.length > 0) {
    out.push("  Alerts the script does not explain:");
    for (const a of c.unexplained) out.push(...alertLines(a, "    "));
  }
  out.push("  Measured:", ...c.measured.map((m) => `    - ${m}`));
  return out;
}
