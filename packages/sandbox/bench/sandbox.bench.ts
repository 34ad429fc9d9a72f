import { Agent, request } from "node:http";
import { DescribeSnapshotsCommand, DescribeVolumesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, bench, describe } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";

/**
 * Throughput of the sandbox itself (spec: >= 2,000 simple requests/s on one core). Each "raw" task
 * sends BATCH requests over keep-alive sockets, so requests/s = hz x BATCH.
 */
const BATCH = 50;
let sb: Sandbox;
let ec2: EC2Client;
let queueUrl: string;
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const auth = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=test/20240101/us-west-2/${service}/aws4_request, SignedHeaders=host, Signature=0`;

function post(path: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, sb.endpoint);
    const req = request(
      url,
      { method: "POST", agent, headers: { ...headers, "content-length": Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

beforeAll(async () => {
  sb = await startSandbox();
  sb.seed({
    volumes: Array.from({ length: 20 }, (_, n) => ({
      region: "us-west-2",
      sizeGiB: 8 + n,
      type: "gp3" as const,
      availabilityZone: "us-west-2a",
      tags: { backup: n % 2 ? "daily" : "weekly" },
    })),
    snapshots: Array.from({ length: 100_000 }, (_, n) => ({
      region: "us-west-2",
      volumeId: "vol-0000000000000big",
      startTime: "2023-01-01T00:00:00Z",
      tags: { tier: n % 100 === 0 ? "rare" : "common" },
    })),
  });
  ec2 = new EC2Client({
    region: "us-west-2",
    endpoint: sb.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const created = await post(
    "/",
    {
      "x-amz-target": "AmazonSQS.CreateQueue",
      "content-type": "application/x-amz-json-1.0",
      authorization: auth("sqs"),
    },
    JSON.stringify({ QueueName: "bench" }),
  );
  if (created !== 200) throw new Error(`CreateQueue answered ${created}`);
  queueUrl = `${sb.endpoint}/123456789012/bench`;
});

afterAll(async () => {
  ec2.destroy();
  agent.destroy();
  await sb.close();
});

describe("sandbox throughput", () => {
  bench(`DescribeVolumes (raw HTTP, ${BATCH} concurrent)`, async () => {
    const body =
      "Action=DescribeVolumes&Version=2016-11-15&Filter.1.Name=tag%3Abackup&Filter.1.Value.1=daily";
    await Promise.all(
      Array.from({ length: BATCH }, () =>
        post("/", { "content-type": "application/x-www-form-urlencoded", authorization: auth("ec2") }, body),
      ),
    );
  });

  bench(`SQS SendMessage (raw HTTP, ${BATCH} concurrent)`, async () => {
    const body = JSON.stringify({ QueueUrl: queueUrl, MessageBody: "bench" });
    await Promise.all(
      Array.from({ length: BATCH }, () =>
        post(
          "/",
          {
            "x-amz-target": "AmazonSQS.SendMessage",
            "content-type": "application/x-amz-json-1.0",
            authorization: auth("sqs"),
          },
          body,
        ),
      ),
    );
  });

  bench(`EventBridge PutEvents, 1 entry (raw HTTP, ${BATCH} concurrent)`, async () => {
    const body = JSON.stringify({
      Entries: [{ Source: "bench", DetailType: "Bench", Detail: '{"n":1}' }],
    });
    await Promise.all(
      Array.from({ length: BATCH }, () =>
        post(
          "/",
          {
            "x-amz-target": "AWSEvents.PutEvents",
            "content-type": "application/x-amz-json-1.1",
            authorization: auth("events"),
          },
          body,
        ),
      ),
    );
  });

  bench("DescribeVolumes through the SDK (one request)", async () => {
    await ec2.send(new DescribeVolumesCommand({ MaxResults: 5 }));
  });

  bench("DescribeSnapshots page of 1,000 over 100,000 snapshots, tag filter (SDK)", async () => {
    await ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ["self"],
        MaxResults: 1000,
        Filters: [{ Name: "tag:tier", Values: ["common"] }],
      }),
    );
  });
});
