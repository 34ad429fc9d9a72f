/**
 * The FailoverReady gauge (namespace OutpostOps, no dimensions): 1 when a failover to the DR site
 * would pass its preflight (or DNS is already there), 0 when it would be refused. The readiness
 * check publishes it every run and reads the last one back to tell a change from a repeat, so it
 * keeps no state of its own: a run that is missed or fails only compares with an older point, and
 * after two hours without one the check starts afresh (and says so if it is not ready).
 */
import { type CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { METRICS_NAMESPACE, type MetricDatum } from "../copy/metrics.ts";
import type { Datapoint } from "../failover/readiness.ts";

export const FAILOVER_READY = "FailoverReady";
/** Four runs of the default schedule (every 30 minutes): long enough to bridge a missed run or two. */
export const READINESS_LOOKBACK_MS = 2 * 3_600_000;

export function readinessDatum(ready: boolean): MetricDatum {
  return { name: FAILOVER_READY, dimensions: {}, value: ready ? 1 : 0, unit: "Count" };
}

/**
 * The newest FailoverReady before `now` within the lookback, or undefined.
 * @example await lastReadiness(cloudwatch, now) // { value: 1, at: 2024-05-14T09:30:00Z }
 */
export async function lastReadiness(cloudwatch: CloudWatchClient, now: Date): Promise<Datapoint | undefined> {
  let newest: Datapoint | undefined;
  let token: string | undefined;
  do {
    const page = await cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: [
          {
            Id: "ready",
            MetricStat: {
              Metric: { Namespace: METRICS_NAMESPACE, MetricName: FAILOVER_READY, Dimensions: [] },
              Period: 60,
              // Two checks in one minute that disagree count as not ready.
              Stat: "Minimum",
            },
            ReturnData: true,
          },
        ],
        StartTime: new Date(now.getTime() - READINESS_LOOKBACK_MS),
        EndTime: now,
        ScanBy: "TimestampDescending",
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const r of page.MetricDataResults ?? []) {
      const values = r.Values ?? [];
      (r.Timestamps ?? []).forEach((t, i) => {
        const value = values[i];
        if (value !== undefined && (!newest || t.getTime() > newest.at.getTime())) newest = { value, at: t };
      });
    }
    token = page.NextToken;
  } while (token);
  return newest;
}
