import { CopySnapshotCommand, DescribeSnapshotsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  CopyDBClusterSnapshotCommand,
  CopyDBSnapshotCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CopyInfo, type Sandbox, startSandbox } from "../src/index.ts";

/**
 * `copyCompletionMs` as a function: each copy asks how long it takes, so tests can keep copies of
 * big snapshots pending for hours of sandbox time (here one minute per GiB).
 */

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const START = new Date("2024-05-14T10:00:00Z");
const MIN = 60_000;
const WEST = "us-west-2";
const EAST = "us-east-1";

let sb: Sandbox;
let asked: CopyInfo[];
let ec2East: EC2Client;
let rds: RDSClient;
let rdsEast: RDSClient;

beforeEach(async () => {
  asked = [];
  sb = await startSandbox({
    startTime: START,
    copyCompletionMs: (copy) => {
      asked.push(copy);
      return copy.sizeGiB * MIN;
    },
  });
  ec2East = new EC2Client({ region: EAST, endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  rds = new RDSClient({ region: WEST, endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  rdsEast = new RDSClient({ region: EAST, endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  sb.seed({
    volumes: [
      {
        region: WEST,
        id: "vol-0000000000000big",
        sizeGiB: 2000,
        type: "gp3",
        availabilityZone: "us-west-2a",
      },
      { region: WEST, id: "vol-00000000000small", sizeGiB: 8, type: "gp3", availabilityZone: "us-west-2a" },
    ],
    snapshots: [
      {
        region: WEST,
        id: "snap-0000000000000big",
        volumeId: "vol-0000000000000big",
        startTime: "2024-05-13T00:00:00Z",
      },
      {
        region: WEST,
        id: "snap-00000000000small",
        volumeId: "vol-00000000000small",
        startTime: "2024-05-13T00:00:00Z",
      },
      // A snapshot of a volume the estate does not hold, sized by its own seed.
      {
        region: WEST,
        id: "snap-0000000000orphan",
        volumeId: "vol-0000000000000gone",
        startTime: "2024-05-13T00:00:00Z",
        sizeGiB: 120,
      },
    ],
    dbInstances: [{ region: WEST, id: "orders", engine: "postgres", allocatedStorage: 500 }],
    dbClusters: [{ region: WEST, id: "ledger", engine: "aurora-postgresql", allocatedStorage: 90 }],
    dbSnapshots: [
      { region: WEST, id: "orders-1", dbInstanceId: "orders", createdAt: "2024-05-13T00:00:00Z" },
    ],
    dbClusterSnapshots: [
      { region: WEST, id: "ledger-1", clusterId: "ledger", createdAt: "2024-05-13T00:00:00Z" },
    ],
  });
});

afterEach(async () => {
  for (const c of [ec2East, rds, rdsEast]) c.destroy();
  await sb.close();
});

const ebsState = (id: string | undefined) => sb.state.snapshots(EAST).find((s) => s.snapshotId === id)?.state;

describe("Sandbox: per-copy duration (copyCompletionMs as a function)", () => {
  it("keeps a big EBS copy pending for hours while a small one completes in minutes", async () => {
    // Act
    const big = await ec2East.send(
      new CopySnapshotCommand({ SourceRegion: WEST, SourceSnapshotId: "snap-0000000000000big" }),
    );
    const small = await ec2East.send(
      new CopySnapshotCommand({ SourceRegion: WEST, SourceSnapshotId: "snap-00000000000small" }),
    );
    const orphan = await ec2East.send(
      new CopySnapshotCommand({ SourceRegion: WEST, SourceSnapshotId: "snap-0000000000orphan" }),
    );
    sb.clock.advance(8 * MIN);
    const after8min = [ebsState(big.SnapshotId), ebsState(small.SnapshotId), ebsState(orphan.SnapshotId)];
    sb.clock.advance(30 * 60 * MIN);
    const progress = await ec2East.send(
      new DescribeSnapshotsCommand({ SnapshotIds: [big.SnapshotId as string] }),
    );
    sb.clock.advance(4 * 60 * MIN);
    // Assess
    expect(asked).toEqual([
      {
        kind: "ebs",
        sourceSnapshotId: "snap-0000000000000big",
        sourceRegion: WEST,
        region: EAST,
        sizeGiB: 2000,
      },
      {
        kind: "ebs",
        sourceSnapshotId: "snap-00000000000small",
        sourceRegion: WEST,
        region: EAST,
        sizeGiB: 8,
      },
      {
        kind: "ebs",
        sourceSnapshotId: "snap-0000000000orphan",
        sourceRegion: WEST,
        region: EAST,
        sizeGiB: 120,
      },
    ]);
    expect(after8min).toEqual(["pending", "completed", "pending"]);
    expect(progress.Snapshots?.[0]).toMatchObject({ State: "pending", Progress: "90%" });
    expect(ebsState(big.SnapshotId)).toBe("completed");
    // The copy event carries the completion time: 2000 minutes after 10:00.
    const bigEvent = sb.state
      .events(EAST)
      .find((e) => (e.detail as { snapshot_id: string }).snapshot_id.endsWith(big.SnapshotId as string));
    expect(bigEvent?.time).toBe("2024-05-15T19:20:00Z");
  });

  it("still ends a time-based EBS copy by its CompletionDurationMinutes", async () => {
    // Act
    const copy = await ec2East.send(
      new CopySnapshotCommand({
        SourceRegion: WEST,
        SourceSnapshotId: "snap-0000000000000big",
        CompletionDurationMinutes: 60,
      }),
    );
    sb.clock.advance(60 * MIN);
    // Assess
    expect(ebsState(copy.SnapshotId)).toBe("completed");
  });

  it("asks for RDS and Aurora copies too, same-Region or not, sized by AllocatedStorage", async () => {
    // Act
    await rdsEast.send(
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: `arn:aws:rds:${WEST}:123456789012:snapshot:orders-1`,
        TargetDBSnapshotIdentifier: "orders-1-dr",
      }),
    );
    await rds.send(
      new CopyDBClusterSnapshotCommand({
        SourceDBClusterSnapshotIdentifier: "ledger-1",
        TargetDBClusterSnapshotIdentifier: "ledger-1-copy",
      }),
    );
    sb.clock.advance(90 * MIN);
    const copying = await rdsEast.send(
      new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: "orders-1-dr" }),
    );
    sb.clock.advance(410 * MIN);
    // Assess
    expect(asked).toEqual([
      { kind: "rds", sourceSnapshotId: "orders-1", sourceRegion: WEST, region: EAST, sizeGiB: 500 },
      { kind: "aurora", sourceSnapshotId: "ledger-1", sourceRegion: WEST, region: WEST, sizeGiB: 90 },
    ]);
    expect(copying.DBSnapshots?.[0]).toMatchObject({ Status: "copying", AllocatedStorage: 500 });
    expect(sb.state.dbClusterSnapshots(WEST).find((s) => s.id === "ledger-1-copy")?.status).toBe("available");
    expect(sb.state.dbSnapshots(EAST).find((s) => s.id === "orders-1-dr")?.status).toBe("available");
    const event = sb.state.events(EAST).find((e) => e.source === "aws.rds");
    expect((event?.detail as { Message: string } | undefined)?.Message).toBe(
      `Finished copy of snapshot orders-1 from region ${WEST} in 500 minutes`,
    );
  });

  it("answers InternalError when the hook answers something that is not a duration", async () => {
    // Prepare
    const broken = await startSandbox({ startTime: START, copyCompletionMs: () => Number.NaN });
    const client = new EC2Client({ region: EAST, endpoint: broken.endpoint, credentials, maxAttempts: 1 });
    broken.seed({
      snapshots: [{ region: WEST, id: "snap-1", volumeId: "vol-1", startTime: "2024-05-13T00:00:00Z" }],
    });
    const quiet = console.error;
    console.error = () => {};
    try {
      // Act
      const err = await client
        .send(new CopySnapshotCommand({ SourceRegion: WEST, SourceSnapshotId: "snap-1" }))
        .catch((e: Error) => e);
      // Assess
      expect(err).toMatchObject({ name: "InternalError", $metadata: { httpStatusCode: 500 } });
      expect((err as Error).message).toMatch(/copyCompletionMs/);
      expect(broken.state.snapshots(EAST)).toEqual([]);
    } finally {
      console.error = quiet;
      client.destroy();
      await broken.close();
    }
  });
});
