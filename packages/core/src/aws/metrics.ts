/**
 * CloudWatch PutMetricData for gauges alarms read (copy/metrics.ts). Handlers' counters go out as EMF
 * logs (Powertools); gauges an alarm must see in the sandbox too go through the API.
 */
import { type CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { MetricDatum } from "../copy/metrics.ts";

/** PutMetricData takes up to 1,000 data points per call. */
const PER_CALL = 1000;

/**
 * @example await putMetrics(cloudwatch, "OutpostOps", copyMetrics({ plan, recovery, keys, policies, at }), at)
 */
export async function putMetrics(
  cloudwatch: CloudWatchClient,
  namespace: string,
  metrics: readonly MetricDatum[],
  at: Date,
): Promise<void> {
  for (let i = 0; i < metrics.length; i += PER_CALL) {
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: namespace,
        MetricData: metrics.slice(i, i + PER_CALL).map((m) => ({
          MetricName: m.name,
          Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
          Value: m.value,
          Unit: m.unit,
          Timestamp: at,
        })),
      }),
    );
  }
}
