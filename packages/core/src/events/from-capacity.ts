/**
 * The events of the capacity job: one per capacity alarm state change the handler receives (what it
 * decided, including silent, so the stream shows why no mail came) and one per Outpost per report.
 */

import { conditionLabel } from "../capacity/alert.ts";
import type { CapacityDecision } from "../capacity/decide.ts";
import type { Band, Condition, OutpostView, Reading } from "../capacity/model.ts";
import type { ReasonCode } from "../reasons.ts";
import { DetailType, EVENT_SCHEMA_VERSION, type OutpostOpsEvent } from "./event.ts";

const CODE: Record<CapacityDecision["kind"], ReasonCode> = {
  alert: "capacity-alarm",
  eased: "capacity-eased",
  resolved: "capacity-resolved",
  silent: "capacity-alarm",
};

function decisionSentence(decision: CapacityDecision, band: Band | undefined): string {
  switch (decision.kind) {
    case "alert":
      return `alerted${(decision.band ?? band) ? ` (${decision.band ?? band})` : ""}`;
    case "eased":
      return `eased to ${decision.to}`;
    case "resolved":
      return "resolved";
    case "silent":
      return `no alert: ${decision.why}`;
  }
}

const forecastDays = (r: Reading) => (r.forecast?.kind === "full-in" ? r.forecast.days : undefined);

/**
 * @example capacityAlertEvent({ condition, band: "critical", state: "ALARM", decision, reading, at, stage: "prod", region: "us-west-2" })
 */
export function capacityAlertEvent(input: {
  condition: Condition;
  band?: Band;
  state: string;
  decision: CapacityDecision;
  reading?: Reading;
  at: Date;
  stage: string;
  region: string;
}): OutpostOpsEvent {
  const { condition, band, state, decision, reading } = input;
  const value = reading?.current;
  const days = reading && forecastDays(reading);
  return {
    detailType: DetailType.capacityAlert,
    time: input.at,
    resources: [],
    detail: {
      version: EVENT_SCHEMA_VERSION,
      stage: input.stage,
      job: "capacity",
      outcome: decision.kind,
      code: CODE[decision.kind],
      reason: `${conditionLabel(condition)} on Outpost ${condition.outpost}${band ? ` (${band} alarm)` : ""} is ${state}: ${decisionSentence(decision, band)}`,
      resource: { type: "outpost", id: condition.outpostId, region: input.region },
      snapshotIds: [],
      lineage: {},
      capacity: {
        outpost: condition.outpost,
        kind: condition.kind,
        ...(condition.subject === undefined ? {} : { subject: condition.subject }),
        ...(band === undefined ? {} : { band }),
        state,
        ...(value === undefined ? {} : { value }),
        ...(days === undefined ? {} : { forecastDays: days }),
        decision: decision.kind,
      },
    },
  };
}

/**
 * @example capacityReportEvent(view.outposts[0], view.at, "prod", "us-west-2")
 */
export function capacityReportEvent(
  outpost: OutpostView,
  at: Date,
  stage: string,
  region: string,
): OutpostOpsEvent {
  return {
    detailType: DetailType.capacityReport,
    time: at,
    resources: [],
    detail: {
      version: EVENT_SCHEMA_VERSION,
      stage,
      job: "capacity",
      outcome: "reported",
      code: "capacity-report",
      reason: `weekly capacity report of Outpost ${outpost.outpost}: ${outpost.readings.length} reading(s)`,
      resource: { type: "outpost", id: outpost.outpostId, region },
      snapshotIds: [],
      lineage: {},
      capacityReport: {
        outpost: outpost.outpost,
        readings: outpost.readings.map((r) => {
          const days = forecastDays(r);
          return {
            kind: r.condition.kind,
            ...(r.condition.subject === undefined ? {} : { subject: r.condition.subject }),
            ...(r.current === undefined ? {} : { value: r.current }),
            ...(r.weekAgo === undefined ? {} : { weekAgo: r.weekAgo }),
            ...(days === undefined ? {} : { forecastDays: days }),
          };
        }),
        notes: outpost.notes,
      },
    },
  };
}
