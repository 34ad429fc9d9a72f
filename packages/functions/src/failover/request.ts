/**
 * The failover function's three kinds of input, and what each asks for. Its rules deliver
 * "CloudWatch Alarm State Change" events of the trigger alarms; people send the manual event (the
 * CLI, `aws lambda invoke`) or the classic DR Lambda's event (core/failover/manual-event.ts).
 * Anything else is refused with an error that names the field, before any AWS call.
 */
import type { Config, FailoverConfig } from "@outpost-ops/core/config";
import { ALARM_ARN } from "@outpost-ops/core/config/failover";
import { EventShapeError } from "@outpost-ops/core/errors";
import {
  type ClassicEvent,
  checkClassicEvent,
  type ManualEvent,
  ManualEventError,
  parseManualEvent,
} from "@outpost-ops/core/failover/manual-event";
import type { Trigger } from "@outpost-ops/core/failover/plan";
import type { Site } from "@outpost-ops/core/failover/records";
import { type AlarmEvent, parseAlarmEvent } from "../lib/events.ts";

export type FailoverEvent =
  | { kind: "alarm"; event: AlarmEvent }
  | { kind: "manual"; event: ManualEvent }
  | { kind: "classic"; event: ClassicEvent };

const EXPECTED =
  'a CloudWatch Alarm State Change event, the manual event {"outpost-ops": "failover" | "failback", "dryRun"?, "force"?, "reason"?, "requestedBy"?}, or the classic event {"hosted_zone_id", "domain_name", "dr_ip"}';

/**
 * Which of the three it is, parsed strictly (an EventBridge event by its `source` or
 * `detail-type`, the classic event by `hosted_zone_id`, the manual event by `outpost-ops`).
 * @example parseFailoverEvent({ "outpost-ops": "failover", dryRun: true }) // { kind: "manual", event: {…} }
 */
export function parseFailoverEvent(raw: unknown): FailoverEvent {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new EventShapeError("failover", [{ path: "", message: `not an object: expected ${EXPECTED}` }]);
  if ("source" in raw || "detail-type" in raw) return { kind: "alarm", event: parseAlarmEvent(raw) };
  if ("outpost-ops" in raw || "hosted_zone_id" in raw) {
    const parsed = parseManualEvent(raw);
    return parsed.kind === "manual"
      ? { kind: "manual", event: parsed.event }
      : { kind: "classic", event: parsed.event };
  }
  const keys = Object.keys(raw);
  throw new EventShapeError("failover", [
    {
      path: keys.join(", "),
      message: `${keys.length === 0 ? "an empty event" : "unknown field(s)"}: expected ${EXPECTED}`,
    },
  ]);
}

/** What one event asks the run for. */
export interface FailoverRequest {
  target: Site;
  trigger: Trigger;
  reason: string;
  force: boolean;
  dryRun: boolean;
}

/** Why an event changes nothing (another alarm, another state): logged, not alerted. */
export interface IgnoredEvent {
  ignored: string;
}

/**
 * Whether an alarm event is of a configured trigger alarm: a bare name is an alarm of the primary
 * Region; an ARN names its Region and account (the event's account, when it has one, must match).
 */
export function isTriggerAlarm(failover: FailoverConfig, config: Config, event: AlarmEvent): boolean {
  const name = event.detail.alarmName;
  const account = (event as { account?: unknown }).account;
  return failover.alarms.some((a) => {
    const arn = ALARM_ARN.exec(a);
    if (!arn) return a === name && event.region === config.regions.primary;
    return arn[3] === name && arn[1] === event.region && (typeof account !== "string" || account === arn[2]);
  });
}

/** CloudWatch's state change time (`2024-05-14T10:07:41.989+0000`), else the event's. */
function alarmTime(event: AlarmEvent): Date {
  const at = new Date(event.detail.state.timestamp ?? "");
  return Number.isNaN(at.getTime()) ? new Date(event.time) : at;
}

/**
 * @example requestOf(parseFailoverEvent(raw), config) // { target: "dr", trigger: { kind: "alarm", … }, … }
 */
export function requestOf(
  event: FailoverEvent,
  config: Config,
  failover: FailoverConfig,
): FailoverRequest | IgnoredEvent {
  switch (event.kind) {
    case "alarm": {
      const { alarmName, state } = event.event.detail;
      if (!isTriggerAlarm(failover, config, event.event))
        return {
          ignored: `alarm ${alarmName} (${event.event.region}) is not a trigger alarm (failover.alarms: ${failover.alarms.join(", ") || "none"})`,
        };
      if (state.value !== "ALARM")
        return { ignored: `alarm ${alarmName} went to ${state.value}: only ALARM triggers a failover` };
      return {
        target: "dr",
        trigger: {
          kind: "alarm",
          alarm: alarmName,
          alarmAt: alarmTime(event.event),
          region: event.event.region,
        },
        reason: `alarm ${alarmName}: ${state.reason || "ALARM"}`.slice(0, 200),
        force: false,
        dryRun: false,
      };
    }
    case "manual": {
      const m = event.event;
      return {
        target: m["outpost-ops"] === "failover" ? "dr" : "primary",
        trigger: { kind: "manual", by: m.requestedBy },
        reason: m.reason,
        force: m.force,
        dryRun: m.dryRun,
      };
    }
    case "classic": {
      // The classic event names one record and its DR address: it must be one the config declares.
      const issues = checkClassicEvent(failover, event.event);
      if (issues) throw new ManualEventError(issues);
      return {
        target: "dr",
        trigger: { kind: "classic", by: "aws lambda invoke" },
        reason: `classic DR event for ${event.event.domain_name}`,
        force: false,
        dryRun: false,
      };
    }
  }
}
