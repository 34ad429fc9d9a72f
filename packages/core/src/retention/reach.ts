import type { Retention } from "../config/schema.ts";
import { parseDuration } from "../time.ts";
import { TIER_PERIOD_MS, TIERS } from "./tiers.ts";

/**
 * How far back a retention keeps snapshots, in milliseconds, for a schedule that fires every
 * `scheduleIntervalMs`. Used to rank schedules (e.g. which of two schedules firing in the same
 * window has the longer retention); it is an estimate, not what the planner keeps.
 *
 * - `keepLast N` reaches N × interval.
 * - A tier with N reaches N × its period (month = 30.436875 d, year = 365.2425 d), but never less
 *   than N × interval: a schedule that fires daily cannot fill 24 hourly periods in one day.
 * - The reach is the largest of those; `maxAge` caps it. With only `maxAge`, the reach is `maxAge`.
 *
 * @throws RangeError when `scheduleIntervalMs` is not a positive finite number.
 * @example
 * retentionReachMs({ keepLast: 7 }, 86_400_000) // 604_800_000 (7 days)
 * @example
 * retentionReachMs({ keepLast: 24, tiers: { daily: 7, weekly: 4 } }, 3_600_000) // 2_419_200_000 (4 weeks)
 * @example
 * retentionReachMs({ tiers: { monthly: 12 }, maxAge: "90d" }, 86_400_000) // 7_776_000_000 (90 days)
 */
export function retentionReachMs(retention: Retention, scheduleIntervalMs: number): number {
  if (!Number.isFinite(scheduleIntervalMs) || scheduleIntervalMs <= 0) {
    throw new RangeError(
      `schedule interval must be a positive number of milliseconds, got ${scheduleIntervalMs}`,
    );
  }
  const maxAgeMs =
    retention.maxAge === undefined ? Number.POSITIVE_INFINITY : parseDuration(retention.maxAge);
  let counted = retention.keepLast !== undefined;
  let reach = retention.keepLast === undefined ? 0 : retention.keepLast * scheduleIntervalMs;
  for (const tier of TIERS) {
    const count = retention.tiers?.[tier];
    if (count === undefined) continue;
    counted = true;
    reach = Math.max(reach, count * Math.max(TIER_PERIOD_MS[tier], scheduleIntervalMs));
  }
  // Only maxAge (or, defensively, no rule at all, which the planner treats as keep-everything).
  return counted ? Math.min(reach, maxAgeMs) : maxAgeMs;
}
