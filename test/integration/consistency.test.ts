/**
 * EC2 lists a new snapshot only a while after creating it, and the worker's idempotency check is that
 * very listing. What keeps a duplicate of a work item from missing its snapshot is the FIFO queue
 * (duplicates share the item's message group, so the next one is delivered only once the one before
 * it is deleted) together with the worker's confirmation (snapshot-visibility.ts: it deletes a
 * message only once the lookup lists what it created, and hands it back when EC2 is slower than its
 * backoff). Every test here fails with the confirmation removed.
 */

import { PurgeQueueCommand } from "@aws-sdk/client-sqs";
import { enqueue } from "@outpost-ops/core/aws/queue";
import { planSnapshotRun } from "@outpost-ops/core/jobs/snapshot";
import { CONFIRM_WAIT_MS } from "@outpost-ops/core/jobs/snapshot-visibility";
import { type SnapshotWorkItem, workItemSource } from "@outpost-ops/core/snapshot/work-item";
import type { RunSummary } from "@outpost-ops/core/summary";
import { type DrainResult, drainQueue, type Handler } from "outpost-ops/src/drill/lambda.ts";
import { queue } from "outpost-ops/src/drill/wiring.ts";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  buildEstate,
  captureSummaries,
  DESCRIBE_DELAY_MS,
  type Harness,
  perSource,
  queueDepth,
  REGION,
  startHarness,
  testConfig,
} from "./helpers.ts";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

const windowOf = (t: Date) => `${t.toISOString().slice(0, 16)}Z`;
/** Past SQS's 5-minute de-duplication interval: the same item's key is accepted again. */
const LATER_MS = 6 * 60_000;

describe("Integration: EC2 lists new snapshots late; the worker's confirmation keeps duplicates out", () => {
  let h: Harness;
  const config = testConfig();
  const url = () => queue(h.infra, "snapshot-work").url;

  beforeAll(async () => {
    h = await startHarness({ config, start: new Date("2024-06-01T12:00:00Z") });
    h.sb.seed(buildEstate({ lineVolumes: 12, instances: 0 }).estate);
  });

  afterEach(async () => {
    h.sb.consistency({ describeDelayMs: DESCRIBE_DELAY_MS });
    // What a failed test left in flight must not reach the next one.
    await h.sqs.send(new PurgeQueueCommand({ QueueUrl: url() }));
  });

  afterAll(async () => {
    await h?.sb.close();
  });

  /** The `line` policy's items for the window at `at`, exactly as its planner enqueues them. */
  async function lineItems(at: Date): Promise<SnapshotWorkItem[]> {
    const plans = await planSnapshotRun({ clients: h.clients, config, region: REGION, now: at });
    return plans.flatMap((p) => p.items).filter((i) => i.policy === "line");
  }

  /**
   * Drains the snapshot queue as one event source mapping poller does (the next receive right after
   * the last batch's deletes); `before` runs as each invocation starts, its records in flight.
   */
  async function drainWith(before?: (invocation: number) => Promise<void>) {
    let invocation = 0;
    const handler: Handler = async (event, context) => {
      await before?.(invocation++);
      return h.handlers.snapshotWork(event, context);
    };
    const capture = captureSummaries();
    let drained: DrainResult;
    try {
      drained = await drainQueue({
        sqs: h.sqs,
        queueUrl: url(),
        region: REGION,
        handler,
        functionName: "snapshot-work",
      });
    } finally {
      capture.restore();
    }
    return { ...drained, outcomes: totals(capture.summaries) };
  }

  function totals(summaries: RunSummary[]) {
    return summaries.reduce(
      (t, s) => ({
        created: t.created + s.created,
        exists: t.exists + (s.skipped["already-exists"] ?? 0),
        retried: t.retried + s.retried,
        failed: t.failed + s.failed,
      }),
      { created: 0, exists: 0, retried: 0, failed: 0 },
    );
  }

  const createCalls = () => h.sb.requests.count("CreateSnapshot") + h.sb.requests.count("CreateSnapshots");

  it("a duplicate enqueued again more than 5 minutes later, while the first is being worked on, creates no second snapshot", async () => {
    // Prepare: one volume's item, enqueued, then waiting in the queue (a backlog) past SQS's
    // de-duplication interval.
    const at = new Date("2024-06-02T00:00:00Z");
    h.sb.clock.set(at);
    const [item] = await lineItems(at);
    if (!item) throw new Error("no line item planned");
    await enqueue(h.sqs, url(), [item]);
    h.sb.clock.advance(LATER_MS);
    const calls = createCalls();

    // Act: as the worker takes it, the planner's retried run enqueues it again. SQS accepts it (the
    // interval is over) into the item's message group, where it waits for the first to be deleted.
    const drained = await drainWith(async (invocation) => {
      if (invocation === 0) await enqueue(h.sqs, url(), [item]);
    });

    // Assess: the duplicate came right after the first was deleted, and its lookup listed the snapshot.
    expect(drained).toMatchObject({ invocations: 2, records: 2, failedRecords: 0 });
    expect(drained.outcomes).toEqual({ created: 1, exists: 1, retried: 0, failed: 0 });
    expect(createCalls() - calls).toBe(1);
    expect(perSource(h.sb, windowOf(at)).get(workItemSource(item))).toBe(1);
    expect(await queueDepth(h.sqs, url())).toBe(0);
    expect(h.sb.state.snsMessages(REGION)).toEqual([]);
  });

  it("two duplicates of one work item in consecutive batches (the second delivered right after the first is deleted) create exactly one snapshot", async () => {
    // Prepare: ten items, and the tenth enqueued again more than 5 minutes later while all ten still
    // wait: behind the first in its message group, and in the next batch (a batch holds ten).
    const at = new Date("2024-06-03T00:00:00Z");
    h.sb.clock.set(at);
    const items = (await lineItems(at)).slice(0, 10);
    const last = items[9];
    if (!last) throw new Error("fewer than ten line items planned");
    await enqueue(h.sqs, url(), items);
    h.sb.clock.advance(LATER_MS);
    await enqueue(h.sqs, url(), [last]);
    const calls = createCalls();

    // Act
    const drained = await drainWith();

    // Assess: the second batch is the duplicate alone, acknowledged as existing at its first delivery.
    expect(drained).toMatchObject({ invocations: 2, records: 11, failedRecords: 0 });
    expect(drained.outcomes).toEqual({ created: 10, exists: 1, retried: 0, failed: 0 });
    expect(createCalls() - calls).toBe(10);
    const counts = perSource(h.sb, windowOf(at));
    for (const item of items) expect(counts.get(workItemSource(item)), item.key).toBe(1);
    expect(h.sb.state.snsMessages(REGION)).toEqual([]);
  });

  it("a snapshot EC2 has not listed when the confirmation gives up is handed back, neither failed nor alerted, and its redelivery reports it as existing", async () => {
    // Prepare: EC2 lags a minute behind — longer than the confirmation's backoff (20 s), shorter than
    // the visibility timeout after which SQS delivers the message again.
    h.sb.consistency({ describeDelayMs: 60_000 });
    const at = new Date("2024-06-04T00:00:00Z");
    h.sb.clock.set(at);
    const [item] = await lineItems(at);
    if (!item) throw new Error("no line item planned");
    await enqueue(h.sqs, url(), [item]);
    const calls = createCalls();
    const started = h.sb.clock.now().getTime();

    // Act: the first delivery.
    const first = await drainWith();

    // Assess: created, waited the whole backoff, still unlisted: handed back (a batch item failure),
    // but not counted as failed, not alerted, and not on its way to the dead-letter queue.
    expect(h.sb.clock.now().getTime() - started).toBe(CONFIRM_WAIT_MS);
    expect(first).toMatchObject({ records: 1, failedRecords: 1 });
    expect(first.outcomes).toMatchObject({ retried: 0, failed: 0 });
    expect(createCalls() - calls).toBe(1);
    expect(await queueDepth(h.sqs, url())).toBe(1);
    expect(await queueDepth(h.sqs, queue(h.infra, "snapshot-work").dlqUrl)).toBe(0);
    expect(h.sb.state.snsMessages(REGION)).toEqual([]);

    // Act: after the visibility timeout SQS delivers it again; EC2 has caught up by then.
    h.sb.clock.advance(301_000);
    const again = await drainWith();

    // Assess: its lookup lists the snapshot; no second create.
    expect(again).toMatchObject({ records: 1, failedRecords: 0 });
    expect(again.outcomes).toEqual({ created: 0, exists: 1, retried: 0, failed: 0 });
    expect(createCalls() - calls).toBe(1);
    expect(perSource(h.sb, windowOf(at)).get(workItemSource(item))).toBe(1);
    expect(await queueDepth(h.sqs, url())).toBe(0);
    expect(h.sb.state.snsMessages(REGION)).toEqual([]);
  });
});
