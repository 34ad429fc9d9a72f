import { AwsError } from "../errors.ts";
import type { Series } from "./metrics.ts";

/**
 * ListMetrics (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ListMetrics.html):
 * "Up to 500 results are returned for any one call. To retrieve additional results, use the returned
 * token with subsequent calls." Namespace and MetricName match exactly; each DimensionFilter names a
 * dimension the metric must have, with that Value if one is given (a metric with further dimensions
 * still matches: filtering AWS/Outposts EBSVolumeTypeCapacityUtilization on OutpostId lists one metric
 * per VolumeType). RecentlyActive is accepted and ignored, and so is the two-week cut-off ("ListMetrics
 * doesn't return information about metrics if those metrics haven't reported data in the past two
 * weeks"): every series with a datapoint is listed. Results come in a stable order (namespace, name,
 * dimensions) so a token resumes after the last metric it returned even if metrics are added meanwhile.
 */

type Input = Record<string, unknown>;

export const LIST_METRICS_PAGE = 500;
/** ListMetrics allows up to 30 DimensionFilters (the API Reference's array limit). */
const MAX_DIMENSION_FILTERS = 30;

const invalid = (message: string) =>
  new AwsError("InvalidParameterValue", message, 400, "Sender", "InvalidParameterValue");

/** Keys in ascending order, kept by the caller and rebuilt only when a series is added. */
export function lowerBoundKey(keys: readonly string[], after: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function listMetrics(
  input: Input,
  region: string,
  sortedKeys: readonly string[],
  series: ReadonlyMap<string, Series>,
) {
  const namespace = input.Namespace as string | undefined;
  const name = input.MetricName as string | undefined;
  const filters = (input.Dimensions ?? []) as { Name?: string; Value?: string }[];
  if (filters.length > MAX_DIMENSION_FILTERS) {
    throw invalid(`The collection Dimensions must not have a size greater than ${MAX_DIMENSION_FILTERS}.`);
  }
  let from = 0;
  if (typeof input.NextToken === "string" && input.NextToken !== "") {
    const after = Buffer.from(input.NextToken, "base64url").toString("utf8");
    if (!after.startsWith(`${region}|`)) throw invalid("Invalid NextToken");
    from = lowerBoundKey(sortedKeys, after);
  }
  const metrics: Input[] = [];
  let nextToken: string | undefined;
  for (let i = from; i < sortedKeys.length; i++) {
    const key = sortedKeys[i] as string;
    const s = series.get(key) as Series;
    if (s.region !== region || s.points.length === 0) continue;
    if (namespace !== undefined && s.namespace !== namespace) continue;
    if (name !== undefined && s.name !== name) continue;
    if (
      !filters.every((f) => {
        const v = f.Name === undefined ? undefined : s.dimensions[f.Name];
        return v !== undefined && (f.Value === undefined || f.Value === v);
      })
    )
      continue;
    if (metrics.length === LIST_METRICS_PAGE) {
      // Another match exists: promise a next page that resumes after the last one returned.
      nextToken = Buffer.from(sortedKeys[i - 1] as string).toString("base64url");
      break;
    }
    metrics.push({
      Namespace: s.namespace,
      MetricName: s.name,
      Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })),
    });
  }
  return nextToken ? { Metrics: metrics, NextToken: nextToken } : { Metrics: metrics };
}
