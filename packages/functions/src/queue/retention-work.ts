/** SQS → delete a batch of snapshots retention planned, paced; already-gone counts as deleted. */
import { EC2Client } from "@aws-sdk/client-ec2";
import { RDSClient } from "@aws-sdk/client-rds";
import { SNSClient } from "@aws-sdk/client-sns";
import { applyDeleteItem } from "@outpost-ops/core/jobs/retention";
import { parseDeleteWorkItem } from "@outpost-ops/core/snapshot/work-item-schema";
import { parseSqsEvent } from "../lib/events.ts";
import { lazyRuntime, type Runtime } from "../lib/runtime.ts";
import { createWorker } from "./work-batch.ts";

export const parseEvent = parseSqsEvent;

export function createHandler(
  runtime: () => Runtime = lazyRuntime({ ec2: EC2Client, rds: RDSClient, sns: SNSClient }),
) {
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
