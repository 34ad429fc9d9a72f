import { CreateSnapshotCommand, DescribeVolumesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
let sb: Sandbox;
let ec2: EC2Client;

beforeAll(async () => {
  sb = await startSandbox();
  ec2 = new EC2Client({
    region: "us-west-2",
    endpoint: sb.endpoint,
    credentials,
    maxAttempts: 1,
    // This smithy version only warns on requestTimeout unless throwOnRequestTimeout is set.
    requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
  });
  sb.seed({
    volumes: [
      {
        region: "us-west-2",
        id: "vol-0000000000000000a",
        sizeGiB: 8,
        type: "gp3",
        availabilityZone: "us-west-2a",
      },
    ],
  });
});

afterAll(async () => {
  ec2.destroy();
  await sb.close();
});

describe("Sandbox: fault injection", () => {
  it("holds a request without answering so the client's timeout fires", async () => {
    sb.faults.set({ operation: "DescribeVolumes", timeoutRate: 1 });
    await expect(ec2.send(new DescribeVolumesCommand({}))).rejects.toMatchObject({ name: "TimeoutError" });
    sb.faults.clear();
  });

  it("answers 500/503 server errors and the operation's quota error", async () => {
    sb.faults.set({ service: "ec2", serverErrorRate: 1 });
    const e1 = await ec2.send(new DescribeVolumesCommand({})).catch((e) => e);
    const e2 = await ec2.send(new DescribeVolumesCommand({})).catch((e) => e);
    expect([e1.$metadata.httpStatusCode, e2.$metadata.httpStatusCode].sort()).toEqual([500, 503]);
    sb.faults.clear();
    sb.faults.set({ operation: "CreateSnapshot", quotaErrorRate: 1 });
    await expect(
      ec2.send(new CreateSnapshotCommand({ VolumeId: "vol-0000000000000000a" })),
    ).rejects.toMatchObject({
      name: expect.stringMatching(/SnapshotCreationPerVolumeRateExceeded|ConcurrentSnapshotLimitExceeded/),
    });
    sb.faults.clear();
  });

  it("is deterministic for a given seed", async () => {
    const outcomes = async () => {
      sb.faults.clear();
      sb.faults.set({ operation: "DescribeVolumes", throttleRate: 0.5, seed: 42 });
      const r: boolean[] = [];
      for (let n = 0; n < 10; n++)
        r.push(
          await ec2.send(new DescribeVolumesCommand({})).then(
            () => true,
            () => false,
          ),
        );
      return r;
    };
    expect(await outcomes()).toEqual(await outcomes());
    sb.faults.clear();
  });

  it("adds latency within the range", async () => {
    sb.faults.set({ operation: "DescribeVolumes", latencyMs: [100, 150] });
    const t = Date.now();
    await ec2.send(new DescribeVolumesCommand({}));
    expect(Date.now() - t).toBeGreaterThanOrEqual(95);
    sb.faults.clear();
  });
});

describe("Sandbox: throttling buckets", () => {
  it("empties the unpaged Describe bucket after 50 calls and refills at timeScale x 10/s", async () => {
    // Prepare
    sb.throttling({ timeScale: 1 });
    // Act
    const results: boolean[] = [];
    for (let n = 0; n < 55; n++)
      results.push(
        await ec2.send(new DescribeVolumesCommand({})).then(
          () => true,
          (e) => (e.name === "RequestLimitExceeded" ? false : Promise.reject(e)),
        ),
      );
    // Assess
    expect(results.filter(Boolean).length).toBeGreaterThanOrEqual(50);
    expect(results.filter(Boolean).length).toBeLessThan(55);
    // The paged bucket is a different one and still full.
    await expect(ec2.send(new DescribeVolumesCommand({ MaxResults: 5 }))).resolves.toHaveProperty("Volumes");
    sb.throttling({ timeScale: 1000 });
    await new Promise((r) => setTimeout(r, 20));
    await expect(ec2.send(new DescribeVolumesCommand({}))).resolves.toHaveProperty("Volumes");
    sb.throttling(false);
  });
});
