import {
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
// Types for the matchers test/setup.ts registers.
import type {} from "aws-sdk-client-mock-vitest/extend";
import { afterEach, describe, expect, it } from "vitest";
import { createClients } from "../../src/aws/clients.ts";
import { parseConfig } from "../../src/config/schema.ts";
import { applySnapshotItem, collectResources, planSnapshotRun } from "../../src/jobs/snapshot.ts";
import { type Pacer, unpaced } from "../../src/pacing.ts";
import type { SnapshotWorkItem } from "../../src/snapshot/work-item.ts";
import { Tag } from "../../src/tags.ts";

const FACTORY = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0a1b2c3d4e5f60718";
const WINDOW = "2024-05-14T00:00Z";
const DUE = new Date("2024-05-14T00:00:20Z");
const NOT_DUE = new Date("2024-05-14T10:30:00Z");

const ec2Mock = mockClient(EC2Client);
const rdsMock = mockClient(RDSClient);

// Real clients (one attempt, unreachable endpoint), their send replaced by the mocks above.
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

const volumeItem: SnapshotWorkItem = {
  kind: "ebs-volume",
  region: "us-west-2",
  policy: "line-volumes",
  schedule: "daily",
  window: WINDOW,
  key: `line-volumes/vol-0123456789abcdef0/${WINDOW}`,
  tags: [
    { Key: Tag.managed, Value: "true" },
    { Key: Tag.policy, Value: "line-volumes" },
    { Key: Tag.window, Value: WINDOW },
  ],
  volumeId: "vol-0123456789abcdef0",
  description: "outpost-ops daily snapshot",
};

const instanceItem: SnapshotWorkItem = {
  kind: "ec2-instance",
  region: "us-west-2",
  policy: "clinic-servers",
  schedule: "daily",
  window: WINDOW,
  key: `clinic-servers/i-0123456789abcdef0/${WINDOW}`,
  tags: [{ Key: Tag.managed, Value: "true" }],
  instanceId: "i-0123456789abcdef0",
  description: "outpost-ops daily snapshot",
  excludeBootVolume: true,
  excludeDataVolumeIds: [],
  copyTagsFromVolumes: false,
};

const dbItem: SnapshotWorkItem = {
  kind: "rds-instance",
  region: "us-west-2",
  policy: "orders",
  schedule: "daily",
  window: WINDOW,
  key: `orders/orders-db/${WINDOW}`,
  tags: [{ Key: Tag.managed, Value: "true" }],
  dbInstanceId: "orders-db",
  snapshotId: "oo-orders-orders-db-20240514t0000",
};

const clusterItem: SnapshotWorkItem = {
  kind: "aurora-cluster",
  region: "us-west-2",
  policy: "inventory",
  schedule: "daily",
  window: WINDOW,
  key: `inventory/inventory/${WINDOW}`,
  tags: [{ Key: Tag.managed, Value: "true" }],
  clusterId: "inventory",
  snapshotId: "oo-inventory-inventory-20240514t0000",
};

describe("Function: applySnapshotItem", () => {
  afterEach(() => {
    ec2Mock.reset();
    rdsMock.reset();
  });

  it("creates a volume snapshot when none exists for the window", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-new" });
    const pacer = countingPacer();

    // Act
    const outcome = await applySnapshotItem(clients(), volumeItem, pacer);

    // Assess
    expect(outcome).toEqual({
      key: volumeItem.key,
      status: "created",
      code: "created",
      snapshotIds: ["snap-new"],
      detail: "created snap-new",
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSnapshotCommand, { VolumeId: "vol-0123456789abcdef0" });
    expect(pacer.taken).toBe(1);
  });

  it("reports an existing window snapshot as exists and sends no CreateSnapshot", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [{ SnapshotId: "snap-earlier", VolumeId: "vol-0123456789abcdef0", State: "pending" }],
    });
    const pacer = countingPacer();

    // Act
    const outcome = await applySnapshotItem(clients(), volumeItem, pacer);

    // Assess
    expect(outcome).toEqual({
      key: volumeItem.key,
      status: "exists",
      code: "already-exists",
      snapshotIds: ["snap-earlier"],
      detail: "already taken: snap-earlier",
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSnapshotsCommand, {
      Filters: expect.arrayContaining([{ Name: `tag:${Tag.window}`, Values: [WINDOW] }]),
    });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateSnapshotCommand);
    expect(pacer.taken).toBe(0);
  });

  it("takes an instance's set again when the only earlier attempt failed", async () => {
    // Prepare
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolves({ Snapshots: [{ SnapshotId: "snap-broken", State: "error" }] });
    ec2Mock
      .on(CreateSnapshotsCommand)
      .resolves({ Snapshots: [{ SnapshotId: "snap-a" }, { SnapshotId: "snap-b" }] });

    // Act
    const outcome = await applySnapshotItem(clients(), instanceItem, unpaced);

    // Assess
    expect(outcome.status).toBe("created");
    expect(outcome.snapshotIds).toEqual(["snap-a", "snap-b"]);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSnapshotsCommand, {
      InstanceSpecification: { InstanceId: "i-0123456789abcdef0", ExcludeBootVolume: true },
    });
  });

  it.each([
    "SnapshotCreationPerVolumeRateExceeded",
    "ConcurrentSnapshotLimitExceeded",
    "RequestLimitExceeded",
  ])("returns retry when CreateSnapshot fails with %s", async (code) => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(CreateSnapshotCommand).rejects(awsError(code));

    // Act
    const outcome = await applySnapshotItem(clients(), volumeItem, unpaced);

    // Assess
    expect(outcome).toEqual({
      key: volumeItem.key,
      status: "retry",
      code: "rate-limited",
      snapshotIds: [],
      detail: `${code}: ${code}: from AWS`,
    });
  });

  it("returns retry when the idempotency lookup itself is throttled", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).rejects(awsError("RequestLimitExceeded", 503));

    // Act
    const outcome = await applySnapshotItem(clients(), instanceItem, unpaced);

    // Assess
    expect(outcome.status).toBe("retry");
    expect(ec2Mock).not.toHaveReceivedCommand(CreateSnapshotsCommand);
  });

  it("skips a volume that no longer exists, naming it", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(CreateSnapshotCommand).rejects(awsError("InvalidVolume.NotFound"));

    // Act
    const outcome = await applySnapshotItem(clients(), volumeItem, unpaced);

    // Assess
    expect(outcome).toMatchObject({
      status: "skipped",
      code: "source-not-found",
      detail: "source vol-0123456789abcdef0 no longer exists",
    });
  });

  it("fails on AccessDenied with the code in the detail", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(CreateSnapshotCommand).rejects(awsError("AccessDenied", 403));

    // Act
    const outcome = await applySnapshotItem(clients(), volumeItem, unpaced);

    // Assess
    expect(outcome).toMatchObject({
      status: "failed",
      code: "access-denied",
      detail: "AccessDenied: AccessDenied: from AWS",
    });
  });

  it("creates a DB snapshot under the item's identifier", async () => {
    // Prepare
    rdsMock.on(CreateDBSnapshotCommand).resolves({});

    // Act
    const outcome = await applySnapshotItem(clients(), dbItem, unpaced);

    // Assess
    expect(outcome).toMatchObject({ status: "created", snapshotIds: ["oo-orders-orders-db-20240514t0000"] });
    expect(rdsMock).toHaveReceivedCommandWith(CreateDBSnapshotCommand, {
      DBInstanceIdentifier: "orders-db",
      DBSnapshotIdentifier: "oo-orders-orders-db-20240514t0000",
    });
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it.each([
    ["rds-instance", "DBSnapshotAlreadyExists", dbItem],
    ["rds-instance", "DBSnapshotAlreadyExistsFault", dbItem],
    ["aurora-cluster", "DBClusterSnapshotAlreadyExistsFault", clusterItem],
  ] as const)(
    "reports a %s item refused with %s as exists (a second run of the window)",
    async (_kind, code, item) => {
      // Prepare
      rdsMock.on(CreateDBSnapshotCommand).rejects(awsError(code));
      rdsMock.on(CreateDBClusterSnapshotCommand).rejects(awsError(code));

      // Act
      const outcome = await applySnapshotItem(clients(), item, unpaced);

      // Assess
      expect(outcome).toEqual({
        key: item.key,
        status: "exists",
        code: "already-exists",
        snapshotIds: [],
        detail: "already taken for this window",
      });
    },
  );

  it("retries a DB snapshot while the instance is busy, and skips a deleted cluster", async () => {
    // Prepare
    rdsMock.on(CreateDBSnapshotCommand).rejects(awsError("InvalidDBInstanceState"));
    rdsMock.on(CreateDBClusterSnapshotCommand).rejects(awsError("DBClusterNotFoundFault", 404));

    // Act
    const busy = await applySnapshotItem(clients(), dbItem, unpaced);
    const gone = await applySnapshotItem(clients(), clusterItem, unpaced);

    // Assess
    expect(busy.status).toBe("retry");
    expect(gone).toMatchObject({ status: "skipped", detail: "source inventory no longer exists" });
  });
});

const config = parseConfig({
  regions: { primary: "us-west-2", dr: "us-east-1" },
  outposts: [{ name: "factory", arn: FACTORY }],
  alerts: { emails: [] },
  policies: [
    {
      name: "line-volumes",
      resource: "ebs-volume",
      selector: { tags: { Backup: "daily" }, outposts: ["factory"] },
      schedules: [{ name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 7 } }],
    },
    {
      name: "orders",
      resource: "rds-instance",
      selector: { tags: { Backup: "daily" } },
      schedules: [{ name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 7 } }],
    },
    {
      name: "inventory",
      resource: "aurora-cluster",
      selector: { tags: { Backup: "daily" } },
      schedules: [{ name: "weekly", expression: "cron(0 0 ? * SUN *)", retention: { keepLast: 4 } }],
    },
  ],
});

describe("Function: planSnapshotRun", () => {
  afterEach(() => {
    ec2Mock.reset();
    rdsMock.reset();
  });

  it("plans without any AWS call when no schedule is due", async () => {
    // Act
    const plans = await planSnapshotRun({ clients: clients(), config, region: "us-west-2", now: NOT_DUE });

    // Assess
    expect(plans.map((p) => p.items.length)).toEqual([0, 0, 0]);
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(rdsMock.calls()).toHaveLength(0);
  });

  it("lists only the due policies' resources and plans their items for the window", async () => {
    // Prepare (2024-05-14 is a Tuesday: the weekly Aurora schedule is not due)
    ec2Mock.on(DescribeVolumesCommand).resolves({
      Volumes: [
        {
          VolumeId: "vol-0123456789abcdef0",
          VolumeType: "gp3",
          AvailabilityZone: "us-west-2a",
          OutpostArn: FACTORY,
          Tags: [{ Key: "Backup", Value: "daily" }],
        },
      ],
    });
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: "orders-db",
          DBInstanceStatus: "available",
          TagList: [{ Key: "Backup", Value: "daily" }],
        },
        { DBInstanceIdentifier: "scratch", DBInstanceStatus: "available", TagList: [] },
      ],
    });

    // Act
    const plans = await planSnapshotRun({ clients: clients(), config, region: "us-west-2", now: DUE });

    // Assess
    expect(plans.map((p) => p.items.map((i) => i.key))).toEqual([
      [`line-volumes/vol-0123456789abcdef0/${WINDOW}`],
      [`orders/orders-db/${WINDOW}`],
      [],
    ]);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVolumesCommand, {
      Filters: [
        { Name: "tag:Backup", Values: ["daily"] },
        { Name: "outpost-arn", Values: [FACTORY] },
      ],
    });
    expect(rdsMock).not.toHaveReceivedCommand(DescribeDBClustersCommand);
  });
});

describe("Function: collectResources", () => {
  afterEach(() => {
    ec2Mock.reset();
    rdsMock.reset();
  });

  it("keeps RDS clusters that carry a selector key, dropping the rest client-side", async () => {
    // Prepare
    rdsMock.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        { DBClusterIdentifier: "inventory", TagList: [{ Key: "Backup", Value: "daily" }] },
        { DBClusterIdentifier: "opted-out", TagList: [{ Key: "Backup", Value: "none" }] },
        { DBClusterIdentifier: "untagged" },
      ],
    });
    const policy = config.policies[2];
    if (!policy) throw new Error("no policy");

    // Act
    const resources = await collectResources(clients(), config, policy, "us-west-2");

    // Assess
    expect(resources.map((r) => (r.kind === "aurora-cluster" ? r.cluster.id : r.kind))).toEqual([
      "inventory",
      "opted-out",
    ]);
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeInstancesCommand);
  });
});
