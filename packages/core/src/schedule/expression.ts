/**
 * EventBridge schedule expressions: `cron(min hour day-of-month month day-of-week year)` and
 * `rate(N unit)`, the dialect the schedules in stacks/ are created with. No npm cron library speaks
 * this dialect (six fields, `?`, year), so we parse the subset we support and reject the rest with a
 * message naming what to write instead.
 *
 * Rate schedules fire at times EventBridge picks (relative to rule creation), which would make two
 * schedules' windows never coincide. So a rate is accepted only when it divides a day evenly and is
 * deployed as the equivalent UTC-aligned cron (see `toEventBridgeExpression`).
 */

export interface CronFields {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number> | "any";
  months: Set<number>;
  daysOfWeek: Set<number> | "any"; // 1 = Sunday .. 7 = Saturday, as EventBridge numbers them
  years: Set<number> | "any";
}

export interface ScheduleExpression {
  source: string;
  cron: CronFields;
  /** The smallest gap between two fires, used to compare schedules and to find the last fire. */
  intervalMs: number;
  /** The largest gap between two fires: how old the newest snapshot of this schedule alone can get. */
  largestIntervalMs: number;
  /** What to hand EventBridge: the cron itself, or a rate rewritten as an aligned cron. */
  eventBridge: string;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

export class ScheduleExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScheduleExpressionError";
  }
}

function parseField(text: string, min: number, max: number, names: string[] = []): Set<number> {
  const values = new Set<number>();
  const value = (token: string): number => {
    const named = names.indexOf(token.toUpperCase());
    // Plain decimal digits only: Number() would also take "", "0x1f" and "1.0".
    const n = named >= 0 ? named + min : /^\d+$/.test(token) ? Number(token) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ScheduleExpressionError(`"${token}" is outside ${min}-${max}`);
    }
    return n;
  };
  for (const part of text.split(",")) {
    if (/[LW#]/.test(part.replace(/JUL|WED/gi, ""))) {
      throw new ScheduleExpressionError(`"${part}": L, W and # are not supported; list the days instead`);
    }
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleExpressionError(`bad step in "${part}"`);
    let from: number;
    let to: number;
    if (range === "*") {
      from = min;
      to = max;
    } else if (range.includes("-")) {
      const [a = "", b = ""] = range.split("-");
      from = value(a);
      to = value(b);
      if (from > to) throw new ScheduleExpressionError(`range "${range}" runs backwards`);
    } else {
      from = value(range);
      to = stepText === undefined ? from : max;
    }
    for (let n = from; n <= to; n += step) values.add(n);
  }
  return values;
}

function parseCron(body: string): CronFields {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleExpressionError(
      `cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  }
  const [min = "", hour = "", dom = "", month = "", dow = "", year = ""] = fields;
  if ((dom === "?") === (dow === "?")) {
    throw new ScheduleExpressionError("exactly one of day-of-month and day-of-week must be ?");
  }
  return {
    minutes: parseField(min, 0, 59),
    hours: parseField(hour, 0, 23),
    daysOfMonth: dom === "?" || dom === "*" ? "any" : parseField(dom, 1, 31),
    months: parseField(month, 1, 12, MONTHS),
    daysOfWeek: dow === "?" || dow === "*" ? "any" : parseField(dow, 1, 7, DAYS),
    years: year === "*" ? "any" : parseField(year, 1970, 2199),
  };
}

/** True when the cron fires at minute `t` (UTC; seconds ignored). */
export function cronMatches(cron: CronFields, t: Date): boolean {
  return (
    cron.minutes.has(t.getUTCMinutes()) &&
    cron.hours.has(t.getUTCHours()) &&
    cron.months.has(t.getUTCMonth() + 1) &&
    (cron.daysOfMonth === "any" || cron.daysOfMonth.has(t.getUTCDate())) &&
    (cron.daysOfWeek === "any" || cron.daysOfWeek.has(t.getUTCDay() + 1)) &&
    (cron.years === "any" || cron.years.has(t.getUTCFullYear()))
  );
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The smallest and largest gaps between fires, from walking one representative period. */
function intervals(cron: CronFields): { smallest: number; largest: number } {
  const fires: number[] = [];
  // Walk a year of minutes only where hours/minutes match, cheaply: step by minute within matching hours.
  const start = Date.UTC(2024, 0, 1);
  for (let day = 0; day < 400 && fires.length < 400; day++) {
    for (const h of [...cron.hours].sort((a, b) => a - b)) {
      for (const m of [...cron.minutes].sort((a, b) => a - b)) {
        const t = new Date(start + day * DAY + h * 3_600_000 + m * MINUTE);
        if (cronMatches(cron, t)) fires.push(t.getTime());
      }
    }
  }
  if (fires.length < 2) return { smallest: 366 * DAY, largest: 366 * DAY };
  let smallest = Number.POSITIVE_INFINITY;
  let largest = 0;
  for (let i = 1; i < fires.length; i++) {
    const gap = (fires[i] ?? 0) - (fires[i - 1] ?? 0);
    smallest = Math.min(smallest, gap);
    largest = Math.max(largest, gap);
  }
  return { smallest, largest };
}

function rateToCron(amount: number, unit: string): string {
  const u = unit.replace(/s$/, "");
  // An increment must stay inside its field (0/60 minutes, 0/24 hours are refused): whole hours and days
  // are written as plain crons.
  if (u === "minute" && amount >= 5 && amount < 60 && 60 % amount === 0) return `cron(0/${amount} * * * ? *)`;
  if ((u === "minute" && amount === 60) || (u === "hour" && amount === 1)) return "cron(0 * * * ? *)";
  if (u === "hour" && amount < 24 && 24 % amount === 0) return `cron(0 0/${amount} * * ? *)`;
  if ((u === "hour" && amount === 24) || (u === "day" && amount === 1)) return "cron(0 0 * * ? *)";
  throw new ScheduleExpressionError(
    `rate(${amount} ${unit}) does not divide a day evenly; use minutes that divide 60 (at least 5), hours that divide 24, 1 day, or a cron() expression`,
  );
}

/**
 * Parses an EventBridge schedule expression.
 * @example parseScheduleExpression("cron(0 2 * * ? *)").intervalMs // 86_400_000
 * @example parseScheduleExpression("rate(6 hours)").eventBridge // "cron(0 0/6 * * ? *)"
 */
export function parseScheduleExpression(source: string): ScheduleExpression {
  const cronMatch = /^cron\((.*)\)$/.exec(source.trim());
  const rateMatch = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(source.trim());
  let eventBridge: string;
  if (cronMatch) eventBridge = source.trim();
  else if (rateMatch) eventBridge = rateToCron(Number(rateMatch[1]), rateMatch[2] ?? "");
  else
    throw new ScheduleExpressionError(
      'write "cron(min hour dom month dow year)" or "rate(N minutes|hours|days)"',
    );
  const cron = parseCron(/^cron\((.*)\)$/.exec(eventBridge)?.[1] ?? "");
  const gaps = intervals(cron);
  return { source, cron, intervalMs: gaps.smallest, largestIntervalMs: gaps.largest, eventBridge };
}

/**
 * The latest minute at or before `t` (and not before `t - lookbackMs`) when the cron fired, or undefined.
 * EventBridge may deliver a scheduled event a little late; the window is the nominal fire time.
 * Both ends are inclusive, so a lookback of 0 still finds a fire at exactly `t`.
 */
export function lastFireAtOrBefore(cron: CronFields, t: Date, lookbackMs: number): Date | undefined {
  const start = Math.floor(t.getTime() / MINUTE) * MINUTE;
  for (let m = start; m >= t.getTime() - lookbackMs; m -= MINUTE) {
    const candidate = new Date(m);
    if (cronMatches(cron, candidate)) return candidate;
  }
  return undefined;
}
