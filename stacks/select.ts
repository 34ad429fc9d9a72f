import type { Config } from "@outpost-ops/core/config";
import { OutpostOpsError } from "@outpost-ops/core/errors";
import type { FunctionalStack } from "sst/constructs/FunctionalStack.js";
import { Alerts } from "./Alerts.ts";
import { Backup } from "./Backup.ts";

/**
 * SST v2 deploys every stack of an app into one Region per deploy, so the app is deployed twice:
 * `sst deploy` (primary Region), then `sst deploy --region <dr>`. This picks the stacks for a Region,
 * in creation order (a stack may only `use()` stacks before it).
 * @example stacksFor("us-east-1", config) // DR: [Alerts]
 */
export function stacksFor(region: string, config: Config): FunctionalStack<unknown>[] {
  if (region === config.regions.primary) {
    // Later: Capacity (Outpost capacity alarms and forecast report) slots in here.
    return [Alerts, Backup];
  }
  if (region === config.regions.dr) {
    // Later: Replication (copies into this Region) and Failover (must run outside the Region it
    // protects) slot in here, and Capacity if the DR site has Outposts.
    return [Alerts];
  }
  throw new OutpostOpsError(
    `Region ${region} is neither regions.primary (${config.regions.primary}) nor regions.dr (${config.regions.dr}) in outpost-ops.config.ts. Deploy with \`npx sst deploy\` (primary) and \`npx sst deploy --region ${config.regions.dr}\` (DR).`,
  );
}
