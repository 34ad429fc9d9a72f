import { applyDeleteItem } from "@outpost-ops/core/jobs/retention";
import { parseDeleteWorkItem } from "@outpost-ops/core/snapshot/work-item-schema";
import { parseSqsEvent } from "../lib/events.ts";
import { lazyRuntime, type Runtime } from "../lib/runtime.ts";
import { createWorker } from "./work-batch.ts";

export const parseEvent = parseSqsEvent;

export function createHandler(runtime: () => Runtime = lazyRuntime()) {
  return createWorker(
    {
      job: "retention",
      parseItem: parseDeleteWorkItem,
      apply: ({ clients, pacer }, item) => applyDeleteItem(clients, item, pacer),
    },
    runtime,
  );
}

export const handler = createHandler();
