/**
 * EC2 eventual consistency (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html):
 * a snapshot just created may not show up in DescribeSnapshots yet, and calls naming it by id may answer
 * InvalidSnapshot.NotFound, for a short while. The sandbox models that window when asked to.
 */
import {
  CopySnapshotCommand,
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeleteTagsCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const DELAY_MS = 5_000;
let sb: Sandbox;
let ec2: EC2Client;
let dr: EC2Client;
let volumeN = 0;

/** A fresh volume each time, so the 15 s per-volume CreateSnapshot interval never gets in the way. */
function newVolume(): string {
  const id = `vol-${String(++volumeN).padStart(17, "0")}`;
  sb.seed({
    volumes: [{ region: "us-west-2", id, sizeGiB: 8, type: "gp3", availabilityZone: "us-west-2a" }],
  });
  return id;
}

const ids = async (
  client: EC2Client,
  input: ConstructorParameters<typeof DescribeSnapshotsCommand>[0] = {},
) =>
  ((await client.send(new DescribeSnapshotsCommand({ OwnerIds: ["self"], ...input }))).Snapshots ?? []).map(
    (s) => s.SnapshotId,
  );

beforeAll(async () => {
  sb = await startSandbox({ describeVisibilityDelayMs: DELAY_MS });
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
      },
      {
        region: "us-west-2",
        id: "vol-0000000000000data",
        sizeGiB: 50,
        type: "gp3",
        availabilityZone: "us-west-2a",
      },
    ],
    instances: [
      {
        region: "us-west-2",
        id: "i-0000000000000inst1",
        availabilityZone: "us-west-2a",
        volumeIds: ["vol-0000000000000root", "vol-0000000000000data"],
      },
    ],
    snapshots: [
      {
        region: "us-west-2",
        id: "snap-0000000000seeded",
        volumeId: "vol-0000000000000root",
        startTime: "2023-12-31T00:00:00Z",
      },
    ],
  });
});

afterAll(async () => {
  ec2.destroy();
  dr.destroy();
  await sb.close();
});

describe("Sandbox: EC2 eventual consistency of new snapshots", () => {
  it("keeps a created snapshot out of DescribeSnapshots until the delay passes on the sandbox clock", async () => {
    // Prepare
    const volumeId = newVolume();
    // Act
    const { SnapshotId } = await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    const before = await ids(ec2);
    const filtered = await ids(ec2, { Filters: [{ Name: "volume-id", Values: [volumeId] }] });
    sb.clock.advance(DELAY_MS);
    const after = await ids(ec2);
    // Assess
    expect(SnapshotId).toMatch(/^snap-[0-9a-f]{17}$/);
    expect(before).toContain("snap-0000000000seeded"); // seeded snapshots existed before the test
    expect(before).not.toContain(SnapshotId);
    expect(filtered).toEqual([]);
    expect(after).toContain(SnapshotId);
    // The sandbox's own view is the truth, window or not.
    expect(sb.state.snapshots("us-west-2").map((s) => s.snapshotId)).toContain(SnapshotId);
  });

  it("answers InvalidSnapshot.NotFound to calls that name a just-created snapshot, then finds it", async () => {
    // Prepare
    const { SnapshotId } = await ec2.send(new CreateSnapshotCommand({ VolumeId: newVolume() }));
    const id = SnapshotId as string;
    const notFound = { name: "InvalidSnapshot.NotFound", message: `The snapshot '${id}' does not exist.` };
    // Act / Assess
    await expect(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }))).rejects.toMatchObject(
      notFound,
    );
    await expect(
      ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "k", Value: "v" }] })),
    ).rejects.toMatchObject(notFound);
    await expect(
      ec2.send(new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: "k" }] })),
    ).rejects.toMatchObject(notFound);
    await expect(ec2.send(new DeleteSnapshotCommand({ SnapshotId: id }))).rejects.toMatchObject(notFound);
    sb.clock.advance(DELAY_MS);
    await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "k", Value: "v" }] }));
    const described = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }));
    expect(described.Snapshots?.[0]?.Tags).toEqual([{ Key: "k", Value: "v" }]);
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: id }));
    expect(sb.state.deleted("us-west-2")).toContain(id);
  });

  it("applies TagSpecifications at creation, so the tags are there the moment the snapshot appears", async () => {
    // Prepare
    const volumeId = newVolume();
    // Act
    const { SnapshotId } = await ec2.send(
      new CreateSnapshotCommand({
        VolumeId: volumeId,
        TagSpecifications: [
          { ResourceType: "snapshot", Tags: [{ Key: "managed-by", Value: "outpost-ops" }] },
        ],
      }),
    );
    const hidden = await ids(ec2, { Filters: [{ Name: "tag:managed-by", Values: ["outpost-ops"] }] });
    sb.clock.advance(DELAY_MS);
    const shown = await ids(ec2, { Filters: [{ Name: "tag:managed-by", Values: ["outpost-ops"] }] });
    // Assess
    expect(hidden).not.toContain(SnapshotId);
    expect(shown).toContain(SnapshotId);
  });

  it("hides every snapshot of CreateSnapshots, and a CopySnapshot copy in its destination region", async () => {
    // Act
    const multi = await ec2.send(
      new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: "i-0000000000000inst1" } }),
    );
    const copy = await dr.send(
      new CopySnapshotCommand({ SourceRegion: "us-west-2", SourceSnapshotId: "snap-0000000000seeded" }),
    );
    const multiIds = (multi.Snapshots ?? []).map((s) => s.SnapshotId);
    const westBefore = await ids(ec2);
    const eastBefore = await ids(dr);
    sb.clock.advance(DELAY_MS);
    const westAfter = await ids(ec2);
    const eastAfter = await ids(dr);
    // Assess
    expect(multiIds).toHaveLength(2);
    for (const id of multiIds) expect(westBefore).not.toContain(id);
    expect(eastBefore).not.toContain(copy.SnapshotId);
    expect(westAfter).toEqual(expect.arrayContaining(multiIds));
    expect(eastAfter).toContain(copy.SnapshotId);
  });

  it("also ends the window when the delay passes on the wall clock (the sandbox clock standing still)", async () => {
    // Prepare
    sb.consistency({ describeDelayMs: 300 });
    // Act
    const { SnapshotId } = await ec2.send(new CreateSnapshotCommand({ VolumeId: newVolume() }));
    const before = await ids(ec2);
    await new Promise((r) => setTimeout(r, 350));
    const after = await ids(ec2);
    // Assess
    expect(before).not.toContain(SnapshotId);
    expect(after).toContain(SnapshotId);
  });

  it("is off at 0: consistency({ describeDelayMs: 0 }) makes new snapshots visible at once", async () => {
    // Prepare
    sb.consistency({ describeDelayMs: 0 });
    // Act
    const { SnapshotId } = await ec2.send(new CreateSnapshotCommand({ VolumeId: newVolume() }));
    const described = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [SnapshotId as string] }));
    // Assess
    expect(described.Snapshots?.[0]?.SnapshotId).toBe(SnapshotId);
    expect(await ids(ec2)).toContain(SnapshotId);
  });
});
