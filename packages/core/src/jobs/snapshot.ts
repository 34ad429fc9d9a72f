/**
 * The snapshot job, end to end: collect the inventory each due policy selects (streamed, filtered
 * server-side), plan with the pure planner, then either enqueue the work items (Lambda: a worker
 * applies them, paced, across invocations) or apply them here (CLI).
 */

import { EC2Client } from "@aws-sdk/client-ec2";
import { RDSClient } from "@aws-sdk/client-rds";
import type { AwsClients } from "../aws/clients.ts";
import { createEbsSnapshots, findWindowSnapshots, streamInstances, streamVolumes } from "../aws/ec2.ts";
import { classifyAwsError, errorMessage, failureCode } from "../aws/errors.ts";
import { createDbSnapshot, streamDbClusters, streamDbInstances } from "../aws/rds.ts";
import type { Config, Policy } from "../config/schema.ts";
import { type Deadline, withinDeadline } from "../deadline.ts";
import type { Resource } from "../inventory.ts";
import type { Pacer } from "../pacing.ts";
import { dueSchedule } from "../schedule/due.ts";
import { planSnapshots, type SnapshotPlan } from "../snapshot/plan.ts";
import { type SnapshotWorkItem, workItemSource } from "../snapshot/work-item.ts";
import type { ItemOutcome } from "./outcome.ts";

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

/**
 * Applies one work item, idempotently: an EBS snapshot already tagged with this policy, source and
 * window is not taken again; RDS identifiers are deterministic, so AWS itself refuses a second one.
 * Rate and quota errors come back as `retry` (the queue redelivers later), never as failures.
 */
export async function applySnapshotItem(
  clients: AwsClients,
  item: SnapshotWorkItem,
  pacer: Pacer,
): Promise<ItemOutcome> {
  const base = { key: item.key, snapshotIds: [] as string[] };
  try {
    if (item.kind === "ebs-volume" || item.kind === "ec2-instance") {
      const ec2 = clients.get(EC2Client, item.region);
      const existing = await findWindowSnapshots(ec2, item);
      if (existing.length > 0)
        return {
          ...base,
          status: "exists",
          code: "already-exists",
          snapshotIds: existing,
          detail: `already taken: ${existing.join(", ")}`,
        };
      await pacer.take();
      const ids = await createEbsSnapshots(ec2, item);
      return {
        ...base,
        status: "created",
        code: "created",
        snapshotIds: ids,
        detail: `created ${ids.join(", ")}`,
      };
    }
    await pacer.take();
    const id = await createDbSnapshot(clients.get(RDSClient, item.region), item);
    return { ...base, status: "created", code: "created", snapshotIds: [id], detail: `created ${id}` };
  } catch (error) {
    switch (classifyAwsError(error)) {
      case "exists":
        return { ...base, status: "exists", code: "already-exists", detail: "already taken for this window" };
      case "gone":
        return {
          ...base,
          status: "skipped",
          code: "source-not-found",
          detail: `source ${workItemSource(item)} no longer exists`,
        };
      case "retry-later":
        return { ...base, status: "retry", code: "rate-limited", detail: errorMessage(error) };
      default:
        return { ...base, status: "failed", code: failureCode(error), detail: errorMessage(error) };
    }
  }
}
