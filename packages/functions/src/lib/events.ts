/**
 * The events our triggers send, validated leniently where AWS's docs disagree (extra keys pass) and
 * strictly where we depend on a field. A bad event raises EventShapeError before anything changes.
 */
import type { AlarmStateChange } from "@outpost-ops/core/alerts";
import { EventShapeError } from "@outpost-ops/core/errors";
import { ISO_TIME_ACCEPTED, isIsoTime } from "@outpost-ops/core/time";
import * as z from "zod";

function parse<T>(schema: z.ZodType<T>, trigger: string, raw: unknown): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw new EventShapeError(
    trigger,
    result.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
  );
}

// The jobs are a function of this time: one check (core's), shared with the CLI's --at.
const isoTime = z.string().refine(isIsoTime, `must be ${ISO_TIME_ACCEPTED}`);

/** EventBridge "Scheduled Event": only `time` matters (the job is a function of time). */
const ScheduledEventSchema = z.looseObject({
  "detail-type": z.literal("Scheduled Event"),
  source: z.literal("aws.events"),
  time: isoTime,
  region: z.string().min(1),
  resources: z.array(z.string()).default([]),
});
export type ScheduledEvent = z.infer<typeof ScheduledEventSchema>;
export const parseScheduledEvent = (raw: unknown): ScheduledEvent =>
  parse(ScheduledEventSchema, "EventBridge Scheduled Event", raw);

/** Lambda's SQS event; bodies are parsed per record by the worker (one bad body fails one record). */
const SqsEventSchema = z.looseObject({
  Records: z
    .array(
      z.looseObject({
        messageId: z.string().min(1),
        body: z.string(),
        eventSource: z.literal("aws:sqs"),
        attributes: z.looseObject({ ApproximateReceiveCount: z.string().optional() }).optional(),
      }),
    )
    .min(1),
});
export type SqsEvent = z.infer<typeof SqsEventSchema>;
export const parseSqsEvent = (raw: unknown): SqsEvent => parse(SqsEventSchema, "SQS", raw);

const AlarmState = z.looseObject({
  value: z.enum(["OK", "ALARM", "INSUFFICIENT_DATA"]),
  reason: z.string().default(""),
  timestamp: z.string().optional(),
});

/** EventBridge "CloudWatch Alarm State Change". */
const AlarmEventSchema = z.looseObject({
  "detail-type": z.literal("CloudWatch Alarm State Change"),
  source: z.literal("aws.cloudwatch"),
  time: isoTime,
  region: z.string().min(1),
  resources: z.array(z.string()).default([]),
  detail: z.looseObject({
    alarmName: z.string().min(1),
    state: AlarmState,
    previousState: AlarmState.optional(),
    configuration: z.looseObject({ description: z.string().optional() }).optional(),
  }),
});
export type AlarmEvent = z.infer<typeof AlarmEventSchema>;
export const parseAlarmEvent = (raw: unknown): AlarmEvent =>
  parse(AlarmEventSchema, "CloudWatch Alarm State Change", raw);

/** An alarm state change as core sees it (core/alerts/alarm.ts): the relay and the capacity handler's input. */
export function alarmChange(event: AlarmEvent): AlarmStateChange {
  const { alarmName, state, previousState, configuration } = event.detail;
  return {
    alarmName,
    state: state.value,
    ...(previousState ? { previousState: previousState.value } : {}),
    ...(state.reason ? { reason: state.reason } : {}),
    ...(configuration?.description ? { description: configuration.description } : {}),
    region: event.region,
    at: new Date(event.time),
    resources: event.resources,
  };
}
