/**
 * The snapshot job, end to end: collect the inventory each due policy selects (streamed, filtered
 * server-side), plan with the pure planner, then either enqueue the work items (Lambda: a worker
 * applies them, paced, across invocations) or apply them here (CLI).
 */

import { EC2Client } from "@aws-sdk/client-ec2";
import { RDSClient } from "@aws-sdk/client-rds";
import type { AwsClients } from "../aws/clients.ts";
import { streamInstances, streamVolumes } from "../aws/ec2.ts";
import { streamDbClusters, streamDbInstances } from "../aws/rds.ts";
import type { Config, Policy } from "../config/schema.ts";
import { type Deadline, withinDeadline } from "../deadline.ts";
import type { Resource } from "../inventory.ts";
import { dueSchedule } from "../schedule/due.ts";
import { planSnapshots, type SnapshotPlan } from "../snapshot/plan.ts";

export { applySnapshotItem, applySnapshotItems } from "./snapshot-apply.ts";

function outpostArnsFor(config: Config, policy: Policy): string[] | undefined {
  const names = policy.selector.outposts;
  if (!names) return undefined;
  return config.outposts.filter((o) => names.includes(o.name)).map((o) => o.arn);
}

function hasSelectorKey(policy: Policy, tags: Record<string, string>): boolean {
  return Object.keys(policy.selector.tags).some((key) => key in tags);
}

/** The resources a policy selects in a region, as planner records. */
export async function collectResources(
  clients: AwsClients,
  config: Config,
  policy: Policy,
  region: string,
  deadline?: Deadline,
): Promise<Resource[]> {
  const resources: Resource[] = [];
  const what = `listing resources for policy ${policy.name}`;
  const outpostArns = outpostArnsFor(config, policy);
  switch (policy.resource) {
    case "ebs-volume":
      for await (const page of withinDeadline(
        streamVolumes(clients.get(EC2Client, region), {
          tags: policy.selector.tags,
          ...(outpostArns ? { outpostArns } : {}),
        }),
        deadline,
        what,
      )) {
        for (const volume of page) resources.push({ kind: "ebs-volume", volume });
      }
      break;
    case "ec2-instance":
      for await (const page of withinDeadline(
        streamInstances(clients.get(EC2Client, region), {
          tags: policy.selector.tags,
          ...(outpostArns ? { outpostArns } : {}),
        }),
        deadline,
        what,
      )) {
        for (const instance of page) resources.push({ kind: "ec2-instance", instance });
      }
      break;
    // RDS has no server-side tag filters; this stands in for them (keep resources that carry a
    // selector key, so one tagged Backup=none is reported as left out rather than silently ignored).
    case "rds-instance":
      for await (const page of withinDeadline(
        streamDbInstances(clients.get(RDSClient, region)),
        deadline,
        what,
      )) {
        for (const db of page)
          if (hasSelectorKey(policy, db.tags)) resources.push({ kind: "rds-instance", db });
      }
      break;
    case "aurora-cluster":
      for await (const page of withinDeadline(
        streamDbClusters(clients.get(RDSClient, region)),
        deadline,
        what,
      )) {
        for (const cluster of page)
          if (hasSelectorKey(policy, cluster.tags)) resources.push({ kind: "aurora-cluster", cluster });
      }
      break;
  }
  return resources;
}

/**
 * Plans every policy for `now`. Policies with no schedule due are planned without any AWS call.
 * @example const plans = await planSnapshotRun({ clients, config, region: "us-west-2", now: new Date(event.time) })
 */
export async function planSnapshotRun(input: {
  clients: AwsClients;
  config: Config;
  region: string;
  now: Date;
  /** Time left in the invocation (Lambda); the CLI runs without one. */
  deadline?: Deadline;
}): Promise<SnapshotPlan[]> {
  const plans: SnapshotPlan[] = [];
  for (const policy of input.config.policies) {
    const resources = dueSchedule(policy, input.now)
      ? await collectResources(input.clients, input.config, policy, input.region, input.deadline)
      : [];
    plans.push(
      planSnapshots({ config: input.config, policy, region: input.region, resources, now: input.now }),
    );
  }
  return plans;
}
