import {
  AddTagsToResourceCommand,
  CopyDBSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeAccountAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ListTagsForResourceCommand,
  paginateDescribeDBSnapshots,
  RDSClient,
} from "@aws-sdk/client-rds";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
let sb: Sandbox;
let rds: RDSClient;
let dr: RDSClient;

beforeAll(async () => {
  sb = await startSandbox({ snapshotCompletionMs: 5 * 60_000 });
  rds = new RDSClient({ region: "us-west-2", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  dr = new RDSClient({ region: "us-east-1", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  sb.seed({
    dbInstances: [
      { region: "us-west-2", id: "orders", engine: "postgres", tags: { backup: "daily" } },
      { region: "us-west-2", id: "busy", engine: "mysql", status: "modifying" },
      { region: "us-west-2", id: "aurora-1", engine: "aurora-postgresql", clusterId: "ledger" },
    ],
    dbClusters: [
      {
        region: "us-west-2",
        id: "ledger",
        engine: "aurora-postgresql",
        members: ["aurora-1"],
        tags: { backup: "daily" },
      },
    ],
    dbSnapshots: [
      {
        region: "us-west-2",
        id: "rds:orders-2023-12-31-03-00",
        dbInstanceId: "orders",
        createdAt: "2023-12-31T03:00:00Z",
        type: "automated",
      },
      {
        region: "us-west-2",
        id: "orders-manual-1",
        dbInstanceId: "orders",
        createdAt: "2023-12-30T00:00:00Z",
        tags: { "outpost-ops:job": "snap" },
      },
    ],
    quotas: { region: "eu-west-1", manualDbSnapshots: 2 },
  });
});

afterAll(async () => {
  rds.destroy();
  dr.destroy();
  await sb.close();
});

describe("Sandbox: RDS describe", () => {
  it("describes instances and clusters with their tags", async () => {
    const instances = await rds.send(
      new DescribeDBInstancesCommand({ Filters: [{ Name: "engine", Values: ["postgres"] }] }),
    );
    const clusters = await rds.send(new DescribeDBClustersCommand({}));
    expect(instances.DBInstances?.map((i) => i.DBInstanceIdentifier)).toEqual(["orders"]);
    expect(instances.DBInstances?.[0]).toMatchObject({
      DBInstanceStatus: "available",
      DBInstanceArn: "arn:aws:rds:us-west-2:123456789012:db:orders",
      TagList: [{ Key: "backup", Value: "daily" }],
    });
    expect(clusters.DBClusters?.[0]).toMatchObject({
      DBClusterIdentifier: "ledger",
      Status: "available",
      DBClusterMembers: [{ DBInstanceIdentifier: "aurora-1", IsClusterWriter: true }],
    });
  });

  it("filters DB snapshots by SnapshotType and instance", async () => {
    const manual = await rds.send(
      new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: "orders", SnapshotType: "manual" }),
    );
    expect(manual.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual(["orders-manual-1"]);
    expect(manual.DBSnapshots?.[0]).toMatchObject({
      Status: "available",
      SnapshotType: "manual",
      TagList: [{ Key: "outpost-ops:job", Value: "snap" }],
    });
    expect(manual.DBSnapshots?.[0]?.SnapshotCreateTime?.toISOString()).toBe("2023-12-30T00:00:00.000Z");
  });

  it("rejects MaxRecords outside 20..100 and reports unknown snapshots", async () => {
    await expect(rds.send(new DescribeDBSnapshotsCommand({ MaxRecords: 5 }))).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
    await expect(
      rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: "nope" })),
    ).rejects.toMatchObject({ name: "DBSnapshotNotFoundFault", $metadata: { httpStatusCode: 404 } });
  });
});

describe("Sandbox: RDS snapshots", () => {
  it("creates a tagged snapshot: creating, then available after snapshotCompletionMs", async () => {
    // Act
    const created = await rds.send(
      new CreateDBSnapshotCommand({
        DBInstanceIdentifier: "orders",
        DBSnapshotIdentifier: "orders-1",
        Tags: [{ Key: "outpost-ops:job", Value: "snap" }],
      }),
    );
    // Assess
    expect(created.DBSnapshot).toMatchObject({
      DBSnapshotIdentifier: "orders-1",
      Status: "creating",
      SnapshotType: "manual",
      TagList: [{ Key: "outpost-ops:job", Value: "snap" }],
    });
    await expect(
      rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: "orders-1" })),
    ).rejects.toMatchObject({ name: "InvalidDBSnapshotStateFault" });
    await expect(
      rds.send(
        new CreateDBSnapshotCommand({ DBInstanceIdentifier: "orders", DBSnapshotIdentifier: "orders-1" }),
      ),
    ).rejects.toMatchObject({ name: "DBSnapshotAlreadyExistsFault" });
    sb.clock.advance(5 * 60_000);
    const after = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: "orders-1" }));
    expect(after.DBSnapshots?.[0]).toMatchObject({ Status: "available", PercentProgress: 100 });
  });

  it("refuses snapshots of instances that are not available, and of unknown ones", async () => {
    await expect(
      rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: "busy", DBSnapshotIdentifier: "b1" })),
    ).rejects.toMatchObject({ name: "InvalidDBInstanceStateFault" });
    await expect(
      rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: "ghost", DBSnapshotIdentifier: "g1" })),
    ).rejects.toMatchObject({ name: "DBInstanceNotFoundFault" });
  });

  it("deletes a manual snapshot and refuses automated ones", async () => {
    const out = await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: "orders-manual-1" }));
    expect(out.DBSnapshot).toMatchObject({ DBSnapshotIdentifier: "orders-manual-1", Status: "deleted" });
    expect(sb.state.deleted("us-west-2")).toContain("orders-manual-1");
    expect(sb.state.deletions("us-west-2")).toContainEqual({ id: "orders-manual-1", at: sb.clock.now() });
    await expect(
      rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: "rds:orders-2023-12-31-03-00" })),
    ).rejects.toMatchObject({ name: "InvalidDBSnapshotStateFault" });
    await expect(
      rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: "orders-manual-1" })),
    ).rejects.toMatchObject({ name: "DBSnapshotNotFoundFault" });
  });

  it("creates cluster snapshots and answers the cluster fault names", async () => {
    const out = await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: "ledger",
        DBClusterSnapshotIdentifier: "ledger-1",
        Tags: [{ Key: "a", Value: "b" }],
      }),
    );
    expect(out.DBClusterSnapshot).toMatchObject({
      DBClusterSnapshotIdentifier: "ledger-1",
      DBClusterIdentifier: "ledger",
      Status: "creating",
      TagList: [{ Key: "a", Value: "b" }],
    });
    await expect(
      rds.send(
        new CreateDBClusterSnapshotCommand({
          DBClusterIdentifier: "ledger",
          DBClusterSnapshotIdentifier: "ledger-1",
        }),
      ),
    ).rejects.toMatchObject({ name: "DBClusterSnapshotAlreadyExistsFault" });
    const listed = await rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: "ledger" }));
    expect(listed.DBClusterSnapshots?.map((s) => s.DBClusterSnapshotIdentifier)).toEqual(["ledger-1"]);
  });

  it("copies across regions from the source ARN, carrying tags, and lists tags by ARN", async () => {
    // Prepare
    sb.clock.advance(10 * 60_000);
    const sourceArn = "arn:aws:rds:us-west-2:123456789012:snapshot:orders-1";
    // Act
    const copy = await dr.send(
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: sourceArn,
        TargetDBSnapshotIdentifier: "orders-1-dr",
        KmsKeyId: "alias/dr",
        CopyTags: true,
      }),
    );
    await dr.send(
      new AddTagsToResourceCommand({
        ResourceName: "arn:aws:rds:us-east-1:123456789012:snapshot:orders-1-dr",
        Tags: [{ Key: "dr", Value: "yes" }],
      }),
    );
    const tags = await dr.send(
      new ListTagsForResourceCommand({
        ResourceName: "arn:aws:rds:us-east-1:123456789012:snapshot:orders-1-dr",
      }),
    );
    // Assess
    expect(copy.DBSnapshot).toMatchObject({
      DBSnapshotIdentifier: "orders-1-dr",
      SourceRegion: "us-west-2",
      SourceDBSnapshotIdentifier: sourceArn,
      KmsKeyId: "alias/dr",
      Encrypted: true,
    });
    expect(copy.DBSnapshot?.Status).not.toBe("available");
    expect(tags.TagList).toEqual([
      { Key: "outpost-ops:job", Value: "snap" },
      { Key: "dr", Value: "yes" },
    ]);
    sb.clock.advance(60 * 60_000);
    expect(sb.state.dbSnapshots("us-east-1")[0]).toMatchObject({ id: "orders-1-dr", status: "available" });
  });

  it("refuses a 21st copy in progress into a Region with SnapshotQuotaExceeded, and accepts it once one is done", async () => {
    // Prepare: a destination of its own; copies of one source, 60 min each across Regions.
    const region = "ap-southeast-2";
    const ap = new RDSClient({ region, endpoint: sb.endpoint, credentials, maxAttempts: 1 });
    sb.seed({
      dbSnapshots: [
        { region: "us-west-2", id: "ap-source", dbInstanceId: "orders", createdAt: "2023-12-30T00:00:00Z" },
      ],
    });
    const source = "arn:aws:rds:us-west-2:123456789012:snapshot:ap-source";
    const copy = (n: number) =>
      ap.send(
        new CopyDBSnapshotCommand({
          SourceDBSnapshotIdentifier: source,
          TargetDBSnapshotIdentifier: `ap-${n}`,
        }),
      );
    try {
      for (let n = 0; n < 20; n++) await copy(n);
      // Act
      const refused = await copy(20).catch((e: Error) => e);
      sb.clock.advance(60 * 60_000);
      const accepted = await copy(21);
      // Assess
      expect(refused).toMatchObject({
        name: "SnapshotQuotaExceededFault",
        message: "Cannot copy more than 20 snapshots across regions",
        $metadata: { httpStatusCode: 400 },
      });
      expect(accepted.DBSnapshot?.DBSnapshotIdentifier).toBe("ap-21");
      expect(sb.state.dbSnapshots(region).map((s) => s.id)).not.toContain("ap-20");
    } finally {
      ap.destroy();
    }
  });

  it("enforces the manual snapshot quota of the region", async () => {
    const eu = new RDSClient({ region: "eu-west-1", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
    sb.seed({ dbInstances: [{ region: "eu-west-1", id: "eu-db", engine: "postgres" }] });
    await eu.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: "eu-db", DBSnapshotIdentifier: "q1" }));
    await eu.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: "eu-db", DBSnapshotIdentifier: "q2" }));
    await expect(
      eu.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: "eu-db", DBSnapshotIdentifier: "q3" })),
    ).rejects.toMatchObject({ name: "SnapshotQuotaExceededFault" });
    eu.destroy();
  });

  it("reports the manual snapshot quotas with their usage in DescribeAccountAttributes", async () => {
    // Prepare: a Region of its own, with seeded quotas, two manual DB snapshots (one copied), one
    // automated one (not counted), and one manual cluster snapshot deleted again (not counted).
    const region = "ca-central-1";
    const ca = new RDSClient({ region, endpoint: sb.endpoint, credentials, maxAttempts: 1 });
    const quota = (out: { AccountQuotas?: { AccountQuotaName?: string; Used?: number; Max?: number }[] }) =>
      Object.fromEntries((out.AccountQuotas ?? []).map((q) => [q.AccountQuotaName, [q.Used, q.Max]]));
    sb.seed({
      dbInstances: [{ region, id: "ca-db", engine: "postgres" }],
      dbClusters: [{ region, id: "ca-ledger", engine: "aurora-postgresql" }],
      dbSnapshots: [
        {
          region,
          id: "rds:ca-db-auto",
          dbInstanceId: "ca-db",
          createdAt: "2023-12-31T03:00:00Z",
          type: "automated",
        },
        { region, id: "ca-manual-1", dbInstanceId: "ca-db", createdAt: "2023-12-30T00:00:00Z" },
      ],
      quotas: { region, manualDbSnapshots: 3, manualDbClusterSnapshots: 50 },
    });
    const before = quota(await ca.send(new DescribeAccountAttributesCommand({})));

    // Act
    await ca.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: "ca-db", DBSnapshotIdentifier: "ca-2" }),
    );
    await ca.send(
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: "ca-manual-1",
        TargetDBSnapshotIdentifier: "ca-3",
      }),
    );
    await ca.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: "ca-ledger",
        DBClusterSnapshotIdentifier: "c-1",
      }),
    );
    sb.clock.advance(10 * 60_000);
    await ca.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: "c-1" }));
    const full = quota(await ca.send(new DescribeAccountAttributesCommand({})));
    const refused = ca.send(
      new CreateDBSnapshotCommand({ DBInstanceIdentifier: "ca-db", DBSnapshotIdentifier: "ca-4" }),
    );

    // Assess: Used counts the Region's manual snapshots of each kind; Max is the seeded quota.
    expect(before).toEqual({
      DBInstances: [1, 40],
      DBClusters: [1, 40],
      ManualSnapshots: [1, 3],
      ManualClusterSnapshots: [0, 50],
    });
    expect(full).toMatchObject({ ManualSnapshots: [3, 3], ManualClusterSnapshots: [0, 50] });
    // The quota it reports full is the one CreateDBSnapshot is refused against.
    await expect(refused).rejects.toMatchObject({ name: "SnapshotQuotaExceededFault" });
    // Another Region has AWS's defaults.
    expect(quota(await rds.send(new DescribeAccountAttributesCommand({})))).toMatchObject({
      ManualSnapshots: [expect.any(Number), 100],
      ManualClusterSnapshots: [expect.any(Number), 100],
    });
    ca.destroy();
  });

  it("pages with MaxRecords and Marker through the SDK paginator", async () => {
    const snaps = Array.from({ length: 45 }, (_, n) => ({
      region: "ap-south-1",
      id: `p-${n}`,
      dbInstanceId: "x",
      createdAt: "2023-01-01T00:00:00Z",
    }));
    sb.seed({ dbSnapshots: snaps });
    const ap = new RDSClient({ region: "ap-south-1", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
    const pages: number[] = [];
    for await (const page of paginateDescribeDBSnapshots({ client: ap, pageSize: 20 }, {}))
      pages.push(page.DBSnapshots?.length ?? 0);
    expect(pages).toEqual([20, 20, 5]);
    ap.destroy();
  });

  it("answers Throttling (400) under a throttle fault", async () => {
    sb.faults.set({ service: "rds", throttleRate: 1 });
    await expect(rds.send(new DescribeDBSnapshotsCommand({}))).rejects.toMatchObject({
      name: "Throttling",
      $metadata: { httpStatusCode: 400 },
    });
    sb.faults.clear();
  });
});
