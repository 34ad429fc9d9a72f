/** SQS → delete a batch of snapshots retention planned, paced; already-gone counts as deleted. */
import { EC2Client } from "@aws-sdk/client-ec2";
import { RDSClient } from "@aws-sdk/client-rds";
import { SNSClient } from "@aws-sdk/client-sns";
import { addOutcomes } from "@outpost-ops/core/jobs/outcome";
import { applyDeleteItem } from "@outpost-ops/core/jobs/retention";
import { parseDeleteWorkItem } from "@outpost-ops/core/snapshot/work-item-schema";
import { emptySummary } from "@outpost-ops/core/summary";
import { parseSqsEvent } from "../lib/events.ts";
import { lambda } from "../lib/handler.ts";
import { reportSummary } from "../lib/observability.ts";
import { lazyRuntime, type Runtime } from "../lib/runtime.ts";
import { announceFailures, processBatch } from "./work-batch.ts";

export const parseEvent = parseSqsEvent;

export function createHandler(
  runtime: () => Runtime = lazyRuntime({ ec2: EC2Client, rds: RDSClient, sns: SNSClient }),
) {
  return lambda(parseEvent, async (event, context) => {
    const { clients, pacer, alerts, env, clock } = runtime();
    const { response, outcomes, firstFailures } = await processBatch(
      event,
      context,
      parseDeleteWorkItem,
      (item) => applyDeleteItem(clients, item, pacer),
    );
    const at = new Date(clock.now());
    await announceFailures(alerts, firstFailures, {
      job: "retention",
      region: env.region,
      stage: env.stage,
      at,
    });
    reportSummary(addOutcomes(emptySummary("retention", "apply", at), outcomes));
    return response;
  });
}

export const handler = createHandler();
