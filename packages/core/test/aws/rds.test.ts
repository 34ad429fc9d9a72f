import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeAccountAttributesCommand,
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
import {
  createDbSnapshot,
  deleteDbSnapshot,
  manualSnapshotQuotas,
  streamDbClusters,
  streamDbInstances,
  streamManagedDbSnapshots,
} from "../../src/aws/rds.ts";
import type { SnapshotRecord } from "../../src/inventory.ts";
import { rdsSnapshotId } from "../../src/snapshot/names.ts";
import type { SnapshotWorkItem } from "../../src/snapshot/work-item.ts";
import { Tag } from "../../src/tags.ts";

const WINDOW = "2024-05-14T06:00Z";
const CREATED = new Date("2024-05-14T06:00:40Z");
const ORIGINAL = new Date("2024-05-01T06:00:40Z");

const rdsMock = mockClient(RDSClient);
const rds = new RDSClient({ region: "us-west-2" });

const managed = [{ Key: Tag.managed, Value: "true" }];

async function collect<T>(pages: AsyncGenerator<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

const tags = [
  { Key: Tag.managed, Value: "true" },
  { Key: Tag.policy, Value: "orders-db" },
  { Key: Tag.schedule, Value: "every-6h" },
  { Key: Tag.source, Value: "orders" },
  { Key: Tag.window, Value: WINDOW },
];

const dbItem: SnapshotWorkItem = {
  kind: "rds-instance",
  region: "us-west-2",
  policy: "orders-db",
  schedule: "every-6h",
  window: WINDOW,
  key: `orders-db/orders/${WINDOW}`,
  tags,
  dbInstanceId: "orders",
  snapshotId: rdsSnapshotId("orders-db", "orders", WINDOW),
};

const clusterItem: SnapshotWorkItem = {
  kind: "aurora-cluster",
  region: "us-west-2",
  policy: "inventory",
  schedule: "daily",
  window: WINDOW,
  key: `inventory/inventory-cluster/${WINDOW}`,
  tags,
  clusterId: "inventory-cluster",
  snapshotId: rdsSnapshotId("inventory", "inventory-cluster", WINDOW),
};

describe("Function: streamDbInstances", () => {
  afterEach(() => {
    rdsMock.reset();
  });

  it("maps DB instances page by page (100 per page, following Marker), noting cluster members", async () => {
    // Prepare
    rdsMock
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({
        DBInstances: [
          {
            DBInstanceIdentifier: "orders",
            DBInstanceArn: "arn:aws:rds:us-west-2:123456789012:db:orders",
            DBInstanceStatus: "available",
            Engine: "postgres",
            TagList: [{ Key: "Backup", Value: "outpost-ops" }],
          },
        ],
        Marker: "m2",
      })
      .resolvesOnce({
        DBInstances: [
          { DBInstanceIdentifier: "inventory-1", Engine: "aurora-mysql", DBClusterIdentifier: "inventory" },
        ],
      });

    // Act
    const pages = await collect(streamDbInstances(rds));

    // Assess
    expect(pages).toEqual([
      [
        {
          id: "orders",
          arn: "arn:aws:rds:us-west-2:123456789012:db:orders",
          status: "available",
          engine: "postgres",
          tags: { Backup: "outpost-ops" },
        },
      ],
      [
        {
          id: "inventory-1",
          arn: "",
          status: "unknown",
          engine: "aurora-mysql",
          tags: {},
          clusterId: "inventory",
        },
      ],
    ]);
    expect(rdsMock).toHaveReceivedNthCommandWith(DescribeDBInstancesCommand, 1, { MaxRecords: 100 });
    expect(rdsMock).toHaveReceivedNthCommandWith(DescribeDBInstancesCommand, 2, {
      MaxRecords: 100,
      Marker: "m2",
    });
  });
});

describe("Function: streamDbClusters", () => {
  afterEach(() => {
    rdsMock.reset();
  });

  it("maps Aurora clusters with their tags", async () => {
    // Prepare
    rdsMock.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        {
          DBClusterIdentifier: "inventory",
          DBClusterArn: "arn:aws:rds:us-west-2:123456789012:cluster:inventory",
          Status: "available",
          Engine: "aurora-postgresql",
          TagList: [{ Key: "Backup", Value: "outpost-ops" }],
        },
      ],
    });

    // Act
    const pages = await collect(streamDbClusters(rds));

    // Assess
    expect(pages).toEqual([
      [
        {
          id: "inventory",
          arn: "arn:aws:rds:us-west-2:123456789012:cluster:inventory",
          status: "available",
          engine: "aurora-postgresql",
          tags: { Backup: "outpost-ops" },
        },
      ],
    ]);
    expect(rdsMock).toHaveReceivedCommandWith(DescribeDBClustersCommand, { MaxRecords: 100 });
  });
});

describe("Function: streamManagedDbSnapshots", () => {
  afterEach(() => {
    rdsMock.reset();
  });

  it("returns only our manual instance and cluster snapshots, as records", async () => {
    // Prepare
    rdsMock
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({
        DBSnapshots: [
          {
            DBSnapshotIdentifier: "oo-orders-db-orders-20240514t0600",
            DBInstanceIdentifier: "orders",
            SnapshotCreateTime: CREATED,
            Status: "available",
            SnapshotType: "manual",
            TagList: tags,
          },
          { DBSnapshotIdentifier: "someone-elses", DBInstanceIdentifier: "orders", Status: "available" },
        ],
        Marker: "next",
      })
      .resolvesOnce({
        DBSnapshots: [
          {
            DBSnapshotIdentifier: "oo-copied",
            DBInstanceIdentifier: "orders",
            OriginalSnapshotCreateTime: ORIGINAL,
            Status: "creating",
            TagList: managed,
          },
        ],
      });
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        {
          DBClusterSnapshotIdentifier: "oo-inventory-inventory-20240514t0600",
          DBClusterIdentifier: "inventory",
          SnapshotCreateTime: CREATED,
          Status: "failed",
          TagList: managed,
        },
        {
          DBClusterSnapshotIdentifier: "manual-by-hand",
          DBClusterIdentifier: "inventory",
          Status: "available",
        },
      ],
    });

    // Act
    const records = (await collect(streamManagedDbSnapshots(rds))).flat();

    // Assess
    expect(records).toEqual<SnapshotRecord[]>([
      {
        kind: "rds",
        id: "oo-orders-db-orders-20240514t0600",
        sourceId: "orders",
        createdAt: CREATED,
        state: "completed",
        tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
        awsBackup: false,
      },
      {
        kind: "rds",
        id: "oo-copied",
        sourceId: "orders",
        createdAt: ORIGINAL,
        state: "pending",
        tags: { [Tag.managed]: "true" },
        awsBackup: false,
      },
      {
        kind: "aurora",
        id: "oo-inventory-inventory-20240514t0600",
        sourceId: "inventory",
        createdAt: CREATED,
        state: "failed",
        tags: { [Tag.managed]: "true" },
        awsBackup: false,
      },
    ]);
    expect(rdsMock).toHaveReceivedNthCommandWith(DescribeDBSnapshotsCommand, 1, {
      SnapshotType: "manual",
      MaxRecords: 100,
    });
    expect(rdsMock).toHaveReceivedNthCommandWith(DescribeDBSnapshotsCommand, 2, {
      SnapshotType: "manual",
      MaxRecords: 100,
      Marker: "next",
    });
    expect(rdsMock).toHaveReceivedCommandWith(DescribeDBClusterSnapshotsCommand, {
      SnapshotType: "manual",
      MaxRecords: 100,
    });
  });

  it("maps RDS statuses to snapshot states", async () => {
    // Prepare
    const statuses = ["available", "creating", "copying", "failed", "incompatible-restore", "error"];
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: statuses.map((Status, i) => ({ DBSnapshotIdentifier: `s${i}`, Status, TagList: managed })),
    });
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({});

    // Act
    const records = (await collect(streamManagedDbSnapshots(rds))).flat();

    // Assess
    expect(records.map((r) => r.state)).toEqual([
      "completed",
      "pending",
      "pending",
      "failed",
      "failed",
      "failed",
    ]);
  });

  it("marks snapshots AWS Backup owns, by type or by its awsbackup: identifier", async () => {
    // Prepare
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        { DBSnapshotIdentifier: "awsbackup:job-1234", Status: "available", TagList: managed },
        { DBSnapshotIdentifier: "typed", SnapshotType: "awsbackup", Status: "available", TagList: managed },
        { DBSnapshotIdentifier: "oo-plain", SnapshotType: "manual", Status: "available", TagList: managed },
      ],
    });
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        { DBClusterSnapshotIdentifier: "awsbackup:job-5678", Status: "available", TagList: managed },
        { DBClusterSnapshotIdentifier: "oo-cluster", Status: "available", TagList: managed },
      ],
    });

    // Act
    const records = (await collect(streamManagedDbSnapshots(rds))).flat();

    // Assess
    expect(records.map((r) => [r.id, r.awsBackup])).toEqual([
      ["awsbackup:job-1234", true],
      ["typed", true],
      ["oo-plain", false],
      ["awsbackup:job-5678", true],
      ["oo-cluster", false],
    ]);
  });

  it("does not count a managed tag with another value as ours", async () => {
    // Prepare
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        {
          DBSnapshotIdentifier: "forged",
          Status: "available",
          TagList: [{ Key: Tag.managed, Value: "yes" }],
        },
      ],
    });
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({});

    // Act
    const records = (await collect(streamManagedDbSnapshots(rds))).flat();

    // Assess
    expect(records).toEqual([]);
  });
});

describe("Function: createDbSnapshot", () => {
  afterEach(() => {
    rdsMock.reset();
  });

  it("creates a DB snapshot under the deterministic identifier, tagged at creation", async () => {
    // Prepare
    rdsMock.on(CreateDBSnapshotCommand).resolves({});

    // Act
    const id = await createDbSnapshot(rds, dbItem);

    // Assess
    expect(id).toBe(rdsSnapshotId("orders-db", "orders", WINDOW));
    expect(id).toMatch(/^oo-orders-db-orders-20240514t0600-h[0-9a-f]{8}$/);
    expect(rdsMock).toHaveReceivedCommandTimes(CreateDBSnapshotCommand, 1);
    expect(rdsMock).toHaveReceivedCommandWith(CreateDBSnapshotCommand, {
      DBInstanceIdentifier: "orders",
      DBSnapshotIdentifier: id,
      Tags: tags,
    });
  });

  it("gives the same identifier for the same policy, source and window", async () => {
    // Prepare
    rdsMock.on(CreateDBSnapshotCommand).resolves({});

    // Act
    const first = await createDbSnapshot(rds, dbItem);
    const second = await createDbSnapshot(rds, { ...dbItem });

    // Assess
    expect(second).toBe(first);
    const sent = rdsMock
      .commandCalls(CreateDBSnapshotCommand)
      .map((c) => c.args[0].input.DBSnapshotIdentifier);
    expect(sent).toEqual([first, first]);
  });

  it("creates an Aurora cluster snapshot for a cluster item", async () => {
    // Prepare
    rdsMock.on(CreateDBClusterSnapshotCommand).resolves({});

    // Act
    const id = await createDbSnapshot(rds, clusterItem);

    // Assess
    expect(id).toBe("oo-inventory-inventory-cluster-20240514t0600");
    expect(rdsMock).toHaveReceivedCommandWith(CreateDBClusterSnapshotCommand, {
      DBClusterIdentifier: "inventory-cluster",
      DBClusterSnapshotIdentifier: "oo-inventory-inventory-cluster-20240514t0600",
      Tags: tags,
    });
    expect(rdsMock).not.toHaveReceivedCommand(CreateDBSnapshotCommand);
  });

  it("refuses an EBS work item without calling RDS", async () => {
    // Prepare
    const item = { ...dbItem, kind: "ebs-volume", volumeId: "vol-1", description: "" } as SnapshotWorkItem;

    // Act & Assess
    await expect(createDbSnapshot(rds, item)).rejects.toThrow("not an RDS work item: ebs-volume");
    expect(rdsMock.calls()).toHaveLength(0);
  });
});

describe("Function: deleteDbSnapshot", () => {
  afterEach(() => {
    rdsMock.reset();
  });

  it("deletes an instance snapshot with DeleteDBSnapshot", async () => {
    // Prepare
    rdsMock.on(DeleteDBSnapshotCommand).resolves({});

    // Act
    await deleteDbSnapshot(rds, "rds", "oo-old");

    // Assess
    expect(rdsMock).toHaveReceivedCommandWith(DeleteDBSnapshotCommand, { DBSnapshotIdentifier: "oo-old" });
    expect(rdsMock).not.toHaveReceivedCommand(DeleteDBClusterSnapshotCommand);
  });

  it("deletes a cluster snapshot with DeleteDBClusterSnapshot", async () => {
    // Prepare
    rdsMock.on(DeleteDBClusterSnapshotCommand).resolves({});

    // Act
    await deleteDbSnapshot(rds, "aurora", "oo-old-cluster");

    // Assess
    expect(rdsMock).toHaveReceivedCommandWith(DeleteDBClusterSnapshotCommand, {
      DBClusterSnapshotIdentifier: "oo-old-cluster",
    });
    expect(rdsMock).not.toHaveReceivedCommand(DeleteDBSnapshotCommand);
  });
});

describe("Function: manualSnapshotQuotas", () => {
  afterEach(() => {
    rdsMock.reset();
  });

  it("reads used and max of the manual instance and cluster snapshot quotas", async () => {
    // Prepare
    rdsMock.on(DescribeAccountAttributesCommand).resolves({
      AccountQuotas: [
        { AccountQuotaName: "DBInstances", Used: 4, Max: 40 },
        { AccountQuotaName: "ManualSnapshots", Used: 97, Max: 100 },
        { AccountQuotaName: "ManualClusterSnapshots", Used: 12, Max: 100 },
      ],
    });

    // Act
    const quotas = await manualSnapshotQuotas(rds);

    // Assess
    expect(quotas).toEqual({ instance: { used: 97, max: 100 }, cluster: { used: 12, max: 100 } });
    expect(rdsMock).toHaveReceivedCommandTimes(DescribeAccountAttributesCommand, 1);
  });

  it("leaves out a quota RDS does not report", async () => {
    // Prepare
    rdsMock.on(DescribeAccountAttributesCommand).resolves({
      AccountQuotas: [{ AccountQuotaName: "ManualSnapshots", Used: 3 }],
    });

    // Act
    const quotas = await manualSnapshotQuotas(rds);

    // Assess
    expect(quotas).toEqual({});
  });
});
