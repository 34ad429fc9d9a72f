import { readFileSync } from "node:fs";
import {
  CopySnapshotCommand,
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  DeleteSnapshotCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  CopyDBClusterSnapshotCommand,
  CopyDBSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type EventEnvelope, type Sandbox, startSandbox } from "../src/index.ts";

/**
 * The snapshot events EBS and RDS send to the default bus when snapshots settle, checked against the
 * documented samples (the repo's test/fixtures/events, copied from shared/events) through the real SDK.
 */

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const START = new Date("2024-05-14T10:00:00Z");
const MIN = 60_000;
const WEST = "us-west-2";
const EAST = "us-east-1";
const KEY = "1234abcd-12ab-34cd-56ef-1234567890ab";
const DISABLED_KEY = "0987dcba-09fe-87dc-65ba-ab0987654321";
const DOOMED_KEY = "11111111-2222-3333-4444-555555555555";

const fixture = (name: string): EventEnvelope =>
  JSON.parse(readFileSync(new URL(`../../../test/fixtures/events/${name}.json`, import.meta.url), "utf8"));

/** Every key path, in document order; arrays are represented by their first element. */
function keyPaths(v: unknown, prefix = ""): string[] {
  if (Array.isArray(v)) return v.length === 0 ? [`${prefix}[]`] : keyPaths(v[0], `${prefix}[]`);
  if (v === null || typeof v !== "object") return [`${prefix}:${typeof v}`];
  return Object.entries(v).flatMap(([k, x]) => [prefix + k, ...keyPaths(x, `${prefix + k}.`)]);
}

let sb: Sandbox;
let ec2: EC2Client;
let ec2East: EC2Client;
let rds: RDSClient;
let rdsEast: RDSClient;

beforeEach(async () => {
  sb = await startSandbox({ startTime: START, snapshotCompletionMs: 10 * MIN, copyCompletionMs: 30 * MIN });
  ec2 = new EC2Client({ region: WEST, endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  ec2East = new EC2Client({ region: EAST, endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  rds = new RDSClient({ region: WEST, endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  rdsEast = new RDSClient({ region: EAST, endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  sb.seed({
    volumes: [
      { region: WEST, id: "vol-0000000000000root", sizeGiB: 8, type: "gp3", availabilityZone: "us-west-2a" },
      { region: WEST, id: "vol-0000000000000data", sizeGiB: 50, type: "gp3", availabilityZone: "us-west-2a" },
    ],
    instances: [
      {
        region: WEST,
        id: "i-00000000000000001",
        availabilityZone: "us-west-2a",
        volumeIds: ["vol-0000000000000root", "vol-0000000000000data"],
      },
    ],
    snapshots: [
      {
        region: WEST,
        id: "snap-00000000000seeded",
        volumeId: "vol-0000000000000root",
        startTime: "2024-05-13T00:00:00Z",
        state: "pending",
      },
    ],
    dbInstances: [{ region: WEST, id: "orders", engine: "postgres" }],
    dbClusters: [{ region: WEST, id: "ledger", engine: "aurora-postgresql" }],
    dbSnapshots: [
      {
        region: WEST,
        id: "orders-seeded",
        dbInstanceId: "orders",
        createdAt: "2024-05-13T00:00:00Z",
        status: "creating",
      },
    ],
  });
});

afterEach(async () => {
  for (const c of [ec2, ec2East, rds, rdsEast]) c.destroy();
  await sb.close();
});

const ofSource = (region: string, source: string) =>
  sb.state.events(region).filter((e) => e.source === source);

describe("Sandbox: EBS snapshot events", () => {
  it("sends one createSnapshot notification at completion, shaped as documented", async () => {
    // Act
    const out = await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-0000000000000root" }));
    sb.clock.advance(10 * MIN - 1);
    const before = ofSource(WEST, "aws.ec2");
    // One jump well past completion: the event still carries the completion time.
    sb.clock.advance(2 * 60 * MIN);
    sb.clock.advance(MIN);
    // Assess
    expect(before).toEqual([]);
    const events = ofSource(WEST, "aws.ec2");
    expect(events).toHaveLength(1);
    const [e] = events as [EventEnvelope];
    const sample = fixture("ebs-snapshot-notification-create");
    expect(keyPaths(e)).toEqual(keyPaths(sample));
    const arn = `arn:aws:ec2::${WEST}:snapshot/${out.SnapshotId}`;
    expect(e).toMatchObject({
      "detail-type": "EBS Snapshot Notification",
      source: "aws.ec2",
      account: "123456789012",
      region: WEST,
      time: "2024-05-14T10:10:00Z",
      resources: [arn],
      detail: {
        event: "createSnapshot",
        result: "succeeded",
        cause: "",
        "request-id": out.$metadata.requestId,
        snapshot_id: arn,
        source: `arn:aws:ec2::${WEST}:volume/vol-0000000000000root`,
        startTime: "2024-05-14T10:00:00Z",
        endTime: "2024-05-14T10:10:00Z",
      },
    });
  });

  it("sends one multi-volume event for CreateSnapshots, listing each snapshot", async () => {
    // Act
    const out = await ec2.send(
      new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: "i-00000000000000001" } }),
    );
    sb.clock.advance(10 * MIN - 1);
    const before = ofSource(WEST, "aws.ec2");
    sb.clock.advance(1);
    sb.clock.advance(10 * MIN);
    // Assess
    expect(before).toEqual([]);
    const events = ofSource(WEST, "aws.ec2");
    expect(events).toHaveLength(1);
    const [e] = events as [EventEnvelope];
    expect(keyPaths(e)).toEqual(keyPaths(fixture("ebs-snapshot-notification-createsnapshots")));
    const ids = (out.Snapshots ?? []).map((s) => s.SnapshotId);
    expect(ids).toHaveLength(2);
    expect(e["detail-type"]).toBe("EBS Multi-Volume Snapshots Completion Status");
    expect(e.time).toBe("2024-05-14T10:10:00Z");
    expect(e.resources).toEqual(ids.map((id) => `arn:aws:ec2::${WEST}:snapshot/${id}`));
    expect(e.detail).toMatchObject({
      event: "createSnapshots",
      result: "succeeded",
      "request-id": out.$metadata.requestId,
      startTime: "2024-05-14T10:00:00Z",
      endTime: "2024-05-14T10:10:00Z",
      snapshots: [
        {
          snapshot_id: `arn:aws:ec2::${WEST}:snapshot/${ids[0]}`,
          source: `arn:aws:ec2::${WEST}:volume/vol-0000000000000root`,
          status: "completed",
        },
        {
          snapshot_id: `arn:aws:ec2::${WEST}:snapshot/${ids[1]}`,
          source: `arn:aws:ec2::${WEST}:volume/vol-0000000000000data`,
          status: "completed",
        },
      ],
    });
  });

  it("sends a cross-Region copy's event in the destination Region only, incremental on the second copy", async () => {
    // Prepare
    const first = await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-0000000000000data" }));
    sb.clock.advance(10 * MIN);
    const second = await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-0000000000000data" }));
    sb.clock.advance(10 * MIN);
    const westBefore = ofSource(WEST, "aws.ec2").length;
    // Act
    const copy1 = await ec2East.send(
      new CopySnapshotCommand({ SourceRegion: WEST, SourceSnapshotId: first.SnapshotId }),
    );
    sb.clock.advance(30 * MIN - 1);
    const beforeCompletion = ofSource(EAST, "aws.ec2");
    sb.clock.advance(1);
    const copy2 = await ec2East.send(
      new CopySnapshotCommand({ SourceRegion: WEST, SourceSnapshotId: second.SnapshotId }),
    );
    sb.clock.advance(30 * MIN);
    // Assess
    expect(beforeCompletion).toEqual([]);
    expect(ofSource(WEST, "aws.ec2")).toHaveLength(westBefore);
    const events = ofSource(EAST, "aws.ec2");
    expect(events).toHaveLength(2);
    const [e1, e2] = events as [EventEnvelope, EventEnvelope];
    expect(keyPaths(e1)).toEqual(keyPaths(fixture("ebs-snapshot-notification-copy")));
    expect(e1).toMatchObject({
      "detail-type": "EBS Snapshot Notification",
      region: EAST,
      time: "2024-05-14T10:50:00Z",
      resources: [`arn:aws:ec2::${EAST}:snapshot/${copy1.SnapshotId}`],
      detail: {
        event: "copySnapshot",
        result: "succeeded",
        cause: "",
        "request-id": copy1.$metadata.requestId,
        snapshot_id: `arn:aws:ec2::${EAST}:snapshot/${copy1.SnapshotId}`,
        source: `arn:aws:ec2::${WEST}:snapshot/${first.SnapshotId}`,
        startTime: "2024-05-14T10:20:00Z",
        endTime: "2024-05-14T10:50:00Z",
        incremental: "false",
        transferType: "standard",
      },
    });
    expect(e2.detail).toMatchObject({
      snapshot_id: `arn:aws:ec2::${EAST}:snapshot/${copy2.SnapshotId}`,
      incremental: "true",
    });
  });

  it("sends nothing for seeded snapshots, or for a snapshot deleted before it completes", async () => {
    // Act
    const out = await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-0000000000000data" }));
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: out.SnapshotId }));
    sb.clock.advance(60 * MIN);
    // Assess
    expect(sb.state.snapshots(WEST).find((s) => s.snapshotId === "snap-00000000000seeded")?.state).toBe(
      "completed",
    );
    expect(ofSource(WEST, "aws.ec2")).toEqual([]);
  });

  it("never sends a snapshot's event twice, even when the clock is set back and forward again", async () => {
    // Act
    await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-0000000000000root" }));
    sb.clock.advance(10 * MIN);
    sb.clock.set(START);
    sb.clock.advance(60 * MIN);
    await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ["self"] }));
    // Assess
    expect(ofSource(WEST, "aws.ec2")).toHaveLength(1);
  });

  it("sends the event at once when snapshots complete instantly", async () => {
    // Prepare
    const instant = await startSandbox({ startTime: START, snapshotCompletionMs: 0 });
    const client = new EC2Client({ region: WEST, endpoint: instant.endpoint, credentials, maxAttempts: 1 });
    instant.seed({
      volumes: [{ region: WEST, id: "vol-1", sizeGiB: 8, type: "gp3", availabilityZone: "us-west-2a" }],
    });
    try {
      // Act
      await client.send(new CreateSnapshotCommand({ VolumeId: "vol-1" }));
      // Assess
      const events = instant.state.events(WEST);
      expect(events).toHaveLength(1);
      expect(events[0]?.time).toBe("2024-05-14T10:00:00Z");
    } finally {
      client.destroy();
      await instant.close();
    }
  });
});

describe("Sandbox: EBS time-based copies (CompletionDurationMinutes)", () => {
  // EBS User Guide, "Copy snapshot (copySnapshot)", Scenario 2: the time-based sample's detail order.
  const TIME_BASED_DETAIL = [
    "event",
    "result",
    "cause",
    "request-id",
    "startTime",
    "endTime",
    "snapshot_id",
    "source",
    "incremental",
    "completionDurationStartTime",
    "transferType",
  ];

  const completedSource = async () => {
    const src = await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-0000000000000data" }));
    sb.clock.advance(10 * MIN);
    return src.SnapshotId as string;
  };

  it("completes within the requested duration and says so in its event, shaped as the time-based sample", async () => {
    // Prepare
    const source = await completedSource();
    // Act: 15 minutes requested; standard copies take 30 here.
    const copy = await ec2East.send(
      new CopySnapshotCommand({
        SourceRegion: WEST,
        SourceSnapshotId: source,
        CompletionDurationMinutes: 15,
      }),
    );
    sb.clock.advance(15 * MIN - 1);
    const pending = ofSource(EAST, "aws.ec2");
    sb.clock.advance(1);
    const described = await ec2East.send(
      new DescribeSnapshotsCommand({ SnapshotIds: [copy.SnapshotId as string] }),
    );
    // Assess
    expect(pending).toEqual([]);
    const events = ofSource(EAST, "aws.ec2");
    expect(events).toHaveLength(1);
    const [e] = events as [EventEnvelope];
    expect(keyPaths(e).filter((k) => !k.startsWith("detail."))).toEqual(
      keyPaths(fixture("ebs-snapshot-notification-copy")).filter((k) => !k.startsWith("detail.")),
    );
    expect(Object.keys(e.detail as object)).toEqual(TIME_BASED_DETAIL);
    expect(e).toMatchObject({
      time: "2024-05-14T10:25:00Z",
      detail: {
        event: "copySnapshot",
        result: "succeeded",
        startTime: "2024-05-14T10:10:00Z",
        endTime: "2024-05-14T10:25:00Z",
        source: `arn:aws:ec2::${WEST}:snapshot/${source}`,
        incremental: "false",
        completionDurationStartTime: "2024-05-14T10:10:00.000Z",
        transferType: "time-based",
      },
    });
    expect(described.Snapshots?.[0]).toMatchObject({
      State: "completed",
      TransferType: "time-based",
      CompletionDurationMinutes: 15,
    });
  });

  it("takes no longer than a standard copy when the requested duration is longer", async () => {
    // Prepare
    const source = await completedSource();
    // Act
    await ec2East.send(
      new CopySnapshotCommand({
        SourceRegion: WEST,
        SourceSnapshotId: source,
        CompletionDurationMinutes: 120,
      }),
    );
    const standard = await ec2East.send(
      new CopySnapshotCommand({ SourceRegion: WEST, SourceSnapshotId: source }),
    );
    sb.clock.advance(30 * MIN);
    const described = await ec2East.send(
      new DescribeSnapshotsCommand({ SnapshotIds: [standard.SnapshotId as string] }),
    );
    // Assess
    expect(ofSource(EAST, "aws.ec2").map((x) => (x.detail as { transferType: string }).transferType)).toEqual(
      ["time-based", "standard"],
    );
    expect(described.Snapshots?.[0]?.TransferType).toBe("standard");
    expect(described.Snapshots?.[0]?.CompletionDurationMinutes).toBeUndefined();
  });

  it.each([
    [10, "InvalidParameterValue"],
    [20, "InvalidParameterValue"],
    [2895, "InvalidParameterValue"],
  ])("refuses CompletionDurationMinutes %i with %s", async (minutes, code) => {
    // Prepare
    const source = await completedSource();
    // Act
    const err = await ec2East
      .send(
        new CopySnapshotCommand({
          SourceRegion: WEST,
          SourceSnapshotId: source,
          CompletionDurationMinutes: minutes,
        }),
      )
      .catch((e: Error) => e);
    // Assess
    expect(err).toMatchObject({ name: code, $metadata: { httpStatusCode: 400 } });
    expect((err as Error).message).toContain("CompletionDurationMinutes");
    expect(sb.state.snapshots(EAST)).toEqual([]);
  });

  it("refuses a time-based copy to an Outpost", async () => {
    // Prepare
    const source = await completedSource();
    // Act
    const err = await ec2
      .send(
        new CopySnapshotCommand({
          SourceRegion: WEST,
          SourceSnapshotId: source,
          CompletionDurationMinutes: 60,
          DestinationOutpostArn: "arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0",
        }),
      )
      .catch((e: Error) => e.name);
    // Assess
    expect(err).toBe("InvalidParameterCombination");
  });
});

describe("Sandbox: EBS CopySnapshot with KMS keys", () => {
  beforeEach(() => {
    sb.seed({
      kmsKeys: [
        { region: EAST, id: KEY, aliases: ["dr-copies"] },
        { region: EAST, id: DISABLED_KEY, enabled: false },
        { region: EAST, id: DOOMED_KEY, keyState: "PendingDeletion" },
      ],
    });
  });

  it.each([
    ["missing from the destination Region", "alias/not-there"],
    ["disabled", DISABLED_KEY],
    ["pending deletion", DOOMED_KEY],
  ])("accepts a copy with a key %s, which then ends in error with a failed event", async (_, keyId) => {
    // Prepare
    const src = await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-0000000000000data" }));
    sb.clock.advance(10 * MIN);
    // Act
    const copy = await ec2East.send(
      new CopySnapshotCommand({
        SourceRegion: WEST,
        SourceSnapshotId: src.SnapshotId,
        Encrypted: true,
        KmsKeyId: keyId,
      }),
    );
    const pending = await ec2East.send(
      new DescribeSnapshotsCommand({ SnapshotIds: [copy.SnapshotId as string] }),
    );
    sb.clock.advance(30 * MIN);
    const settled = await ec2East.send(
      new DescribeSnapshotsCommand({ SnapshotIds: [copy.SnapshotId as string] }),
    );
    // Assess
    expect(pending.Snapshots?.[0]?.State).toBe("pending");
    expect(settled.Snapshots?.[0]?.State).toBe("error");
    expect(settled.Snapshots?.[0]?.StateMessage).toContain(keyId);
    const events = ofSource(EAST, "aws.ec2");
    expect(events).toHaveLength(1);
    expect(keyPaths(events[0])).toEqual(keyPaths(fixture("ebs-snapshot-notification-copy")));
    expect(events[0]?.detail).toMatchObject({ event: "copySnapshot", result: "failed" });
    expect((events[0]?.detail as { cause?: string } | undefined)?.cause).toMatch(/KMS key/);
  });

  it("completes a copy under an enabled key of the destination Region, by alias", async () => {
    // Prepare
    const src = await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-0000000000000data" }));
    sb.clock.advance(10 * MIN);
    // Act
    const copy = await ec2East.send(
      new CopySnapshotCommand({
        SourceRegion: WEST,
        SourceSnapshotId: src.SnapshotId,
        Encrypted: true,
        KmsKeyId: "alias/dr-copies",
      }),
    );
    sb.clock.advance(30 * MIN);
    // Assess
    expect(sb.state.snapshots(EAST).find((s) => s.snapshotId === copy.SnapshotId)?.state).toBe("completed");
    expect(ofSource(EAST, "aws.ec2")[0]?.detail).toMatchObject({ result: "succeeded" });
  });

  it("does not check keys in a Region the estate seeds no keys for", async () => {
    // Prepare
    const src = await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-0000000000000data" }));
    sb.clock.advance(10 * MIN);
    // Act
    const copy = await ec2.send(
      new CopySnapshotCommand({
        SourceRegion: WEST,
        SourceSnapshotId: src.SnapshotId,
        Encrypted: true,
        KmsKeyId: "alias/anything",
      }),
    );
    sb.clock.advance(30 * MIN);
    // Assess
    expect(sb.state.snapshots(WEST).find((s) => s.snapshotId === copy.SnapshotId)?.state).toBe("completed");
  });
});

describe("Sandbox: RDS snapshot events", () => {
  it("sends RDS-EVENT-0042 when a manual DB snapshot becomes available, shaped as documented", async () => {
    // Act
    await rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: "orders", DBSnapshotIdentifier: "orders-1" }),
    );
    sb.clock.advance(10 * MIN - 1);
    const before = ofSource(WEST, "aws.rds");
    sb.clock.advance(60 * MIN);
    // Assess
    expect(before).toEqual([]);
    const events = ofSource(WEST, "aws.rds");
    expect(events).toHaveLength(1);
    expect(keyPaths(events[0])).toEqual(keyPaths(fixture("rds-snapshot-event")));
    const arn = `arn:aws:rds:${WEST}:123456789012:snapshot:orders-1`;
    expect(events[0]).toMatchObject({
      "detail-type": "RDS DB Snapshot Event",
      source: "aws.rds",
      region: WEST,
      time: "2024-05-14T10:10:00Z",
      resources: [arn],
      detail: {
        EventCategories: ["creation"],
        SourceType: "SNAPSHOT",
        SourceArn: arn,
        Date: "2024-05-14T10:10:00.000Z",
        Message: "Manual snapshot created",
        SourceIdentifier: "orders-1",
        EventID: "RDS-EVENT-0042",
      },
    });
  });

  it("sends RDS-EVENT-0075 when a manual cluster snapshot becomes available, shaped as documented", async () => {
    // Act
    await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: "ledger",
        DBClusterSnapshotIdentifier: "ledger-1",
      }),
    );
    sb.clock.advance(10 * MIN);
    sb.clock.advance(10 * MIN);
    // Assess
    const events = ofSource(WEST, "aws.rds");
    expect(events).toHaveLength(1);
    expect(keyPaths(events[0])).toEqual(keyPaths(fixture("rds-cluster-snapshot-event")));
    expect(events[0]).toMatchObject({
      "detail-type": "RDS DB Cluster Snapshot Event",
      time: "2024-05-14T10:10:00Z",
      detail: {
        EventCategories: ["backup"],
        SourceType: "CLUSTER_SNAPSHOT",
        SourceArn: `arn:aws:rds:${WEST}:123456789012:cluster-snapshot:ledger-1`,
        SourceIdentifier: "ledger-1",
        Message: "Manual cluster snapshot created",
        EventID: "RDS-EVENT-0075",
      },
    });
  });

  it("sends RDS-EVENT-0060 in the destination for a cross-Region copy, RDS-EVENT-0197 for a local one", async () => {
    // Prepare
    await rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: "orders", DBSnapshotIdentifier: "orders-1" }),
    );
    sb.clock.advance(10 * MIN);
    const westBefore = ofSource(WEST, "aws.rds").length;
    // Act
    await rdsEast.send(
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: `arn:aws:rds:${WEST}:123456789012:snapshot:orders-1`,
        TargetDBSnapshotIdentifier: "orders-1-dr",
      }),
    );
    await rds.send(
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: "orders-1",
        TargetDBSnapshotIdentifier: "orders-1-local",
      }),
    );
    sb.clock.advance(30 * MIN - 1);
    const eastBefore = ofSource(EAST, "aws.rds");
    sb.clock.advance(1);
    // Assess
    expect(eastBefore).toEqual([]);
    const east = ofSource(EAST, "aws.rds");
    expect(east).toHaveLength(1);
    expect(keyPaths(east[0])).toEqual(keyPaths(fixture("rds-snapshot-event")));
    expect(east[0]).toMatchObject({
      region: EAST,
      time: "2024-05-14T10:40:00Z",
      detail: {
        EventCategories: ["notification"],
        SourceIdentifier: "orders-1-dr",
        EventID: "RDS-EVENT-0060",
        Message: `Finished copy of snapshot orders-1 from region ${WEST} in 30 minutes`,
      },
    });
    const local = ofSource(WEST, "aws.rds").slice(westBefore);
    expect(local).toHaveLength(1);
    expect(local[0]).toMatchObject({
      time: "2024-05-14T10:20:00Z",
      detail: { SourceIdentifier: "orders-1-local", EventID: "RDS-EVENT-0197" },
    });
  });

  it("sends nothing for a cluster snapshot copy (none is documented) or a seeded snapshot", async () => {
    // Prepare
    await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: "ledger",
        DBClusterSnapshotIdentifier: "ledger-1",
      }),
    );
    sb.clock.advance(10 * MIN);
    // Act
    await rds.send(
      new CopyDBClusterSnapshotCommand({
        SourceDBClusterSnapshotIdentifier: "ledger-1",
        TargetDBClusterSnapshotIdentifier: "ledger-1-copy",
      }),
    );
    sb.clock.advance(60 * MIN);
    // Assess
    expect(sb.state.dbSnapshots(WEST).find((s) => s.id === "orders-seeded")?.status).toBe("available");
    expect(
      ofSource(WEST, "aws.rds").map((e) => (e.detail as { SourceIdentifier: string }).SourceIdentifier),
    ).toEqual(["ledger-1"]);
  });

  it("fails RDS copies with an inaccessible KMS key with KMSKeyNotAccessibleFault, when keys are seeded", async () => {
    // Prepare
    sb.seed({
      kmsKeys: [
        { region: EAST, id: KEY },
        { region: EAST, id: DISABLED_KEY, enabled: false },
      ],
    });
    await rds.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: "orders", DBSnapshotIdentifier: "orders-1" }),
    );
    await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: "ledger",
        DBClusterSnapshotIdentifier: "ledger-1",
      }),
    );
    sb.clock.advance(10 * MIN);
    const source = `arn:aws:rds:${WEST}:123456789012:snapshot:orders-1`;
    // Act
    const copy = (client: RDSClient, cmd: CopyDBSnapshotCommand | CopyDBClusterSnapshotCommand) =>
      client.send(cmd as CopyDBSnapshotCommand).then(
        () => "ok",
        (err: Error) => err.name,
      );
    const disabled = await copy(
      rdsEast,
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: source,
        TargetDBSnapshotIdentifier: "dr-1",
        KmsKeyId: DISABLED_KEY,
      }),
    );
    const missing = await copy(
      rdsEast,
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: source,
        TargetDBSnapshotIdentifier: "dr-2",
        KmsKeyId: "alias/nope",
      }),
    );
    const cluster = await copy(
      rds,
      new CopyDBClusterSnapshotCommand({
        SourceDBClusterSnapshotIdentifier: "ledger-1",
        TargetDBClusterSnapshotIdentifier: "ledger-1-copy",
        KmsKeyId: "alias/whatever",
      }),
    );
    const ok = await copy(
      rdsEast,
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: source,
        TargetDBSnapshotIdentifier: "dr-3",
        KmsKeyId: KEY,
      }),
    );
    // Assess
    expect(disabled).toBe("KMSKeyNotAccessibleFault");
    expect(missing).toBe("KMSKeyNotAccessibleFault");
    // us-west-2 has no seeded keys, so the key is not checked; but an unencrypted cluster snapshot
    // takes no key at all (CopyDBClusterSnapshot API Reference, KmsKeyId).
    expect(cluster).toBe("InvalidParameterCombination");
    expect(ok).toBe("ok");
    expect(sb.state.dbSnapshots(EAST).map((s) => s.id)).toEqual(["dr-3"]);
  });
});
