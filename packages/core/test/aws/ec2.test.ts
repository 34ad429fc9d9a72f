import {
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  DeleteSnapshotCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
// Types for the matchers test/setup.ts registers.
import type {} from "aws-sdk-client-mock-vitest/extend";
import { afterEach, describe, expect, it } from "vitest";
import {
  createEbsSnapshots,
  deleteEbsSnapshot,
  existingVolumeIds,
  findWindowSnapshots,
  imageSnapshotIds,
  streamInstances,
  streamManagedSnapshots,
  streamVolumes,
  tagFilters,
  tagsOf,
} from "../../src/aws/ec2.ts";
import type { SnapshotWorkItem } from "../../src/snapshot/work-item.ts";
import { Tag } from "../../src/tags.ts";

const FACTORY = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0a1b2c3d4e5f60718";
const CLINIC = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0f1e2d3c4b5a69788";
const WINDOW = "2024-05-14T10:00Z";
const STARTED = new Date("2024-05-14T10:00:05Z");

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: "us-west-2" });

async function collect<T>(pages: AsyncGenerator<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

const managedFilter = { Name: `tag:${Tag.managed}`, Values: ["true"] };

const ourTags = (source: string) => [
  { Key: Tag.managed, Value: "true" },
  { Key: Tag.policy, Value: "line-volumes" },
  { Key: Tag.schedule, Value: "hourly" },
  { Key: Tag.source, Value: source },
  { Key: Tag.window, Value: WINDOW },
];

function volumeItem(more: Partial<Extract<SnapshotWorkItem, { kind: "ebs-volume" }>> = {}): SnapshotWorkItem {
  return {
    kind: "ebs-volume",
    region: "us-west-2",
    policy: "line-volumes",
    schedule: "hourly",
    window: WINDOW,
    key: `line-volumes/vol-0123456789abcdef0/${WINDOW}`,
    tags: ourTags("vol-0123456789abcdef0"),
    volumeId: "vol-0123456789abcdef0",
    description: "outpost-ops line-volumes/hourly 2024-05-14T10:00Z",
    ...more,
  };
}

function instanceItem(
  more: Partial<Extract<SnapshotWorkItem, { kind: "ec2-instance" }>> = {},
): SnapshotWorkItem {
  return {
    kind: "ec2-instance",
    region: "us-west-2",
    policy: "clinic-servers",
    schedule: "daily",
    window: WINDOW,
    key: `clinic-servers/i-0123456789abcdef0/${WINDOW}`,
    tags: [...ourTags("i-0123456789abcdef0"), { Key: Tag.instance, Value: "i-0123456789abcdef0" }],
    instanceId: "i-0123456789abcdef0",
    description: "outpost-ops clinic-servers/daily 2024-05-14T10:00Z",
    excludeBootVolume: false,
    excludeDataVolumeIds: [],
    copyTagsFromVolumes: false,
    ...more,
  };
}

describe("Function: tagsOf / tagFilters", () => {
  it("maps EC2 tag lists to records, dropping keyless tags and defaulting values to empty", () => {
    // Act
    const tags = tagsOf([{ Key: "a", Value: "1" }, { Key: "b" }, { Value: "orphan" }]);

    // Assess
    expect(tags).toEqual({ a: "1", b: "" });
  });

  it("turns a selector into tag: filters, single values into one-value lists", () => {
    // Act
    const filters = tagFilters({ Backup: "daily", Tier: ["gold", "silver"] });

    // Assess
    expect(filters).toEqual([
      { Name: "tag:Backup", Values: ["daily"] },
      { Name: "tag:Tier", Values: ["gold", "silver"] },
    ]);
  });
});

describe("Function: streamVolumes", () => {
  afterEach(() => {
    ec2Mock.reset();
  });

  it("filters by tags server-side and by Outpost ARNs on each volume (DescribeVolumes has no outpost-arn filter), 1000 per page, following NextToken", async () => {
    // Prepare
    ec2Mock
      .on(DescribeVolumesCommand)
      .resolvesOnce({
        Volumes: [
          {
            VolumeId: "vol-1",
            VolumeType: "gp3",
            AvailabilityZone: "us-west-2a",
            OutpostArn: FACTORY,
            Tags: [{ Key: "Backup", Value: "daily" }],
            Attachments: [{ InstanceId: "i-1", Device: "/dev/sdf" }],
          },
        ],
        NextToken: "page-2",
      })
      .resolvesOnce({ Volumes: [{ VolumeId: "vol-2", VolumeType: "io2", AvailabilityZone: "us-west-2b" }] });

    // Act
    const pages = await collect(
      streamVolumes(ec2, { tags: { Backup: "daily" }, outpostArns: [FACTORY, CLINIC] }),
    );

    // Assess
    expect(pages).toEqual([
      [
        {
          id: "vol-1",
          type: "gp3",
          tags: { Backup: "daily" },
          availabilityZone: "us-west-2a",
          outpostArn: FACTORY,
          attachments: [{ instanceId: "i-1", device: "/dev/sdf" }],
        },
      ],
    ]);
    const filters = [{ Name: "tag:Backup", Values: ["daily"] }];
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeVolumesCommand, 2);
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeVolumesCommand, 1, {
      Filters: filters,
      MaxResults: 1000,
    });
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeVolumesCommand, 2, {
      Filters: filters,
      MaxResults: 1000,
      NextToken: "page-2",
    });
  });

  it("an empty Outpost list selects by tags alone", async () => {
    // Prepare
    ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [] });

    // Act
    await collect(streamVolumes(ec2, { tags: { Backup: "daily" }, outpostArns: [] }));

    // Assess
    const input = ec2Mock.commandCalls(DescribeVolumesCommand)[0]?.args[0].input;
    expect(input?.Filters).toEqual([{ Name: "tag:Backup", Values: ["daily"] }]);
  });

  it("splits volume ids into volume-id filters of at most 200 values", async () => {
    // Prepare
    const ids = Array.from({ length: 450 }, (_, i) => `vol-${i.toString(16).padStart(17, "0")}`);
    ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [] });

    // Act
    await collect(streamVolumes(ec2, { volumeIds: ids }));

    // Assess
    const sent = ec2Mock.commandCalls(DescribeVolumesCommand).map((c) => c.args[0].input.Filters);
    expect(sent).toEqual([
      [{ Name: "volume-id", Values: ids.slice(0, 200) }],
      [{ Name: "volume-id", Values: ids.slice(200, 400) }],
      [{ Name: "volume-id", Values: ids.slice(400) }],
    ]);
  });

  it("asks nothing for an empty id list", async () => {
    // Act
    const found = await existingVolumeIds(ec2, []);

    // Assess
    expect(found.size).toBe(0);
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeVolumesCommand);
  });

  it("reports which of the given volumes still exist", async () => {
    // Prepare
    ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [{ VolumeId: "vol-a" }] });

    // Act
    const found = await existingVolumeIds(ec2, ["vol-a", "vol-b"]);

    // Assess
    expect([...found]).toEqual(["vol-a"]);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVolumesCommand, {
      Filters: [{ Name: "volume-id", Values: ["vol-a", "vol-b"] }],
    });
  });
});

describe("Function: streamInstances", () => {
  afterEach(() => {
    ec2Mock.reset();
  });

  it("keeps instances on the chosen Outposts and attaches their volumes with device names", async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: "i-clinic",
              OutpostArn: CLINIC,
              State: { Name: "running" },
              RootDeviceName: "/dev/xvda",
              Tags: [{ Key: "Backup", Value: "yes" }],
              BlockDeviceMappings: [
                { DeviceName: "/dev/xvda", Ebs: { VolumeId: "vol-root" } },
                { DeviceName: "/dev/sdf", Ebs: { VolumeId: "vol-data" } },
              ],
            },
            { InstanceId: "i-region", State: { Name: "running" }, BlockDeviceMappings: [] },
          ],
        },
      ],
    });
    ec2Mock.on(DescribeVolumesCommand).resolves({
      Volumes: [
        { VolumeId: "vol-root", VolumeType: "gp3", AvailabilityZone: "us-west-2a", OutpostArn: CLINIC },
        { VolumeId: "vol-data", VolumeType: "sc1", AvailabilityZone: "us-west-2a", OutpostArn: CLINIC },
      ],
    });

    // Act
    const pages = await collect(streamInstances(ec2, { tags: { Backup: "yes" }, outpostArns: [CLINIC] }));

    // Assess
    expect(pages).toHaveLength(1);
    expect(pages[0]?.map((i) => i.id)).toEqual(["i-clinic"]);
    expect(pages[0]?.[0]).toMatchObject({
      state: "running",
      outpostArn: CLINIC,
      rootDeviceName: "/dev/xvda",
      volumes: [
        { id: "vol-root", type: "gp3", attachments: [{ instanceId: "i-clinic", device: "/dev/xvda" }] },
        { id: "vol-data", type: "sc1", attachments: [{ instanceId: "i-clinic", device: "/dev/sdf" }] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: "tag:Backup", Values: ["yes"] },
        { Name: "instance-state-name", Values: ["running", "stopped", "stopping"] },
      ],
      MaxResults: 1000,
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVolumesCommand, {
      Filters: [{ Name: "volume-id", Values: ["vol-root", "vol-data"] }],
    });
  });
});

describe("Function: streamManagedSnapshots", () => {
  afterEach(() => {
    ec2Mock.reset();
  });

  it("lists our own snapshots by the managed tag, 1000 per page, following NextToken", async () => {
    // Prepare
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({
        Snapshots: [{ SnapshotId: "snap-1", VolumeId: "vol-1", State: "completed" }],
        NextToken: "t2",
      })
      .resolvesOnce({ Snapshots: [{ SnapshotId: "snap-2", VolumeId: "vol-1", State: "pending" }] });

    // Act
    const pages = await collect(streamManagedSnapshots(ec2, [{ Name: "tag:extra", Values: ["x"] }]));

    // Assess
    expect(pages.map((p) => p.map((s) => s.id))).toEqual([["snap-1"], ["snap-2"]]);
    const expected = {
      OwnerIds: ["self"],
      Filters: [managedFilter, { Name: "tag:extra", Values: ["x"] }],
      MaxResults: 1000,
    };
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeSnapshotsCommand, 1, expected);
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeSnapshotsCommand, 2, {
      ...expected,
      NextToken: "t2",
    });
  });

  it("maps snapshots to records: state, source, creation time and tags", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        {
          SnapshotId: "snap-ok",
          VolumeId: "vol-1",
          State: "completed",
          StartTime: STARTED,
          Tags: ourTags("vol-1"),
        },
        { SnapshotId: "snap-err", VolumeId: "vol-1", State: "error", StartTime: STARTED },
        { SnapshotId: "snap-pend", VolumeId: "vol-1", State: "pending", StartTime: STARTED },
        { SnapshotId: "snap-rec", VolumeId: "vol-1", State: "recoverable", StartTime: STARTED },
      ],
    });

    // Act
    const [page] = await collect(streamManagedSnapshots(ec2));

    // Assess
    expect(page?.[0]).toEqual({
      kind: "ebs",
      id: "snap-ok",
      sourceId: "vol-1",
      createdAt: STARTED,
      state: "completed",
      tags: Object.fromEntries(ourTags("vol-1").map((t) => [t.Key, t.Value])),
      awsBackup: false,
    });
    expect(page?.map((s) => s.state)).toEqual(["completed", "failed", "pending", "pending"]);
  });

  it("names the real source of a copy (vol-ffffffff) from our source tag, or unknown without it", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        { SnapshotId: "snap-copy", VolumeId: "vol-ffffffff", State: "completed", Tags: ourTags("vol-real") },
        { SnapshotId: "snap-foreign-copy", VolumeId: "vol-ffffffff", State: "completed" },
        { SnapshotId: "snap-novol", State: "completed", Tags: ourTags("vol-tagged") },
      ],
    });

    // Act
    const [page] = await collect(streamManagedSnapshots(ec2));

    // Assess
    expect(page?.map((s) => s.sourceId)).toEqual(["vol-real", "unknown", "vol-tagged"]);
  });

  it("marks snapshots AWS Backup manages, by its tag or its description", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        {
          SnapshotId: "snap-backup-tag",
          VolumeId: "vol-1",
          Tags: [{ Key: "aws:backup:source-resource", Value: "vol-1" }],
        },
        {
          SnapshotId: "snap-backup-desc",
          VolumeId: "vol-1",
          Description: "This snapshot is created by the AWS Backup service.",
        },
        { SnapshotId: "snap-ours", VolumeId: "vol-1", Description: "outpost-ops line-volumes/hourly" },
      ],
    });

    // Act
    const [page] = await collect(streamManagedSnapshots(ec2));

    // Assess
    expect(page?.map((s) => [s.id, s.awsBackup])).toEqual([
      ["snap-backup-tag", true],
      ["snap-backup-desc", true],
      ["snap-ours", false],
    ]);
  });
});

describe("Function: imageSnapshotIds", () => {
  afterEach(() => {
    ec2Mock.reset();
  });

  it("maps every snapshot our AMIs use to the AMI, across pages", async () => {
    // Prepare
    ec2Mock
      .on(DescribeImagesCommand)
      .resolvesOnce({
        Images: [
          {
            ImageId: "ami-1",
            BlockDeviceMappings: [
              { DeviceName: "/dev/xvda", Ebs: { SnapshotId: "snap-a" } },
              { DeviceName: "/dev/sdb", VirtualName: "ephemeral0" },
            ],
          },
        ],
        NextToken: "n",
      })
      .resolvesOnce({
        Images: [{ ImageId: "ami-2", BlockDeviceMappings: [{ Ebs: { SnapshotId: "snap-b" } }] }],
      });

    // Act
    const used = await imageSnapshotIds(ec2);

    // Assess
    expect([...used]).toEqual([
      ["snap-a", "ami-1"],
      ["snap-b", "ami-2"],
    ]);
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeImagesCommand, 1, {
      Owners: ["self"],
      MaxResults: 1000,
    });
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeImagesCommand, 2, {
      Owners: ["self"],
      NextToken: "n",
    });
  });
});

describe("Function: findWindowSnapshots", () => {
  afterEach(() => {
    ec2Mock.reset();
  });

  const tagged = (id: string, source: string, state: "pending" | "completed" | "error") => ({
    SnapshotId: id,
    VolumeId: source,
    State: state,
    Tags: ourTags(source),
  });

  it("lists several volumes' snapshots, failed ones with their state, in one call by policy, window and source tags", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        tagged("snap-done", "vol-0000000000000000a", "completed"),
        tagged("snap-failed", "vol-0000000000000000a", "error"),
        tagged("snap-running", "vol-0000000000000000b", "pending"),
      ],
    });

    // Act
    const found = await findWindowSnapshots(ec2, {
      policy: "line-volumes",
      window: WINDOW,
      sourceTag: Tag.source,
      sourceIds: ["vol-0000000000000000a", "vol-0000000000000000b", "vol-0000000000000000c"],
    });

    // Assess
    expect([...found]).toEqual([
      [
        "vol-0000000000000000a",
        [
          { id: "snap-done", state: "completed" },
          { id: "snap-failed", state: "failed" },
        ],
      ],
      ["vol-0000000000000000b", [{ id: "snap-running", state: "pending" }]],
    ]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSnapshotsCommand, {
      OwnerIds: ["self"],
      MaxResults: 1000,
      Filters: [
        managedFilter,
        { Name: `tag:${Tag.policy}`, Values: ["line-volumes"] },
        { Name: `tag:${Tag.window}`, Values: [WINDOW] },
        {
          Name: `tag:${Tag.source}`,
          Values: ["vol-0000000000000000a", "vol-0000000000000000b", "vol-0000000000000000c"],
        },
      ],
    });
  });

  it("asks for at most 200 sources per call (EC2's filter limit) and follows every page", async () => {
    // Prepare
    const sourceIds = Array.from({ length: 450 }, (_, i) => `vol-${String(i).padStart(17, "0")}`);
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({ Snapshots: [tagged("snap-1", sourceIds[0] ?? "", "completed")], NextToken: "more" })
      .resolves({ Snapshots: [] });

    // Act
    const found = await findWindowSnapshots(ec2, {
      policy: "line-volumes",
      window: WINDOW,
      sourceTag: Tag.source,
      sourceIds,
    });

    // Assess
    expect(found.get(sourceIds[0] ?? "")).toEqual([{ id: "snap-1", state: "completed" }]);
    const asked = ec2Mock
      .commandCalls(DescribeSnapshotsCommand)
      .map((c) => c.args[0].input.Filters?.find((f) => f.Name === `tag:${Tag.source}`)?.Values?.length);
    expect(asked).toEqual([200, 200, 200, 50]);
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeSnapshotsCommand, 2, { NextToken: "more" });
  });

  it("finds an instance's set by the instance tag", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });

    // Act
    const found = await findWindowSnapshots(ec2, {
      policy: "clinic-servers",
      window: WINDOW,
      sourceTag: Tag.instance,
      sourceIds: ["i-0123456789abcdef0"],
    });

    // Assess
    expect(found.size).toBe(0);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSnapshotsCommand, {
      Filters: [
        managedFilter,
        { Name: `tag:${Tag.policy}`, Values: ["clinic-servers"] },
        { Name: `tag:${Tag.window}`, Values: [WINDOW] },
        { Name: `tag:${Tag.instance}`, Values: ["i-0123456789abcdef0"] },
      ],
    });
  });

  it("attributes an untagged answer to the only source asked for", async () => {
    // Prepare
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolves({ Snapshots: [{ SnapshotId: "snap-x", State: "pending" }] });

    // Act
    const found = await findWindowSnapshots(ec2, {
      policy: "clinic-servers",
      window: WINDOW,
      sourceTag: Tag.instance,
      sourceIds: ["i-0123456789abcdef0"],
    });

    // Assess
    expect([...found]).toEqual([["i-0123456789abcdef0", [{ id: "snap-x", state: "pending" }]]]);
  });
});

describe("Function: createEbsSnapshots", () => {
  afterEach(() => {
    ec2Mock.reset();
  });

  it("creates a volume snapshot tagged at creation, in the Region when no Outpost is set", async () => {
    // Prepare
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-new" });
    const item = volumeItem();

    // Act
    const ids = await createEbsSnapshots(ec2, item);

    // Assess
    expect(ids).toEqual(["snap-new"]);
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSnapshotCommand, {
      VolumeId: "vol-0123456789abcdef0",
      Description: "outpost-ops line-volumes/hourly 2024-05-14T10:00Z",
      TagSpecifications: [{ ResourceType: "snapshot", Tags: item.tags }],
    });
    expect(ec2Mock.commandCalls(CreateSnapshotCommand)[0]?.args[0].input).not.toHaveProperty("OutpostArn");
  });

  it("keeps a volume snapshot on the Outpost when the item says so", async () => {
    // Prepare
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-local" });

    // Act
    await createEbsSnapshots(ec2, volumeItem({ outpostArn: FACTORY }));

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSnapshotCommand, { OutpostArn: FACTORY });
  });

  it("creates an instance's crash-consistent set with its exclusions and volume tag copying", async () => {
    // Prepare
    ec2Mock.on(CreateSnapshotsCommand).resolves({
      Snapshots: [
        { SnapshotId: "snap-a", VolumeId: "vol-a" },
        { SnapshotId: "snap-b", VolumeId: "vol-b" },
        {},
      ],
    });
    const item = instanceItem({
      excludeBootVolume: true,
      excludeDataVolumeIds: ["vol-sc1"],
      copyTagsFromVolumes: true,
      outpostArn: CLINIC,
    });

    // Act
    const ids = await createEbsSnapshots(ec2, item);

    // Assess
    expect(ids).toEqual(["snap-a", "snap-b"]);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSnapshotsCommand, {
      InstanceSpecification: {
        InstanceId: "i-0123456789abcdef0",
        ExcludeBootVolume: true,
        ExcludeDataVolumeIds: ["vol-sc1"],
      },
      Description: "outpost-ops clinic-servers/daily 2024-05-14T10:00Z",
      TagSpecifications: [{ ResourceType: "snapshot", Tags: item.tags }],
      CopyTagsFromSource: "volume",
      OutpostArn: CLINIC,
    });
  });

  it("leaves out ExcludeDataVolumeIds, CopyTagsFromSource and OutpostArn when not asked for", async () => {
    // Prepare
    ec2Mock.on(CreateSnapshotsCommand).resolves({ Snapshots: [] });

    // Act
    await createEbsSnapshots(ec2, instanceItem());

    // Assess
    const input = ec2Mock.commandCalls(CreateSnapshotsCommand)[0]?.args[0].input;
    expect(input?.InstanceSpecification).toEqual({
      InstanceId: "i-0123456789abcdef0",
      ExcludeBootVolume: false,
    });
    expect(input?.CopyTagsFromSource).toBeUndefined();
    expect(input).not.toHaveProperty("OutpostArn");
  });

  it("refuses an RDS work item without calling EC2", async () => {
    // Prepare
    const item: SnapshotWorkItem = {
      ...volumeItem(),
      kind: "rds-instance",
      dbInstanceId: "orders",
      snapshotId: "oo-orders-db-orders-20240514t1000",
    } as SnapshotWorkItem;

    // Act & Assess
    await expect(createEbsSnapshots(ec2, item)).rejects.toThrow("not an EBS work item: rds-instance");
    expect(ec2Mock.calls()).toHaveLength(0);
  });
});

describe("Function: deleteEbsSnapshot", () => {
  afterEach(() => {
    ec2Mock.reset();
  });

  it("deletes the snapshot by id", async () => {
    // Prepare
    ec2Mock.on(DeleteSnapshotCommand).resolves({});

    // Act
    await deleteEbsSnapshot(ec2, "snap-old");

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteSnapshotCommand, { SnapshotId: "snap-old" });
  });
});
