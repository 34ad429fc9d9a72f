/**
 * The DR copy scheduler's gauges, read back for failover readiness: one GetMetricData call for every
 * policy in scope (two queries each; AWS allows 500 per call), newest datapoint first.
 */
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { METRICS_NAMESPACE } from "../copy/metrics.ts";
import { type Datapoint, GAUGES_LOOKBACK_MS } from "../failover/readiness.ts";

function query(id: string, name: string, dimensions: Record<string, string>): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: METRICS_NAMESPACE,
        MetricName: name,
        Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      // One minute, not coarser: a bucket's Maximum would mix a newer report with an older, worse one
      // (a copy just completed still counted missing). A day of a series is 1,440 points; pages carry the rest.
      Period: 60,
      Stat: "Maximum",
    },
    ReturnData: true,
  };
}

/**
 * @example const gauges = await recoveryGauges(cloudwatch, ["orders-db"], now) // Map policy → { worstDrAge?, withoutDrCopy? }
 */
export async function recoveryGauges(
  cloudwatch: CloudWatchClient,
  policies: readonly string[],
  now: Date,
): Promise<Map<string, { worstDrAge?: Datapoint; withoutDrCopy?: Datapoint }>> {
  const out = new Map<string, { worstDrAge?: Datapoint; withoutDrCopy?: Datapoint }>();
  for (const p of policies) out.set(p, {});
  if (policies.length === 0) return out;
  const queries = policies.flatMap((policy, i) => [
    query(`worst${i}`, "WorstRecoveryPointAge", { policy, location: "dr" }),
    query(`without${i}`, "ResourcesWithoutDrCopy", { policy }),
  ]);
  let token: string | undefined;
  do {
    const page = await cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: new Date(now.getTime() - GAUGES_LOOKBACK_MS),
        EndTime: new Date(now.getTime() + 60_000),
        ScanBy: "TimestampDescending",
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const r of page.MetricDataResults ?? []) {
      const m = /^(worst|without)(\d+)$/.exec(r.Id ?? "");
      const policy = m ? policies[Number(m[2])] : undefined;
      if (!m || policy === undefined) continue;
      // Newest first; with paging, keep the newest seen.
      const times = r.Timestamps ?? [];
      const values = r.Values ?? [];
      let newest: Datapoint | undefined;
      times.forEach((t, i) => {
        const value = values[i];
        if (value !== undefined && (!newest || t.getTime() > newest.at.getTime())) newest = { value, at: t };
      });
      if (!newest) continue;
      const entry = out.get(policy) ?? {};
      const field = m[1] === "worst" ? "worstDrAge" : "withoutDrCopy";
      const seen = entry[field];
      if (!seen || newest.at > seen.at) entry[field] = newest;
      out.set(policy, entry);
    }
    token = page.NextToken;
  } while (token);
  return out;
}
