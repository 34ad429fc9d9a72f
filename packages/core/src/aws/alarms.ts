// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM placeholders, filled by stacks/iam.ts
/**
 * CloudWatch alarms of the capacity job: the ones under its name prefix as they are (DescribeAlarms,
 * paginated), the states of a condition's band alarms by name, and the monitor's writes
 * (PutMetricAlarm from a CapacityAlarm, tagged as ours; DeleteAlarms, 100 names per call).
 *
 * Writes are limited to alarm names under `${capacityAlarmPrefix}` (`<prefix>-capacity-`, filled by
 * stacks/iam.ts), and creating needs the managed tag in the request, so the monitor cannot touch any
 * other alarm of the account. Which of those names it may delete (managed kinds only, never the
 * stack's connected and cpu alarms) is planAlarmReconcile's rule.
 */
import {
  type CloudWatchClient,
  DeleteAlarmsCommand,
  type MetricAlarm,
  PutMetricAlarmCommand,
  paginateDescribeAlarms,
} from "@aws-sdk/client-cloudwatch";
import type { CapacityAlarm, ExistingAlarm } from "../capacity/alarms.ts";
import { capacityAlarmPrefix } from "../capacity/names.ts";
import { MANAGED_VALUE, Tag } from "../tags.ts";
import type { PermissionStatement } from "./permissions.ts";

/** The capacity alarms' ARNs: only names under the capacity prefix (the placeholder ends in `-capacity-`). */
const CAPACITY_ALARMS = "arn:${partition}:cloudwatch:${region}:${account}:alarm:${capacityAlarmPrefix}*";

export const AlarmPermissions = {
  describeAlarms: {
    why: "read the capacity alarms under the prefix and a condition's band alarm states (DescribeAlarms is authorized on *)",
    actions: ["cloudwatch:DescribeAlarms"],
    resources: ["*"],
  },
  putCapacityAlarm: {
    why: "create or update only capacity alarms under the prefix, tagged outpost-ops:managed=true",
    actions: ["cloudwatch:PutMetricAlarm"],
    resources: [CAPACITY_ALARMS],
    conditions: { StringEquals: { [`aws:RequestTag/${Tag.managed}`]: MANAGED_VALUE } },
  },
  // "To create an alarm with tags, you must have the cloudwatch:TagResource permission" (PutMetricAlarm,
  // CloudWatch API Reference): CloudWatch authorizes the Tags of the call, our code never sends it.
  tagCapacityAlarm: {
    why: "write the managed tag in the PutMetricAlarm call itself (only on capacity alarms)",
    onBehalf: true,
    actions: ["cloudwatch:TagResource"],
    resources: [CAPACITY_ALARMS],
    conditions: { StringEquals: { [`aws:RequestTag/${Tag.managed}`]: MANAGED_VALUE } },
  },
  deleteCapacityAlarms: {
    why: "delete capacity alarms of types an Outpost no longer has (only names under the prefix)",
    actions: ["cloudwatch:DeleteAlarms"],
    resources: [CAPACITY_ALARMS],
  },
} satisfies Record<string, PermissionStatement>;

/** DescribeAlarms takes up to 100 names; DeleteAlarms too. */
const NAMES_PER_CALL = 100;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function toExisting(a: MetricAlarm): ExistingAlarm {
  const dimensions: Record<string, string> = {};
  for (const d of a.Dimensions ?? []) if (d.Name !== undefined) dimensions[d.Name] = d.Value ?? "";
  return {
    name: a.AlarmName ?? "",
    dimensions,
    ...(a.Namespace !== undefined ? { namespace: a.Namespace } : {}),
    ...(a.MetricName !== undefined ? { metricName: a.MetricName } : {}),
    ...(a.Statistic !== undefined ? { statistic: a.Statistic } : {}),
    ...(a.Period !== undefined ? { periodSeconds: a.Period } : {}),
    ...(a.EvaluationPeriods !== undefined ? { evaluationPeriods: a.EvaluationPeriods } : {}),
    ...(a.DatapointsToAlarm !== undefined ? { datapointsToAlarm: a.DatapointsToAlarm } : {}),
    ...(a.Threshold !== undefined ? { threshold: a.Threshold } : {}),
    ...(a.ComparisonOperator !== undefined ? { comparison: a.ComparisonOperator } : {}),
    ...(a.TreatMissingData !== undefined ? { treatMissingData: a.TreatMissingData } : {}),
    ...(a.AlarmDescription !== undefined ? { description: a.AlarmDescription } : {}),
  };
}

/**
 * Every metric alarm under the capacity prefix (`<prefix>-capacity-`), the stack's included: the
 * reconciler tells managed from static by name.
 * @example await capacityAlarmsByPrefix(cloudwatch, "outpost-ops-prod") // [{ name: "outpost-ops-prod-capacity-factory-instance-m5.large-warning", … }]
 */
export async function capacityAlarmsByPrefix(
  cloudwatch: CloudWatchClient,
  prefix: string,
): Promise<ExistingAlarm[]> {
  const out: ExistingAlarm[] = [];
  for await (const page of paginateDescribeAlarms(
    { client: cloudwatch, pageSize: 100 },
    { AlarmNamePrefix: capacityAlarmPrefix(prefix), AlarmTypes: ["MetricAlarm"] },
  ))
    for (const a of page.MetricAlarms ?? []) if (a.AlarmName) out.push(toExisting(a));
  return out;
}

/** An alarm's state as CloudWatch reports it now, and since when (its last state transition). */
export interface AlarmState {
  state: string;
  since?: Date;
}

/**
 * The state (OK, ALARM, INSUFFICIENT_DATA) of each named alarm that exists; a missing name is absent.
 * @example await alarmStates(cloudwatch, ["…-m5.large-critical"]) // Map { "…-critical" => { state: "ALARM", since } }
 */
export async function alarmStates(
  cloudwatch: CloudWatchClient,
  names: readonly string[],
): Promise<Map<string, AlarmState>> {
  const out = new Map<string, AlarmState>();
  for (const chunk of chunks([...new Set(names)], NAMES_PER_CALL)) {
    for await (const page of paginateDescribeAlarms(
      { client: cloudwatch },
      { AlarmNames: chunk, AlarmTypes: ["MetricAlarm"] },
    ))
      for (const a of page.MetricAlarms ?? []) {
        if (!a.AlarmName || !a.StateValue) continue;
        const since = a.StateTransitionedTimestamp ?? a.StateUpdatedTimestamp;
        out.set(a.AlarmName, { state: a.StateValue, ...(since ? { since } : {}) });
      }
  }
  return out;
}

/**
 * Creates or replaces one alarm (PutMetricAlarm overwrites the whole configuration and keeps the
 * state). No actions: EventBridge receives every state change, and the capacity handler speaks.
 * @example await putCapacityAlarm(cloudwatch, alarm)
 */
export async function putCapacityAlarm(cloudwatch: CloudWatchClient, alarm: CapacityAlarm): Promise<void> {
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: alarm.name,
      AlarmDescription: alarm.description,
      Namespace: alarm.metric.namespace,
      MetricName: alarm.metric.name,
      Dimensions: Object.entries(alarm.metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
      Statistic: alarm.metric.statistic,
      Period: alarm.metric.periodSeconds,
      EvaluationPeriods: alarm.evaluationPeriods,
      DatapointsToAlarm: alarm.datapointsToAlarm,
      Threshold: alarm.threshold,
      ComparisonOperator: alarm.comparison,
      TreatMissingData: alarm.treatMissingData,
      Tags: [{ Key: Tag.managed, Value: MANAGED_VALUE }],
    }),
  );
}

/**
 * Deletes the named alarms, 100 per call (deleting one that is already gone is not an error).
 * @example await deleteAlarms(cloudwatch, ["outpost-ops-prod-capacity-factory-instance-c5.xlarge-warning"])
 */
export async function deleteAlarms(cloudwatch: CloudWatchClient, names: readonly string[]): Promise<void> {
  for (const chunk of chunks(names, NAMES_PER_CALL))
    await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: chunk }));
}
