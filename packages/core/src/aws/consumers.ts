/**
 * Who uses a condition's capacity on an Outpost, for the alert and the report (at most 5, largest
 * first): instances of the type, newest first (the latest launches are usually what filled it);
 * volumes of the type, largest first; for CPU the hottest instances; for local snapshot storage the
 * volumes whose outpost-ops local snapshots take the most GiB (a snapshot's VolumeSize is an upper
 * bound of what it stores, the only size EC2 reports). DescribeVolumes and DescribeSnapshots
 * document no `outpost-arn` filter (EC2 refuses a filter it does not know), so the Outpost is matched
 * here on each item's OutpostArn; types and our managed tag filter server-side.
 */
import { type EC2Client, paginateDescribeSnapshots, paginateDescribeVolumes } from "@aws-sdk/client-ec2";
import type { Condition, Consumer } from "../capacity/model.ts";
import { MANAGED_VALUE, Tag } from "../tags.ts";
import { type InstanceCpu, runningInstancesOn } from "./capacity-metrics.ts";
import { tagsOf } from "./ec2.ts";
import type { PermissionStatement } from "./permissions.ts";

export const MAX_CONSUMERS = 5;

const gib = (n: number) => `${n.toLocaleString("en-US")} GiB`;

function instanceConsumer(i: InstanceCpu, uses: string): Consumer {
  return { id: i.id, ...(i.name ? { name: i.name } : {}), uses };
}

/** The instances of one type among the Outpost's running ones (newest first). */
function instancesOfType(running: readonly InstanceCpu[], type: string): Consumer[] {
  return running
    .filter((i) => i.type === type)
    .slice(0, MAX_CONSUMERS)
    .map((i) =>
      instanceConsumer(
        i,
        i.launchedAt ? `${type}, launched ${i.launchedAt.toISOString().slice(0, 10)}` : type,
      ),
    );
}

/** The volumes of one type on the Outpost, largest first. */
async function volumesOfType(ec2: EC2Client, outpostArn: string, type: string): Promise<Consumer[]> {
  const found: { id: string; name?: string; size: number }[] = [];
  for await (const page of paginateDescribeVolumes(
    { client: ec2, pageSize: 1000 },
    {
      Filters: [{ Name: "volume-type", Values: [type] }],
    },
  )) {
    for (const v of page.Volumes ?? []) {
      if (!v.VolumeId || v.VolumeType !== type || v.OutpostArn !== outpostArn) continue;
      const name = tagsOf(v.Tags).Name;
      found.push({ id: v.VolumeId, ...(name ? { name } : {}), size: v.Size ?? 0 });
    }
  }
  return found
    .sort((a, b) => b.size - a.size || (a.id < b.id ? -1 : 1))
    .slice(0, MAX_CONSUMERS)
    .map((v) => ({ id: v.id, ...(v.name ? { name: v.name } : {}), uses: `${gib(v.size)} ${type}` }));
}

/**
 * The volumes whose local snapshots on the Outpost take the most GiB, among outpost-ops' snapshots
 * (server-side by our managed tag: listing every snapshot of the account could take longer than the
 * alarm handler has; others' local snapshots are in the storage figures, not in this list).
 */
async function localSnapshotVolumes(ec2: EC2Client, outpostArn: string): Promise<Consumer[]> {
  const perVolume = new Map<string, { count: number; gib: number }>();
  for await (const page of paginateDescribeSnapshots(
    { client: ec2, pageSize: 1000 },
    { OwnerIds: ["self"], Filters: [{ Name: `tag:${Tag.managed}`, Values: [MANAGED_VALUE] }] },
  )) {
    for (const s of page.Snapshots ?? []) {
      if (s.OutpostArn !== outpostArn) continue;
      const id = s.VolumeId ?? "unknown";
      const seen = perVolume.get(id) ?? { count: 0, gib: 0 };
      perVolume.set(id, { count: seen.count + 1, gib: seen.gib + (s.VolumeSize ?? 0) });
    }
  }
  return [...perVolume.entries()]
    .sort(([a, x], [b, y]) => y.gib - x.gib || (a < b ? -1 : 1))
    .slice(0, MAX_CONSUMERS)
    .map(([id, u]) => ({
      id,
      uses: `${u.count} local snapshot${u.count === 1 ? "" : "s"}, ${gib(u.gib)}`,
    }));
}

/** The hottest running instances (those without a CPU datapoint last). */
export function hottestInstances(instances: readonly InstanceCpu[]): Consumer[] {
  return instances
    .filter((i) => i.cpu !== undefined)
    .sort((a, b) => (b.cpu ?? 0) - (a.cpu ?? 0))
    .slice(0, MAX_CONSUMERS)
    .map((i) => instanceConsumer(i, `CPU ${Math.round(i.cpu ?? 0)} %${i.type ? `, ${i.type}` : ""}`));
}

/**
 * The top consumers of a condition on its Outpost. `running`: the Outpost's running instances with
 * their CPU (readOutpostCpu), when the caller has them already, so that instance types and CPU of
 * one Outpost share one listing; listed here otherwise. `connected` has none.
 * @example await topConsumers(ec2, condition, FACTORY_ARN) // [{ id: "i-0…", name: "mes-7", uses: "m5.large, launched 2024-05-10" }]
 */
export async function topConsumers(
  ec2: EC2Client,
  condition: Condition,
  outpostArn: string,
  running?: readonly InstanceCpu[],
): Promise<Consumer[]> {
  switch (condition.kind) {
    case "instance-type":
    case "capacity-exceptions":
      return condition.subject
        ? instancesOfType(running ?? (await runningInstancesOn(ec2, outpostArn)), condition.subject)
        : [];
    case "volume-type":
      return condition.subject ? volumesOfType(ec2, outpostArn, condition.subject) : [];
    case "snapshot-storage":
    case "local-snapshots":
      return localSnapshotVolumes(ec2, outpostArn);
    case "cpu":
      return hottestInstances(running ?? (await runningInstancesOn(ec2, outpostArn)));
    case "connected":
      return [];
  }
}

export const ConsumersPermissions = {
  describeInstances: {
    why: "list the running instances on an Outpost (the top consumers of an instance type, the hottest for CPU)",
    actions: ["ec2:DescribeInstances"],
    resources: ["*"],
  },
  describeVolumes: {
    why: "list the volumes of a type on an Outpost (the top consumers of a volume type)",
    actions: ["ec2:DescribeVolumes"],
    resources: ["*"],
  },
  describeSnapshots: {
    why: "list our local snapshots on an Outpost (the volumes using its snapshot storage the most)",
    actions: ["ec2:DescribeSnapshots"],
    resources: ["*"],
  },
} satisfies Record<string, PermissionStatement>;
