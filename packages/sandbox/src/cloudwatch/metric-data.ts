import { AwsError } from "../errors.ts";
import { aggregate, type Datapoint, dimsFromList, pointsIn, type Series, seriesKey } from "./metrics.ts";

/**
 * GetMetricData over stored series, after the API Reference
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html):
 * - "A single GetMetricData call can include as many as 500 MetricDataQuery structures"; more is a
 *   ValidationError (the wording is the sandbox's, modelled on CloudWatch's validation messages).
 * - StartTime is rounded down as documented: to the minute when less than 15 days ago, to 5 minutes
 *   between 15 and 63 days, to the hour beyond; EndTime is exclusive. Periods start at the (rounded)
 *   StartTime, so a Period of 86400 from a UTC midnight gives one value per UTC day.
 * - MaxDatapoints (default 100,800) caps the datapoints of one answer across all queries, in query
 *   order; a query cut short says StatusCode PartialData and the answer carries a NextToken that
 *   resumes every query where it stopped. Every page lists every query (Id, Label); a query already
 *   finished on an earlier page comes back empty and Complete. Otherwise StatusCode is Complete.
 * - ScanBy TimestampDescending (the default) or TimestampAscending orders each query's values.
 * - Math expressions and Metrics Insights queries are not evaluated: they answer empty and Complete.
 */

type Input = Record<string, unknown>;

export const MAX_QUERIES = 500;
const DEFAULT_MAX_DATAPOINTS = 100_800;
const DAY_MS = 86_400_000;

const toMs = (v: unknown): number => (typeof v === "number" ? v * 1000 : new Date(String(v)).getTime());

const validation = (message: string) =>
  new AwsError("ValidationError", message, 400, "Sender", "ValidationError");

/** CloudWatch's documented StartTime rounding, by how long ago it is. */
export function roundStart(startMs: number, nowMs: number): number {
  const age = nowMs - startMs;
  const step = age < 15 * DAY_MS ? 60_000 : age < 63 * DAY_MS ? 300_000 : 3_600_000;
  return Math.floor(startMs / step) * step;
}

/** One query's values per period, in ScanBy order. */
function periodValues(
  series: Series | undefined,
  startMs: number,
  endMs: number,
  periodMs: number,
  stat: string,
  ascending: boolean,
): Datapoint[] {
  const out: Datapoint[] = [];
  let bucket = Number.NaN;
  let vals: number[] = [];
  // pointsIn is ascending, so periods come out in order without a map.
  for (const p of pointsIn(series, startMs, endMs)) {
    const b = startMs + Math.floor((p.t - startMs) / periodMs) * periodMs;
    if (b !== bucket) {
      if (vals.length > 0) out.push({ t: bucket, v: aggregate(vals, stat) });
      bucket = b;
      vals = [];
    }
    vals.push(p.v);
  }
  if (vals.length > 0) out.push({ t: bucket, v: aggregate(vals, stat) });
  return ascending ? out : out.reverse();
}

interface PageToken {
  /** Offsets already returned, per query Id. */
  o: Record<string, number>;
}

function decodeToken(token: unknown): PageToken | undefined {
  if (token === undefined || token === null || token === "") return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(String(token), "base64url").toString("utf8")) as PageToken;
    if (typeof parsed.o === "object" && parsed.o !== null) return parsed;
  } catch {
    // fall through
  }
  throw new AwsError("InvalidNextToken", "The service couldn't process the NextToken.", 400);
}

export function getMetricData(
  input: Input,
  region: string,
  nowMs: number,
  lookup: (key: string) => Series | undefined,
) {
  const queries = (input.MetricDataQueries ?? []) as Input[];
  if (queries.length > MAX_QUERIES) {
    throw validation(`The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`);
  }
  const maxRaw = input.MaxDatapoints;
  const max = typeof maxRaw === "number" ? maxRaw : DEFAULT_MAX_DATAPOINTS;
  if (!Number.isInteger(max) || max < 1) {
    throw validation(`The parameter MaxDatapoints must be greater than 0.`);
  }
  const start = roundStart(toMs(input.StartTime), nowMs);
  const end = toMs(input.EndTime);
  if (!(end > start)) throw validation("The parameter StartTime must be less than the parameter EndTime.");
  const ascending = input.ScanBy === "TimestampAscending";
  const token = decodeToken(input.NextToken);
  let budget = max;
  let more = false;
  const offsets: Record<string, number> = {};
  const results = queries
    .filter((q) => q.ReturnData !== false)
    .map((q) => {
      const id = String(q.Id);
      const stat = q.MetricStat as { Metric: Input; Period: number; Stat: string } | undefined;
      if (!stat) return { Id: id, Label: q.Label ?? id, Timestamps: [], Values: [], StatusCode: "Complete" };
      const metric = stat.Metric;
      const key = seriesKey(
        region,
        String(metric.Namespace),
        String(metric.MetricName),
        dimsFromList(metric.Dimensions),
      );
      const all = periodValues(lookup(key), start, end, stat.Period * 1000, stat.Stat, ascending);
      const from = Math.min(token?.o[id] ?? 0, all.length);
      const take = Math.min(all.length - from, budget);
      budget -= take;
      const page = all.slice(from, from + take);
      offsets[id] = from + take;
      const partial = from + take < all.length;
      if (partial) more = true;
      return {
        Id: id,
        Label: q.Label ?? metric.MetricName,
        Timestamps: page.map((p) => p.t / 1000),
        Values: page.map((p) => p.v),
        StatusCode: partial ? "PartialData" : "Complete",
      };
    });
  const nextToken = more ? Buffer.from(JSON.stringify({ o: offsets })).toString("base64url") : undefined;
  return { MetricDataResults: results, Messages: [], ...(nextToken ? { NextToken: nextToken } : {}) };
}
