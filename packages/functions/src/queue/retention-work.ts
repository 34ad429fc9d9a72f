import { deleteItemEvents } from "@outpost-ops/core/events/from-outcomes";
import { applyDeleteItem } from "@outpost-ops/core/jobs/retention";
import { parseDeleteWorkItem } from "@outpost-ops/core/snapshot/work-item-schema";
import { topicAlerts } from "../lib/alert-topic.ts";
import { eventBridgeEvents } from "../lib/event-stream.ts";
import { parseSqsEvent } from "../lib/events.ts";
import { lazyRuntime, type Runtime } from "../lib/runtime.ts";
import { createWorker } from "./work-batch.ts";

export const parseEvent = parseSqsEvent;

export function createHandler(
  runtime: () => Runtime = lazyRuntime({ alerts: topicAlerts, events: eventBridgeEvents }),
) {
  return createWorker(
    {
      job: "retention",
      parseItem: parseDeleteWorkItem,
      apply: ({ clients, pacer }, item) => applyDeleteItem(clients, item, pacer),
      events: deleteItemEvents,
    },
    runtime,
  );
}

export const handler = createHandler();
