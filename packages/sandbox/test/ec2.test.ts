import {
  CopySnapshotCommand,
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  paginateDescribeSnapshots,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const OUTPOST = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0";
let sb: Sandbox;
let ec2: EC2Client;
let dr: EC2Client;

beforeAll(async () => {
  sb = await startSandbox();
  ec2 = new EC2Client({ region: "us-west-2", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  dr = new EC2Client({ region: "us-east-1", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  sb.seed({
    volumes: [
      {
        region: "us-west-2",
        id: "vol-0000000000000root",
        sizeGiB: 8,
        type: "gp3",
        availabilityZone: "us-west-2a",
        tags: { Name: "root", backup: "daily" },
      },
      {
        region: "us-west-2",
        id: "vol-0000000000000data",
        sizeGiB: 100,
        type: "gp3",
        availabilityZone: "us-west-2a",
        outpostArn: OUTPOST,
        tags: { backup: "daily", team: "x" },
      },
      {
        region: "us-west-2",
        id: "vol-00000000000000st1",
        sizeGiB: 500,
        type: "st1",
        availabilityZone: "us-west-2a",
        tags: { backup: "weekly" },
      },
      {
        region: "us-west-2",
        id: "vol-0000000000000reg1",
        sizeGiB: 20,
        type: "gp2",
        availabilityZone: "us-west-2b",
      },
    ],
    instances: [
      {
        region: "us-west-2",
        id: "i-00000000000000001",
        availabilityZone: "us-west-2a",
        volumeIds: ["vol-0000000000000root", "vol-0000000000000data"],
        tags: { Name: "web" },
      },
    ],
    snapshots: [
      {
        region: "us-west-2",
        id: "snap-000000000000ami1",
        volumeId: "vol-0000000000000root",
        startTime: "2023-12-01T00:00:00Z",
      },
      {
        region: "us-west-2",
        id: "snap-00000000000bkup1",
        volumeId: "vol-0000000000000root",
        startTime: "2023-12-02T00:00:00Z",
        awsBackup: true,
      },
    ],
    images: [
      {
        region: "us-west-2",
        id: "ami-00000000000000001",
        name: "golden",
        snapshotIds: ["snap-000000000000ami1"],
      },
    ],
  });
});

afterAll(async () => {
  ec2.destroy();
  dr.destroy();
  await sb.close();
});

describe("Sandbox: EC2 describe", () => {
  it("filters volumes by tag (OR within a filter, AND across filters) and by attachment", async () => {
    // Act
    const daily = await ec2.send(
      new DescribeVolumesCommand({
        Filters: [
          { Name: "tag:backup", Values: ["daily", "weekly"] },
          { Name: "tag-key", Values: ["team"] },
        ],
      }),
    );
    const attached = await ec2.send(
      new DescribeVolumesCommand({
        Filters: [{ Name: "attachment.instance-id", Values: ["i-00000000000000001"] }],
      }),
    );
    const wildcard = await ec2.send(
      new DescribeVolumesCommand({ Filters: [{ Name: "tag:backup", Values: ["da*"] }] }),
    );
    // Assess
    expect(daily.Volumes?.map((v) => v.VolumeId)).toEqual(["vol-0000000000000data"]);
    expect(daily.Volumes?.[0]).toMatchObject({
      Size: 100,
      VolumeType: "gp3",
      OutpostArn: OUTPOST,
      State: "in-use",
      Tags: expect.arrayContaining([{ Key: "team", Value: "x" }]),
    });
    expect(attached.Volumes?.[0]?.Attachments?.[0]).toMatchObject({
      InstanceId: "i-00000000000000001",
      Device: "/dev/xvda",
      State: "attached",
    });
    expect(wildcard.Volumes).toHaveLength(2);
  });

  it("answers InvalidVolume.NotFound for an unknown id and InvalidParameterValue for MaxResults < 5", async () => {
    await expect(
      ec2.send(new DescribeVolumesCommand({ VolumeIds: ["vol-0123456789abcdef9"] })),
    ).rejects.toMatchObject({ name: "InvalidVolume.NotFound", $metadata: { httpStatusCode: 400 } });
    await expect(ec2.send(new DescribeSnapshotsCommand({ MaxResults: 2 }))).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
  });

  it("describes instances as reservations with block device mappings", async () => {
    const out = await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: "instance-state-name", Values: ["running"] }] }),
    );
    const instance = out.Reservations?.[0]?.Instances?.[0];
    expect(instance).toMatchObject({
      InstanceId: "i-00000000000000001",
      State: { Name: "running", Code: 16 },
      RootDeviceName: "/dev/xvda",
      Placement: { AvailabilityZone: "us-west-2a" },
    });
    expect(instance?.BlockDeviceMappings?.map((b) => b.Ebs?.VolumeId)).toEqual([
      "vol-0000000000000root",
      "vol-0000000000000data",
    ]);
    expect(instance?.LaunchTime).toBeInstanceOf(Date);
  });

  it("describes images with their snapshot ids", async () => {
    const out = await ec2.send(
      new DescribeImagesCommand({
        Owners: ["self"],
        Filters: [{ Name: "block-device-mapping.snapshot-id", Values: ["snap-000000000000ami1"] }],
      }),
    );
    expect(out.Images?.map((i) => i.ImageId)).toEqual(["ami-00000000000000001"]);
    expect(out.Images?.[0]?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId).toBe("snap-000000000000ami1");
  });
});

describe("Sandbox: EC2 snapshots", () => {
  it("creates a tagged snapshot that completes after snapshotCompletionMs of sandbox time", async () => {
    // Act
    const created = await ec2.send(
      new CreateSnapshotCommand({
        VolumeId: "vol-0000000000000reg1",
        Description: "nightly",
        TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "outpost-ops:job", Value: "snap" }] }],
      }),
    );
    const pending = await ec2.send(
      new DescribeSnapshotsCommand({ SnapshotIds: [created.SnapshotId as string] }),
    );
    sb.clock.advance(10 * 60_000);
    const done = await ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ["self"],
        Filters: [{ Name: "tag:outpost-ops:job", Values: ["snap"] }],
      }),
    );
    // Assess
    expect(created).toMatchObject({
      State: "pending",
      VolumeId: "vol-0000000000000reg1",
      VolumeSize: 20,
      OwnerId: "123456789012",
      Description: "nightly",
      Tags: [{ Key: "outpost-ops:job", Value: "snap" }],
    });
    expect(created.SnapshotId).toMatch(/^snap-[0-9a-f]{17}$/);
    expect(created.StartTime?.getTime()).toBe(sb.clock.now().getTime() - 10 * 60_000);
    expect(pending.Snapshots?.[0]?.State).toBe("pending");
    expect(done.Snapshots?.map((s) => [s.SnapshotId, s.State, s.Progress])).toEqual([
      [created.SnapshotId, "completed", "100%"],
    ]);
  });

  it("refuses a second snapshot of the same volume within 15 s, and allows it after", async () => {
    sb.clock.advance(60_000);
    await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-0000000000000reg1" }));
    await expect(
      ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-0000000000000reg1" })),
    ).rejects.toMatchObject({ name: "SnapshotCreationPerVolumeRateExceeded" });
    sb.clock.advance(15_000);
    await expect(
      ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-0000000000000reg1" })),
    ).resolves.toMatchObject({ State: "pending" });
  });

  it("limits pending snapshots per volume (1 for st1)", async () => {
    await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-00000000000000st1" }));
    sb.clock.advance(20_000);
    await expect(
      ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-00000000000000st1" })),
    ).rejects.toMatchObject({ name: "ConcurrentSnapshotLimitExceeded" });
  });

  it("CreateSnapshots snapshots an instance's volumes, with exclusions, copied tags and local placement", async () => {
    sb.clock.advance(60_000);
    // Act
    const out = await ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: "i-00000000000000001", ExcludeBootVolume: true },
        CopyTagsFromSource: "volume",
        TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "set", Value: "1" }] }],
        Location: "local",
      }),
    );
    // Assess
    expect(out.Snapshots).toHaveLength(1);
    expect(out.Snapshots?.[0]).toMatchObject({
      VolumeId: "vol-0000000000000data",
      State: "pending",
      OutpostArn: OUTPOST,
    });
    expect(out.Snapshots?.[0]?.Tags).toEqual(
      expect.arrayContaining([
        { Key: "team", Value: "x" },
        { Key: "set", Value: "1" },
      ]),
    );
    await expect(
      ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-0000000000000reg1", OutpostArn: OUTPOST })),
    ).rejects.toMatchObject({ name: "InvalidParameterCombination" });
  });

  it("refuses to delete snapshots used by an AMI or managed by AWS Backup, and reports missing ones", async () => {
    await expect(
      ec2.send(new DeleteSnapshotCommand({ SnapshotId: "snap-000000000000ami1" })),
    ).rejects.toMatchObject({
      name: "InvalidSnapshot.InUse",
      message: "The snapshot snap-000000000000ami1 is currently in use by ami-00000000000000001",
    });
    await expect(
      ec2.send(new DeleteSnapshotCommand({ SnapshotId: "snap-00000000000bkup1" })),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
    await expect(
      ec2.send(new DeleteSnapshotCommand({ SnapshotId: "snap-0123456789abcdef0" })),
    ).rejects.toMatchObject({ name: "InvalidSnapshot.NotFound" });
  });

  it("deletes a snapshot and records it as deleted", async () => {
    const { SnapshotId } = await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-0000000000000reg1" }));
    sb.clock.advance(60_000);
    const deletedAt = sb.clock.now();
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId }));
    sb.clock.advance(1_000);
    expect(sb.state.deleted("us-west-2")).toContain(SnapshotId);
    // When it was deleted, on the sandbox clock (not when it is asked).
    expect(sb.state.deletions("us-west-2")).toContainEqual({ id: SnapshotId, at: deletedAt });
    await expect(
      ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [SnapshotId as string] })),
    ).rejects.toMatchObject({ name: "InvalidSnapshot.NotFound" });
  });

  it("tags existing snapshots with CreateTags", async () => {
    await ec2.send(
      new CreateTagsCommand({ Resources: ["snap-000000000000ami1"], Tags: [{ Key: "keep", Value: "yes" }] }),
    );
    const out = await ec2.send(
      new DescribeSnapshotsCommand({ Filters: [{ Name: "tag:keep", Values: ["yes"] }] }),
    );
    expect(out.Snapshots?.map((s) => s.SnapshotId)).toEqual(["snap-000000000000ami1"]);
  });

  it("copies into the destination region and caps in-flight copies at 20", async () => {
    // Act
    const copies = [];
    for (let n = 0; n < 20; n++) {
      copies.push(
        await dr.send(
          new CopySnapshotCommand({
            SourceRegion: "us-west-2",
            SourceSnapshotId: "snap-000000000000ami1",
            Encrypted: true,
            KmsKeyId: "alias/dr",
            TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "copy", Value: String(n) }] }],
          }),
        ),
      );
    }
    // Assess
    await expect(
      dr.send(
        new CopySnapshotCommand({ SourceRegion: "us-west-2", SourceSnapshotId: "snap-000000000000ami1" }),
      ),
    ).rejects.toMatchObject({
      name: "ResourceLimitExceeded",
      message: "Too many snapshot copies in progress. The limit is 20 for this destination region.",
    });
    const described = await dr.send(
      new DescribeSnapshotsCommand({ SnapshotIds: [copies[0]?.SnapshotId as string] }),
    );
    expect(described.Snapshots?.[0]).toMatchObject({
      State: "pending",
      Encrypted: true,
      KmsKeyId: "alias/dr",
      Tags: [{ Key: "copy", Value: "0" }],
    });
    sb.clock.advance(60 * 60_000);
    await expect(
      dr.send(
        new CopySnapshotCommand({ SourceRegion: "us-west-2", SourceSnapshotId: "snap-000000000000ami1" }),
      ),
    ).resolves.toHaveProperty("SnapshotId");
  });
});

describe("Sandbox: EC2 pagination", () => {
  it("pages 5,000 tagged snapshots with the SDK paginator, each exactly once", async () => {
    // Prepare
    const snapshots = Array.from({ length: 5000 }, (_, n) => ({
      region: "eu-west-1",
      volumeId: "vol-0000000000000page",
      startTime: "2023-01-01T00:00:00Z",
      tags: { tier: n % 2 === 0 ? "even" : "odd" },
    }));
    sb.seed({ snapshots });
    const eu = new EC2Client({ region: "eu-west-1", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
    // Act
    const seen: string[] = [];
    for await (const page of paginateDescribeSnapshots(
      { client: eu, pageSize: 1000 },
      { OwnerIds: ["self"], Filters: [{ Name: "tag:tier", Values: ["even"] }] },
    )) {
      for (const s of page.Snapshots ?? []) seen.push(s.SnapshotId as string);
    }
    // Assess
    expect(seen).toHaveLength(2500);
    expect(new Set(seen).size).toBe(2500);
    await expect(eu.send(new DescribeSnapshotsCommand({ NextToken: "bogus" }))).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
    eu.destroy();
  });
});

describe("Sandbox: EC2 faults", () => {
  it("throttles with RequestLimitExceeded (503) when a fault rule says so", async () => {
    sb.faults.set({ service: "ec2", operation: "DescribeVolumes", throttleRate: 1 });
    await expect(ec2.send(new DescribeVolumesCommand({}))).rejects.toMatchObject({
      name: "RequestLimitExceeded",
      $metadata: { httpStatusCode: 503 },
    });
    sb.faults.clear();
    await expect(ec2.send(new DescribeVolumesCommand({}))).resolves.toHaveProperty("Volumes");
    expect(sb.requests.count("DescribeVolumes")).toBeGreaterThanOrEqual(2);
  });
});
