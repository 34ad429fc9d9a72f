import {
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  GetOutpostInstanceTypesCommand,
  OutpostsClient,
  paginateGetOutpostInstanceTypes,
} from "@aws-sdk/client-outposts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";

/** Outposts instance types (paging, changed at runtime) and the EC2 filters the capacity job reads by. */

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const WEST = "us-west-2";
const OUTPOST = "op-0123456789abcdef0";
const OUTPOST_ARN = `arn:aws:outposts:${WEST}:123456789012:outpost/${OUTPOST}`;

let sb: Sandbox;
let outposts: OutpostsClient;
let ec2: EC2Client;

beforeEach(async () => {
  sb = await startSandbox({ startTime: new Date("2024-05-14T10:00:00Z") });
  outposts = new OutpostsClient({ region: WEST, endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  ec2 = new EC2Client({ region: WEST, endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  sb.seed({
    outposts: [
      {
        region: WEST,
        id: OUTPOST,
        name: "factory",
        availabilityZone: "us-west-2a",
        instanceTypes: ["m5.large", "m5.xlarge", "c5.2xlarge", "r5.4xlarge", "c5.large"],
      },
    ],
  });
});

afterEach(async () => {
  outposts.destroy();
  ec2.destroy();
  await sb.close();
});

describe("Sandbox: Outposts GetOutpostInstanceTypes", () => {
  it("pages with MaxResults and NextToken (AWS's `N##...` token form), by id or ARN", async () => {
    // Act
    const first = await outposts.send(
      new GetOutpostInstanceTypesCommand({ OutpostId: OUTPOST, MaxResults: 2 }),
    );
    const pages: string[][] = [];
    for await (const page of paginateGetOutpostInstanceTypes(
      { client: outposts, pageSize: 2 },
      { OutpostId: OUTPOST_ARN },
    )) {
      pages.push((page.InstanceTypes ?? []).map((t) => t.InstanceType ?? ""));
    }
    const tooBig = outposts.send(
      new GetOutpostInstanceTypesCommand({ OutpostId: OUTPOST, MaxResults: 1001 }),
    );
    // Assess
    expect(first).toMatchObject({
      InstanceTypes: [
        { InstanceType: "m5.large", VCPUs: 2 },
        { InstanceType: "m5.xlarge", VCPUs: 4 },
      ],
      OutpostId: OUTPOST,
      OutpostArn: OUTPOST_ARN,
    });
    expect(first.NextToken).toMatch(/^\d+##\S+$/);
    expect(pages).toEqual([["m5.large", "m5.xlarge"], ["c5.2xlarge", "r5.4xlarge"], ["c5.large"]]);
    await expect(tooBig).rejects.toMatchObject({
      name: "ValidationException",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("answers the types set at runtime with sb.outposts.setInstanceTypes", async () => {
    // Act
    sb.outposts.setInstanceTypes(WEST, OUTPOST, ["m5.large", "m5.24xlarge"]);
    const out = await outposts.send(new GetOutpostInstanceTypesCommand({ OutpostId: OUTPOST }));
    // Assess
    expect(out.InstanceTypes).toEqual([
      { InstanceType: "m5.large", VCPUs: 2 },
      { InstanceType: "m5.24xlarge", VCPUs: 96 },
    ]);
    expect(out.NextToken).toBeUndefined();
    expect(() => sb.outposts.setInstanceTypes(WEST, "op-fffffffffffffffff", [])).toThrow(/no Outpost/);
  });
});

describe("Sandbox: EC2 filters by Outpost, type and state", () => {
  it("DescribeInstances filters outpost-arn, instance-type, instance-state-name and shows InstanceType and LaunchTime", async () => {
    // Prepare
    sb.seed({
      volumes: [
        {
          region: WEST,
          id: "vol-op1",
          sizeGiB: 100,
          type: "gp2",
          availabilityZone: "us-west-2a",
          outpostArn: OUTPOST_ARN,
        },
        {
          region: WEST,
          id: "vol-op2",
          sizeGiB: 200,
          type: "gp2",
          availabilityZone: "us-west-2a",
          outpostArn: OUTPOST_ARN,
        },
        {
          region: WEST,
          id: "vol-op3",
          sizeGiB: 300,
          type: "gp3",
          availabilityZone: "us-west-2a",
          outpostArn: OUTPOST_ARN,
        },
        { region: WEST, id: "vol-reg", sizeGiB: 50, type: "gp2", availabilityZone: "us-west-2b" },
      ],
      instances: [
        {
          region: WEST,
          id: "i-0000000000000000a",
          availabilityZone: "us-west-2a",
          outpostArn: OUTPOST_ARN,
          volumeIds: ["vol-op1"],
          instanceType: "m5.xlarge",
          launchTime: "2024-05-01T08:00:00Z",
        },
        {
          region: WEST,
          id: "i-0000000000000000b",
          availabilityZone: "us-west-2a",
          outpostArn: OUTPOST_ARN,
          volumeIds: ["vol-op2"],
          state: "stopped",
        },
        { region: WEST, id: "i-0000000000000000c", availabilityZone: "us-west-2b", volumeIds: ["vol-reg"] },
      ],
    });
    const ids = async (filters: { Name: string; Values: string[] }[]) =>
      ((await ec2.send(new DescribeInstancesCommand({ Filters: filters }))).Reservations ?? [])
        .flatMap((r) => r.Instances ?? [])
        .map((i) => i.InstanceId);
    // Act
    const onOutpost = await ids([{ Name: "outpost-arn", Values: [OUTPOST_ARN] }]);
    const runningOnOutpost = await ids([
      { Name: "outpost-arn", Values: [OUTPOST_ARN] },
      { Name: "instance-state-name", Values: ["running"] },
    ]);
    const m5large = await ids([{ Name: "instance-type", Values: ["m5.large"] }]);
    const one = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: ["i-0000000000000000a"] })))
      .Reservations?.[0]?.Instances?.[0];
    const gp2 = await ec2.send(
      new DescribeVolumesCommand({ Filters: [{ Name: "volume-type", Values: ["gp2"] }] }),
    );
    // Not a DescribeVolumes filter in the EC2 API Reference: refused, as EC2 refuses unknown filters.
    await expect(
      ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: "outpost-arn", Values: [OUTPOST_ARN] }] })),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
    // Assess
    expect(onOutpost).toEqual(["i-0000000000000000a", "i-0000000000000000b"]);
    expect(runningOnOutpost).toEqual(["i-0000000000000000a"]);
    expect(m5large).toEqual(["i-0000000000000000b", "i-0000000000000000c"]);
    expect(one).toMatchObject({
      InstanceType: "m5.xlarge",
      LaunchTime: new Date("2024-05-01T08:00:00Z"),
      OutpostArn: OUTPOST_ARN,
      CpuOptions: { CoreCount: 2, ThreadsPerCore: 2 },
    });
    expect(
      gp2.Volumes?.filter((v) => v.OutpostArn === OUTPOST_ARN).map((v) => [v.VolumeId, v.VolumeType]),
    ).toEqual([
      ["vol-op1", "gp2"],
      ["vol-op2", "gp2"],
    ]);
  });

  it("DescribeSnapshots returns each snapshot's OutpostArn, and refuses an outpost-arn filter (not documented)", async () => {
    // Prepare
    sb.seed({
      volumes: [
        {
          region: WEST,
          id: "vol-op1",
          sizeGiB: 100,
          type: "gp2",
          availabilityZone: "us-west-2a",
          outpostArn: OUTPOST_ARN,
        },
      ],
      snapshots: [
        {
          region: WEST,
          id: "snap-local",
          volumeId: "vol-op1",
          startTime: "2024-05-13T00:00:00Z",
          outpostArn: OUTPOST_ARN,
        },
        { region: WEST, id: "snap-regional", volumeId: "vol-op1", startTime: "2024-05-13T00:00:00Z" },
      ],
    });
    // Act
    const out = await ec2.send(
      new DescribeSnapshotsCommand({ OwnerIds: ["self"], SnapshotIds: ["snap-local", "snap-regional"] }),
    );
    // Assess
    expect(out.Snapshots?.map((s) => [s.SnapshotId, s.OutpostArn, s.VolumeSize])).toEqual([
      ["snap-local", OUTPOST_ARN, 100],
      ["snap-regional", undefined, 100],
    ]);
    await expect(
      ec2.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ["self"],
          Filters: [{ Name: "outpost-arn", Values: [OUTPOST_ARN] }],
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
  });
});
