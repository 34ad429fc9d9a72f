import { type Config, deploymentRegions } from "@outpost-ops/core/config";
import { OutpostOpsError } from "@outpost-ops/core/errors";
import { forwardingIn, type JobName, jobsIn } from "@outpost-ops/functions/src/jobs.ts";
import type { FunctionalStack } from "sst/constructs/FunctionalStack.js";
import { Alerts } from "./Alerts.ts";
import { Backup } from "./Backup.ts";
import { Capacity } from "./Capacity.ts";
import { Failover } from "./Failover.ts";
import { Replication } from "./Replication.ts";

/**
 * The stacks, in creation order (a stack may only `use()` stacks before it), with the jobs each
 * builds. A stack is deployed in a Region when one of its jobs runs there (packages/functions/src/jobs.ts),
 * or when it forwards events there for a job of another Region (`forwards`: Replication in the
 * primary Region, once a policy has `copy`; Failover there, once a trigger alarm is the primary's).
 * Capacity: in the primary Region, once the config declares an Outpost.
 */
const STACKS: { stack: FunctionalStack<unknown>; jobs: JobName[]; forwards?: true }[] = [
  { stack: Alerts, jobs: ["alerts"] },
  { stack: Backup, jobs: ["snapshot", "retention"] },
  { stack: Replication, jobs: ["copy"], forwards: true },
  { stack: Failover, jobs: ["failover"], forwards: true },
  { stack: Capacity, jobs: ["capacity"] },
];

/**
 * SST v2 deploys every stack of an app into one Region per deploy, so the app is deployed once per
 * Region of deploymentRegions(config): `sst deploy` (primary Region), then `sst deploy --region <dr>`,
 * then once per `copy.alsoTo` Region. This picks the stacks for a Region.
 * @example stacksFor("us-east-1", config) // DR: [Alerts, Backup], and Replication once a policy has `copy`
 */
export function stacksFor(region: string, config: Config): FunctionalStack<unknown>[] {
  const regions = deploymentRegions(config);
  if (!regions.includes(region)) {
    const [primary, ...others] = regions;
    throw new OutpostOpsError(
      `Region ${region} is not one outpost-ops.config.ts deploys to: regions.primary (${primary}), regions.dr (${config.regions.dr})${regions.length > 2 ? ` or a copy.alsoTo Region (${regions.slice(2).join(", ")})` : ""}. Deploy with \`npx sst deploy\` (primary)${others.map((r) => ` and \`npx sst deploy --region ${r}\``).join("")}.`,
    );
  }
  const jobs = new Set(jobsIn(region, config));
  const forwarding = new Set(forwardingIn(region, config).map((f) => f.job));
  return STACKS.filter(
    (s) => s.jobs.some((job) => jobs.has(job)) || (s.forwards && s.jobs.some((job) => forwarding.has(job))),
  ).map((s) => s.stack);
}
