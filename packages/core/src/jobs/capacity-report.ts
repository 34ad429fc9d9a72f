/**
 * The weekly capacity report (capacity.report.schedule): the capacity view, as `outpost-ops
 * capacity` prints it, rendered into one info alert per Outpost (capacityReportAlerts: utilization
 * per type, the change since last week, the forecast, the top consumers) and one "Capacity Report"
 * event per Outpost. Nothing is stored: last week's value is the daily maximum of seven days ago.
 */

import type { Alert } from "../alerts/alert.ts";
import type { AwsClients } from "../aws/clients.ts";
import type { CapacityView } from "../capacity/model.ts";
import { capacityReportAlerts } from "../capacity/report.ts";
import type { Config } from "../config/schema.ts";
import type { OutpostOpsEvent } from "../events/event.ts";
import { capacityReportEvent } from "../events/from-capacity.ts";
import type { EventContext } from "../events/from-outcomes.ts";
import { type Progress, readCapacityView } from "./capacity-view.ts";

export interface CapacityReport {
  view: CapacityView;
  alerts: Omit<Alert, "stage">[];
  events: OutpostOpsEvent[];
}

/**
 * @example const { alerts, events } = await runCapacityReport({ clients, config, region, now, context })
 */
export async function runCapacityReport(input: {
  clients: AwsClients;
  config: Config;
  region: string;
  now: Date;
  /** The events' stage (and account); without it the events carry an empty stage. */
  context?: EventContext;
  onProgress?: Progress;
}): Promise<CapacityReport> {
  const view = await readCapacityView(input);
  const stage = input.context?.stage ?? "";
  return {
    view,
    alerts: capacityReportAlerts(view, input.config),
    events: view.outposts.map((o) => capacityReportEvent(o, view.at, stage, input.region)),
  };
}
