import { randomUUID } from "node:crypto";
import { AwsError } from "../errors.ts";
import { type Env, type HttpAnswer, jsonAnswer, type RequestContext, type ServiceHandler } from "../http.ts";
import type { Estate, MetricPoint } from "../types.ts";
import { type AlarmRule, COMPARISONS, judge, type StateValue, windowEndMs } from "./evaluate.ts";
import { listMetrics } from "./list.ts";
import { getMetricData } from "./metric-data.ts";
import {
  addPoint,
  aggregate,
  type Datapoint,
  dimsFromList,
  type Series,
  seriesKey,
  valuesIn,
} from "./metrics.ts";
import {
  type AlarmIdentity,
  type AlarmState,
  describeVerdict,
  metricsOf,
  stateChangeEvent,
} from "./notify.ts";

/**
 * CloudWatch over awsJson1_0 (X-Amz-Target GraniteServiceVersion20100801.*), query-compatible errors
 * like SQS. Timestamps travel as epoch seconds. GetMetricData aggregates stored datapoints per Period.
 *
 * Metric alarms on a single metric are evaluated (src/cloudwatch/evaluate.ts) whenever the sandbox
 * clock moves and after PutMetricData / PutMetricAlarm; a state change updates the alarm and sends
 * "CloudWatch Alarm State Change" to the Region's default bus. Alarm actions are not run.
 */

type Input = Record<string, unknown>;

const STATES: readonly StateValue[] = ["OK", "ALARM", "INSUFFICIENT_DATA"];

interface Alarm {
  region: string;
  name: string;
  arn: string;
  /** The PutMetricAlarm input, as given. */
  config: Input;
  metricId: string;
  state: AlarmState;
  transitionedMs: number;
  configUpdatedMs: number;
  /** The window end of the last evaluation; a clock move re-evaluates only when it changes. */
  lastWindowEndMs?: number;
  /** Set by SetAlarmState: the state holds until the next evaluation window, as on AWS. */
  held: boolean;
  /** PutMetricAlarm Tags, set when the alarm is created (an update's Tags are ignored, as on AWS). */
  tags: Map<string, string>;
}

/** Something that adds datapoints when the sandbox clock moves (AWS's own metrics); returns the series it touched. */
export type Publisher = (nowMs: number) => Iterable<Series>;

/** DescribeAlarms MaxRecords: 1..100 (API Reference); the default page is 50 (not documented). */
const MAX_RECORDS = 100;
const DEFAULT_RECORDS = 50;
/** DeleteAlarms: "You can delete up to 100 alarms in one operation." */
const MAX_DELETE = 100;

const validation = (message: string) =>
  new AwsError("ValidationError", message, 400, "Sender", "ValidationError");

/**
 * PutMetricAlarm's own checks of its input: the required members (AlarmName, EvaluationPeriods,
 * ComparisonOperator) in the "1 validation error detected" form of the API's validation, a
 * comparison outside its enum, and DatapointsToAlarm above EvaluationPeriods (wording guessed:
 * README, "Guesses").
 */
function checkAlarmInput(input: Input): void {
  for (const [member, field] of [
    ["AlarmName", "alarmName"],
    ["EvaluationPeriods", "evaluationPeriods"],
    ["ComparisonOperator", "comparisonOperator"],
  ] as const)
    if (input[member] === undefined || input[member] === "")
      throw validation(
        `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
      );
  const comparisons = [
    ...Object.keys(COMPARISONS),
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
  ];
  if (!comparisons.includes(String(input.ComparisonOperator)))
    throw validation(
      `1 validation error detected: Value '${String(input.ComparisonOperator)}' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [${comparisons.join(", ")}]`,
    );
  const n = Number(input.EvaluationPeriods);
  if (typeof input.DatapointsToAlarm === "number" && input.DatapointsToAlarm > n)
    throw validation(
      `DatapointsToAlarm (${input.DatapointsToAlarm}) must not exceed EvaluationPeriods (${n}).`,
    );
}

const toMs = (v: unknown): number => (typeof v === "number" ? v * 1000 : new Date(String(v)).getTime());

/** Seeded and seam timestamps: a Date, an ISO string or epoch milliseconds. */
const pointMs = (t: Date | string | number): number =>
  typeof t === "number" ? t : t instanceof Date ? t.getTime() : new Date(t).getTime();

const invalid = (message: string) =>
  new AwsError("InvalidParameterValue", message, 400, "Sender", "InvalidParameterValue");

/** The rule of a single-metric alarm with a static threshold; undefined for what is not evaluated. */
function ruleOf(config: Input): AlarmRule | undefined {
  const period = config.Period;
  const n = config.EvaluationPeriods;
  const comparison = config.ComparisonOperator;
  if (config.Metrics !== undefined || typeof config.MetricName !== "string") return undefined;
  if (typeof period !== "number" || period <= 0 || typeof n !== "number" || n < 1) return undefined;
  if (typeof config.Threshold !== "number" || typeof comparison !== "string" || !(comparison in COMPARISONS))
    return undefined;
  const m = typeof config.DatapointsToAlarm === "number" ? config.DatapointsToAlarm : n;
  const treat = config.TreatMissingData;
  return {
    periodMs: period * 1000,
    evaluationPeriods: n,
    datapointsToAlarm: Math.min(Math.max(1, m), n),
    threshold: config.Threshold,
    comparison: comparison as AlarmRule["comparison"],
    treatMissingData:
      treat === "breaching" || treat === "notBreaching" || treat === "ignore" ? treat : "missing",
    wallClock: (config.EvaluationWindow as Input | undefined)?.WallClockWindow !== undefined,
  };
}

const statOf = (config: Input) => String(config.Statistic ?? config.ExtendedStatistic ?? "Average");

/** The members of the SDK's MetricAlarm shape that DescribeAlarms echoes from the configuration. */
const ECHOED = [
  "AlarmDescription",
  "OKActions",
  "AlarmActions",
  "InsufficientDataActions",
  "MetricName",
  "Namespace",
  "Statistic",
  "ExtendedStatistic",
  "Dimensions",
  "Period",
  "Unit",
  "EvaluationPeriods",
  "DatapointsToAlarm",
  "Threshold",
  "ComparisonOperator",
  "TreatMissingData",
  "EvaluateLowSampleCountPercentile",
  "Metrics",
  "ThresholdMetricId",
  "EvaluationWindow",
] as const;

export class CloudWatchService implements ServiceHandler {
  readonly service = "cloudwatch" as const;
  private readonly series = new Map<string, Series>();
  /** The series keys in ascending order for ListMetrics paging; rebuilt only after a series is added. */
  private sortedKeys: string[] | undefined;
  private readonly alarms = new Map<string, Alarm>();
  private readonly publishers: Publisher[] = [];

  constructor(private readonly env: Env) {
    // After the Settler (registered first), so snapshot events of a jump precede alarm events; the
    // publishers (AWS's own metrics) run first so the alarms see the datapoints of this moment.
    env.clock.onChange(() => {
      const touched = new Set<Series>();
      for (const publish of this.publishers) for (const s of publish(env.clock.nowMs())) touched.add(s);
      for (const a of this.alarms.values()) {
        const s = touched.size > 0 ? this.alarmSeries(a) : undefined;
        this.evaluate(a, s !== undefined && touched.has(s) ? "data" : "clock");
      }
    });
  }

  /** Register a source of datapoints that runs on every clock move, before alarms are evaluated. */
  addPublisher(publish: Publisher): void {
    this.publishers.push(publish);
  }

  /**
   * The runtime seam for datapoints in any namespace, AWS/* included (which PutMetricData refuses):
   * adds them and evaluates the alarms on that series at once, as PutMetricData does.
   */
  put(
    region: string,
    namespace: string,
    name: string,
    dimensions: Record<string, string>,
    points: readonly MetricPoint[],
  ): void {
    const s = this.seriesFor(region, namespace, name, dimensions);
    for (const [t, v] of points) addPoint(s, { t: pointMs(t), v });
    this.evaluateOn(new Set([s]));
  }

  /** Add one datapoint without evaluating (publishers; the clock handler evaluates after). */
  record(region: string, namespace: string, name: string, dimensions: Record<string, string>, p: Datapoint) {
    const s = this.seriesFor(region, namespace, name, dimensions);
    addPoint(s, p);
    return s;
  }

  /** The stored datapoints of one series, oldest first (a copy). */
  points(region: string, namespace: string, name: string, dimensions: Record<string, string>): Datapoint[] {
    return [...(this.series.get(seriesKey(region, namespace, name, dimensions))?.points ?? [])].map((p) => ({
      ...p,
    }));
  }

  /** Evaluate the alarms on these series now (new datapoints arrived outside a request). */
  evaluateOn(touched: Set<Series>): void {
    for (const a of this.alarms.values()) {
      if (touched.has(this.alarmSeries(a) as Series)) this.evaluate(a, "data");
    }
  }

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
      for (const [t, v] of m.points) addPoint(s, { t: pointMs(t), v });
    }
    if ((estate.metrics ?? []).length > 0) for (const a of this.alarms.values()) this.evaluate(a, "data");
  }

  private seriesFor(
    region: string,
    namespace: string,
    name: string,
    dimensions: Record<string, string>,
  ): Series {
    const key = seriesKey(region, namespace, name, dimensions);
    let s = this.series.get(key);
    if (!s) {
      s = { region, namespace, name, dimensions: { ...dimensions }, points: [] };
      this.series.set(key, s);
      this.sortedKeys = undefined;
    }
    return s;
  }

  handle(operation: string, ctx: RequestContext): HttpAnswer {
    const input = (ctx.body ? JSON.parse(ctx.body) : {}) as Input;
    switch (operation) {
      case "PutMetricData":
        this.putMetricData(ctx, input);
        return jsonAnswer({});
      case "GetMetricData":
        return jsonAnswer(getMetricData(input, ctx.region, ctx.clock.nowMs(), (k) => this.series.get(k)));
      case "ListMetrics":
        return jsonAnswer(listMetrics(input, ctx.region, this.keys(), this.series));
      case "DeleteAlarms":
        this.deleteAlarms(ctx, input);
        return jsonAnswer({});
      case "ListTagsForResource":
        return jsonAnswer({
          Tags: [...this.alarmByArn(input.ResourceARN).tags].map(([Key, Value]) => ({ Key, Value })),
        });
      case "TagResource": {
        const a = this.alarmByArn(input.ResourceARN);
        for (const t of (input.Tags ?? []) as { Key: string; Value: string }[]) a.tags.set(t.Key, t.Value);
        return jsonAnswer({});
      }
      case "UntagResource": {
        const a = this.alarmByArn(input.ResourceARN);
        for (const k of (input.TagKeys ?? []) as string[]) a.tags.delete(k);
        return jsonAnswer({});
      }
      case "PutMetricAlarm":
        this.putMetricAlarm(ctx, input);
        return jsonAnswer({});
      case "DescribeAlarms":
        return jsonAnswer(this.describeAlarms(ctx, input));
      case "SetAlarmState":
        this.setAlarmState(ctx, input);
        return jsonAnswer({});
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

  private putMetricData(ctx: RequestContext, input: Input): void {
    const namespace = String(input.Namespace ?? "");
    if (namespace.startsWith("AWS/")) throw invalid("The value AWS/ for parameter Namespace is invalid.");
    const touched = new Set<Series>();
    for (const d of (input.MetricData ?? []) as Input[]) {
      const s = this.seriesFor(ctx.region, namespace, String(d.MetricName), dimsFromList(d.Dimensions));
      const t = d.Timestamp === undefined ? ctx.clock.nowMs() : toMs(d.Timestamp);
      if (typeof d.Value === "number") addPoint(s, { t, v: d.Value });
      for (const v of (d.Values ?? []) as number[]) addPoint(s, { t, v });
      const sv = d.StatisticValues as { Sum: number; SampleCount: number } | undefined;
      if (sv) addPoint(s, { t, v: sv.Sum / sv.SampleCount });
      touched.add(s);
    }
    this.evaluateOn(touched);
  }

  private keys(): string[] {
    if (!this.sortedKeys) this.sortedKeys = [...this.series.keys()].sort();
    return this.sortedKeys;
  }

  /**
   * DeleteAlarms: "If you specify any incorrect alarm names, the alarms you specify with correct names
   * are still deleted." More than 100 names is a validation error (its wording is modelled on
   * CloudWatch's validation messages). A deleted alarm is no longer evaluated and sends nothing.
   */
  private deleteAlarms(ctx: RequestContext, input: Input): void {
    const names = (input.AlarmNames ?? []) as string[];
    if (names.length > MAX_DELETE) {
      throw validation(
        `1 validation error detected: Value '[${names.join(", ")}]' at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to ${MAX_DELETE}`,
      );
    }
    for (const name of names) this.alarms.delete(`${ctx.region}|${name}`);
  }

  private alarmByArn(arn: unknown): Alarm {
    const m = /^arn:aws:cloudwatch:([^:]+):\d{12}:alarm:(.+)$/.exec(String(arn ?? ""));
    const a = m ? this.alarms.get(`${m[1]}|${m[2]}`) : undefined;
    if (!a) {
      throw new AwsError(
        "ResourceNotFoundException",
        `The specified resource ${String(arn)} does not exist.`,
        404,
        "Sender",
        "ResourceNotFoundException",
      );
    }
    return a;
  }

  private putMetricAlarm(ctx: RequestContext, input: Input): void {
    checkAlarmInput(input);
    const name = String(input.AlarmName ?? "");
    const key = `${ctx.region}|${name}`;
    const nowMs = ctx.clock.nowMs();
    const previous = this.alarms.get(key);
    // "When you update an existing alarm, its state is left unchanged, but the update completely
    // overwrites the previous configuration of the alarm." (PutMetricAlarm API Reference)
    const alarm: Alarm = previous ?? {
      region: ctx.region,
      name,
      arn: `arn:aws:cloudwatch:${ctx.region}:${this.env.accountId}:alarm:${name}`,
      config: input,
      metricId: randomUUID(),
      state: { value: "INSUFFICIENT_DATA", reason: "Unchecked: Initial alarm creation", atMs: nowMs },
      transitionedMs: nowMs,
      configUpdatedMs: nowMs,
      held: false,
      // "If you are using this operation to update an existing alarm, any tags you specify in this
      // parameter are ignored." (PutMetricAlarm API Reference)
      tags: new Map(((input.Tags ?? []) as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value])),
    };
    alarm.config = input;
    alarm.configUpdatedMs = nowMs;
    alarm.held = false;
    this.alarms.set(key, alarm);
    this.evaluate(alarm, "config");
  }

  private setAlarmState(ctx: RequestContext, input: Input): void {
    const a = this.alarms.get(`${ctx.region}|${input.AlarmName}`);
    if (!a) {
      throw new AwsError(
        "ResourceNotFound",
        `Alarm ${input.AlarmName} not found`,
        404,
        "Sender",
        "ResourceNotFound",
      );
    }
    const value = input.StateValue as StateValue;
    if (!STATES.includes(value)) {
      throw new AwsError(
        "ValidationError",
        `1 validation error detected: Value '${String(value)}' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]`,
        400,
        "Sender",
        "ValidationError",
      );
    }
    const reasonData = typeof input.StateReasonData === "string" ? input.StateReasonData : undefined;
    if (reasonData !== undefined) {
      try {
        JSON.parse(reasonData);
      } catch {
        // SetAlarmState API Reference, Errors: "InvalidFormat: Data was not syntactically valid JSON."
        throw new AwsError(
          "InvalidFormat",
          "Data was not syntactically valid JSON",
          400,
          "Sender",
          "InvalidFormat",
        );
      }
    }
    const nowMs = ctx.clock.nowMs();
    const next: AlarmState = { value, reason: String(input.StateReason ?? ""), reasonData, atMs: nowMs };
    // "This temporary state change lasts only until the next alarm comparison occurs" (User Guide):
    // the next evaluation window, not a PutMetricData in the same minute.
    const rule = ruleOf(a.config);
    if (rule) a.lastWindowEndMs = windowEndMs(rule, nowMs);
    a.held = true;
    if (value === a.state.value) a.state = next;
    else this.transition(a, next);
  }

  /**
   * DescribeAlarms: AlarmNames or AlarmNamePrefix (not both: InvalidParameterCombination), StateValue,
   * AlarmTypes; alarms in name order (as CloudWatch lists them), MaxRecords 1..100 per page (default
   * 50) and a NextToken that resumes after the last name returned.
   */
  private describeAlarms(ctx: RequestContext, input: Input) {
    const names = (input.AlarmNames ?? []) as string[];
    const prefix = input.AlarmNamePrefix as string | undefined;
    const state = input.StateValue as string | undefined;
    const types = input.AlarmTypes as string[] | undefined;
    if (names.length > 0 && prefix !== undefined) {
      throw new AwsError(
        "InvalidParameterCombination",
        "AlarmNamePrefix and AlarmNames cannot be specified together.",
        400,
        "Sender",
        "InvalidParameterCombination",
      );
    }
    const maxRaw = input.MaxRecords;
    const max = typeof maxRaw === "number" ? maxRaw : DEFAULT_RECORDS;
    if (!Number.isInteger(max) || max < 1 || max > MAX_RECORDS) {
      throw validation(
        `1 validation error detected: Value '${String(maxRaw)}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and ${MAX_RECORDS}`,
      );
    }
    let after: string | undefined;
    if (typeof input.NextToken === "string" && input.NextToken !== "") {
      after = Buffer.from(input.NextToken, "base64url").toString("utf8");
      if (!after.startsWith("alarm:")) {
        throw new AwsError("InvalidNextToken", "The service couldn't process the NextToken.", 400);
      }
      after = after.slice("alarm:".length);
    }
    const metric = !types || types.length === 0 || types.includes("MetricAlarm");
    const wanted = new Set(names);
    const matching = metric
      ? [...this.alarms.values()]
          .filter(
            (a) =>
              a.region === ctx.region &&
              (wanted.size === 0 || wanted.has(a.name)) &&
              (!prefix || a.name.startsWith(prefix)) &&
              (!state || a.state.value === state) &&
              (after === undefined || a.name > after),
          )
          .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
      : [];
    const page = matching.slice(0, max);
    const last = page[page.length - 1];
    const nextToken =
      matching.length > max && last ? Buffer.from(`alarm:${last.name}`).toString("base64url") : undefined;
    return {
      MetricAlarms: page.map((a) => this.render(a)),
      CompositeAlarms: [],
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  }

  private render(a: Alarm): Input {
    const echoed = Object.fromEntries(
      ECHOED.filter((k) => a.config[k] !== undefined).map((k) => [k, a.config[k]]),
    );
    return {
      AlarmName: a.name,
      AlarmArn: a.arn,
      AlarmConfigurationUpdatedTimestamp: a.configUpdatedMs / 1000,
      ActionsEnabled: a.config.ActionsEnabled ?? true,
      OKActions: [],
      AlarmActions: [],
      InsufficientDataActions: [],
      ...echoed,
      StateValue: a.state.value,
      StateReason: a.state.reason,
      ...(a.state.reasonData !== undefined ? { StateReasonData: a.state.reasonData } : {}),
      StateUpdatedTimestamp: a.state.atMs / 1000,
      StateTransitionedTimestamp: a.transitionedMs / 1000,
    };
  }

  private alarmSeries(a: Alarm): Series | undefined {
    const c = a.config;
    return this.series.get(
      seriesKey(a.region, String(c.Namespace ?? ""), String(c.MetricName ?? ""), dimsFromList(c.Dimensions)),
    );
  }

  /**
   * Evaluate one alarm at the sandbox clock's now. `clock`: only when the evaluation window moved
   * (so a jump of hours evaluates once, at the new time); `data`: new datapoints, unless SetAlarmState
   * holds the state for this window; `config`: PutMetricAlarm, always.
   */
  private evaluate(a: Alarm, cause: "clock" | "data" | "config"): void {
    const rule = ruleOf(a.config);
    if (!rule) return;
    const nowMs = this.env.clock.nowMs();
    const end = windowEndMs(rule, nowMs);
    if (cause === "clock" && end === a.lastWindowEndMs) return;
    if (cause === "data" && a.held && end === a.lastWindowEndMs) return;
    a.lastWindowEndMs = end;
    a.held = false;
    const start = end - rule.evaluationPeriods * rule.periodMs;
    const series = this.alarmSeries(a);
    const stat = statOf(a.config);
    const values = Array.from({ length: rule.evaluationPeriods }, (_, i) => {
      const vals = valuesIn(series, start + i * rule.periodMs, start + (i + 1) * rule.periodMs);
      return vals.length === 0 ? undefined : aggregate(vals, stat);
    });
    const verdict = judge(rule, values);
    const value = verdict.state ?? a.state.value;
    if (value === a.state.value) return;
    const text = describeVerdict(rule, stat, verdict, value, a.state.value, start, nowMs);
    this.transition(a, { value, ...text, atMs: nowMs });
  }

  private transition(a: Alarm, next: AlarmState): void {
    const previous = a.state;
    a.state = next;
    a.transitionedMs = next.atMs;
    this.env.emit(a.region, stateChangeEvent(this.identity(a), previous, next));
  }

  private identity(a: Alarm): AlarmIdentity {
    const c = a.config;
    return {
      name: a.name,
      arn: a.arn,
      description: typeof c.AlarmDescription === "string" ? c.AlarmDescription : undefined,
      metrics: metricsOf(c, a.metricId),
    };
  }
}
