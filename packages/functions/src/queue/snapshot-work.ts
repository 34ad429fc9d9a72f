import { applySnapshotItem } from "@outpost-ops/core/jobs/snapshot";
import { parseSnapshotWorkItem } from "@outpost-ops/core/snapshot/work-item-schema";
import { parseSqsEvent } from "../lib/events.ts";
import { lazyRuntime, type Runtime } from "../lib/runtime.ts";
import { createWorker } from "./work-batch.ts";

export const parseEvent = parseSqsEvent;

export function createHandler(runtime: () => Runtime = lazyRuntime()) {
  return createWorker(
    {
      job: "snapshot",
      parseItem: parseSnapshotWorkItem,
      apply: async ({ clients, pacer }, item) => [await applySnapshotItem(clients, item, pacer)],
    },
    runtime,
  );
}

export const handler = createHandler();
