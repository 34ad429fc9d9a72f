import { CreateSnapshotCommand, DescribeSnapshotsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
// Types for the matchers test/setup.ts registers.
import type {} from "aws-sdk-client-mock-vitest/extend";
import { afterEach, describe, expect, it } from "vitest";
import { needsRedelivery } from "../../src/jobs/outcome.ts";
import { applySnapshotItem } from "../../src/jobs/snapshot-apply.ts";
import { prepareSnapshotBatch } from "../../src/jobs/snapshot-batch.ts";
import { confirmSnapshotBatch } from "../../src/jobs/snapshot-visibility.ts";
import { unpaced } from "../../src/pacing.ts";
import type { SnapshotWorkItem } from "../../src/snapshot/work-item.ts";
import { awsError, clients, fakeClock, listedSnapshot, volumeItem } from "./snapshot-fixtures.ts";

const ec2Mock = mockClient(EC2Client);

afterEach(() => {
  ec2Mock.reset();
});

/** One worker invocation: prepare, apply each item, confirm. */
async function runBatch(items: SnapshotWorkItem[], options: Parameters<typeof confirmSnapshotBatch>[3]) {
  const batch = await prepareSnapshotBatch(clients(), items);
  const outcomes = [];
  for (const item of items) outcomes.push(await applySnapshotItem(clients(), item, unpaced, batch));
  return confirmSnapshotBatch(clients(), batch, outcomes, options);
}

describe("Function: confirmSnapshotBatch", () => {
  const a = volumeItem("vol-0000000000000000a");
  const b = volumeItem("vol-0000000000000000b");

  it("acknowledges a create once the lookup lists it: lookup empty, create, lookup empty, lookup lists it", async () => {
    // Prepare
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({ Snapshots: [] })
      .resolvesOnce({ Snapshots: [] })
      .resolves({ Snapshots: [listedSnapshot("snap-new", "vol-0000000000000000a")] });
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-new" });
    const clock = fakeClock();

    // Act
    const outcomes = await runBatch([a], { clock });

    // Assess
    expect(outcomes).toEqual([
      {
        key: a.key,
        status: "created",
        code: "created",
        snapshotIds: ["snap-new"],
        detail: "created snap-new",
      },
    ]);
    expect(outcomes.some(needsRedelivery)).toBe(false);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 3);
    expect(clock.sleeps).toEqual([1_000]);
  });

  it("hands back a create never listed within 20 s as not-yet-visible, backing off 1, 2, 4, 8 s", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-new" });
    const clock = fakeClock();

    // Act
    const [outcome] = await runBatch([a], { clock });

    // Assess
    expect(outcome).toMatchObject({ status: "created", code: "not-yet-visible", snapshotIds: ["snap-new"] });
    expect(outcome?.detail).toContain("not yet listed by DescribeSnapshots after 20 s");
    expect(outcome && needsRedelivery(outcome)).toBe(true);
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000, 8_000, 5_000]);
    // One lookup before the create, then one per round.
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 1 + 6);
  });

  it("takes no second snapshot on the redelivery of a create that was handed back, once AWS lists it", async () => {
    // Prepare: the first delivery never sees its snapshot listed
    const listed: ReturnType<typeof listedSnapshot>[] = [];
    ec2Mock.on(DescribeSnapshotsCommand).callsFake(() => ({ Snapshots: [...listed] }));
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-new" });
    const first = await runBatch([a], { clock: fakeClock() });

    // Act: 30 minutes later AWS lists it and SQS redelivers the message
    listed.push(listedSnapshot("snap-new", "vol-0000000000000000a"));
    const again = await runBatch([a], { clock: fakeClock() });

    // Assess
    expect(first.map((o) => o.code)).toEqual(["not-yet-visible"]);
    expect(again).toEqual([
      {
        key: a.key,
        status: "exists",
        code: "already-exists",
        snapshotIds: ["snap-new"],
        detail: "already taken: snap-new",
      },
    ]);
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotCommand, 1);
  });

  it("confirms each create on its own: the listed one is acknowledged, the other handed back", async () => {
    // Prepare
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({ Snapshots: [] })
      .resolves({ Snapshots: [listedSnapshot("snap-a", "vol-0000000000000000a")] });
    ec2Mock
      .on(CreateSnapshotCommand)
      .resolvesOnce({ SnapshotId: "snap-a" })
      .resolves({ SnapshotId: "snap-b" });

    // Act
    const outcomes = await runBatch([a, b], { clock: fakeClock() });

    // Assess
    expect(outcomes.map((o) => [o.key, o.code])).toEqual([
      [a.key, "created"],
      [b.key, "not-yet-visible"],
    ]);
  });

  it("counts a listed snapshot as confirmed even when it already failed", async () => {
    // Prepare
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({ Snapshots: [] })
      .resolves({ Snapshots: [listedSnapshot("snap-new", "vol-0000000000000000a", "error")] });
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-new" });

    // Act
    const outcomes = await runBatch([a], { clock: fakeClock() });

    // Assess
    expect(outcomes.map((o) => o.code)).toEqual(["created"]);
  });

  it("never waits past the deadline: with 3 s left it waits 1 s and 2 s, then hands back", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-new" });
    const clock = fakeClock();
    const deadline = { remainingMs: () => 3_500 - clock.now() };

    // Act
    const outcomes = await runBatch([a], { clock, deadline });

    // Assess
    expect(outcomes.map((o) => o.code)).toEqual(["not-yet-visible"]);
    expect(clock.sleeps).toEqual([1_000, 2_000]);
  });

  it("keeps backing off when a confirming lookup is throttled, and confirms on a later round", async () => {
    // Prepare
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({ Snapshots: [] })
      .rejectsOnce(awsError("RequestLimitExceeded", 503))
      .resolves({ Snapshots: [listedSnapshot("snap-new", "vol-0000000000000000a")] });
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-new" });
    const clock = fakeClock();

    // Act
    const outcomes = await runBatch([a], { clock });

    // Assess
    expect(outcomes.map((o) => o.code)).toEqual(["created"]);
    expect(clock.sleeps).toEqual([1_000]);
  });

  it("makes no lookup and no wait when nothing was created", async () => {
    // Prepare
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolves({ Snapshots: [listedSnapshot("snap-old", "vol-0000000000000000a")] });
    const clock = fakeClock();

    // Act
    const outcomes = await runBatch([a], { clock });

    // Assess
    expect(outcomes.map((o) => o.status)).toEqual(["exists"]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 1);
    expect(clock.sleeps).toEqual([]);
  });
});
