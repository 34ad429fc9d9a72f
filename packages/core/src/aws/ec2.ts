/**
 * EC2 adapter: maps DescribeVolumes/Instances/Snapshots/Images pages to the planners' records, and
 * performs snapshot creation and deletion. Inventory is streamed page by page (1,000 per page, the
 * API's maximum) with server-side filters, so 100,000 snapshots never arrive in one response.
 */
import {
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  DeleteSnapshotCommand,
  type EC2Client,
  type Snapshot as Ec2Snapshot,
  type Tag as Ec2Tag,
  type Volume as Ec2Volume,
  type Filter,
  paginateDescribeImages,
  paginateDescribeInstances,
  paginateDescribeSnapshots,
  paginateDescribeVolumes,
} from "@aws-sdk/client-ec2";
import type { Instance, SnapshotRecord, SnapshotState, Volume, VolumeType } from "../inventory.ts";
import type { SnapshotWorkItem } from "../snapshot/work-item.ts";
import { AWS_BACKUP_TAG, MANAGED_VALUE, Tag, type Tags } from "../tags.ts";

const PAGE_SIZE = 1000;
/** EC2 accepts up to 200 values in one filter. */
const FILTER_VALUES_MAX = 200;

export function tagsOf(tags: Ec2Tag[] | undefined): Tags {
  const out: Tags = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? "";
  return out;
}

/** `{ Backup: "daily" }` → `[{ Name: "tag:Backup", Values: ["daily"] }]`. */
export function tagFilters(selector: Record<string, string | string[]>): Filter[] {
  return Object.entries(selector).map(([key, value]) => ({
    Name: `tag:${key}`,
    Values: Array.isArray(value) ? value : [value],
  }));
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function toVolume(v: Ec2Volume): Volume {
  return {
    id: v.VolumeId ?? "",
    type: (v.VolumeType ?? "gp3") as VolumeType,
    tags: tagsOf(v.Tags),
    availabilityZone: v.AvailabilityZone ?? "",
    ...(v.OutpostArn ? { outpostArn: v.OutpostArn } : {}),
    attachments: (v.Attachments ?? []).map((a) => ({
      instanceId: a.InstanceId ?? "",
      device: a.Device ?? "",
    })),
  };
}

/**
 * Volumes matching the tag selector (and Outposts, when given), page by page.
 * @example for await (const page of streamVolumes(ec2, { tags: { Backup: "daily" } })) plan(page)
 */
export async function* streamVolumes(
  ec2: EC2Client,
  selection: { tags?: Record<string, string | string[]>; outpostArns?: string[]; volumeIds?: string[] },
): AsyncGenerator<Volume[]> {
  const filters: Filter[] = [...tagFilters(selection.tags ?? {})];
  // DescribeVolumes documents no `outpost-arn` filter (EC2 refuses a filter it does not know), so
  // the Outposts are matched here, on each volume's OutpostArn; the tags still filter server-side.
  const onOutposts = selection.outpostArns?.length ? new Set(selection.outpostArns) : undefined;
  const idChunks = selection.volumeIds ? chunks(selection.volumeIds, FILTER_VALUES_MAX) : [undefined];
  for (const ids of idChunks) {
    const input = { Filters: ids ? [...filters, { Name: "volume-id", Values: ids }] : filters };
    for await (const page of paginateDescribeVolumes({ client: ec2, pageSize: PAGE_SIZE }, input)) {
      const volumes = (page.Volumes ?? []).filter(
        (v) => !onOutposts || (v.OutpostArn !== undefined && onOutposts.has(v.OutpostArn)),
      );
      if (volumes.length > 0 || !onOutposts) yield volumes.map(toVolume);
    }
  }
}

/** Instances matching the selector, each with its attached volumes (for exclusions). */
export async function* streamInstances(
  ec2: EC2Client,
  selection: { tags: Record<string, string | string[]>; outpostArns?: string[] },
): AsyncGenerator<Instance[]> {
  const filters: Filter[] = [
    ...tagFilters(selection.tags),
    { Name: "instance-state-name", Values: ["running", "stopped", "stopping"] },
  ];
  for await (const page of paginateDescribeInstances(
    { client: ec2, pageSize: PAGE_SIZE },
    { Filters: filters },
  )) {
    const found = (page.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    const onOutposts = selection.outpostArns;
    const instances = onOutposts?.length
      ? found.filter((i) => i.OutpostArn !== undefined && onOutposts.includes(i.OutpostArn))
      : found;
    if (instances.length === 0) continue;
    const volumeIds = instances.flatMap((i) =>
      (i.BlockDeviceMappings ?? []).map((b) => b.Ebs?.VolumeId ?? ""),
    );
    const volumes = new Map<string, Volume>();
    for await (const vPage of streamVolumes(ec2, { volumeIds: volumeIds.filter(Boolean) })) {
      for (const v of vPage) volumes.set(v.id, v);
    }
    yield instances.map((i) => ({
      id: i.InstanceId ?? "",
      tags: tagsOf(i.Tags),
      state: i.State?.Name ?? "unknown",
      ...(i.OutpostArn ? { outpostArn: i.OutpostArn } : {}),
      ...(i.RootDeviceName ? { rootDeviceName: i.RootDeviceName } : {}),
      volumes: (i.BlockDeviceMappings ?? []).flatMap((b) => {
        const v = b.Ebs?.VolumeId ? volumes.get(b.Ebs.VolumeId) : undefined;
        return v
          ? [{ ...v, attachments: [{ instanceId: i.InstanceId ?? "", device: b.DeviceName ?? "" }] }]
          : [];
      }),
    }));
  }
}

/** Volume ids (of the given ones) that still exist. */
export async function existingVolumeIds(ec2: EC2Client, volumeIds: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  if (volumeIds.length === 0) return found;
  for await (const page of streamVolumes(ec2, { volumeIds })) for (const v of page) found.add(v.id);
  return found;
}

function toSnapshotRecord(s: Ec2Snapshot): SnapshotRecord {
  const tags = tagsOf(s.Tags);
  // Copies carry the placeholder vol-ffffffff; our lineage tags name the real source volume.
  const sourceId =
    s.VolumeId && s.VolumeId !== "vol-ffffffff"
      ? s.VolumeId
      : (tags[Tag.sourceVolume] ?? tags[Tag.source] ?? "unknown");
  return {
    kind: "ebs",
    id: s.SnapshotId ?? "",
    sourceId,
    createdAt: s.StartTime ?? new Date(0),
    state: s.State === "completed" ? "completed" : s.State === "error" ? "failed" : "pending",
    tags,
    awsBackup: AWS_BACKUP_TAG in tags || (s.Description ?? "").includes("AWS Backup"),
    ...(s.OutpostArn ? { outpostArn: s.OutpostArn } : {}),
    ...(s.StateMessage ? { stateMessage: s.StateMessage } : {}),
  };
}

/** Our managed snapshots, page by page (server-side filter on the managed tag, owner self). */
export async function* streamManagedSnapshots(
  ec2: EC2Client,
  extraFilters: Filter[] = [],
): AsyncGenerator<SnapshotRecord[]> {
  const input = {
    OwnerIds: ["self"],
    Filters: [{ Name: `tag:${Tag.managed}`, Values: [MANAGED_VALUE] }, ...extraFilters],
  };
  for await (const page of paginateDescribeSnapshots({ client: ec2, pageSize: PAGE_SIZE }, input)) {
    yield (page.Snapshots ?? []).map(toSnapshotRecord);
  }
}

/** Snapshot id → AMI id for every snapshot an AMI of ours uses (deleting those fails). */
export async function imageSnapshotIds(ec2: EC2Client): Promise<Map<string, string>> {
  const used = new Map<string, string>();
  for await (const page of paginateDescribeImages(
    { client: ec2, pageSize: PAGE_SIZE },
    { Owners: ["self"] },
  )) {
    for (const image of page.Images ?? []) {
      for (const b of image.BlockDeviceMappings ?? []) {
        if (b.Ebs?.SnapshotId) used.set(b.Ebs.SnapshotId, image.ImageId ?? "an AMI");
      }
    }
  }
  return used;
}

/** One idempotency lookup: the snapshots of several sources taken for one policy's window. */
export interface WindowLookup {
  policy: string;
  window: string;
  /** The tag naming the source: `outpost-ops:source` for volumes, `outpost-ops:instance` for instances. */
  sourceTag: typeof Tag.source | typeof Tag.instance;
  sourceIds: string[];
}

/** A snapshot a window lookup found. */
export interface WindowSnapshot {
  id: string;
  state: SnapshotState;
}

/**
 * The snapshots listed for a window, by source id: one filtered, paginated DescribeSnapshots per
 * 200 sources instead of one call per work item. Failed ones are listed too (with their state): the
 * idempotency check ignores them, so a failed attempt is taken again, while a check that a new
 * snapshot is listed at all must see them.
 * @example const listed = await findWindowSnapshots(ec2, { policy, window, sourceTag: Tag.source, sourceIds })
 */
export async function findWindowSnapshots(
  ec2: EC2Client,
  lookup: WindowLookup,
): Promise<Map<string, WindowSnapshot[]>> {
  const found = new Map<string, WindowSnapshot[]>();
  const sources = [...new Set(lookup.sourceIds)];
  for (const ids of chunks(sources, FILTER_VALUES_MAX)) {
    const asked = new Set(ids);
    for await (const page of streamManagedSnapshots(ec2, [
      { Name: `tag:${Tag.policy}`, Values: [lookup.policy] },
      { Name: `tag:${Tag.window}`, Values: [lookup.window] },
      { Name: `tag:${lookup.sourceTag}`, Values: ids },
    ])) {
      for (const s of page) {
        // The server filtered on the source tag; with one source asked, whatever came back is its.
        const tagged = s.tags[lookup.sourceTag];
        const source =
          tagged !== undefined && asked.has(tagged) ? tagged : ids.length === 1 ? ids[0] : undefined;
        if (source !== undefined)
          found.set(source, [...(found.get(source) ?? []), { id: s.id, state: s.state }]);
      }
    }
  }
  return found;
}

/** Creates the snapshot(s) of an EBS work item, tagged at creation. Returns the new snapshot ids. */
export async function createEbsSnapshots(ec2: EC2Client, item: SnapshotWorkItem): Promise<string[]> {
  const TagSpecifications = [{ ResourceType: "snapshot" as const, Tags: item.tags }];
  if (item.kind === "ebs-volume") {
    const out = await ec2.send(
      new CreateSnapshotCommand({
        VolumeId: item.volumeId,
        Description: item.description,
        TagSpecifications,
        ...(item.outpostArn ? { OutpostArn: item.outpostArn } : {}),
      }),
    );
    return out.SnapshotId ? [out.SnapshotId] : [];
  }
  if (item.kind === "ec2-instance") {
    const out = await ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: {
          InstanceId: item.instanceId,
          ExcludeBootVolume: item.excludeBootVolume,
          ...(item.excludeDataVolumeIds.length ? { ExcludeDataVolumeIds: item.excludeDataVolumeIds } : {}),
        },
        Description: item.description,
        TagSpecifications,
        CopyTagsFromSource: item.copyTagsFromVolumes ? "volume" : undefined,
        ...(item.outpostArn ? { OutpostArn: item.outpostArn } : {}),
      }),
    );
    return (out.Snapshots ?? []).map((s) => s.SnapshotId ?? "").filter(Boolean);
  }
  throw new Error(`not an EBS work item: ${item.kind}`);
}

export async function deleteEbsSnapshot(ec2: EC2Client, snapshotId: string): Promise<void> {
  await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
}
