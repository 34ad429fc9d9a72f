/**
 * The failover phase's script on the drill's clock: when the factory's service link drops, how it
 * flaps, and when an operator fails back. The link is the ConnectedStatus metric of the Outpost
 * (AWS/Outposts, a datapoint a minute: 1 connected, 0 not), which the user's trigger alarm watches.
 *
 * - Scenario 2, DR data stale: 40 minutes after the DR copy outage ends, the link drops for 15
 *   minutes. The copy scheduler has just run again and reported that the day without it left the
 *   DR copies past their RPO (their backlog is still copying), so failover must refuse with the
 *   reasons and change nothing. The readiness check has said "not ready" since the outage began.
 * - Scenario 1, DR ready: 12 hours after the copy outage ends (its backlog long drained, every DR
 *   copy within its RPO again), the link drops, then flaps for an hour (up 2 minutes, down 3): one
 *   failover, then nothing to do at every further ALARM. Three hours after the drop an operator fails
 *   back by command.
 *
 * Scenario 2 comes first in time: the drill has one copy outage, and scenario 1 needs its backlog
 * drained. Without a copy outage in the span, scenario 1 plays 12 hours into the drill and scenario
 * 2 is not played. A scenario that does not fit before the end is not played either.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const STALE_AFTER_OUTAGE_MS = 40 * MINUTE;
const STALE_DOWN_MS = 15 * MINUTE;
const READY_AFTER_OUTAGE_MS = 12 * HOUR;
/** The first drop lasts this long, then the link flaps until FLAP_MS after it dropped. */
const FIRST_DROP_MS = 5 * MINUTE;
const FLAP_MS = HOUR;
const FLAP_UP_MS = 2 * MINUTE;
const FLAP_DOWN_MS = 3 * MINUTE;
/** A minute past the hour: no schedule fires then, so the operator's command has the step alone. */
const FAILBACK_AFTER_MS = 3 * HOUR + MINUTE;
/**
 * Steps every minute this long after the link is back, for the alarms' OK to be evaluated in its
 * minute: the trigger alarm's a minute after, the capacity job's service link alarm's (3 down
 * minutes of the last 15) 12 minutes after.
 */
const SETTLE_MS = 15 * MINUTE;
/**
 * ConnectedStatus starts this long before the drill: the capacity job's service link alarm looks at
 * the last 15 minutes, missing data breaching, and would go to ALARM (then "restored") at its first
 * evaluation on a shorter history.
 */
export const CONNECTED_HISTORY_MS = 30 * MINUTE;

export interface LinkOutage {
  /** The first minute without the link (ConnectedStatus 0). */
  dropAt: Date;
  /** The link is up for good from here. */
  restoredAt: Date;
  /** It flaps between dropAt and restoredAt (else it is down throughout). */
  flapping: boolean;
}

export interface FailoverScript {
  /** Scenario 1: DR ready, the link drops and flaps; then the failback. */
  ready?: LinkOutage & { failbackAt: Date };
  /** Scenario 2: DR data past its RPO, the link drops. */
  stale?: LinkOutage;
}

/**
 * @example failoverScript({ start, end, copyOutage: { fromMs: 7 * DAY, toMs: 8 * DAY } })
 */
export function failoverScript(input: {
  start: Date;
  end: Date;
  /** The DR copy outage, in ms after the start. */
  copyOutage?: { fromMs: number; toMs: number };
}): FailoverScript {
  const at = (ms: number) => new Date(input.start.getTime() + ms);
  const fits = (d: Date) => d.getTime() < input.end.getTime() - SETTLE_MS;
  const out = input.copyOutage;
  const script: FailoverScript = {};
  if (out) {
    const dropAt = at(out.toMs + STALE_AFTER_OUTAGE_MS);
    const restoredAt = new Date(dropAt.getTime() + STALE_DOWN_MS);
    if (fits(restoredAt)) script.stale = { dropAt, restoredAt, flapping: false };
  }
  const dropAt = at((out?.toMs ?? 0) + READY_AFTER_OUTAGE_MS);
  const failbackAt = new Date(dropAt.getTime() + FAILBACK_AFTER_MS);
  if (fits(failbackAt))
    script.ready = { dropAt, restoredAt: new Date(dropAt.getTime() + FLAP_MS), flapping: true, failbackAt };
  return script;
}

/** Whether the link is up at `ms` in one outage (undefined: outside it). */
function linkIn(o: LinkOutage, ms: number): boolean | undefined {
  const since = ms - o.dropAt.getTime();
  if (since < 0 || ms >= o.restoredAt.getTime()) return undefined;
  if (!o.flapping || since < FIRST_DROP_MS) return false;
  return (since - FIRST_DROP_MS) % (FLAP_UP_MS + FLAP_DOWN_MS) < FLAP_UP_MS;
}

/** ConnectedStatus at `ms`: 0 while an outage has the link down, else 1. */
export function connectedAt(script: FailoverScript, ms: number): 0 | 1 {
  for (const o of [script.stale, script.ready]) if (o && linkIn(o, ms) === false) return 0;
  return 1;
}

/** One ConnectedStatus datapoint a minute over [from, to), as Outposts publishes it. */
export function connectedStatus(script: FailoverScript, from: Date, to: Date): [number, number][] {
  const points: [number, number][] = [];
  const first = Math.floor(from.getTime() / MINUTE) * MINUTE;
  for (let t = first; t < to.getTime(); t += MINUTE) points.push([t, connectedAt(script, t)]);
  return points;
}

/**
 * The minutes the simulation must step at besides its schedules: every minute of each outage and a
 * few after (the alarm is evaluated a minute at a time, and each state change must reach its rules
 * in its own minute), and the failback's.
 */
export function scriptSteps(script: FailoverScript): Date[] {
  const steps: Date[] = [];
  for (const o of [script.stale, script.ready]) {
    if (!o) continue;
    for (let t = o.dropAt.getTime(); t <= o.restoredAt.getTime() + SETTLE_MS; t += MINUTE)
      steps.push(new Date(t));
  }
  if (script.ready) steps.push(script.ready.failbackAt);
  return steps;
}

/** A person's summary of an outage of the link. */
export function describeOutage(o: LinkOutage): string {
  const hhmm = (d: Date) => d.toISOString().slice(0, 16).replace("T", " ");
  const minutes = Math.round((o.restoredAt.getTime() - o.dropAt.getTime()) / MINUTE);
  return o.flapping
    ? `the service link drops at ${hhmm(o.dropAt)} UTC for ${FIRST_DROP_MS / MINUTE} minutes, then flaps (up ${FLAP_UP_MS / MINUTE} min, down ${FLAP_DOWN_MS / MINUTE} min) until ${hhmm(o.restoredAt)}`
    : `the service link drops at ${hhmm(o.dropAt)} UTC for ${minutes} minutes`;
}
