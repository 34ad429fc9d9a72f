/**
 * Metric storage: one series per Region + namespace + name + dimension set, datapoints kept sorted by
 * timestamp so a time range (GetMetricData, an alarm's periods) is a binary search away, not a scan.
 */
export interface Datapoint {
  t: number;
  v: number;
}

export interface Series {
  region: string;
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  /** Ascending by t; equal timestamps in arrival order. */
  points: Datapoint[];
}

export const dimsKey = (d: Record<string, string>) =>
  Object.keys(d)
    .sort()
    .map((k) => `${k}=${d[k]}`)
    .join(",");

export const dimsFromList = (list: unknown): Record<string, string> =>
  Object.fromEntries(((list ?? []) as { Name: string; Value: string }[]).map((d) => [d.Name, d.Value]));

export const seriesKey = (
  region: string,
  namespace: string,
  name: string,
  dimensions: Record<string, string>,
) => `${region}|${namespace}|${name}|${dimsKey(dimensions)}`;

/** Index of the first point with t >= atMs. */
function lowerBound(points: Datapoint[], atMs: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((points[mid] as Datapoint).t < atMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Add a point in timestamp order (PutMetricData mostly appends, so this is nearly always a push). */
export function addPoint(s: Series, p: Datapoint): void {
  const last = s.points[s.points.length - 1];
  if (last === undefined || last.t <= p.t) {
    s.points.push(p);
    return;
  }
  s.points.splice(lowerBound(s.points, p.t + 1), 0, p);
}

/** The values of the points in [startMs, endMs). */
export function valuesIn(s: Series | undefined, startMs: number, endMs: number): number[] {
  if (!s) return [];
  const out: number[] = [];
  for (let i = lowerBound(s.points, startMs); i < s.points.length; i++) {
    const p = s.points[i] as Datapoint;
    if (p.t >= endMs) break;
    out.push(p.v);
  }
  return out;
}

/** The points in [startMs, endMs), oldest first. */
export function pointsIn(s: Series | undefined, startMs: number, endMs: number): Datapoint[] {
  if (!s) return [];
  const out: Datapoint[] = [];
  for (let i = lowerBound(s.points, startMs); i < s.points.length; i++) {
    const p = s.points[i] as Datapoint;
    if (p.t >= endMs) break;
    out.push(p);
  }
  return out;
}

/**
 * A statistic over raw values. Percentiles (ExtendedStatistic, e.g. p99) are approximated by the
 * average: the sandbox keeps values, not distributions.
 */
export function aggregate(values: number[], stat: string): number {
  switch (stat) {
    case "Sum":
      return values.reduce((a, b) => a + b, 0);
    case "Minimum":
      return values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    case "Maximum":
      return values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
    case "SampleCount":
      return values.length;
    default:
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}
