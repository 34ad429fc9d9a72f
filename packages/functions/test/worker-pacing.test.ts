import { EC2_SNAPSHOT_BUCKET } from "@outpost-ops/core/pacing";
import { describe, expect, it } from "vitest";
import { Jobs } from "../src/jobs.ts";
import { WORKER_CONCURRENCY, WORKER_RATE } from "../src/lib/runtime.ts";

/** The queues whose consumers create or delete snapshots, paced by the runtime's pacer. */
const WORKER_QUEUES = [...Jobs.snapshot.queues, ...Jobs.retention.queues];

describe("Constant: WORKER_RATE", () => {
  it.each(WORKER_QUEUES.map((q) => [q.name, q] as const))(
    "lets %s's containers together use EC2's snapshot bucket fully and never past it",
    (_name, queue) => {
      // Assess: the sum of the containers' rates is the bucket's refill (2 at 2/s reached 4/5 of it)
      expect(queue.maxConcurrency).toBe(WORKER_CONCURRENCY);
      expect(WORKER_RATE.ratePerSecond * queue.maxConcurrency).toBeCloseTo(
        EC2_SNAPSHOT_BUCKET.refillPerSecond,
      );
      expect(WORKER_RATE.burst * queue.maxConcurrency).toBeLessThanOrEqual(EC2_SNAPSHOT_BUCKET.burst);
    },
  );

  it("covers a whole snapshot batch with its burst, so a container's lookups between batches cost no creates", () => {
    // Assess: a snapshot work item is one create (a retention one holds up to 50 deletes: no such bound)
    for (const queue of Jobs.snapshot.queues)
      expect(WORKER_RATE.burst).toBeGreaterThanOrEqual(queue.batchSize);
  });
});
