/**
 * The planner Lambdas end to end at AWS's published scale, through the real SDK against the sandbox:
 * 10,000 volumes to plan and enqueue, 100,000 managed snapshots to plan retention over.
 * Targets: each planner invocation well inside its 14-minute timeout (here: < 60 s), and the
 * retention inventory of 100,000 snapshots under 512 MB of heap (the functions' memory size).
 */

import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createClients } from "@outpost-ops/core/aws/clients";
import { enqueue } from "@outpost-ops/core/aws/queue";
import { parseConfig } from "@outpost-ops/core/config";
import { planRetentionRun } from "@outpost-ops/core/jobs/retention";
import { planSnapshotRun } from "@outpost-ops/core/jobs/snapshot";
import { type Sandbox, startSandbox } from "@outpost-ops/sandbox";
import { afterAll, beforeAll, bench, describe } from "vitest";

const REGION = "us-west-2";
const NOW = new Date("2024-06-01T00:00:30Z");
const OUTPOST = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0a1b2c3d4e5f60718";
const config = parseConfig({
  regions: { primary: REGION, dr: "us-east-1" },
  outposts: [{ name: "factory", arn: OUTPOST }],
  alerts: { emails: [] },
  policies: [
    {
      name: "fleet",
      resource: "ebs-volume",
      selector: { tags: { Backup: "daily" } },
      schedules: [
        { name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 7, tiers: { weekly: 4 } } },
      ],
    },
  ],
});

let sb: Sandbox;
let queueUrl = "";
const clients = () =>
  createClients({ endpoint: sb.endpoint, credentials: { accessKeyId: "bench", secretAccessKey: "bench" } });

beforeAll(async () => {
  sb = await startSandbox({ startTime: new Date("2024-06-01T00:00:00Z") });
  const volumes = Array.from({ length: 10_000 }, (_, i) => ({
    region: REGION,
    id: `vol-${i.toString(16).padStart(17, "0")}`,
    sizeGiB: 10,
    type: "gp3" as const,
    availabilityZone: "us-west-2a",
    tags: { Backup: "daily" },
  }));
  const snapshots = Array.from({ length: 100_000 }, (_, i) => ({
    region: REGION,
    volumeId: volumes[i % 10_000]?.id ?? "",
    startTime: new Date(NOW.getTime() - (Math.floor(i / 10_000) + 1) * 86_400_000).toISOString(),
    state: "completed" as const,
    tags: {
      "outpost-ops:managed": "true",
      "outpost-ops:policy": "fleet",
      "outpost-ops:schedule": "daily",
      "outpost-ops:source": volumes[i % 10_000]?.id ?? "",
    },
  }));
  sb.seed({ volumes, snapshots });
  const out = await clients()
    .get(SQSClient, REGION)
    .send(new CreateQueueCommand({ QueueName: "bench.fifo", Attributes: { FifoQueue: "true" } }));
  queueUrl = out.QueueUrl ?? "";
}, 120_000);

afterAll(async () => {
  await sb.close();
});

describe("planner invocations at AWS scale (target: < 60 s each; heap < 512 MB)", () => {
  bench(
    "snapshot window: plan 10,000 volumes and enqueue 10,000 work items",
    async () => {
      const c = clients();
      const plans = await planSnapshotRun({ clients: c, config, region: REGION, now: NOW });
      const items = plans.flatMap((p) => p.items);
      if (items.length !== 10_000) throw new Error(`planned ${items.length}, expected 10,000`);
      await enqueue(c.get(SQSClient, REGION), queueUrl, items);
    },
    { iterations: 2, warmupIterations: 0, time: 0 },
  );
  bench(
    "retention sweep: plan 100,000 managed snapshots",
    async () => {
      const before = process.memoryUsage().heapUsed;
      const plan = await planRetentionRun({ clients: clients(), config, region: REGION, now: NOW });
      const heapMb = (process.memoryUsage().heapUsed - before) / 1_048_576;
      if (plan.decisions.length !== 100_000)
        throw new Error(`planned ${plan.decisions.length}, expected 100,000`);
      if (heapMb > 512)
        throw new Error(`retention inventory used ${heapMb.toFixed(0)} MB of heap, over the 512 MB target`);
    },
    { iterations: 2, warmupIterations: 0, time: 0 },
  );
});
