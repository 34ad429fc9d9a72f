/**
 * How a single-metric CloudWatch alarm decides its state, after the CloudWatch User Guide:
 * "Evaluating an alarm", "Alarm evaluation window", "Configuring how CloudWatch alarms treat missing
 * data" (its tables) and "Avoiding premature transitions to alarm state"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html).
 *
 * Simplification: the evaluation range is exactly the last EvaluationPeriods periods. AWS retrieves
 * a few more (an undocumented number; 5 for 3 evaluation periods in its examples) and uses older
 * real datapoints when recent ones are missing; the sandbox does not look further back.
 */

export type StateValue = "OK" | "ALARM" | "INSUFFICIENT_DATA";
export type TreatMissingData = "missing" | "notBreaching" | "breaching" | "ignore";

export const COMPARISONS = {
  GreaterThanThreshold: { words: "greater than", test: (v: number, t: number) => v > t },
  GreaterThanOrEqualToThreshold: {
    words: "greater than or equal to",
    test: (v: number, t: number) => v >= t,
  },
  LessThanThreshold: { words: "less than", test: (v: number, t: number) => v < t },
  LessThanOrEqualToThreshold: { words: "less than or equal to", test: (v: number, t: number) => v <= t },
} as const;

export type Comparison = keyof typeof COMPARISONS;

export interface AlarmRule {
  periodMs: number;
  /** N */
  evaluationPeriods: number;
  /** M (default N) */
  datapointsToAlarm: number;
  threshold: number;
  comparison: Comparison;
  treatMissingData: TreatMissingData;
  /** WallClockWindow: periods aligned to multiples of the period; else the default sliding window. */
  wallClock: boolean;
}

/**
 * The end of the window an evaluation at `nowMs` looks at. Sliding window (AWS's default): "For any
 * period of one minute or longer, an alarm is evaluated every minute" over the last Period ×
 * EvaluationPeriods ending at that minute; periods of 10/20/30 s every 10 seconds. Wall clock window:
 * the last boundary that is a multiple of the period (UTC; time zones not modelled).
 */
export function windowEndMs(rule: AlarmRule, nowMs: number): number {
  const step = rule.wallClock ? rule.periodMs : rule.periodMs < 60_000 ? 10_000 : 60_000;
  return Math.floor(nowMs / step) * step;
}

export interface Verdict {
  /** undefined: keep the current state (TreatMissingData ignore with nothing to go on). */
  state: StateValue | undefined;
  /** Per period, oldest first: the statistic, or undefined when the period has no data. */
  values: (number | undefined)[];
  /** Whether each period breaches (missing periods: false). */
  breaching: boolean[];
  /** How many missing periods were filled in with the TreatMissingData value. */
  filled: number;
}

/**
 * The state for one window of N periods (values oldest first). With every period present: M of N
 * breaching → ALARM, else OK. With some missing:
 * - breaching / notBreaching fill the gaps and count them (or not) towards M;
 * - missing / ignore judge on the real datapoints: M breaching → ALARM; otherwise a non-breaching
 *   one → OK; none at all → INSUFFICIENT_DATA (missing) or the current state (ignore). When the
 *   real points are all breaching but fewer than M, `missing` applies the "premature alarm" logic:
 *   ALARM if the oldest of them is at least M periods old (the newest period has age 1), else
 *   INSUFFICIENT_DATA; `ignore` keeps the state (the docs' tables: "Retain current state"). A
 *   non-breaching point anywhere in the window wins over that logic, as in the tables' rows.
 */
export function judge(rule: AlarmRule, values: (number | undefined)[]): Verdict {
  const test = COMPARISONS[rule.comparison].test;
  const n = values.length;
  const m = rule.datapointsToAlarm;
  const breaching = values.map((v) => v !== undefined && test(v, rule.threshold));
  const realCount = values.filter((v) => v !== undefined).length;
  const realBreaching = breaching.filter(Boolean).length;
  const missing = n - realCount;
  const verdict = (state: StateValue | undefined, filled = 0): Verdict => ({
    state,
    values,
    breaching,
    filled,
  });
  if (missing === 0) return verdict(realBreaching >= m ? "ALARM" : "OK");
  switch (rule.treatMissingData) {
    case "breaching":
      return verdict(realBreaching + missing >= m ? "ALARM" : "OK", missing);
    case "notBreaching":
      return verdict(realBreaching >= m ? "ALARM" : "OK", missing);
    default: {
      const keep = rule.treatMissingData === "ignore" ? undefined : "INSUFFICIENT_DATA";
      if (realCount === 0) return verdict(keep);
      if (realBreaching >= m) return verdict("ALARM");
      if (realBreaching < realCount) return verdict("OK");
      // Only breaching real points, fewer than M: "premature alarm" logic for `missing`.
      const oldest = breaching.indexOf(true);
      if (rule.treatMissingData === "missing" && n - oldest >= m) return verdict("ALARM");
      return verdict(keep);
    }
  }
}
