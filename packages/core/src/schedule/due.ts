import type { Policy, Schedule } from "../config/schema.ts";
import { retentionReachMs } from "../retention/reach.ts";
import { windowId } from "../time.ts";
import { lastFireAtOrBefore, parseScheduleExpression, type ScheduleExpression } from "./expression.ts";

/** EventBridge may deliver a scheduled event late; a fire this recent still counts as due. */
export const DEFAULT_LOOKBACK_MS = 5 * 60_000;

export interface DueSchedule {
  schedule: Schedule;
  /** The schedule's nominal fire time: the idempotency window. */
  window: Date;
  /** Other schedules of the policy firing in the same window, which lost to `schedule` (config order). */
  coinciding: string[];
  reason: string;
}

// Parsing walks a year of fire times to find the interval; expressions are few and immutable, so memoize.
const parsed = new Map<string, ScheduleExpression>();
function expressionOf(schedule: Schedule): ScheduleExpression {
  let expression = parsed.get(schedule.expression);
  if (!expression) {
    expression = parseScheduleExpression(schedule.expression);
    parsed.set(schedule.expression, expression);
  }
  return expression;
}

interface Candidate {
  schedule: Schedule;
  index: number;
  window: Date;
  reachMs: number;
}

/**
 * Which of the policy's schedules this invocation snapshots for, judged from `now` alone.
 *
 * Every schedule has its own EventBridge rule, but the answer depends only on time: the most recent
 * window (nominal fire time, at most `lookbackMs` ago) wins; schedules sharing that window are broken by
 * the longer retention reach, then by config order. So duplicate deliveries, retries and two rules
 * firing together all choose the same schedule and window, hence the same work items.
 *
 * @example dueSchedule(policy, new Date("2024-05-14T00:00:20Z"))?.reason
 *   // "daily fires at 2024-05-14T00:00Z (also hourly; daily keeps longer)"
 */
export function dueSchedule(
  policy: Policy,
  now: Date,
  lookbackMs = DEFAULT_LOOKBACK_MS,
): DueSchedule | undefined {
  const candidates: Candidate[] = [];
  policy.schedules.forEach((schedule, index) => {
    const expression = expressionOf(schedule);
    const window = lastFireAtOrBefore(expression.cron, now, lookbackMs);
    if (window) {
      candidates.push({
        schedule,
        index,
        window,
        reachMs: retentionReachMs(schedule.retention, expression.intervalMs),
      });
    }
  });
  if (candidates.length === 0) return undefined;

  const latest = Math.max(...candidates.map((c) => c.window.getTime()));
  const sharing = candidates.filter((c) => c.window.getTime() === latest);
  const winner = sharing.reduce((best, c) => (c.reachMs > best.reachMs ? c : best));
  const losers = sharing.filter((c) => c !== winner);
  const window = winner.window;

  let reason = `${winner.schedule.name} fires at ${windowId(window)}`;
  if (losers.length > 0) {
    const names = losers.map((c) => c.schedule.name).join(", ");
    const tied = losers.some((c) => c.reachMs === winner.reachMs);
    reason += tied
      ? ` (also ${names}; same retention reach, ${winner.schedule.name} is listed first)`
      : ` (also ${names}; ${winner.schedule.name} keeps longer)`;
  }
  const lateMs = now.getTime() - window.getTime();
  if (lateMs >= 60_000) reason += `; evaluated ${Math.floor(lateMs / 60_000)} min late, within the lookback`;

  return { schedule: winner.schedule, window, coinciding: losers.map((c) => c.schedule.name), reason };
}
