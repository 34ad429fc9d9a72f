/**
 * One alert per condition (design rule 5), decided from an alarm's state change and the states of
 * its sibling band alarms as CloudWatch reports them now. CloudWatch only emits a change when an
 * alarm's state changes, so each band speaks once going in and once coming out; this decides which
 * of those edges people hear about. Nothing is counted or stored, so nothing can get stuck.
 */
import { BANDS, type Band } from "./model.ts";

export type CapacityDecision =
  | { kind: "alert"; band?: Band }
  | { kind: "eased"; to: Band }
  | { kind: "resolved" }
  | { kind: "silent"; why: string };

export interface CapacityAlarmChange {
  /** The band of the alarm that changed; none for single-alarm kinds (connected, exceptions, local snapshots). */
  band?: Band;
  state: string;
  previousState?: string;
  /** The condition's other band alarms (the changed one is ignored if listed), from DescribeAlarms. */
  siblings: { band: Band; state: string; since?: Date }[];
  /**
   * When this alarm changed state. With the siblings' `since` (StateUpdatedTimestamp), it settles
   * which band says "resolved" when both go OK in the same minute: the last one to go OK.
   */
  at?: Date;
}

const rank = (band: Band) => BANDS.indexOf(band);

/**
 * @example decideCapacityAlert({ band: "warning", state: "ALARM", previousState: "OK", siblings: [{ band: "critical", state: "ALARM" }] })
 * // { kind: "silent", why: "the critical alarm is in ALARM: it has spoken" }
 */
export function decideCapacityAlert(change: CapacityAlarmChange): CapacityDecision {
  const { band, state, previousState } = change;
  if (state === "INSUFFICIENT_DATA")
    return {
      kind: "silent",
      why: "INSUFFICIENT_DATA: no data to judge (a new alarm, or the metric stopped)",
    };
  if (state === "OK" && previousState === "INSUFFICIENT_DATA")
    return {
      kind: "silent",
      why: "OK from INSUFFICIENT_DATA: a new alarm's first evaluation, not a recovery",
    };
  if (state !== "OK" && state !== "ALARM") return { kind: "silent", why: `unknown state ${state}` };
  if (previousState === state) return { kind: "silent", why: `still ${state}: nothing changed` };
  if (band === undefined) return state === "ALARM" ? { kind: "alert" } : { kind: "resolved" };

  const others = change.siblings.filter((s) => s.band !== band);
  const higher = others.filter((s) => rank(s.band) > rank(band));
  const lower = others.filter((s) => rank(s.band) < rank(band));
  const higherAlarm = higher
    .filter((s) => s.state === "ALARM")
    .sort((a, b) => rank(b.band) - rank(a.band))[0];
  if (higherAlarm) return { kind: "silent", why: `the ${higherAlarm.band} alarm is in ALARM: it has spoken` };
  if (state === "ALARM") return { kind: "alert", band };

  const lowerAlarm = lower.filter((s) => s.state === "ALARM").sort((a, b) => rank(b.band) - rank(a.band))[0];
  if (lowerAlarm) return { kind: "eased", to: lowerAlarm.band };

  // Every band is OK now: exactly one of the OK changes says "resolved".
  const at = change.at;
  if (lower.length === 0) {
    const later = at && higher.find((s) => s.since !== undefined && s.since > at);
    return later
      ? { kind: "silent", why: `the ${later.band} alarm went OK after this one: it says resolved` }
      : { kind: "resolved" };
  }
  // A lower band that went OK while this one was still ALARM was silenced by it: this says resolved.
  if (at && lower.every((s) => s.since !== undefined && s.since < at)) return { kind: "resolved" };
  return { kind: "silent", why: "the lowest band's alarm says resolved" };
}
