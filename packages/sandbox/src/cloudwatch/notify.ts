import type { AwsServiceEvent } from "../http.ts";
import { type AlarmRule, COMPARISONS, type StateValue, type Verdict } from "./evaluate.ts";

/**
 * The state texts CloudWatch writes (StateReason, StateReasonData) and the "CloudWatch Alarm State
 * Change" event it sends to the default bus, in the shape of the "single metric alarm" sample
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html,
 * copies in test/fixtures/events/cloudwatch-alarm-state-change*.json), key order included.
 * `reason` is free text (consumers should not parse it); its wording follows the samples.
 */

export interface AlarmState {
  value: StateValue;
  reason: string;
  reasonData?: string;
  /** Sandbox-clock ms of the change. */
  atMs: number;
}

/** CloudWatch's state timestamps: ISO 8601 with milliseconds and a "+0000" offset. */
export const cwTimestamp = (ms: number) => new Date(ms).toISOString().replace("Z", "+0000");

/** Numbers as CloudWatch's Java side prints them: 1 → "1.0". */
const num = (v: number) => (Number.isInteger(v) ? v.toFixed(1) : String(v));

/** Datapoint times in reasons: dd/MM/yy HH:mm:ss, UTC. */
function reasonTime(ms: number): string {
  const d = new Date(ms);
  const two = (v: number) => String(v).padStart(2, "0");
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** StateReason and StateReasonData for an evaluated state. */
export function describeVerdict(
  rule: AlarmRule,
  stat: string,
  verdict: Verdict,
  state: StateValue,
  previous: StateValue,
  windowStartMs: number,
  nowMs: number,
): { reason: string; reasonData: string } {
  const n = verdict.values.length;
  const periodStart = (i: number) => windowStartMs + i * rule.periodMs;
  // Newest first, as CloudWatch lists them.
  const real = verdict.values
    .map((v, i) => ({ v, i, breaching: verdict.breaching[i] }))
    .filter((p): p is { v: number; i: number; breaching: boolean } => p.v !== undefined)
    .reverse();
  const reasonData =
    `{"version":"1.0","queryDate":"${cwTimestamp(nowMs)}","startDate":"${cwTimestamp(windowStartMs)}",` +
    `"statistic":"${stat}","period":${rule.periodMs / 1000},` +
    `"recentDatapoints":[${real
      .slice()
      .reverse()
      .map((p) => num(p.v))
      .join(",")}],"threshold":${num(rule.threshold)}}`;
  if (state === "INSUFFICIENT_DATA") {
    const missing = n - real.length;
    return {
      reason: `Insufficient Data: ${plural(missing, "datapoint")} ${missing === 1 ? "was" : "were"} unknown.`,
      reasonData,
    };
  }
  const words = COMPARISONS[rule.comparison].words;
  const minimum =
    state === "ALARM" ? rule.datapointsToAlarm : rule.evaluationPeriods - rule.datapointsToAlarm + 1;
  const tail = `(minimum ${plural(minimum, "datapoint")} for ${previous} -> ${state} transition).`;
  const counted = real.filter((p) => p.breaching === (state === "ALARM"));
  const listed = counted.map((p) => `${num(p.v)} (${reasonTime(periodStart(p.i))})`).join(", ");
  const verb = counted.length === 1 ? "was" : "were";
  const filled =
    verdict.filled > 0
      ? ` and ${plural(verdict.filled, "missing datapoint")} ${verdict.filled === 1 ? "was" : "were"} treated as [${rule.treatMissingData === "breaching" ? "Breaching" : "NonBreaching"}]`
      : "";
  if (counted.length === 0) {
    return {
      reason: `Threshold Crossed: no datapoints were received for ${plural(n - real.length, "period")}${filled}. ${tail}`,
      reasonData,
    };
  }
  return {
    reason: `Threshold Crossed: ${counted.length} out of the last ${n} datapoints [${listed}] ${verb} ${state === "ALARM" ? "" : "not "}${words} the threshold (${num(rule.threshold)})${filled} ${tail}`,
    reasonData,
  };
}

const stateDetail = (s: AlarmState) => ({
  reason: s.reason,
  ...(s.reasonData !== undefined ? { reasonData: s.reasonData } : {}),
  timestamp: cwTimestamp(s.atMs),
  value: s.value,
});

export interface AlarmIdentity {
  name: string;
  arn: string;
  description?: string;
  /** `configuration.metrics`, as built by `metricsOf`. */
  metrics: Record<string, unknown>[];
}

/**
 * `configuration.metrics` of the event. A single-metric alarm is one entry with a CloudWatch-made id
 * (a UUID in the sample) and its metricStat; an alarm defined with Metrics[] lists those queries
 * (their Id, metricStat or expression, label, returnData), in the sample's key order.
 */
export function metricsOf(config: Record<string, unknown>, metricId: string): Record<string, unknown>[] {
  const dims = (list: unknown) =>
    Object.fromEntries(((list ?? []) as { Name: string; Value: string }[]).map((d) => [d.Name, d.Value]));
  const stat = (metric: Record<string, unknown>, period: unknown, statistic: unknown) => ({
    metric: { dimensions: dims(metric.Dimensions), name: metric.MetricName, namespace: metric.Namespace },
    period,
    stat: statistic,
  });
  if (Array.isArray(config.Metrics)) {
    return (config.Metrics as Record<string, unknown>[]).map((q) => {
      const ms = q.MetricStat as Record<string, unknown> | undefined;
      return {
        id: q.Id,
        ...(ms ? { metricStat: stat((ms.Metric ?? {}) as Record<string, unknown>, ms.Period, ms.Stat) } : {}),
        ...(q.Expression !== undefined ? { expression: q.Expression } : {}),
        ...(q.Label !== undefined ? { label: q.Label } : {}),
        returnData: q.ReturnData ?? true,
      };
    });
  }
  return [
    {
      id: metricId,
      metricStat: stat(config, config.Period, config.Statistic ?? config.ExtendedStatistic),
      returnData: true,
    },
  ];
}

/** The "CloudWatch Alarm State Change" event for one transition; `time` is the evaluation time. */
export function stateChangeEvent(
  alarm: AlarmIdentity,
  previous: AlarmState,
  state: AlarmState,
): AwsServiceEvent {
  return {
    source: "aws.cloudwatch",
    detailType: "CloudWatch Alarm State Change",
    resources: [alarm.arn],
    timeMs: state.atMs,
    detail: {
      alarmName: alarm.name,
      configuration: {
        ...(alarm.description !== undefined ? { description: alarm.description } : {}),
        metrics: alarm.metrics,
      },
      previousState: stateDetail(previous),
      state: stateDetail(state),
    },
  };
}
