import {
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { CreateDBClusterSnapshotCommand, CreateDBSnapshotCommand, RDSClient } from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
// Types for the matchers test/setup.ts registers.
import type {} from "aws-sdk-client-mock-vitest/extend";
import { afterEach, describe, expect, it } from "vitest";
import { applySnapshotItem, applySnapshotItems } from "../../src/jobs/snapshot-apply.ts";
import { prepareSnapshotBatch } from "../../src/jobs/snapshot-batch.ts";
import { unpaced } from "../../src/pacing.ts";
import { Tag } from "../../src/tags.ts";
import {
  awsError,
  clients,
  clusterItem,
  countingPacer,
  dbItem,
  fakeClock,
  instanceItem,
  listedSnapshot,
  volumeItem,
  WINDOW,
} from "./snapshot-fixtures.ts";

const ec2Mock = mockClient(EC2Client);
const rdsMock = mockClient(RDSClient);

afterEach(() => {
  ec2Mock.reset();
  rdsMock.reset();
});

describe("Function: applySnapshotItem", () => {
  it("creates a volume snapshot when none exists for the window", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-new" });
    const pacer = countingPacer();

    // Act
    const outcome = await applySnapshotItem(clients(), volumeItem(), pacer);

    // Assess
    expect(outcome).toEqual({
      key: volumeItem().key,
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
    const outcome = await applySnapshotItem(clients(), volumeItem(), pacer);

    // Assess
    expect(outcome).toEqual({
      key: volumeItem().key,
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
    const outcome = await applySnapshotItem(clients(), volumeItem(), unpaced);

    // Assess
    expect(outcome).toEqual({
      key: volumeItem().key,
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
    const outcome = await applySnapshotItem(clients(), volumeItem(), unpaced);

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
    const outcome = await applySnapshotItem(clients(), volumeItem(), unpaced);

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

describe("Function: applySnapshotItem (against a prepared batch)", () => {
  const a = volumeItem("vol-0000000000000000a");
  const b = volumeItem("vol-0000000000000000b");

  it("applies every item against the batch's one lookup: no lookup per item", async () => {
    // Prepare: b already has its window snapshot
    ec2Mock.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [listedSnapshot("snap-earlier", "vol-0000000000000000b", "completed")],
    });
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-new" });
    const batch = await prepareSnapshotBatch(clients(), [a, b]);

    // Act
    const outcomes = [
      await applySnapshotItem(clients(), a, unpaced, batch),
      await applySnapshotItem(clients(), b, unpaced, batch),
    ];

    // Assess
    expect(outcomes.map((o) => [o.key, o.status, o.snapshotIds])).toEqual([
      [a.key, "created", ["snap-new"]],
      [b.key, "exists", ["snap-earlier"]],
    ]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotCommand, 1);
  });

  it("reports the second record of one item in a batch as exists, without a second create", async () => {
    // Prepare: FIFO delivered two messages of the item's group together
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-new" });
    rdsMock.on(CreateDBSnapshotCommand).resolves({});
    const batch = await prepareSnapshotBatch(clients(), [a, a, dbItem, dbItem]);

    // Act
    const outcomes = [];
    for (const item of [a, a, dbItem, dbItem])
      outcomes.push(await applySnapshotItem(clients(), item, unpaced, batch));

    // Assess
    expect(outcomes.map((o) => [o.status, o.code, o.snapshotIds])).toEqual([
      ["created", "created", ["snap-new"]],
      ["exists", "already-exists", ["snap-new"]],
      ["created", "created", ["oo-orders-orders-db-20240514t0000"]],
      ["exists", "already-exists", ["oo-orders-orders-db-20240514t0000"]],
    ]);
    expect(outcomes[1]?.detail).toBe("delivered twice in one batch: already taken: snap-new");
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotCommand, 1);
    expect(rdsMock).toHaveReceivedCommandTimes(CreateDBSnapshotCommand, 1);
  });

  it("gives the second record of a throttled item the same retry, without a second call", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(CreateSnapshotCommand).rejects(awsError("SnapshotCreationPerVolumeRateExceeded"));
    const batch = await prepareSnapshotBatch(clients(), [a, a]);

    // Act
    const first = await applySnapshotItem(clients(), a, unpaced, batch);
    const second = await applySnapshotItem(clients(), a, unpaced, batch);

    // Assess
    expect([first.status, second.status]).toEqual(["retry", "retry"]);
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotCommand, 1);
  });

  it("hands every item of a group whose lookup was throttled back as retry, creating nothing", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).rejects(awsError("RequestLimitExceeded", 503));
    const batch = await prepareSnapshotBatch(clients(), [a, b]);

    // Act
    const outcomes = [
      await applySnapshotItem(clients(), a, unpaced, batch),
      await applySnapshotItem(clients(), b, unpaced, batch),
    ];

    // Assess
    expect(outcomes.map((o) => [o.status, o.code])).toEqual([
      ["retry", "rate-limited"],
      ["retry", "rate-limited"],
    ]);
    expect(ec2Mock).not.toHaveReceivedCommand(CreateSnapshotCommand);
  });

  it("looks up an item's group on the fly when the batch was prepared without it", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-new" });
    const batch = await prepareSnapshotBatch(clients(), []);

    // Act
    const outcome = await applySnapshotItem(clients(), a, unpaced, batch);

    // Assess
    expect(outcome.status).toBe("created");
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 1);
  });
});

describe("Function: applySnapshotItem (a full quota)", () => {
  const volumes = ["a", "b", "c"].map((x) => volumeItem(`vol-000000000000000${x}`));

  it("fails an EBS item at once on SnapshotLimitExceeded and fails the batch's later EBS items without a call", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(CreateSnapshotCommand).rejects(awsError("SnapshotLimitExceeded"));
    ec2Mock.on(CreateSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: "snap-x" }] });
    rdsMock.on(CreateDBSnapshotCommand).resolves({});
    const items = [...volumes, instanceItem, dbItem];
    const batch = await prepareSnapshotBatch(clients(), items);
    const pacer = countingPacer();

    // Act
    const outcomes = [];
    for (const item of items) outcomes.push(await applySnapshotItem(clients(), item, pacer, batch));

    // Assess
    expect(outcomes.map((o) => [o.status, o.code])).toEqual([
      ["failed", "quota-exceeded"],
      ["failed", "quota-exceeded"],
      ["failed", "quota-exceeded"],
      // An instance set is EBS snapshots too: same quota, same Region.
      ["failed", "quota-exceeded"],
      // A DB snapshot counts against another quota.
      ["created", "created"],
    ]);
    expect(outcomes[0]?.detail).toBe(
      "EBS snapshots per Region quota reached in us-west-2: SnapshotLimitExceeded: SnapshotLimitExceeded: from AWS",
    );
    expect(outcomes[1]?.detail).toBe(
      "not attempted: EBS snapshots per Region quota reached in us-west-2 earlier in this batch",
    );
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotCommand, 1);
    expect(ec2Mock).not.toHaveReceivedCommand(CreateSnapshotsCommand);
    expect(pacer.taken).toBe(2);
    expect([...batch.quotaReached.values()]).toEqual([
      {
        quota: expect.objectContaining({ quotaCode: "L-309BACF6" }),
        region: "us-west-2",
        error: "SnapshotLimitExceeded: SnapshotLimitExceeded: from AWS",
        keys: [...volumes.map((v) => v.key), instanceItem.key],
        windows: [WINDOW],
      },
    ]);
  });

  it.each([
    ["rds-instance", dbItem, "L-272F1212"],
    ["aurora-cluster", clusterItem, "L-9B510759"],
  ] as const)(
    "fails a %s item on SnapshotQuotaExceeded under its own quota",
    async (_kind, item, quotaCode) => {
      // Prepare
      rdsMock.on(CreateDBSnapshotCommand).rejects(awsError("SnapshotQuotaExceeded"));
      rdsMock.on(CreateDBClusterSnapshotCommand).rejects(awsError("SnapshotQuotaExceededFault"));
      const batch = await prepareSnapshotBatch(clients(), [item]);

      // Act
      const outcome = await applySnapshotItem(clients(), item, unpaced, batch);

      // Assess
      expect(outcome).toMatchObject({ status: "failed", code: "quota-exceeded" });
      expect([...batch.quotaReached.values()].map((h) => h.quota.quotaCode)).toEqual([quotaCode]);
    },
  );
});

describe("Function: applySnapshotItems", () => {
  it("returns one outcome per item in order, confirming creates when given a clock", async () => {
    // Prepare: lookup empty, create, lookup lists it
    const a = volumeItem("vol-0000000000000000a");
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({ Snapshots: [] })
      .resolves({ Snapshots: [listedSnapshot("snap-new", "vol-0000000000000000a")] });
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-new" });
    rdsMock.on(CreateDBSnapshotCommand).resolves({});
    const clock = fakeClock();

    // Act
    const outcomes = await applySnapshotItems(clients(), [a, dbItem, a], unpaced, { clock });

    // Assess
    expect(outcomes.map((o) => [o.key, o.status, o.code])).toEqual([
      [a.key, "created", "created"],
      [dbItem.key, "created", "created"],
      [a.key, "exists", "already-exists"],
    ]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 2);
    expect(clock.sleeps).toEqual([]);
  });

  it("reports creates without confirming them when given no clock", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-new" });

    // Act
    const outcomes = await applySnapshotItems(clients(), [volumeItem()], unpaced);

    // Assess
    expect(outcomes.map((o) => o.code)).toEqual(["created"]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSnapshotsCommand, {
      Filters: expect.arrayContaining([{ Name: `tag:${Tag.source}`, Values: ["vol-0123456789abcdef0"] }]),
    });
  });
});
