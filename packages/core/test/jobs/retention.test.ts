import {
  DeleteSnapshotCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
// Types for the matchers test/setup.ts registers.
import type {} from "aws-sdk-client-mock-vitest/extend";
import { afterEach, describe, expect, it } from "vitest";
import { createClients } from "../../src/aws/clients.ts";
import { parseConfig } from "../../src/config/schema.ts";
import type { SnapshotKind, SnapshotRecord } from "../../src/inventory.ts";
import {
  applyDeleteItem,
  collectRetentionInventory,
  deleteWorkItems,
  planRetentionRun,
} from "../../src/jobs/retention.ts";
import type { Pacer } from "../../src/pacing.ts";
import type { RetentionPlan } from "../../src/retention/plan.ts";
import type { DeleteWorkItem } from "../../src/snapshot/work-item.ts";
import { Tag } from "../../src/tags.ts";

const NOW = new Date("2024-05-14T10:15:00Z");
const REGION = "us-west-2";

const ec2Mock = mockClient(EC2Client);
const rdsMock = mockClient(RDSClient);

const clients = () =>
  createClients({
    endpoint: "http://127.0.0.1:9",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    maxAttempts: 1,
  });

function awsError(name: string, status = 400): Error {
  const error = new Error(`${name}: from AWS`);
  error.name = name;
  return Object.assign(error, { $metadata: { httpStatusCode: status } });
}

const countingPacer = (): Pacer & { taken: number } => {
  const pacer = {
    taken: 0,
    take: () => {
      pacer.taken += 1;
      return Promise.resolve();
    },
  };
  return pacer;
};

function record(kind: SnapshotKind, id: string): SnapshotRecord {
  return { kind, id, sourceId: "src", createdAt: NOW, state: "completed", tags: {}, awsBackup: false };
}

function planDeleting(deletions: SnapshotRecord[]): RetentionPlan {
  return {
    at: NOW,
    decisions: deletions.map((snapshot) => ({
      snapshot,
      action: "delete",
      code: "beyond-rules",
      codes: ["beyond-rules"],
      reason: "beyond keepLast 1",
    })),
    deletions,
    managed: deletions.length,
    cap: { count: 1000, percent: 100, limit: 1000, planned: deletions.length, exceeded: false },
  };
}

const ebsItem = (ids: string[]): DeleteWorkItem => ({
  kind: "delete",
  snapshotKind: "ebs",
  region: REGION,
  snapshotIds: ids,
});

describe("Function: deleteWorkItems", () => {
  it("groups deletions by kind in batches of at most 50 ids", () => {
    // Prepare
    const ebs = Array.from({ length: 120 }, (_, i) => record("ebs", `snap-${i}`));
    const rds = Array.from({ length: 50 }, (_, i) => record("rds", `oo-db-${i}`));
    const aurora = [record("aurora", "oo-cluster-1")];
    const interleaved = [...ebs.slice(0, 60), ...rds, ...aurora, ...ebs.slice(60)];

    // Act
    const items = deleteWorkItems(planDeleting(interleaved), REGION);

    // Assess
    expect(items.map((i) => [i.snapshotKind, i.snapshotIds.length])).toEqual([
      ["ebs", 50],
      ["ebs", 50],
      ["ebs", 20],
      ["rds", 50],
      ["aurora", 1],
    ]);
    expect(items.flatMap((i) => (i.snapshotKind === "ebs" ? i.snapshotIds : []))).toEqual(
      ebs.map((s) => s.id),
    );
    expect(items.every((i) => i.kind === "delete" && i.region === REGION)).toBe(true);
  });

  it("makes no items for a plan without deletions", () => {
    // Act
    const items = deleteWorkItems(planDeleting([]), REGION);

    // Assess
    expect(items).toEqual([]);
  });
});

describe("Function: applyDeleteItem", () => {
  afterEach(() => {
    ec2Mock.reset();
    rdsMock.reset();
  });

  it("deletes every EBS snapshot of the batch, one paced call each", async () => {
    // Prepare
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
    const pacer = countingPacer();

    // Act
    const outcomes = await applyDeleteItem(clients(), ebsItem(["snap-1", "snap-2", "snap-3"]), pacer);

    // Assess
    expect(outcomes).toEqual([
      { key: "snap-1", snapshotIds: ["snap-1"], status: "deleted", code: "deleted", detail: "deleted" },
      { key: "snap-2", snapshotIds: ["snap-2"], status: "deleted", code: "deleted", detail: "deleted" },
      { key: "snap-3", snapshotIds: ["snap-3"], status: "deleted", code: "deleted", detail: "deleted" },
    ]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 3);
    expect(ec2Mock).toHaveReceivedNthCommandWith(DeleteSnapshotCommand, 2, { SnapshotId: "snap-2" });
    expect(pacer.taken).toBe(3);
  });

  it("maps each snapshot's error on its own: gone, in use, throttled, denied", async () => {
    // Prepare
    ec2Mock
      .on(DeleteSnapshotCommand)
      .rejectsOnce(awsError("InvalidSnapshot.NotFound"))
      .rejectsOnce(awsError("InvalidSnapshot.InUse"))
      .rejectsOnce(awsError("RequestLimitExceeded", 503))
      .rejectsOnce(awsError("UnauthorizedOperation", 403))
      .resolves({});

    // Act
    const outcomes = await applyDeleteItem(
      clients(),
      ebsItem(["snap-gone", "snap-ami", "snap-busy", "snap-denied", "snap-ok"]),
      countingPacer(),
    );

    // Assess
    expect(outcomes.map((o) => [o.key, o.status, o.detail])).toEqual([
      ["snap-gone", "gone", "already deleted"],
      ["snap-ami", "skipped", "in use by an AMI"],
      ["snap-busy", "retry", "RequestLimitExceeded: RequestLimitExceeded: from AWS"],
      ["snap-denied", "failed", "UnauthorizedOperation: UnauthorizedOperation: from AWS"],
      ["snap-ok", "deleted", "deleted"],
    ]);
  });

  it("deletes RDS and Aurora snapshots with their own calls", async () => {
    // Prepare
    rdsMock.on(DeleteDBSnapshotCommand).resolves({});
    rdsMock.on(DeleteDBClusterSnapshotCommand).rejects(awsError("DBClusterSnapshotNotFoundFault", 404));

    // Act
    const rds = await applyDeleteItem(
      clients(),
      { ...ebsItem(["oo-db-1"]), snapshotKind: "rds" },
      countingPacer(),
    );
    const aurora = await applyDeleteItem(
      clients(),
      { ...ebsItem(["oo-cl-1"]), snapshotKind: "aurora" },
      countingPacer(),
    );

    // Assess
    expect(rds.map((o) => o.status)).toEqual(["deleted"]);
    expect(aurora.map((o) => o.status)).toEqual(["gone"]);
    expect(rdsMock).toHaveReceivedCommandWith(DeleteDBSnapshotCommand, { DBSnapshotIdentifier: "oo-db-1" });
    expect(rdsMock).toHaveReceivedCommandWith(DeleteDBClusterSnapshotCommand, {
      DBClusterSnapshotIdentifier: "oo-cl-1",
    });
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it("retries an RDS snapshot that is still being created", async () => {
    // Prepare
    rdsMock.on(DeleteDBSnapshotCommand).rejects(awsError("InvalidDBSnapshotState"));

    // Act
    const outcomes = await applyDeleteItem(
      clients(),
      { ...ebsItem(["oo-db-1"]), snapshotKind: "rds" },
      countingPacer(),
    );

    // Assess
    expect(outcomes.map((o) => o.status)).toEqual(["retry"]);
  });
});

const managedTags = (policy: string, schedule: string) => [
  { Key: Tag.managed, Value: "true" },
  { Key: Tag.policy, Value: policy },
  { Key: Tag.schedule, Value: schedule },
];

const configCapped = (maxDeletesPercent: number) =>
  parseConfig({
    regions: { primary: REGION, dr: "us-east-1" },
    alerts: { emails: [] },
    retention: { maxDeletesPerRun: 1000, maxDeletesPercent },
    policies: [
      {
        name: "line-volumes",
        resource: "ebs-volume",
        selector: { tags: { Backup: "daily" } },
        schedules: [{ name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 1 } }],
      },
    ],
  });

function ebsSnapshots(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    SnapshotId: `snap-${String(i).padStart(3, "0")}`,
    VolumeId: "vol-1",
    State: "completed" as const,
    StartTime: new Date(NOW.getTime() - (i + 1) * 86_400_000),
    Tags: managedTags("line-volumes", "daily"),
  }));
}

describe("Function: collectRetentionInventory", () => {
  afterEach(() => {
    ec2Mock.reset();
    rdsMock.reset();
  });

  it("reads managed snapshots, live sources and AMI usage", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: ebsSnapshots(2) });
    ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [{ VolumeId: "vol-1" }] });
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [{ ImageId: "ami-1", BlockDeviceMappings: [{ Ebs: { SnapshotId: "snap-001" } }] }],
    });
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({});
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({});

    // Act
    const inventory = await collectRetentionInventory(clients(), REGION);

    // Assess
    expect(inventory.snapshots.map((s) => s.id)).toEqual(["snap-000", "snap-001"]);
    expect([...inventory.liveSourceIds]).toEqual(["vol-1"]);
    expect([...inventory.imageSnapshotIds]).toEqual([["snap-001", "ami-1"]]);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVolumesCommand, {
      Filters: [{ Name: "volume-id", Values: ["vol-1"] }],
    });
    expect(rdsMock).not.toHaveReceivedCommand(DescribeDBInstancesCommand);
    expect(rdsMock).not.toHaveReceivedCommand(DescribeDBClustersCommand);
  });
});

describe("Function: planRetentionRun", () => {
  afterEach(() => {
    ec2Mock.reset();
    rdsMock.reset();
  });

  it("plans deletions beyond the policy's retention", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: ebsSnapshots(3) });
    ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [{ VolumeId: "vol-1" }] });
    ec2Mock.on(DescribeImagesCommand).resolves({});
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({});
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({});

    // Act
    const plan = await planRetentionRun({
      clients: clients(),
      config: configCapped(100),
      region: REGION,
      now: NOW,
    });

    // Assess
    expect(plan.cap.exceeded).toBe(false);
    expect(plan.deletions.map((s) => s.id)).toEqual(["snap-001", "snap-002"]);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
  });

  it("deletes nothing when the deletions exceed the percentage cap", async () => {
    // Prepare: keepLast 1 of 10 would delete 9, over 25% of 10
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: ebsSnapshots(10) });
    ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [{ VolumeId: "vol-1" }] });
    ec2Mock.on(DescribeImagesCommand).resolves({});
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({});
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({});

    // Act
    const plan = await planRetentionRun({
      clients: clients(),
      config: configCapped(25),
      region: REGION,
      now: NOW,
    });

    // Assess
    expect(plan.cap).toMatchObject({ exceeded: true, planned: 9, limit: 2 });
    expect(plan.deletions).toEqual([]);
    expect(deleteWorkItems(plan, REGION)).toEqual([]);
  });
});
