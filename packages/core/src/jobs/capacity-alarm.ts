/**
 * A capacity alarm changed state: decide whether people hear of it (one alert per condition and
 * band, decideCapacityAlert over AWS's own states of the sibling band alarms, so no counter of ours
 * can get stuck), and if so read the condition (value, headroom, 14-day trend and forecast, top
 * consumers) and build the alert. A silent decision reads nothing more and never throws.
 *
 * A name that is not one of ours, or names an Outpost the config does not have, throws
 * CapacityAlarmError (the handler logs it and sends nothing).
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { AlarmStateChange } from "../alerts/alarm.ts";
import type { Alert } from "../alerts/alert.ts";
import { type AlarmState, alarmStates } from "../aws/alarms.ts";
import type { AwsClients } from "../aws/clients.ts";
import { errorMessage } from "../aws/errors.ts";
import { lastReadiness } from "../aws/readiness-gauge.ts";
import { capacityAlert } from "../capacity/alert.ts";
import { type CapacityDecision, decideCapacityAlert } from "../capacity/decide.ts";
import { BANDS, type Band, type Condition, type Reading } from "../capacity/model.ts";
import { capacityAlarmName, parseCapacityAlarmName } from "../capacity/names.ts";
import type { Config } from "../config/schema.ts";
import { readReadings } from "./capacity-readings.ts";

export interface CapacityAlarmInput {
  clients: AwsClients;
  config: Config;
  prefix: string;
  region: string;
  stage: string;
  change: AlarmStateChange;
  now: Date;
}

export interface CapacityAlarmResult {
  decision: CapacityDecision;
  /** What the alarm watches, from its name (for the Capacity Alert event, capacityAlertEvent). */
  condition: Condition;
  band?: Band;
  alert?: Alert;
  reading?: Reading;
}

/**
 * FailoverReady in regions.dr, for a service link that is down: 1 ready, 0 not, no point "unknown";
 * undefined without a failover section (the alert then says none is configured).
 */
async function drReadiness(
  clients: AwsClients,
  config: Config,
  now: Date,
): Promise<boolean | "unknown" | undefined> {
  if (!config.failover) return undefined;
  const last = await lastReadiness(clients.get(CloudWatchClient, config.regions.dr), now);
  return last === undefined ? "unknown" : last.value >= 1;
}

/**
 * @example const { decision, alert } = await handleCapacityAlarm({ clients, config, prefix, region, stage, change, now })
 */
export async function handleCapacityAlarm(input: CapacityAlarmInput): Promise<CapacityAlarmResult> {
  const { clients, config, prefix, region, change, now } = input;
  const { condition, band } = parseCapacityAlarmName(config, prefix, change.alarmName);
  const cloudwatch = clients.get(CloudWatchClient, region);
  const siblingNames =
    band === undefined
      ? []
      : BANDS.filter((b) => b !== band).map((b) => ({
          band: b,
          name: capacityAlarmName(prefix, condition, b),
        }));
  // A first evaluation (and any INSUFFICIENT_DATA) is silent whatever the siblings say: ask AWS nothing.
  const firstLook =
    change.state === "INSUFFICIENT_DATA" ||
    (change.state === "OK" && change.previousState === "INSUFFICIENT_DATA");
  // The alarm itself is asked too: its transition time (to the millisecond, where the event's is to
  // the second) tells which of two bands that went OK together went last.
  const states =
    siblingNames.length && !firstLook
      ? await alarmStates(cloudwatch, [change.alarmName, ...siblingNames.map((s) => s.name)])
      : new Map<string, AlarmState>();
  const siblings = siblingNames.flatMap((s) => {
    const found = states.get(s.name);
    return found === undefined ? [] : [{ band: s.band, ...found }];
  });
  const own = states.get(change.alarmName);
  const decision = decideCapacityAlert({
    ...(band !== undefined ? { band } : {}),
    state: change.state,
    ...(change.previousState !== undefined ? { previousState: change.previousState } : {}),
    siblings,
    at: own?.state === change.state && own.since ? own.since : change.at,
  });
  const named = { condition, ...(band !== undefined ? { band } : {}) };
  if (decision.kind === "silent") return { decision, ...named };
  // Past this point the decision is to tell people, and this edge will not come again: a failed
  // read makes a plainer alert (saying what could not be read), never a lost one.
  const reading: Reading = await readReadings({ clients, config, region, now }, [condition]).then(
    ([r]) => r ?? { condition, daily: [], consumers: [] },
    (error: unknown) => ({
      condition,
      daily: [],
      consumers: [],
      unread: [`the metrics (so no value, trend or consumers): ${errorMessage(error)}`],
    }),
  );
  const drReady =
    condition.kind === "connected"
      ? await drReadiness(clients, config, now).catch((): "unknown" => "unknown")
      : undefined;
  const alert: Alert = {
    ...capacityAlert({
      config,
      region,
      prefix,
      stage: input.stage,
      alarmName: change.alarmName,
      condition,
      ...(band !== undefined ? { band } : {}),
      decision,
      reading,
      at: change.at,
      ...(drReady !== undefined ? { drReady } : {}),
    }),
    stage: input.stage,
  };
  return { decision, ...named, alert, reading };
}
