/**
 * Shared by the SQS workers: prepare the batch (e.g. one idempotency lookup for all its items),
 * apply each record's work item, settle the batch (e.g. confirm what it created is listed), then
 * report the records to deliver again as batch item failures (SQS redelivers them after the
 * visibility timeout; after 10 receives they reach the dead-letter queue, whose alarm alerts). New
 * records are not started once the Lambda timeout is near: they go back untouched.
 * A failure that is not a rate limit (AccessDenied, say) is also announced the first time it
 * happens, so people hear of it at once rather than when the retries run out hours later; a full
 * quota has its own alert, from the spec.
 */
import type { Alert } from "@outpost-ops/core/alerts";
import type { Deadline } from "@outpost-ops/core/deadline";
import type { OutpostOpsEvent } from "@outpost-ops/core/events/event";
import type { EventContext } from "@outpost-ops/core/events/from-outcomes";
import { firstFailuresAlert } from "@outpost-ops/core/jobs/failure-alerts";
import { addOutcomes, type ItemOutcome, needsRedelivery } from "@outpost-ops/core/jobs/outcome";
import { emptySummary } from "@outpost-ops/core/summary";
import type { Context, SQSBatchResponse } from "aws-lambda";
import { eventContext, publishEvents } from "../lib/event-stream.ts";
import { parseSqsEvent, type SqsEvent } from "../lib/events.ts";
import { lambda } from "../lib/handler.ts";
import { logger, reportSummary } from "../lib/observability.ts";
import type { Runtime } from "../lib/runtime.ts";

/**
 * What distinguishes one worker from another: its job, its work item, and how to apply a batch of
 * them. `B` is what `prepare` learns about the batch before any item is applied.
 */
export interface WorkerSpec<T, B = undefined> {
  job: "snapshot" | "retention";
  parseItem: (body: unknown) => T;
  /** Once per batch, before any item: what every item is then applied against. */
  prepare?: (runtime: Runtime, items: T[]) => Promise<B>;
  apply: (runtime: Runtime, item: T, batch: B) => Promise<ItemOutcome[]>;
  /** Once per batch, after its items: may revise their outcomes (same order and length). */
  settle?: (
    runtime: Runtime,
    batch: B,
    outcomes: ItemOutcome[],
    deadline: Deadline,
  ) => Promise<ItemOutcome[]>;
  /** Alerts the batch calls for besides its first-time failures (published with the stage). */
  alerts?: (runtime: Runtime, batch: B, at: Date) => Promise<Omit<Alert, "stage">[]>;
  /** The event stream's record of what one item came to (core/events/from-outcomes.ts). */
  events: (item: T, outcomes: ItemOutcome[], context: EventContext) => OutpostOpsEvent[];
}

/** An SQS worker handler: process the batch, announce first failures, report the run's summary. */
export function createWorker<T, B = undefined>(spec: WorkerSpec<T, B>, runtime: () => Runtime) {
  return lambda(parseSqsEvent, async (event, context): Promise<SQSBatchResponse> => {
    const rt = runtime();
    const { response, applied, firstFailures, batch } = await processBatch(event, context, {
      parseItem: spec.parseItem,
      ...(spec.prepare ? { prepare: (items: T[]) => spec.prepare?.(rt, items) as Promise<B> } : {}),
      apply: (item, b) => spec.apply(rt, item, b),
      ...(spec.settle
        ? {
            settle: (b: B, os: ItemOutcome[], d: Deadline) =>
              spec.settle?.(rt, b, os, d) as Promise<ItemOutcome[]>,
          }
        : {}),
    });
    const at = new Date(rt.clock.now());
    const failures = firstFailuresAlert(firstFailures, { job: spec.job, region: rt.env.region, at });
    if (failures) await rt.alerts.publish({ ...failures, stage: rt.env.stage });
    if (spec.alerts && batch.started)
      for (const alert of await spec.alerts(rt, batch.value, at))
        await rt.alerts.publish({ ...alert, stage: rt.env.stage });
    const ctx = eventContext(rt, context, at);
    await publishEvents(
      rt,
      applied.flatMap((a) => spec.events(a.item, a.outcomes, ctx)),
    );
    reportSummary(
      addOutcomes(
        emptySummary(spec.job, "apply", at),
        applied.flatMap((a) => a.outcomes),
      ),
    );
    return response;
  });
}

/** Leave this much time unused: one more item could take several retried calls. */
export const SAFETY_MS = 30_000;
/** Settling the batch may use the time left but this: enough to answer and publish alerts. */
export const SETTLE_MARGIN_MS = 10_000;

export interface BatchSteps<T, B> {
  parseItem: (body: unknown) => T;
  prepare?: (items: T[]) => Promise<B>;
  apply: (item: T, batch: B) => Promise<ItemOutcome[]>;
  settle?: (batch: B, outcomes: ItemOutcome[], deadline: Deadline) => Promise<ItemOutcome[]>;
}

export async function processBatch<T, B>(
  event: SqsEvent,
  context: Pick<Context, "getRemainingTimeInMillis">,
  steps: BatchSteps<T, B>,
): Promise<{
  response: SQSBatchResponse;
  /** Each started item with what it came to, in record order. */
  applied: { item: T; outcomes: ItemOutcome[] }[];
  firstFailures: ItemOutcome[];
  /** What `prepare` returned, when the batch got that far. */
  batch: { started: false } | { started: true; value: B };
}> {
  const handBack = new Set<string>();
  const parsed: { record: SqsEvent["Records"][number]; item: T }[] = [];
  for (const record of event.Records) {
    try {
      parsed.push({ record, item: steps.parseItem(JSON.parse(record.body)) });
    } catch (error) {
      // A malformed body can never succeed: let it reach the dead-letter queue (and its alarm) intact.
      logger.error("malformed work item", { messageId: record.messageId, error: String(error) });
      handBack.add(record.messageId);
    }
  }
  const timeLeft = () => context.getRemainingTimeInMillis() >= SAFETY_MS;
  const respond = () => ({
    batchItemFailures: event.Records.filter((r) => handBack.has(r.messageId)).map((r) => ({
      itemIdentifier: r.messageId,
    })),
  });
  if (!timeLeft()) {
    for (const { record } of parsed) handBack.add(record.messageId);
    return { response: respond(), applied: [], firstFailures: [], batch: { started: false } };
  }

  const batch = (steps.prepare ? await steps.prepare(parsed.map((p) => p.item)) : undefined) as B;
  const started: { record: SqsEvent["Records"][number]; item: T; outcomes: ItemOutcome[] }[] = [];
  for (const { record, item } of parsed) {
    if (!timeLeft()) {
      handBack.add(record.messageId);
      continue;
    }
    started.push({ record, item, outcomes: await steps.apply(item, batch) });
  }
  if (steps.settle) {
    const deadline = { remainingMs: () => context.getRemainingTimeInMillis() - SETTLE_MARGIN_MS };
    const settled = await steps.settle(
      batch,
      started.flatMap((s) => s.outcomes),
      deadline,
    );
    let i = 0;
    for (const s of started) {
      s.outcomes = settled.slice(i, i + s.outcomes.length);
      i += s.outcomes.length;
    }
  }

  const firstFailures: ItemOutcome[] = [];
  for (const { record, outcomes } of started) {
    if (outcomes.some(needsRedelivery)) handBack.add(record.messageId);
    if ((record.attributes?.ApproximateReceiveCount ?? "1") === "1")
      firstFailures.push(...outcomes.filter((o) => o.status === "failed" && o.code !== "quota-exceeded"));
  }
  return {
    response: respond(),
    applied: started.map(({ item, outcomes }) => ({ item, outcomes })),
    firstFailures,
    batch: { started: true, value: batch },
  };
}
