/**
 * Retention tiers: keep the newest snapshot in each of the last N hours / days / ISO weeks / months /
 * years, all in UTC. The selection follows restic's and borg's `forget` semantics: walk the snapshots
 * newest first and keep the first one seen in each new period, until N periods have been kept. Periods
 * without snapshots do not count, so "daily 7" keeps 7 snapshots even if some days were missed.
 */

export type Tier = "hourly" | "daily" | "weekly" | "monthly" | "yearly";

/** The tiers in the order they are reported (finest first). */
export const TIERS: readonly Tier[] = ["hourly", "daily", "weekly", "monthly", "yearly"];

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Nominal period lengths, for estimates only (periods themselves follow the UTC calendar): a month is
 * the Gregorian average of 30.436875 days, a year 365.2425 days.
 */
export const TIER_PERIOD_MS: Readonly<Record<Tier, number>> = {
  hourly: HOUR_MS,
  daily: DAY_MS,
  weekly: 7 * DAY_MS,
  monthly: 2_629_746_000,
  yearly: 31_556_952_000,
};

/**
 * The integer index of the UTC period that contains `timeMs` (epoch milliseconds). Two instants are
 * in the same period exactly when their indices are equal, and later periods have larger indices.
 * This is the fast form of {@link periodKey}, used when selecting.
 *
 * @example periodIndex("daily", Date.UTC(1970, 0, 2, 5)) // 1
 * @example periodIndex("weekly", Date.UTC(1970, 0, 5)) // 1: Monday 5 January 1970 starts ISO week 2
 */
export function periodIndex(tier: Tier, timeMs: number): number {
  switch (tier) {
    case "hourly":
      return Math.floor(timeMs / HOUR_MS);
    case "daily":
      return Math.floor(timeMs / DAY_MS);
    case "weekly":
      // 1970-01-01 was a Thursday; the Monday that starts its ISO week is day -3.
      return Math.floor((Math.floor(timeMs / DAY_MS) + 3) / 7);
    case "monthly": {
      const d = new Date(timeMs);
      return d.getUTCFullYear() * 12 + d.getUTCMonth();
    }
    case "yearly":
      return new Date(timeMs).getUTCFullYear();
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * The readable UTC period key of a time: `2024-05-14T10` (hourly), `2024-05-14` (daily), `2024-W20`
 * (weekly: ISO 8601 week-numbering year and week, weeks start on Monday), `2024-05` (monthly),
 * `2024` (yearly).
 *
 * @example periodKey("weekly", new Date("2021-01-03T12:00:00Z")) // "2020-W53"
 */
export function periodKey(tier: Tier, at: Date): string {
  const iso = at.toISOString();
  switch (tier) {
    case "hourly":
      return iso.slice(0, 13);
    case "daily":
      return iso.slice(0, 10);
    case "monthly":
      return iso.slice(0, 7);
    case "yearly":
      return String(at.getUTCFullYear());
    case "weekly": {
      // The ISO week belongs to the year of its Thursday.
      const day = Math.floor(at.getTime() / DAY_MS);
      const weekday = (((day + 3) % 7) + 7) % 7; // 0 = Monday
      const thursday = new Date((day - weekday + 3) * DAY_MS);
      const year = thursday.getUTCFullYear();
      const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
      return `${year}-W${pad(week)}`;
    }
  }
}

/**
 * Positions (into `timesNewestFirst`) that a tier keeps: the first time seen in each new period,
 * for the `count` most recent periods. `timesNewestFirst` must be sorted newest first.
 */
export function tierPicks(timesNewestFirst: readonly number[], tier: Tier, count: number): number[] {
  const picks: number[] = [];
  let last: number | undefined;
  for (let i = 0; i < timesNewestFirst.length && picks.length < count; i++) {
    const period = periodIndex(tier, timesNewestFirst[i] as number);
    if (period !== last) {
      picks.push(i);
      last = period;
    }
  }
  return picks;
}

/**
 * The ids a tier keeps: the newest snapshot in each of the `count` most recent UTC periods that
 * contain a snapshot. `snapshots` must be sorted newest first (ties in any fixed order: the first of
 * a tie wins).
 *
 * @example
 * selectTier(
 *   [{ id: "c", createdAt: new Date("2024-05-14T22:00Z") }, { id: "b", createdAt: new Date("2024-05-14T02:00Z") },
 *    { id: "a", createdAt: new Date("2024-05-12T02:00Z") }],
 *   "daily", 2,
 * ) // ["c", "a"]
 */
export function selectTier(
  snapshots: readonly { id: string; createdAt: Date }[],
  tier: Tier,
  count: number,
): string[] {
  const picks = tierPicks(
    snapshots.map((s) => s.createdAt.getTime()),
    tier,
    count,
  );
  return picks.map((i) => (snapshots[i] as { id: string }).id);
}
