/**
 * What must hold of the capacity phase (its report, read from the sandbox's alert topic, alarms and
 * snapshots): the squeeze alerts once per band with a forecast that matches the seeded trend and
 * once when it clears; while the Outpost's storage is low its Outpost-placed windows snapshot in the
 * Region, none fails, one alert says so and one says it is over, and local snapshots resume; the
 * weekly report and `outpost-ops capacity` show the same numbers; the service link's alerts say
 * what to do. A scenario the span did not play has no invariants; whether one played is the
 * script's to say (the squeeze, the fill, the report's schedule, the link's outages), never what the
 * product produced.
 */
import type { CapacityReport } from "./capacity-report.ts";
import type { InvariantResult } from "./invariants.ts";

const minute = (iso: string) => iso.slice(0, 16).replace("T", " ");

/**
 * @example checkCapacityInvariants(report.capacity).filter((i) => !i.ok)
 */
export function checkCapacityInvariants(c: CapacityReport): InvariantResult[] {
  const results: InvariantResult[] = [];
  const s = c.squeeze;
  if (s) {
    const order = [s.warning, s.critical, s.resolved];
    const inOrder = order.every((a, i) => a && (i === 0 || (order[i - 1]?.at ?? "") <= a.at));
    results.push({
      name: "a capacity squeeze alerts once per band, then once resolved",
      ok:
        s.alerts.length === 3 &&
        inOrder &&
        (s.warning?.at ?? "") >= s.crosses.warning &&
        (s.critical?.at ?? "") >= s.crosses.critical &&
        (s.resolved?.at ?? "") >= s.recoveredAt,
      detail:
        s.alerts.map((a) => `${minute(a.at)} ${a.subject}`).join("; ") ||
        `no alert for ${s.outpost} ${s.instanceType}`,
    });
    // "[WARNING] factory Outpost: m5.large capacity 80 %, full in ~3 days": the level the script had
    // then, and exactly the days the script's own daily maxima give (capacity-script.ts
    // expectedForecast: no slack, a forecast rounded down is a day short).
    const type = s.instanceType.replace(".", "\\.");
    const bad = (["warning", "critical"] as const).flatMap((band) => {
      const f = s.forecasts.find((x) => x.band === band);
      if (!f) return [`no ${band} alert`];
      const subject = new RegExp(
        `^\\[${band.toUpperCase()}\\] ${s.outpost} Outpost: ${type} capacity (\\d+) %, full in ~\\d+ days?$`,
      ).exec(f.subject);
      if (subject === null || Math.abs(Number(subject[1]) - f.level) > 1)
        return [`"${f.subject}" does not read as expected`];
      return f.alertDays === f.expectedDays
        ? []
        : [`"${f.subject}": ${f.alertDays ?? "no"} days, not ${f.expectedDays}`];
    });
    results.push({
      name: "the squeeze's alerts forecast the seeded trend",
      ok: bad.length === 0,
      detail:
        bad.length > 0
          ? bad.join("; ")
          : s.forecasts
              .map(
                (f) =>
                  `${f.band} ${minute(f.at)}: ${f.alertDays} day${f.alertDays === 1 ? "" : "s"}, as the script's daily maxima give (line ${f.fitted} % rising ${f.slopePerDay} a day: ceil(${Math.round((100 - f.fitted) * 100) / 100} / ${f.slopePerDay}))`,
              )
              .join("; "),
    });
  }

  const fill = c.fill;
  if (fill) {
    const wrong = fill.windows.filter((w) => w.placement !== w.expected);
    const regional = fill.windows.filter((w) => w.placement === "region");
    // The planner says so in its run's summary and in each snapshot's description; a local window
    // says nothing of the kind.
    const unnoted = regional.filter((w) => w.noted !== true || !w.described);
    const misnoted = fill.windows.filter((w) => w.placement === "outpost" && (w.noted || w.described));
    const lastRegional = regional.at(-1)?.window ?? "";
    const resumed = fill.windows.filter(
      (w) => w.window > lastRegional && w.window >= fill.freedAt && w.placement === "outpost",
    );
    results.push({
      name: "local snapshots move to the Region while the Outpost's storage is low, and come back",
      ok:
        wrong.length === 0 &&
        regional.length > 0 &&
        unnoted.length === 0 &&
        misnoted.length === 0 &&
        resumed.length > 0,
      detail:
        wrong.length > 0
          ? `placed against the floor: ${wrong.map((w) => `${minute(w.window)} ${w.placement} (${w.freePercent ?? "?"} % free)`).join(", ")}`
          : `${regional.length} windows in the Region (${fill.regionalInstead} snapshots, ${minute(regional[0]?.window ?? "")} to ${minute(lastRegional)})${unnoted.length ? `; ${unnoted.length} without the local-storage-low note in the summary and descriptions` : ", each noted local-storage-low in the planner's summary and the snapshots' descriptions"}${misnoted.length ? `; ${misnoted.length} local windows noted local-storage-low` : ""}; local again from ${minute(resumed[0]?.window ?? "-")}`,
    });
    results.push({
      name: "no snapshot fails when the Outpost's storage fills",
      ok: fill.errors.length === 0,
      detail:
        fill.errors.length === 0
          ? `no snapshot in state error (lowest free: ${fill.lowestFreePercent ?? "?"} %, ${fill.lowestFreeGiB ?? "?"} GiB)`
          : fill.errors
              .slice(0, 5)
              .map((e) => `${e.id} (${e.policy} ${e.window})`)
              .join(", "),
    });
    const into = fill.localSnapshotAlerts.filter((a) => a.severity !== "info");
    const out = fill.localSnapshotAlerts.filter((a) => a.severity === "info");
    results.push({
      name: "one alert as local snapshots move to the Region, one as they resume",
      ok:
        into.length === 1 &&
        out.length === 1 &&
        (into[0]?.at ?? "") < (out[0]?.at ?? "") &&
        /resume/i.test(out[0]?.subject ?? ""),
      detail:
        fill.localSnapshotAlerts.map((a) => `${minute(a.at)} ${a.subject}`).join("; ") ||
        "no local-snapshots alert",
    });
  }

  // Whenever the report's schedule fires in the span: each run must be there, by its minute.
  if (c.weeklyExpected.length > 0) {
    const wrong = c.weekly.filter(
      (w) => w.error || w.cli?.exitCode !== 0 || w.texts.length === 0 || w.differences.length > 0,
    );
    const ran = c.weekly.map((w) => minute(w.at));
    const missing = c.weeklyExpected.filter((at) => !ran.includes(minute(at)));
    const extra = ran.filter((at) => !c.weeklyExpected.some((e) => minute(e) === at));
    results.push({
      name: "the weekly capacity report and `outpost-ops capacity` show the same numbers",
      ok: wrong.length === 0 && missing.length === 0 && extra.length === 0,
      detail:
        missing.length > 0 || extra.length > 0
          ? `the schedule fires at ${c.weeklyExpected.map(minute).join(", ")}; the report ran at ${ran.join(", ") || "no time"}`
          : wrong.length === 0
            ? `${c.weekly.length} report(s) (${c.weekly.map((w) => minute(w.at)).join(", ")}), ${c.weekly[0]?.texts.length} Outposts each: the same sections as ${c.weekly[0]?.cli?.command}`
            : wrong
                .map((w) =>
                  w.error
                    ? `${minute(w.at)} the report failed: ${w.error}`
                    : w.cli?.exitCode !== 0
                      ? `${minute(w.at)} outpost-ops capacity exited ${w.cli?.exitCode ?? "?"}: ${w.cli?.error ?? ""}`
                      : w.texts.length === 0
                        ? `${minute(w.at)} no report sent`
                        : `${minute(w.at)} ${w.differences.slice(0, 3).join("; ")}`,
                )
                .join("; "),
    });
  }

  // Whenever the script has the link down: each outage is one alarm (3 down minutes of the last 15,
  // so a flapping link stays in ALARM), hence one link-down alert and one "restored"; the link-down
  // alert names the failover command and the readiness the script gives that outage.
  if (c.linkOutages.length > 0) {
    const down = c.connected.filter((a) => a.severity === "critical");
    const vague = down.filter((a) => !a.namesFailover || !a.namesReadiness);
    const miscounted = c.linkOutages.filter((o) => o.down !== 1 || o.restored !== 1);
    const readiness = (o: { drReady: boolean }) => (o.drReady ? "ready" : "NOT ready");
    results.push({
      name: "the service link's alerts name the failover command and DR readiness",
      ok: vague.length === 0 && miscounted.length === 0,
      detail:
        vague.length > 0
          ? vague
              .map(
                (a) =>
                  `${minute(a.at)} ${a.subject}: not naming the command and ${readiness(c.linkOutages[a.outage] ?? { drReady: false })}`,
              )
              .join("; ")
          : miscounted.length > 0
            ? miscounted
                .map(
                  (o) =>
                    `outage from ${minute(o.from)}: ${o.down} link-down and ${o.restored} restored alerts, not one each`,
                )
                .join("; ")
            : c.linkOutages
                .map(
                  (o) =>
                    `outage from ${minute(o.from)}: one link-down alert naming the command and DR ${readiness(o)}, one restored`,
                )
                .join("; "),
    });
  }

  results.push({
    name: "every capacity alert has a cause in the script",
    ok: c.unexplained.length === 0,
    detail:
      c.unexplained.length === 0
        ? `${c.alerts.length} capacity alerts, each the squeeze's, the fill's or the service link's`
        : c.unexplained
            .slice(0, 5)
            .map((a) => `${minute(a.at)} ${a.subject}`)
            .join("; "),
  });
  return results;
}
