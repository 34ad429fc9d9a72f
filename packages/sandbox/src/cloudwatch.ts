import { AwsError } from "./errors.ts";
import { type Env, type HttpAnswer, jsonAnswer, type RequestContext, type ServiceHandler } from "./http.ts";
import type { Estate } from "./types.ts";

/**
 * CloudWatch over awsJson1_0 (X-Amz-Target GraniteServiceVersion20100801.*), query-compatible errors
 * like SQS. Timestamps travel as epoch seconds. GetMetricData aggregates stored datapoints per Period.
 */
interface Datapoint {
  t: number;
  v: number;
}

interface Series {
  region: string;
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  points: Datapoint[];
}

type Input = Record<string, unknown>;

const toMs = (v: unknown): number => (typeof v === "number" ? v * 1000 : new Date(String(v)).getTime());
const dimsKey = (d: Record<string, string>) =>
  Object.keys(d)
    .sort()
    .map((k) => `${k}=${d[k]}`)
    .join(",");
const dimsFromList = (list: unknown) =>
  Object.fromEntries(((list ?? []) as { Name: string; Value: string }[]).map((d) => [d.Name, d.Value]));

function aggregate(values: number[], stat: string): number {
  switch (stat) {
    case "Sum":
      return values.reduce((a, b) => a + b, 0);
    case "Minimum":
      return Math.min(...values);
    case "Maximum":
      return Math.max(...values);
    case "SampleCount":
      return values.length;
    default:
      // Average, and percentiles approximated by the average (the sandbox keeps no distributions).
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

export class CloudWatchService implements ServiceHandler {
  readonly service = "cloudwatch" as const;
  private readonly series = new Map<string, Series>();
  private readonly alarms = new Map<string, Input>();

  constructor(private readonly env: Env) {}

  operation(ctx: RequestContext): string {
    const target = ctx.headers["x-amz-target"];
    return typeof target === "string" ? (target.split(".")[1] ?? "Unknown") : "Unknown";
  }

  renderError(err: AwsError): HttpAnswer {
    return jsonAnswer({ __type: `com.amazonaws.cloudwatch#${err.code}`, message: err.message }, err.status, {
      "x-amzn-query-error": `${err.queryCode ?? err.code};${err.type}`,
    });
  }

  seed(estate: Estate): void {
    for (const m of estate.metrics ?? []) {
      const s = this.seriesFor(m.region, m.namespace, m.name, m.dimensions ?? {});
      for (const [t, v] of m.points)
        s.points.push({ t: typeof t === "number" ? t : new Date(t).getTime(), v });
    }
  }

  private seriesFor(
    region: string,
    namespace: string,
    name: string,
    dimensions: Record<string, string>,
  ): Series {
    const key = `${region}|${namespace}|${name}|${dimsKey(dimensions)}`;
    let s = this.series.get(key);
    if (!s) {
      s = { region, namespace, name, dimensions, points: [] };
      this.series.set(key, s);
    }
    return s;
  }

  handle(operation: string, ctx: RequestContext): HttpAnswer {
    const input = (ctx.body ? JSON.parse(ctx.body) : {}) as Input;
    switch (operation) {
      case "PutMetricData": {
        const namespace = String(input.Namespace ?? "");
        if (namespace.startsWith("AWS/")) {
          throw new AwsError(
            "InvalidParameterValue",
            "The value AWS/ for parameter Namespace is invalid.",
            400,
            "Sender",
            "InvalidParameterValue",
          );
        }
        for (const d of (input.MetricData ?? []) as Input[]) {
          const s = this.seriesFor(ctx.region, namespace, String(d.MetricName), dimsFromList(d.Dimensions));
          const t = d.Timestamp === undefined ? ctx.clock.nowMs() : toMs(d.Timestamp);
          if (typeof d.Value === "number") s.points.push({ t, v: d.Value });
          for (const v of (d.Values ?? []) as number[]) s.points.push({ t, v });
          const sv = d.StatisticValues as { Sum: number; SampleCount: number } | undefined;
          if (sv) s.points.push({ t, v: sv.Sum / sv.SampleCount });
        }
        return jsonAnswer({});
      }
      case "GetMetricData":
        return jsonAnswer(this.getMetricData(ctx, input));
      case "PutMetricAlarm": {
        const name = String(input.AlarmName ?? "");
        const arn = `arn:aws:cloudwatch:${ctx.region}:${this.env.accountId}:alarm:${name}`;
        const previous = this.alarms.get(`${ctx.region}|${name}`);
        const now = ctx.clock.nowMs() / 1000;
        this.alarms.set(`${ctx.region}|${name}`, {
          ActionsEnabled: true,
          StateValue: "INSUFFICIENT_DATA",
          StateReason: "Unchecked: Initial alarm creation",
          StateUpdatedTimestamp: now,
          ...previous,
          ...input,
          AlarmArn: arn,
          AlarmConfigurationUpdatedTimestamp: now,
        });
        return jsonAnswer({});
      }
      case "DescribeAlarms": {
        const names = (input.AlarmNames ?? []) as string[];
        const prefix = input.AlarmNamePrefix as string | undefined;
        const state = input.StateValue as string | undefined;
        const alarms = [...this.alarms.entries()]
          .filter(([key]) => key.startsWith(`${ctx.region}|`))
          .map(([, a]) => a)
          .filter(
            (a) =>
              (names.length === 0 || names.includes(String(a.AlarmName))) &&
              (!prefix || String(a.AlarmName).startsWith(prefix)) &&
              (!state || a.StateValue === state),
          );
        return jsonAnswer({ MetricAlarms: alarms, CompositeAlarms: [] });
      }
      case "SetAlarmState": {
        const a = this.alarms.get(`${ctx.region}|${input.AlarmName}`);
        if (!a)
          throw new AwsError(
            "ResourceNotFound",
            `Alarm ${input.AlarmName} not found`,
            404,
            "Sender",
            "ResourceNotFound",
          );
        Object.assign(a, {
          StateValue: input.StateValue,
          StateReason: input.StateReason,
          StateUpdatedTimestamp: ctx.clock.nowMs() / 1000,
        });
        return jsonAnswer({});
      }
      default:
        throw new AwsError(
          "InvalidAction",
          `Unsupported operation ${operation}`,
          400,
          "Sender",
          "InvalidAction",
        );
    }
  }

  private getMetricData(ctx: RequestContext, input: Input) {
    const start = toMs(input.StartTime);
    const end = toMs(input.EndTime);
    const ascending = input.ScanBy === "TimestampAscending";
    const results = ((input.MetricDataQueries ?? []) as Input[])
      .filter((q) => q.ReturnData !== false)
      .map((q) => {
        const stat = q.MetricStat as { Metric: Input; Period: number; Stat: string } | undefined;
        if (!stat)
          return { Id: q.Id, Label: q.Label ?? q.Id, Timestamps: [], Values: [], StatusCode: "Complete" };
        const metric = stat.Metric;
        const key = `${ctx.region}|${metric.Namespace}|${metric.MetricName}|${dimsKey(dimsFromList(metric.Dimensions))}`;
        const periodMs = stat.Period * 1000;
        const buckets = new Map<number, number[]>();
        for (const p of this.series.get(key)?.points ?? []) {
          if (p.t < start || p.t >= end) continue;
          const b = start + Math.floor((p.t - start) / periodMs) * periodMs;
          let vals = buckets.get(b);
          if (!vals) {
            vals = [];
            buckets.set(b, vals);
          }
          vals.push(p.v);
        }
        const times = [...buckets.keys()].sort((a, b) => (ascending ? a - b : b - a));
        return {
          Id: q.Id,
          Label: q.Label ?? metric.MetricName,
          Timestamps: times.map((t) => t / 1000),
          Values: times.map((t) => aggregate(buckets.get(t) as number[], stat.Stat)),
          StatusCode: "Complete",
        };
      });
    return { MetricDataResults: results, Messages: [] };
  }
}
