/**
 * The capacity phase's script on the drill's clock: what the example Outposts report to CloudWatch
 * (AWS/Outposts, S3 on Outposts, AWS/EC2) and the two things that go wrong.
 *
 * - History: every series starts HISTORY_DAYS before the drill (what CloudWatch holds when it
 *   begins), one datapoint every 5 minutes, as Outposts publishes them.
 * - The squeeze (factory, m5.large): from the start of the history its utilization rises linearly,
 *   SQUEEZE_SLOPE points a day from SQUEEZE_BASELINE %, through the warning band (80 %) on day 1 and
 *   the critical band (95 %) on day 3, until capacity is added (twice the slots): it drops to
 *   RECOVERED_PERCENT and stays there. Every daily maximum the forecast sees lies on that line, so
 *   the warning alert's "full in ~N days" can be checked against the slope and the level.
 * - The fill (factory, S3 on Outposts): another application's buckets on the Outpost grow by
 *   FILL_RATE_PERCENT of the capacity an hour from FILL_FROM_MS until the Outpost is full (FULL_FREE_GIB
 *   free: less than one local snapshot of the filled windows needs, so a window that stayed local
 *   would end in `error`), then keep it full, taking whatever retention frees, until they move their
 *   data off at FILL_FREED_MS. Local snapshots are counted by the sandbox itself (free = total −
 *   other use − the local snapshots on it): "full" is the other use that leaves FULL_FREE_GIB of
 *   what the sandbox says the local snapshots leave, so the script needs the sandbox's count, not
 *   the product's.
 *
 * Both fit in the first three days (the e2e test's span); a scenario that does not end before the
 * span does is not played (its series stay flat).
 */
import { type CronFields, cronMatches } from "@outpost-ops/core/schedule/expression";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How far back every series goes when the drill starts. */
export const HISTORY_DAYS = 6;
/** Outposts publishes its capacity metrics every 5 minutes. */
export const METRIC_PERIOD_MS = 5 * MINUTE;

/** The squeezed instance type, on the first Outpost the squeeze names (the factory in the example). */
export const SQUEEZE_TYPE = "m5.large";
/** Utilization when the history starts, and its rise in percentage points a day. */
const SQUEEZE_BASELINE = 20;
const SQUEEZE_SLOPE = 9;
/** m5.large slots on the factory before capacity is added (as many are added). */
const SQUEEZE_SLOTS = 24;
/** When capacity is added (ms after the start): day 3, 14:00, six hours after the critical band. */
const SQUEEZE_RECOVERED_MS = 2 * DAY + 14 * HOUR;
/** Utilization once the slots are doubled: well below the warning band. */
const RECOVERED_PERCENT = 45;
/** How long after the recovery the alarms need to go OK (3 periods) and their messages to arrive. */
const SETTLE_MS = 30 * MINUTE;

/** S3 on Outposts capacity of each example Outpost (GiB): 96 TiB, one of the sizes AWS sells. */
export const STORAGE_GIB = 96 * 1024;
/** The other applications' share of it, before and after the fill (percent). */
const OTHER_USE_PERCENT = 62;
/** The fill: day 2, 07:00, growing 6 % of the capacity an hour until the Outpost is full. */
const FILL_FROM_MS = DAY + 7 * HOUR;
const FILL_RATE_PERCENT = 6;
/**
 * Free storage once the Outpost is full (GiB): less than any one local snapshot of a policy the
 * fill checks (the example's line volumes are 100 GiB, and the sandbox charges a local snapshot its
 * full VolumeSize), so each would end in `error` if placement did not fall back.
 */
export const FULL_FREE_GIB = 50;
/** They move their data off: day 2, 19:30 (the 20:00 window snapshots locally again). */
const FILL_FREED_MS = DAY + 19 * HOUR + 30 * MINUTE;
/** Windows after the freeing that must be local again before the span ends. */
const RESUME_WINDOWS_MS = 2 * HOUR + 30 * MINUTE;

export interface Squeeze {
  outpost: string;
  outpostId: string;
  instanceType: string;
  /** Where the line starts (the history's first datapoint) and its value there. */
  from: Date;
  baseline: number;
  slopePerDay: number;
  /** When the line crosses each band (the config's percent). */
  crosses: { warning: Date; critical: Date };
  thresholds: { warning: number; critical: number };
  /** Capacity added: utilization drops to `recoveredPercent`, the slots double. */
  recoveredAt: Date;
  recoveredPercent: number;
  slots: number;
  /** The end of the scenario: alarms back to OK and their messages sent. */
  settledAt: Date;
}

export interface StorageFill {
  outpost: string;
  outpostId: string;
  totalGiB: number;
  /** Other use before and after, GiB. */
  baseGiB: number;
  from: Date;
  /** How fast the other use grows from `from` (GiB an hour) until the Outpost is full. */
  rateGiBPerHour: number;
  /** Free storage while it is full (GiB), the local snapshots counted. */
  fullFreeGiB: number;
  freedAt: Date;
  /** The span's end of what is checked: local windows after the freeing. */
  settledAt: Date;
}

export interface CapacityScript {
  /** The first datapoint of every series. */
  historyFrom: Date;
  squeeze?: Squeeze;
  fill?: StorageFill;
  /** When the weekly report's schedule fires in the span (each run must be seen, whatever the product did). */
  reports: Date[];
}

export interface ScriptOutpost {
  name: string;
  id: string;
}

/**
 * @example capacityScript({ start, end, outpost: { name: "factory", id: "op-0a1b…" }, thresholds: { warning: 80, critical: 95 } })
 */
export function capacityScript(input: {
  start: Date;
  end: Date;
  /** The Outpost both scenarios play on; none: nothing is played. */
  outpost?: ScriptOutpost;
  /** The instance-type bands of the config (capacity.thresholds.instanceType). */
  thresholds: { warning: number; critical: number };
  /** Whether a policy places snapshots on that Outpost (else there is nothing for the fill to move). */
  placesLocally: boolean;
  /** The weekly report's schedule (capacity.report.schedule, parsed). */
  reportCron?: CronFields;
}): CapacityScript {
  const start = input.start.getTime();
  const historyFrom = new Date(start - HISTORY_DAYS * DAY);
  const fits = (ms: number) => start + ms <= input.end.getTime();
  const reports = input.reportCron ? firesIn(input.reportCron, input.start, input.end) : [];
  const script: CapacityScript = { historyFrom, reports };
  const o = input.outpost;
  if (!o) return script;
  const crossing = (percent: number) =>
    new Date(historyFrom.getTime() + ((percent - SQUEEZE_BASELINE) / SQUEEZE_SLOPE) * DAY);
  const recoveredAt = new Date(start + SQUEEZE_RECOVERED_MS);
  const critical = crossing(input.thresholds.critical);
  if (fits(SQUEEZE_RECOVERED_MS + SETTLE_MS) && critical < recoveredAt)
    script.squeeze = {
      outpost: o.name,
      outpostId: o.id,
      instanceType: SQUEEZE_TYPE,
      from: historyFrom,
      baseline: SQUEEZE_BASELINE,
      slopePerDay: SQUEEZE_SLOPE,
      crosses: { warning: crossing(input.thresholds.warning), critical },
      thresholds: input.thresholds,
      recoveredAt,
      recoveredPercent: RECOVERED_PERCENT,
      slots: SQUEEZE_SLOTS,
      settledAt: new Date(recoveredAt.getTime() + SETTLE_MS),
    };
  if (input.placesLocally && fits(FILL_FREED_MS + RESUME_WINDOWS_MS))
    script.fill = {
      outpost: o.name,
      outpostId: o.id,
      totalGiB: STORAGE_GIB,
      baseGiB: (STORAGE_GIB * OTHER_USE_PERCENT) / 100,
      from: new Date(start + FILL_FROM_MS),
      rateGiBPerHour: (STORAGE_GIB * FILL_RATE_PERCENT) / 100,
      fullFreeGiB: FULL_FREE_GIB,
      freedAt: new Date(start + FILL_FREED_MS),
      settledAt: new Date(start + FILL_FREED_MS + RESUME_WINDOWS_MS),
    };
  return script;
}

/** The squeezed type's utilization at `ms` (percent). */
export function squeezeAt(s: Squeeze, ms: number): number {
  if (ms >= s.recoveredAt.getTime()) return s.recoveredPercent;
  return s.baseline + (s.slopePerDay * (ms - s.from.getTime())) / DAY;
}

/** Its slots at `ms`: doubled once capacity is added. */
export function slotsAt(s: Squeeze, ms: number): number {
  return ms >= s.recoveredAt.getTime() ? 2 * s.slots : s.slots;
}

/** The days the forecast reads: today (partial) and the 13 before it, as the capacity readers ask. */
const FORECAST_DAYS = 14;

/**
 * What the forecast should say at `at`, worked out from the script alone, by the method the README
 * states: the script's own datapoints (every 5 minutes from the history's start, the last at or
 * before `at` plus a minute, as the readers' EndTime) give one maximum per UTC day, stamped at its
 * midnight, today's being the level at `at`; a least-squares line through the last 14 of them; the
 * days until it reaches 100 % from its value at the last daily maximum, rounded up (a day at least:
 * a line already over 100 is a day away). The partial day's maximum sits below the line through the
 * whole days, so the fitted value is not the level at `at` and the slope not quite the script's:
 * hence the fit rather than (100 − level) / slope, which can round to a day less. No slack: the
 * datapoints are exact, and so is the answer.
 */
export function expectedForecast(
  s: Squeeze,
  at: Date,
): { days: number; fitted: number; slopePerDay: number; points: number } {
  const end = at.getTime() + MINUTE;
  const today = Math.floor(at.getTime() / DAY) * DAY;
  const first = Math.max(Math.floor(s.from.getTime() / DAY) * DAY, today - (FORECAST_DAYS - 1) * DAY);
  const points: [number, number][] = [];
  for (let day = first; day <= today; day += DAY) {
    let max: number | undefined;
    const from = Math.ceil(Math.max(day, s.from.getTime()) / METRIC_PERIOD_MS) * METRIC_PERIOD_MS;
    for (let t = from; t < Math.min(day + DAY, end); t += METRIC_PERIOD_MS) {
      const v = squeezeAt(s, t);
      if (max === undefined || v > max) max = v;
    }
    if (max !== undefined) points.push([(day - first) / DAY, max]);
  }
  const n = points.length;
  const meanX = points.reduce((a, [x]) => a + x, 0) / n;
  const meanY = points.reduce((a, [, y]) => a + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sxx += (x - meanX) ** 2;
    sxy += (x - meanX) * (y - meanY);
  }
  const slopePerDay = sxy / sxx;
  const fitted = meanY + slopePerDay * ((points.at(-1)?.[0] ?? 0) - meanX);
  return { days: Math.max(1, Math.ceil((100 - fitted) / slopePerDay)), fitted, slopePerDay, points: n };
}

/** Whether a policy places snapshots on the named Outpost (no `outposts` in its selector: on every one). */
export function placesOn(
  policy: { placement?: string; selector: { outposts?: readonly string[] } },
  outpost: string,
): boolean {
  return policy.placement === "outpost" && (policy.selector.outposts ?? [outpost]).includes(outpost);
}

/**
 * When a schedule (an EventBridge cron or rate) fires in [start, end), by the minute: the weekly
 * report's runs the drill must see.
 */
export function firesIn(cron: CronFields, start: Date, end: Date): Date[] {
  const out: Date[] = [];
  for (let t = Math.ceil(start.getTime() / MINUTE) * MINUTE; t < end.getTime(); t += MINUTE)
    if (cronMatches(cron, new Date(t))) out.push(new Date(t));
  return out;
}

/**
 * The other applications' use of the Outpost's S3 capacity at `ms` (GiB), given what the local
 * snapshots on it take then (`localSnapshotGiB`, the sandbox's count): growing from the base, at most
 * what leaves `fullFreeGiB` free, and never less than the base.
 */
export function otherUseAt(f: StorageFill, ms: number, localSnapshotGiB: number): number {
  if (ms < f.from.getTime() || ms >= f.freedAt.getTime()) return f.baseGiB;
  const growing = f.baseGiB + (f.rateGiBPerHour * (ms - f.from.getTime())) / HOUR;
  const full = f.totalGiB - localSnapshotGiB - f.fullFreeGiB;
  return Math.max(f.baseGiB, Math.min(growing, full));
}

/** The base other use of an Outpost the fill does not play on (GiB). */
export const BASE_OTHER_USE_GIB = (STORAGE_GIB * OTHER_USE_PERCENT) / 100;

/**
 * The minutes the simulation must step at for the fill: every 5 minutes while the other use moves
 * (it grows, then takes what retention frees), and the freeing.
 */
export function scriptSteps(script: CapacityScript): Date[] {
  const f = script.fill;
  if (!f) return [];
  const steps: Date[] = [];
  for (let t = f.from.getTime(); t < f.freedAt.getTime(); t += METRIC_PERIOD_MS) steps.push(new Date(t));
  steps.push(f.freedAt);
  return steps;
}

/** A person's summary of the scenarios, for the report's scenario list. */
export function describeSqueeze(s: Squeeze): string {
  return `capacity squeeze: ${s.outpost}'s ${s.instanceType} utilization rises ${s.slopePerDay} points a day (from ${s.baseline} % at ${hhmm(s.from)}, the start of CloudWatch's history here), crossing ${s.thresholds.warning} % at ${hhmm(s.crosses.warning)} and ${s.thresholds.critical} % at ${hhmm(s.crosses.critical)} UTC; at ${hhmm(s.recoveredAt)} capacity is added (${s.slots} slots to ${2 * s.slots}) and it drops to ${s.recoveredPercent} %: one warning alert with its forecast, one critical, one resolved`;
}

export function describeFill(f: StorageFill, floorPercent: number): string {
  const pct = (gib: number) => `${Math.round((100 * gib) / f.totalGiB)} %`;
  return `local snapshot storage fills: other applications' S3 on Outposts buckets on ${f.outpost} (${Math.round(f.totalGiB / 1024)} TiB) grow from ${pct(f.baseGiB)} at ${hhmm(f.from)} UTC by ${pct(f.rateGiBPerHour)} of it an hour until the Outpost is full (${f.fullFreeGiB} GiB free, less than one local snapshot needs) and keep it full, below the ${floorPercent} % floor, until ${hhmm(f.freedAt)} when they move their data off: the Outpost-placed hourly windows must snapshot in the Region instead (a local one would end in error), then locally again`;
}

const hhmm = (d: Date) => d.toISOString().slice(0, 16).replace("T", " ");
