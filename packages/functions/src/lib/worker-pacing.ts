/**
 * The pacing of the workers that create or delete snapshots, derived from what bounds it: EC2's
 * bucket (AWS-LIMITS.md) and how many of their containers run at once. Data only (no SDK): jobs.ts
 * declares the worker queues' maxConcurrency with it, and the runtime paces each container with it.
 */
import { EC2_SNAPSHOT_BUCKET, shareOf } from "@outpost-ops/core/pacing";

/**
 * How many containers of a worker that creates or deletes snapshots run at once: the snapshot-work
 * and retention-work queues' maxConcurrency (jobs.ts declares both with it). 2 is also the least an
 * SQS event source mapping's MaximumConcurrency accepts.
 */
export const WORKER_CONCURRENCY = 2;

/**
 * One worker container's pacing of its CreateSnapshot(s) / DeleteSnapshot calls: its share of EC2's
 * bucket (100 burst, 5/s) among the WORKER_CONCURRENCY containers, 2.5/s and a burst of 40 each
 * (four fifths of the burst: core/pacing.ts BURST_MARGIN).
 * Together they keep the bucket as busy as AWS allows and never past it; at 2/s each, two reached
 * 4/5 of it (BENCHMARKS.md, P1). A Lambda container that is replaced starts with a full share, so a
 * churn of containers can briefly exceed the bucket: those calls are throttled and retried by the
 * SDK (8 attempts), not failed. RDS's create bucket is larger, so the same pacing stays below it.
 */
export const WORKER_RATE = shareOf(EC2_SNAPSHOT_BUCKET, WORKER_CONCURRENCY);
