import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  ListMetricsCommand,
  PutMetricAlarmCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  DeleteSnapshotCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";

/**
 * S3 on Outposts storage for local snapshots: the S3Outposts metrics the sandbox publishes on its
 * clock, local snapshots that do not fit ending in `error` (StateMessage, event result "failed"),
 * deletes freeing space, Regional snapshots unaffected.
 */

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const START = new Date("2024-05-14T10:00:00Z");
const MIN = 60_000;
const GIB = 1024 ** 3;
const WEST = "us-west-2";
const OUTPOST = "op-0123456789abcdef0";
const OUTPOST_ARN = `arn:aws:outposts:${WEST}:123456789012:outpost/${OUTPOST}`;
const OTHER = "op-0fedcba9876543210";

let sb: Sandbox;
let cw: CloudWatchClient;
let ec2: EC2Client;

beforeEach(async () => {
  sb = await startSandbox({ startTime: START, snapshotCompletionMs: 10 * MIN });
  cw = new CloudWatchClient({ region: WEST, endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  ec2 = new EC2Client({ region: WEST, endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  sb.seed({
    outposts: [
      {
        region: WEST,
        id: OUTPOST,
        name: "factory",
        availabilityZone: "us-west-2a",
        snapshotStorageGiB: 1000,
      },
      { region: WEST, id: OTHER, name: "no-s3", availabilityZone: "us-west-2a" },
    ],
    volumes: [
      {
        region: WEST,
        id: "vol-a",
        sizeGiB: 300,
        type: "gp2",
        availabilityZone: "us-west-2a",
        outpostArn: OUTPOST_ARN,
      },
      {
        region: WEST,
        id: "vol-b",
        sizeGiB: 400,
        type: "gp2",
        availabilityZone: "us-west-2a",
        outpostArn: OUTPOST_ARN,
      },
      {
        region: WEST,
        id: "vol-c",
        sizeGiB: 500,
        type: "gp2",
        availabilityZone: "us-west-2a",
        outpostArn: OUTPOST_ARN,
      },
    ],
    instances: [
      {
        region: WEST,
        id: "i-0000000000000000a",
        availabilityZone: "us-west-2a",
        outpostArn: OUTPOST_ARN,
        volumeIds: ["vol-b", "vol-c"],
      },
    ],
  });
});

afterEach(async () => {
  cw.destroy();
  ec2.destroy();
  await sb.close();
});

const series = async (name: "OutpostFreeBytes" | "OutpostTotalBytes", outpost = OUTPOST, hours = 3) => {
  const out = await cw.send(
    new GetMetricDataCommand({
      // Periods start at StartTime: align it to the 5-minute ticks.
      StartTime: new Date(Math.floor((sb.clock.now().getTime() - hours * 3_600_000) / (5 * MIN)) * 5 * MIN),
      EndTime: new Date(sb.clock.now().getTime() + MIN),
      ScanBy: "TimestampAscending",
      MetricDataQueries: [
        {
          Id: "s",
          MetricStat: {
            Metric: {
              Namespace: "S3Outposts",
              MetricName: name,
              Dimensions: [{ Name: "OutpostId", Value: outpost }],
            },
            Period: 300,
            Stat: "Minimum",
          },
        },
      ],
    }),
  );
  const r = out.MetricDataResults?.[0];
  return (r?.Timestamps ?? []).map((t, n) => [t.toISOString().slice(11, 16), (r?.Values?.[n] ?? 0) / GIB]);
};

const snapshotEvents = () =>
  sb.state
    .events(WEST)
    .filter((e) => e.source === "aws.ec2")
    .map((e) => {
      const d = e.detail as { result: string; cause: string };
      return { type: e["detail-type"], result: d.result, cause: d.cause };
    });

describe("Sandbox: S3 on Outposts metrics", () => {
  it("publishes OutpostTotalBytes and OutpostFreeBytes every 5 sandbox minutes, only for Outposts with storage", async () => {
    // Act
    sb.outposts.setOtherStorageUse(WEST, OUTPOST, 100);
    sb.clock.advance(7 * MIN);
    sb.outposts.setOtherStorageUse(WEST, OUTPOST, 250);
    sb.clock.advance(8 * MIN);
    const listed = await cw.send(new ListMetricsCommand({ Namespace: "S3Outposts" }));
    // Assess
    expect(await series("OutpostTotalBytes")).toEqual([
      ["10:00", 1000],
      ["10:05", 1000],
      ["10:10", 1000],
      ["10:15", 1000],
    ]);
    // 10:00 was published when the Outpost was seeded, before any other use was set.
    expect(await series("OutpostFreeBytes")).toEqual([
      ["10:00", 1000],
      ["10:05", 900],
      ["10:10", 750],
      ["10:15", 750],
    ]);
    expect(await series("OutpostFreeBytes", OTHER)).toEqual([]);
    expect(listed.Metrics?.map((m) => [m.MetricName, m.Dimensions])).toEqual([
      ["OutpostFreeBytes", [{ Name: "OutpostId", Value: OUTPOST }]],
      ["OutpostTotalBytes", [{ Name: "OutpostId", Value: OUTPOST }]],
    ]);
    expect(sb.outposts.storage(WEST, OUTPOST)).toEqual({
      totalGiB: 1000,
      otherUseGiB: 250,
      localSnapshotGiB: 0,
      freeGiB: 750,
    });
  });

  it("a long jump publishes at most the last day's ticks, each for its own moment, never below 0", async () => {
    // Act
    sb.outposts.setOtherStorageUse(WEST, OUTPOST, 2000);
    sb.clock.advance(3 * 86_400_000 + 2 * MIN);
    // Assess
    const points = sb.metrics.get(WEST, "S3Outposts", "OutpostFreeBytes", { OutpostId: OUTPOST });
    expect(points).toHaveLength(1 + 288);
    expect(points[1]?.at.toISOString()).toBe("2024-05-16T10:05:00.000Z");
    expect(points[points.length - 1]?.at.toISOString()).toBe("2024-05-17T10:00:00.000Z");
    expect(points.every((p, n) => (n === 0 ? p.value === 1000 * GIB : p.value === 0))).toBe(true);
    expect(sb.outposts.storage(WEST, OUTPOST).freeGiB).toBe(0);
  });

  it("alarms on OutpostFreeBytes (the design's storage alarm) follow the published free space", async () => {
    // Prepare
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "storage-critical",
        Namespace: "S3Outposts",
        MetricName: "OutpostFreeBytes",
        Dimensions: [{ Name: "OutpostId", Value: OUTPOST }],
        Statistic: "Minimum",
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 50 * GIB,
        ComparisonOperator: "LessThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
      }),
    );
    // Act
    const states: (string | undefined)[] = [];
    const look = async () =>
      states.push(
        (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["storage-critical"] }))).MetricAlarms?.[0]
          ?.StateValue,
      );
    sb.clock.advance(5 * MIN);
    await look();
    sb.outposts.setOtherStorageUse(WEST, OUTPOST, 960);
    sb.clock.advance(5 * MIN); // the 10:10 tick is 40 GiB free; the window [10:05, 10:10) still 1000
    await look();
    sb.clock.advance(5 * MIN);
    await look();
    sb.outposts.setOtherStorageUse(WEST, OUTPOST, 0);
    sb.clock.advance(10 * MIN);
    await look();
    // Assess
    expect(states).toEqual(["OK", "OK", "ALARM", "OK"]);
  });
});

describe("Sandbox: local snapshots and S3 on Outposts capacity", () => {
  it("a local snapshot that does not fit when it completes ends in error with a StateMessage and a failed event", async () => {
    // Prepare: 1000 GiB, 600 used by other data: vol-a (300) fits, then vol-b (400) does not.
    sb.outposts.setOtherStorageUse(WEST, OUTPOST, 600);
    // Act
    const a = await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-a", OutpostArn: OUTPOST_ARN }));
    const b = await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-b", Location: "local" } as never));
    const regional = await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-c" }));
    sb.clock.advance(10 * MIN);
    const described = await ec2.send(
      new DescribeSnapshotsCommand({
        SnapshotIds: [a.SnapshotId ?? "", b.SnapshotId ?? "", regional.SnapshotId ?? ""],
      }),
    );
    sb.clock.advance(MIN);
    // Assess
    const byId = new Map(described.Snapshots?.map((s) => [s.SnapshotId, s]));
    expect(byId.get(a.SnapshotId)).toMatchObject({ State: "completed", OutpostArn: OUTPOST_ARN });
    expect(byId.get(b.SnapshotId)).toMatchObject({
      State: "error",
      OutpostArn: OUTPOST_ARN,
      StateMessage: `Insufficient capacity on Outpost ${OUTPOST}: the local snapshot needs 400 GiB of S3 on Outposts storage and 100 GiB is free.`,
    });
    expect(byId.get(regional.SnapshotId)).toMatchObject({ State: "completed" });
    expect(byId.get(regional.SnapshotId)?.OutpostArn).toBeUndefined();
    expect(snapshotEvents()).toEqual([
      { type: "EBS Snapshot Notification", result: "succeeded", cause: "" },
      { type: "EBS Snapshot Notification", result: "failed", cause: byId.get(b.SnapshotId)?.StateMessage },
      { type: "EBS Snapshot Notification", result: "succeeded", cause: "" },
    ]);
    expect(sb.outposts.storage(WEST, OUTPOST)).toEqual({
      totalGiB: 1000,
      otherUseGiB: 600,
      localSnapshotGiB: 300,
      freeGiB: 100,
    });
    // The 10:10 tick counts vol-a's snapshot, completed at 10:10.
    expect((await series("OutpostFreeBytes")).at(-1)).toEqual(["10:10", 100]);
  });

  it("deleting a local snapshot frees its space; CreateSnapshots members are judged in turn", async () => {
    // Prepare: vol-a's snapshot takes 300 of 1000.
    const a = await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-a", OutpostArn: OUTPOST_ARN }));
    sb.clock.advance(10 * MIN);
    // Act: vol-b (400) fits in 700, vol-c (500) then does not; after deleting vol-a's, both fit.
    const first = await ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: "i-0000000000000000a" },
        OutpostArn: OUTPOST_ARN,
      }),
    );
    sb.clock.advance(10 * MIN);
    const firstStates = (
      await ec2.send(
        new DescribeSnapshotsCommand({ SnapshotIds: first.Snapshots?.map((s) => s.SnapshotId ?? "") }),
      )
    ).Snapshots?.map((s) => [s.VolumeId, s.State]);
    const multi = sb.state
      .events(WEST)
      .filter((e) => e["detail-type"] === "EBS Multi-Volume Snapshots Completion Status");
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: a.SnapshotId }));
    const freed = sb.outposts.storage(WEST, OUTPOST);
    sb.clock.advance(MIN);
    const second = await ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: "i-0000000000000000a", ExcludeBootVolume: true },
        OutpostArn: OUTPOST_ARN,
      }),
    );
    sb.clock.advance(10 * MIN);
    const secondState = (
      await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [second.Snapshots?.[0]?.SnapshotId ?? ""] }))
    ).Snapshots?.[0]?.State;
    // Assess
    expect(firstStates?.sort()).toEqual([
      ["vol-b", "completed"],
      ["vol-c", "error"],
    ]);
    expect(multi[0]?.detail).toMatchObject({ result: "failed" });
    expect(freed).toEqual({ totalGiB: 1000, otherUseGiB: 0, localSnapshotGiB: 400, freeGiB: 600 });
    expect(secondState).toBe("completed");
    expect(sb.outposts.storage(WEST, OUTPOST).localSnapshotGiB).toBe(900);
  });

  it("Outposts without snapshotStorageGiB are not checked (as before)", async () => {
    // Prepare
    const arn = `arn:aws:outposts:${WEST}:123456789012:outpost/${OTHER}`;
    sb.seed({
      volumes: [
        {
          region: WEST,
          id: "vol-x",
          sizeGiB: 5000,
          type: "gp2",
          availabilityZone: "us-west-2a",
          outpostArn: arn,
        },
      ],
    });
    // Act
    const s = await ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-x", OutpostArn: arn }));
    sb.clock.advance(10 * MIN);
    // Assess
    const d = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [s.SnapshotId ?? ""] }));
    expect(d.Snapshots?.[0]?.State).toBe("completed");
  });
});
