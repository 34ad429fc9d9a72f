/**
 * Just enough of Lambda's side of EventBridge and SQS to run the real handlers offline: events
 * shaped exactly as AWS sends them, and an event source mapping that polls a queue, invokes the
 * worker with a batch, deletes what succeeded and leaves batch item failures for redelivery.
 */
import { randomUUID } from "node:crypto";
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse } from "aws-lambda";

// biome-ignore lint/suspicious/noExplicitAny: handlers are middy functions of their own event types
export type Handler = (event: any, context: Context) => Promise<any>;

/**
 * A Lambda context whose remaining time runs down on `now` (the wall clock unless given: the
 * benchmarks' scaled clock runs it down faster, as their AWS runs faster).
 */
export function lambdaContext(
  functionName: string,
  remainingMs = 300_000,
  now: () => number = Date.now,
): Context {
  const deadline = now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-west-2:123456789012:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "drill",
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** An EventBridge "Scheduled Event" for a rule firing at `t` (EventBridge adds a few seconds). */
export function scheduledEvent(t: Date, region: string, ruleName: string, account = "123456789012") {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account,
    time: new Date(t.getTime() + 7_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region,
    resources: [`arn:aws:events:${region}:${account}:rule/${ruleName}`],
    detail: {},
  };
}

export interface DrainResult {
  invocations: number;
  records: number;
  failedRecords: number;
}

/**
 * Polls until the queue has nothing visible. Failed records stay in flight until their visibility
 * timeout passes on the sandbox clock, as in SQS.
 */
export async function drainQueue(input: {
  sqs: SQSClient;
  queueUrl: string;
  region: string;
  handler: Handler;
  functionName: string;
  maxBatches?: number;
  /**
   * Whether the queue has a visible message now (the sandbox's own count): when given, the poller
   * does not send a receive that would come back empty. Lambda's pollers long-poll all the time; the
   * drill only skips the empty answers, which change nothing.
   */
  hasVisible?: () => boolean;
}): Promise<DrainResult> {
  const result: DrainResult = { invocations: 0, records: 0, failedRecords: 0 };
  const queueArn = `arn:aws:sqs:${input.region}:123456789012:${input.queueUrl.split("/").pop()}`;
  for (let batch = 0; batch < (input.maxBatches ?? 10_000); batch++) {
    if (input.hasVisible && !input.hasVisible()) break;
    const received = await input.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: input.queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 300,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ["All"],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) break;
    const event = sqsEvent(messages, queueArn, input.region);
    const response = (await input.handler(event, lambdaContext(input.functionName))) as SQSBatchResponse;
    result.invocations += 1;
    result.records += messages.length;
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    result.failedRecords += failed.size;
    const done = messages.filter((m) => !failed.has(m.MessageId ?? ""));
    if (done.length > 0) {
      await input.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: input.queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
        }),
      );
    }
  }
  return result;
}

/** The event Lambda's SQS event source mapping invokes its function with, for received messages. */
export function sqsEvent(messages: Message[], queueArn: string, region: string) {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId ?? randomUUID(),
      receiptHandle: m.ReceiptHandle ?? "",
      body: m.Body ?? "",
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? "1",
        SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: "AIDAEXAMPLE",
        ApproximateFirstReceiveTimestamp:
          m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? "",
      eventSource: "aws:sqs",
      eventSourceARN: queueArn,
      awsRegion: region,
    })),
  };
}

export async function visibleMessages(sqs: SQSClient, queueUrl: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
}
