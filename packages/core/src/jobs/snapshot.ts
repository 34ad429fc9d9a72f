/**
 * The snapshot job, end to end: stream the inventory each due policy selects (page by page,
 * filtered server-side), plan each page with the pure planner, then either enqueue the page's work
 * items as soon as it is planned (Lambda: a worker applies them, paced, across invocations), or
 * apply them here (CLI). Enqueuing page by page keeps what was planned before a planner runs out of
 * time; its retry plans the same items again, and the queue's de-duplication plus the worker's
 * lookup drop the ones already enqueued.
 */

import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import { RDSClient } from "@aws-sdk/client-rds";
import { readLocalStorage } from "../aws/capacity-metrics.ts";
import type { AwsClients } from "../aws/clients.ts";
import { streamInstances, streamVolumes } from "../aws/ec2.ts";
import { errorMessage } from "../aws/errors.ts";
import { streamDbClusters, streamDbInstances } from "../aws/rds.ts";
import { type LocalStorage, outpostsNeedingStorage } from "../capacity/placement.ts";
import type { Config, Policy } from "../config/schema.ts";
import { type Deadline, withinDeadline } from "../deadline.ts";
import type { Resource } from "../inventory.ts";
import { dueSchedule } from "../schedule/due.ts";
import { planSnapshots, type SnapshotPlan } from "../snapshot/plan.ts";
import { mergeSnapshotPlans } from "./merge-plans.ts";
import { createSnapshotQuotaBudget, type SnapshotQuotaBudget } from "./snapshot-quota-budget.ts";

export { applySnapshotItem, applySnapshotItems } from "./snapshot-apply.ts";

function outpostArnsFor(config: Config, policy: Policy): string[] | undefined {
  const names = policy.selector.outposts;
  if (!names) return undefined;
  return config.outposts.filter((o) => names.includes(o.name)).map((o) => o.arn);
}

function hasSelectorKey(policy: Policy, tags: Record<string, string>): boolean {
  return Object.keys(policy.selector.tags).some((key) => key in tags);
}

/**
 * The resources a policy selects in a region, as planner records, page by page.
 * @example for await (const page of streamResources(clients, config, policy, region)) plan(page)
 */
export async function* streamResources(
  clients: AwsClients,
  config: Config,
  policy: Policy,
  region: string,
  deadline?: Deadline,
): AsyncGenerator<Resource[]> {
  const what = `listing resources for policy ${policy.name}`;
  const outpostArns = outpostArnsFor(config, policy);
  const where = { tags: policy.selector.tags, ...(outpostArns ? { outpostArns } : {}) };
  switch (policy.resource) {
    case "ebs-volume":
      for await (const page of withinDeadline(
        streamVolumes(clients.get(EC2Client, region), where),
        deadline,
        what,
      ))
        yield page.map((volume) => ({ kind: "ebs-volume", volume }));
      break;
    case "ec2-instance":
      for await (const page of withinDeadline(
        streamInstances(clients.get(EC2Client, region), where),
        deadline,
        what,
      ))
        yield page.map((instance) => ({ kind: "ec2-instance", instance }));
      break;
    // RDS has no server-side tag filters; this stands in for them (keep resources that carry a
    // selector key, so one tagged Backup=none is reported as left out rather than silently ignored).
    case "rds-instance":
      for await (const page of withinDeadline(
        streamDbInstances(clients.get(RDSClient, region)),
        deadline,
        what,
      ))
        yield page
          .filter((db) => hasSelectorKey(policy, db.tags))
          .map((db) => ({ kind: "rds-instance", db }));
      break;
    case "aurora-cluster":
      for await (const page of withinDeadline(
        streamDbClusters(clients.get(RDSClient, region)),
        deadline,
        what,
      ))
        yield page
          .filter((cluster) => hasSelectorKey(policy, cluster.tags))
          .map((cluster) => ({ kind: "aurora-cluster", cluster }));
      break;
  }
}

/**
 * The resources a policy selects in a region, all pages at once.
 * @example const resources = await collectResources(clients, config, policy, "us-west-2")
 */
export async function collectResources(
  clients: AwsClients,
  config: Config,
  policy: Policy,
  region: string,
  deadline?: Deadline,
): Promise<Resource[]> {
  const resources: Resource[] = [];
  for await (const page of streamResources(clients, config, policy, region, deadline))
    resources.push(...page);
  return resources;
}

export interface SnapshotRunInput {
  clients: AwsClients;
  config: Config;
  region: string;
  now: Date;
  /** Time left in the invocation (Lambda); the CLI runs without one. */
  deadline?: Deadline;
  /** Room under the manual DB snapshot quotas; one is created for the run when omitted. */
  quota?: SnapshotQuotaBudget;
  /**
   * Told when the Outposts' local snapshot storage could not be read (the run then plans local
   * placement as configured); default console.warn, so it reaches the function's log.
   */
  warn?: (message: string, error: unknown) => void;
}

/**
 * The free local snapshot storage of the Outposts the due policies place snapshots on, read once per
 * run (one GetMetricData), or undefined when none does. A failed read does not stop snapshots: it is
 * reported through `warn`, and every policy plans its configured placement.
 */
export async function readRunLocalStorage(
  input: Pick<SnapshotRunInput, "clients" | "config" | "region" | "now" | "warn">,
  duePolicies: readonly Policy[],
): Promise<ReadonlyMap<string, LocalStorage> | undefined> {
  const arns = outpostsNeedingStorage(input.config, [...duePolicies]);
  if (arns.length === 0) return undefined;
  try {
    return await readLocalStorage(input.clients.get(CloudWatchClient, input.region), arns, input.now);
  } catch (error) {
    (input.warn ?? console.warn)(
      `Local snapshot storage (S3Outposts OutpostFreeBytes/OutpostTotalBytes) could not be read (${errorMessage(error)}): snapshots are placed as configured this run, without the storage floor.`,
      error,
    );
    return undefined;
  }
}

/**
 * Plans every policy page by page: one plan per page of resources (one empty plan, without any AWS
 * call, for a policy with no schedule due), each fitted to the DB snapshot quotas. Throws
 * DeadlineError between pages once the deadline has passed; the pages yielded before stay valid.
 * @example for await (const page of planSnapshotPages({ clients, config, region, now })) await enqueue(sqs, url, page.items)
 */
export async function* planSnapshotPages(input: SnapshotRunInput): AsyncGenerator<SnapshotPlan> {
  const { clients, config, region, now } = input;
  const quota = input.quota ?? createSnapshotQuotaBudget(clients, region);
  const localStorage = await readRunLocalStorage(
    input,
    config.policies.filter((p) => dueSchedule(p, now)),
  );
  for (const policy of config.policies) {
    const plan = (resources: Resource[]) =>
      planSnapshots({ config, policy, region, resources, now, ...(localStorage ? { localStorage } : {}) });
    if (!dueSchedule(policy, now)) {
      yield plan([]);
      continue;
    }
    let pages = 0;
    for await (const resources of streamResources(clients, config, policy, region, input.deadline)) {
      pages += 1;
      yield await quota.fit(plan(resources));
    }
    if (pages === 0) yield plan([]);
  }
}

/**
 * Plans every policy for `now`: one plan per policy (its pages merged). Policies with no schedule
 * due are planned without any AWS call.
 * @example const plans = await planSnapshotRun({ clients, config, region: "us-west-2", now: new Date(event.time) })
 */
export async function planSnapshotRun(input: SnapshotRunInput): Promise<SnapshotPlan[]> {
  const pages = new Map<string, SnapshotPlan[]>();
  for await (const page of planSnapshotPages(input))
    pages.set(page.policy, [...(pages.get(page.policy) ?? []), page]);
  return input.config.policies.map((p) => mergeSnapshotPlans(pages.get(p.name) ?? []));
}
