/**
 * When a utilization reaches 100 %: a least-squares line through the daily maxima of the last 14
 * days (design rule 7). Maxima, because capacity runs out at the peak, not on average; a line,
 * because capacity grows by launches and volumes, and people can check it by eye. When the line
 * does not explain the data (R² under 0.6), or there is too little of it, it says "no trend"
 * rather than invent a date.
 */
import type { Forecast, Point } from "./model.ts";

const DAY_MS = 86_400_000;
/** The forecast's window: two weeks of daily maxima. */
export const FORECAST_DAYS = 14;
const MIN_POINTS = 5;
/** Percentage points per day below which the line is called flat. */
const FLAT_SLOPE = 0.1;
const MIN_R2 = 0.6;
/**
 * Points the value now may lie below the line's last value before the line is called out of date:
 * capacity added (or a fleet stopped) is a step, not a trend, and a line fitted over the old level
 * would forecast "full in ~1 day" of an Outpost that just doubled.
 */
const LEVEL_SHIFT_POINTS = 15;

/**
 * One point per UTC day (its maximum, at the day's midnight UTC), oldest first.
 * @example dailyMaxima([{ at: new Date("2024-05-13T09:00Z"), value: 50 }, { at: new Date("2024-05-13T17:00Z"), value: 61 }])
 * // [{ at: 2024-05-13T00:00:00Z, value: 61 }]
 */
export function dailyMaxima(points: Point[]): Point[] {
  const byDay = new Map<number, number>();
  for (const p of points) {
    if (!Number.isFinite(p.value)) continue;
    const day = Math.floor(p.at.getTime() / DAY_MS) * DAY_MS;
    const max = byDay.get(day);
    if (max === undefined || p.value > max) byDay.set(day, p.value);
  }
  return [...byDay.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([day, value]) => ({ at: new Date(day), value }));
}

const method = (points: number, r2?: number) =>
  `least squares over ${points} daily maxima${r2 === undefined ? "" : ` (R² ${r2.toFixed(2)})`}`;

/**
 * The forecast from daily maxima (dailyMaxima's output; the last 14 are used): `full-in` with the
 * days from the last point until the fitted line reaches 100 %, or `no-trend` with why. `current`,
 * the latest value, tells a step down (capacity added) from the trend: well below the line, the
 * line no longer describes the Outpost (`level-changed`) until the days after the step make a new one.
 * @example forecastFull(dailyMaxima(series)) // { kind: "full-in", days: 4, slopePerDay: 2.1, r2: 0.97, points: 14, method: "least squares over 14 daily maxima (R² 0.97)" }
 */
export function forecastFull(daily: Point[], current?: number): Forecast {
  const series = daily.slice(-FORECAST_DAYS);
  const n = series.length;
  const last = series[n - 1];
  // Already full needs no trend: it is a fact, with any number of points.
  if (last !== undefined && last.value >= 100)
    return { kind: "no-trend", reason: "already-full", points: n, method: method(n) };
  if (last === undefined || n < MIN_POINTS)
    return {
      kind: "no-trend",
      reason: "too-few-points",
      points: n,
      method: `${method(n)}, ${MIN_POINTS} needed`,
    };

  const origin = series[0]?.at.getTime() ?? 0;
  const xs = series.map((p) => (p.at.getTime() - origin) / DAY_MS);
  const ys = series.map((p) => p.value);
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] ?? 0) - meanX;
    const dy = (ys[i] ?? 0) - meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  // A perfectly flat series explains itself perfectly.
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  const m = method(n, r2);
  if (slope <= -FLAT_SLOPE) return { kind: "no-trend", reason: "falling", points: n, method: m };
  if (slope <= FLAT_SLOPE) return { kind: "no-trend", reason: "flat", points: n, method: m };
  if (r2 < MIN_R2) return { kind: "no-trend", reason: "noisy", points: n, method: m };
  const fittedLast = meanY + slope * ((xs[n - 1] ?? 0) - meanX);
  if (current !== undefined && fittedLast - current > LEVEL_SHIFT_POINTS)
    return {
      kind: "no-trend",
      reason: "level-changed",
      points: n,
      method: `${m}; now ${Math.round(current)} %, the line ${Math.round(fittedLast)} %`,
    };
  // The line may be over 100 where the last maximum is not: then it is a day away at most.
  const days = Math.max(1, Math.ceil((100 - fittedLast) / slope));
  return { kind: "full-in", days, slopePerDay: slope, r2, points: n, method: m };
}

const NO_TREND: Record<Extract<Forecast, { kind: "no-trend" }>["reason"], string> = {
  flat: "flat",
  falling: "falling",
  noisy: "too noisy to fit a line",
  "too-few-points": "too few days of data",
  "already-full": "already full",
  "level-changed": "the level changed: the last days' line no longer applies",
};

/**
 * @example describeForecast(forecast) // "full in ~4 days (least squares over 14 daily maxima, R² 0.97)"
 * @example describeForecast(flat) // "no trend (flat)"
 */
export function describeForecast(f: Forecast): string {
  if (f.kind === "full-in")
    return `full in ~${f.days} day${f.days === 1 ? "" : "s"} (least squares over ${f.points} daily maxima, R² ${f.r2.toFixed(2)})`;
  if (f.reason === "already-full") return "already full";
  return `no trend (${NO_TREND[f.reason]})`;
}

/**
 * How far to trust a full-in forecast, in a word, from its R².
 * @example forecastConfidence(0.97) // "high"
 */
export function forecastConfidence(r2: number): "high" | "medium" | "low" {
  return r2 >= 0.9 ? "high" : r2 >= 0.75 ? "medium" : "low";
}
