import { snapshotItemEvents } from "@outpost-ops/core/events/from-outcomes";
import { quotaReachedAlert, readQuotaUsage } from "@outpost-ops/core/jobs/snapshot-alerts";
import { applySnapshotItem } from "@outpost-ops/core/jobs/snapshot-apply";
import { prepareSnapshotBatch, type SnapshotBatch } from "@outpost-ops/core/jobs/snapshot-batch";
import { confirmSnapshotBatch } from "@outpost-ops/core/jobs/snapshot-visibility";
import { createPacer, type Pacer, unpaced } from "@outpost-ops/core/pacing";
import type { SnapshotWorkItem } from "@outpost-ops/core/snapshot/work-item";
import { parseSnapshotWorkItem } from "@outpost-ops/core/snapshot/work-item-schema";
import { topicAlerts } from "../lib/alert-topic.ts";
import { eventBridgeEvents } from "../lib/event-stream.ts";
import { parseSqsEvent } from "../lib/events.ts";
import { lazyRuntime, type Runtime } from "../lib/runtime.ts";
import { createWorker } from "./work-batch.ts";

export const parseEvent = parseSqsEvent;

/**
 * The idempotency lookups use EC2's filtered Describe* bucket (20/s refill, shared with the
 * planners), not the create bucket the runtime's pacer guards: two workers at 5/s leave half of it.
 * A runtime that does not pace (sandbox, drill, tests) does not pace these either.
 */
const LOOKUP_RATE = { ratePerSecond: 5, burst: 10 };

/**
 * A full quota fails every batch behind it, up to a thousand at 10,000 volumes: a container alerts
 * once per quota in this long (at most two containers run). Every failed item still has its event
 * on the stream, so nothing goes unrecorded; this memory dies with the container, so it cannot stick.
 */
export const QUOTA_ALERT_QUIET_MS = 60 * 60_000;

export function createHandler(
  runtime: () => Runtime = lazyRuntime({ alerts: topicAlerts, events: eventBridgeEvents }),
) {
  let lookups: Pacer | undefined;
  const quotaAlerted = new Map<string, number>();
  const lookupPacer = (rt: Runtime): Pacer => {
    if (rt.pacer === unpaced) return unpaced;
    lookups ??= createPacer(LOOKUP_RATE, rt.clock);
    return lookups;
  };
  return createWorker<SnapshotWorkItem, SnapshotBatch>(
    {
      job: "snapshot",
      parseItem: parseSnapshotWorkItem,
      prepare: (rt, items) => prepareSnapshotBatch(rt.clients, items, { lookupPacer: lookupPacer(rt) }),
      apply: async ({ clients, pacer }, item, batch) => [
        await applySnapshotItem(clients, item, pacer, batch),
      ],
      settle: (rt, batch, outcomes, deadline) =>
        confirmSnapshotBatch(rt.clients, batch, outcomes, {
          clock: rt.clock,
          deadline,
          lookupPacer: lookupPacer(rt),
        }),
      events: snapshotItemEvents,
      alerts: async (rt, batch, at) => {
        const now = at.getTime();
        const hits = [...batch.quotaReached.entries()]
          .filter(
            ([key]) => now - (quotaAlerted.get(key) ?? Number.NEGATIVE_INFINITY) >= QUOTA_ALERT_QUIET_MS,
          )
          .map(([key, hit]) => {
            quotaAlerted.set(key, now);
            return hit;
          });
        if (hits.length === 0) return [];
        const alert = quotaReachedAlert(hits, await readQuotaUsage(rt.clients, hits), rt.env.region, at);
        return alert ? [alert] : [];
      },
    },
    runtime,
  );
}

export const handler = createHandler();
