/**
 * Planning within the manual DB snapshot quotas. A snapshot RDS cannot hold fails in the worker
 * anyway; planning only what fits keeps the planner from enqueuing work it knows will be refused,
 * and says so once, in one alert, instead of once per refused item. RDS reports each quota's usage
 * and maximum (DescribeAccountAttributes), read once per run, on the first database item.
 *
 * The read is best effort: when it fails (a missing permission, an endpoint that does not serve it)
 * everything is planned as before, and the worker's quota handling still catches a full quota.
 * EBS is not budgeted here: its quota counts every snapshot in the Region, which only a full
 * listing would tell.
 */
import { RDSClient } from "@aws-sdk/client-rds";
import type { AwsClients } from "../aws/clients.ts";
import { errorMessage } from "../aws/errors.ts";
import { existingDbSnapshotIds, manualSnapshotQuotas, type QuotaUsage } from "../aws/rds.ts";
import type { SkippedResource, SnapshotPlan } from "../snapshot/plan.ts";
import { type SnapshotWorkItem, workItemSource } from "../snapshot/work-item.ts";
import { type SnapshotQuota, SnapshotQuotas } from "./snapshot-quotas.ts";

/** A quota that had no room for some planned snapshots. */
export interface QuotaShortfall {
  quota: SnapshotQuota;
  region: string;
  usage: QuotaUsage;
  /** Sources left unplanned, in planning order. */
  skipped: string[];
}

export interface SnapshotQuotaBudget {
  /** The plan with the database items beyond the room left moved to `skipped` (`quota-exhausted`). */
  fit(plan: SnapshotPlan): Promise<SnapshotPlan>;
  /** Every quota that ran out so far in this run. */
  shortfalls(): QuotaShortfall[];
  /** Why the budget planned blind (the quotas or existing snapshots could not be read), for the logs. */
  problems(): string[];
}

interface Room {
  quota: SnapshotQuota;
  usage: QuotaUsage;
  left: number;
  shortfall?: QuotaShortfall;
}

const isDatabaseItem = (item: SnapshotWorkItem) =>
  item.kind === "rds-instance" || item.kind === "aurora-cluster";

/** The DB and cluster snapshots of these items that exist already; none when the lookup fails. */
async function existingSnapshots(
  clients: AwsClients,
  region: string,
  items: SnapshotWorkItem[],
  problems: string[],
) {
  const rds = clients.get(RDSClient, region);
  const idsOf = (kind: SnapshotWorkItem["kind"]) =>
    items.flatMap((i) => (i.kind === kind && "snapshotId" in i ? [i.snapshotId] : []));
  try {
    const [instance, cluster] = await Promise.all([
      existingDbSnapshotIds(rds, "rds", idsOf("rds-instance")),
      existingDbSnapshotIds(rds, "aurora", idsOf("aurora-cluster")),
    ]);
    return new Set([...instance, ...cluster]);
  } catch (error) {
    // Then everything over the room is skipped and alerted, as without this check.
    problems.push(`could not list existing DB snapshots: ${errorMessage(error)}`);
    return new Set<string>();
  }
}

/**
 * @example const quota = createSnapshotQuotaBudget(clients, "us-west-2"); const fitted = await quota.fit(plan)
 */
export function createSnapshotQuotaBudget(clients: AwsClients, region: string): SnapshotQuotaBudget {
  let rooms: Promise<Map<SnapshotWorkItem["kind"], Room>> | undefined;
  let known = new Map<SnapshotWorkItem["kind"], Room>();
  const problems: string[] = [];
  const read = async () => {
    const out = new Map<SnapshotWorkItem["kind"], Room>();
    try {
      const quotas = await manualSnapshotQuotas(clients.get(RDSClient, region));
      const room = (quota: SnapshotQuota, usage: QuotaUsage): Room => ({
        quota,
        usage,
        left: Math.max(0, usage.max - usage.used),
      });
      if (quotas.instance) out.set("rds-instance", room(SnapshotQuotas.rdsInstance, quotas.instance));
      if (quotas.cluster) out.set("aurora-cluster", room(SnapshotQuotas.rdsCluster, quotas.cluster));
    } catch (error) {
      // Best effort (see above): an unknown quota budgets nothing, and the handler logs why.
      problems.push(
        `could not read the RDS snapshot quotas (DescribeAccountAttributes): ${errorMessage(error)}`,
      );
    }
    return out;
  };
  return {
    async fit(plan) {
      if (!plan.items.some(isDatabaseItem)) return plan;
      rooms ??= read();
      known = await rooms;
      const items: SnapshotWorkItem[] = [];
      const over: SnapshotWorkItem[] = [];
      for (const item of plan.items) {
        const room = known.get(item.kind);
        if (room === undefined || room.left > 0) {
          if (room) room.left -= 1;
          items.push(item);
        } else over.push(item);
      }
      if (over.length === 0) return plan;
      // A duplicate delivery or a re-run of the window finds snapshots its first run took: they use
      // no more room (they are counted in `used` already), so they are planned, and the worker
      // reports them as existing. Only when the room ran out is this worth a look.
      const existing = await existingSnapshots(clients, region, over, problems);
      const skipped: SkippedResource[] = [];
      for (const item of over) {
        if ("snapshotId" in item && existing.has(item.snapshotId)) {
          items.push(item);
          continue;
        }
        const room = known.get(item.kind) as Room;
        const source = workItemSource(item);
        room.shortfall ??= { quota: room.quota, region, usage: room.usage, skipped: [] };
        room.shortfall.skipped.push(source);
        skipped.push({
          resourceId: source,
          code: "quota-exhausted",
          reason: `not planned: the ${room.quota.name} quota in ${region} has no room left (${room.usage.used} of ${room.usage.max} used before this run)`,
        });
      }
      if (skipped.length === 0) return plan;
      const all = [...plan.skipped, ...skipped].sort((a, b) => (a.resourceId < b.resourceId ? -1 : 1));
      return { ...plan, items, skipped: all };
    },
    problems() {
      return [...problems];
    },
    shortfalls() {
      return [...known.values()].flatMap((room) => (room.shortfall ? [room.shortfall] : []));
    },
  };
}
