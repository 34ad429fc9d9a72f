/**
 * Which SDK retry mode the product uses, decided by measurement (README, "Retries"; BENCHMARKS.md):
 * the snapshot worker's throughput (batches of 10 as SQS delivers them), paced as deployed (2 calls/s
 * per worker), while 30% of EC2 calls are throttled at random. `standard` backs off per call;
 * `adaptive` adds a client-side rate limiter on top of our own pacing. The items/s each run prints,
 * for the same 40 work items, is the figure recorded in BENCHMARKS.md.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { createClients, type RetryMode } from "@outpost-ops/core/aws/clients";
import { applySnapshotItems } from "@outpost-ops/core/jobs/snapshot";
import { createPacer } from "@outpost-ops/core/pacing";
import type { SnapshotWorkItem } from "@outpost-ops/core/snapshot/work-item";
import { windowId } from "@outpost-ops/core/time";
import { systemClock, WORKER_RATE } from "@outpost-ops/functions/src/lib/runtime.ts";
import { type Sandbox, startSandbox } from "@outpost-ops/sandbox";
import { afterAll, beforeAll, bench, describe } from "vitest";

const REGION = "us-west-2";
const ITEMS = 40;
let sb: Sandbox;
let round = 0;

beforeAll(async () => {
  sb = await startSandbox({ startTime: new Date("2024-05-14T00:00:00Z") });
  sb.seed({
    volumes: Array.from({ length: ITEMS }, (_, i) => ({
      region: REGION,
      id: `vol-${String(i).padStart(17, "0")}`,
      sizeGiB: 10,
      type: "gp3" as const,
      availabilityZone: `${REGION}a`,
    })),
  });
});

afterAll(async () => {
  await sb.close();
});

function items(): SnapshotWorkItem[] {
  // A fresh window per run, so every run creates (none finds the previous run's snapshots).
  const window = windowId(new Date(Date.UTC(2024, 4, 14, round++)));
  return Array.from({ length: ITEMS }, (_, i) => {
    const volumeId = `vol-${String(i).padStart(17, "0")}`;
    return {
      kind: "ebs-volume",
      region: REGION,
      policy: "bench",
      schedule: "hourly",
      window,
      key: `bench/${volumeId}/${window}`,
      tags: [
        { Key: "outpost-ops:managed", Value: "true" },
        { Key: "outpost-ops:policy", Value: "bench" },
        { Key: "outpost-ops:source", Value: volumeId },
        { Key: "outpost-ops:window", Value: window },
      ],
      volumeId,
      description: "bench",
    };
  });
}

async function run(retryMode: RetryMode): Promise<void> {
  sb.faults.clear();
  sb.faults.set({ service: "ec2", throttleRate: 0.3, seed: 42 });
  // An hour on for each run: EBS allows one snapshot per volume per 15 s, on the sandbox's clock.
  sb.clock.advance(3_600_000);
  const clients = createClients({
    endpoint: sb.endpoint,
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    retryMode,
  });
  const pacer = createPacer(WORKER_RATE, systemClock);
  let created = 0;
  const started = Date.now();
  // As the worker applies them: SQS batches of 10, one lookup each, creates paced, then confirmed listed.
  const all = items();
  for (let i = 0; i < all.length; i += 10) {
    const outcomes = await applySnapshotItems(clients, all.slice(i, i + 10), pacer, { clock: systemClock });
    created += outcomes.filter((o) => o.status === "created").length;
  }
  const seconds = (Date.now() - started) / 1000;
  clients.get(EC2Client, REGION).destroy();
  console.info(
    `${retryMode}: ${created}/${ITEMS} created in ${seconds.toFixed(1)} s = ${(ITEMS / seconds).toFixed(2)} items/s`,
  );
  if (created < ITEMS * 0.9) throw new Error(`${retryMode}: only ${created}/${ITEMS} created`);
}

describe(`retry mode: ${ITEMS} snapshot work items paced at ${WORKER_RATE.ratePerSecond}/s, 30% of EC2 calls throttled`, () => {
  bench("standard (the product's mode)", () => run("standard"), {
    iterations: 1,
    warmupIterations: 0,
    time: 0,
  });
  bench("adaptive", () => run("adaptive"), { iterations: 1, warmupIterations: 0, time: 0 });
});
