/** SQS → create the snapshots of each work item, paced; rate and quota errors are retried later. */
import { EC2Client } from "@aws-sdk/client-ec2";
import { RDSClient } from "@aws-sdk/client-rds";
import { SNSClient } from "@aws-sdk/client-sns";
import { applySnapshotItem } from "@outpost-ops/core/jobs/snapshot";
import { parseSnapshotWorkItem } from "@outpost-ops/core/snapshot/work-item-schema";
import { parseSqsEvent } from "../lib/events.ts";
import { lazyRuntime, type Runtime } from "../lib/runtime.ts";
import { createWorker } from "./work-batch.ts";

export const parseEvent = parseSqsEvent;

export function createHandler(
  runtime: () => Runtime = lazyRuntime({ ec2: EC2Client, rds: RDSClient, sns: SNSClient }),
) {
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
