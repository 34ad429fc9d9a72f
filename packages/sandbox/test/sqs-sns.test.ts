import {
  CreateTopicCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
let sb: Sandbox;
let sqs: SQSClient;
let sns: SNSClient;

beforeAll(async () => {
  sb = await startSandbox();
  sqs = new SQSClient({ region: "us-west-2", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  sns = new SNSClient({ region: "us-west-2", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
});

afterAll(async () => {
  sqs.destroy();
  sns.destroy();
  await sb.close();
});

describe("Sandbox: SQS standard queues", () => {
  it("sends, receives with the real MD5, hides in-flight messages and re-delivers after the visibility timeout", async () => {
    // Prepare
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: "work", Attributes: { VisibilityTimeout: "60" } }),
    );
    expect(QueueUrl).toBe(`${sb.endpoint}/123456789012/work`);
    // Act
    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: "hello",
        MessageAttributes: { kind: { DataType: "String", StringValue: "volume" } },
      }),
    );
    const first = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
        MessageAttributeNames: ["All"],
      }),
    );
    const hidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    sb.clock.advance(60_000);
    const again = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ["All"] }),
    );
    // Assess
    expect(first.Messages?.[0]).toMatchObject({
      Body: "hello",
      Attributes: { ApproximateReceiveCount: "1" },
      MessageAttributes: { kind: { DataType: "String", StringValue: "volume" } },
    });
    expect(hidden.Messages).toBeUndefined();
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe("2");
    expect(sb.state.queueMessages("us-west-2", "work")).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: again.Messages?.[0]?.ReceiptHandle }));
    expect(sb.state.queueMessages("us-west-2", "work")).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it("long-polls: answers as soon as a message arrives, and never waits longer than asked", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "poll" }));
    const started = Date.now();
    const empty = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(empty.Messages).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1500);
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
    setTimeout(() => void sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "late" })), 50);
    const got = await waiting;
    expect(got.Messages?.[0]?.Body).toBe("late");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("moves a message to the DLQ after maxReceiveCount receives", async () => {
    // Prepare
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "work-dlq" }));
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: "redriven",
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: attrs.Attributes?.QueueArn,
            maxReceiveCount: 2,
          }),
        },
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "poison" }));
    // Act
    for (let n = 0; n < 2; n++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 5 }));
      expect(r.Messages).toHaveLength(1);
      sb.clock.advance(5_000);
    }
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl }));
    // Assess
    expect(third.Messages).toBeUndefined();
    expect(dead.Messages?.[0]?.Body).toBe("poison");
  });

  it("batches: per-entry results, more than 10 entries refused", async () => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "poll" }));
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: "a", MessageBody: "1" },
          { Id: "b", MessageBody: "2" },
        ],
      }),
    );
    expect(sent.Successful?.map((e) => e.Id)).toEqual(["a", "b"]);
    const entries = Array.from({ length: 11 }, (_, n) => ({ Id: `e${n}`, MessageBody: "x" }));
    await expect(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }))).rejects.toMatchObject(
      { name: "TooManyEntriesInBatchRequest" },
    );
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl,
        Entries: (got.Messages ?? []).map((m, n) => ({ Id: `d${n}`, ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    expect(deleted.Successful).toHaveLength(2);
    await expect(
      sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: "bogus", VisibilityTimeout: 0 }),
      ),
    ).rejects.toMatchObject({ name: "ReceiptHandleIsInvalid" });
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    await expect(sqs.send(new PurgeQueueCommand({ QueueUrl }))).rejects.toMatchObject({
      name: "PurgeQueueInProgress",
    });
  });

  it("answers QueueDoesNotExist for an unknown queue", async () => {
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: "nope" }))).rejects.toMatchObject({
      name: "QueueDoesNotExist",
      Code: "AWS.SimpleQueueService.NonExistentQueue",
    });
  });
});

describe("Sandbox: SQS FIFO queues", () => {
  it("deduplicates within 5 minutes of sandbox time and holds a group while a message is in flight", async () => {
    // Prepare
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: "jobs.fifo",
        Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" },
      }),
    );
    // Act
    const a = await sqs.send(
      new SendMessageCommand({ QueueUrl, MessageBody: "vol-1", MessageGroupId: "g1" }),
    );
    const dup = await sqs.send(
      new SendMessageCommand({ QueueUrl, MessageBody: "vol-1", MessageGroupId: "g1" }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: "vol-2",
        MessageGroupId: "g1",
        MessageDeduplicationId: "x2",
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: "vol-3",
        MessageGroupId: "g2",
        MessageDeduplicationId: "x3",
      }),
    );
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
    const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    // Assess
    expect(dup.MessageId).toBe(a.MessageId);
    expect(a.SequenceNumber).toBeDefined();
    expect(first.Messages?.map((m) => m.Body)).toEqual(["vol-1"]);
    expect(second.Messages?.map((m) => m.Body)).toEqual(["vol-3"]);
    sb.clock.advance(5 * 60_000 + 1);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "vol-1", MessageGroupId: "g1" }));
    // The two received messages are visible again too (their 30 s visibility timeout passed).
    expect(sb.state.queueMessages("us-west-2", "jobs.fifo").visible).toBe(4);
  });

  it("requires MessageGroupId on FIFO queues", async () => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "jobs.fifo" }));
    await expect(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" }))).rejects.toMatchObject({
      name: "MissingParameter",
    });
  });
});

describe("Sandbox: SNS", () => {
  it("publishes with subject and attributes, recorded for inspection and delivered to SQS subscribers", async () => {
    // Prepare
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "alerts" }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "alerts-inbox" }));
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: "sqs",
        Endpoint: "arn:aws:sqs:us-west-2:123456789012:alerts-inbox",
      }),
    );
    // Act
    const out = await sns.send(
      new PublishCommand({
        TopicArn,
        Subject: "Snapshot failed",
        Message: "vol-1 failed",
        MessageAttributes: { severity: { DataType: "String", StringValue: "high" } },
      }),
    );
    const batch = await sns.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: [
          { Id: "1", Message: "a" },
          { Id: "2", Message: "b" },
        ],
      }),
    );
    // Assess
    expect(out.MessageId).toBeDefined();
    expect(batch.Successful?.map((e) => e.Id)).toEqual(["1", "2"]);
    expect(sb.state.snsMessages("us-west-2")[0]).toMatchObject({
      topicArn: TopicArn,
      subject: "Snapshot failed",
      message: "vol-1 failed",
      messageAttributes: { severity: { dataType: "String", value: "high" } },
    });
    const inbox = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(JSON.parse(inbox.Messages?.[0]?.Body ?? "{}")).toMatchObject({
      Type: "Notification",
      Subject: "Snapshot failed",
      Message: "vol-1 failed",
    });
    const topics = await sns.send(new ListTopicsCommand({}));
    expect(topics.Topics?.map((t) => t.TopicArn)).toEqual([TopicArn]);
  });

  it("refuses messages over 256 KB and unknown topics", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "alerts" }));
    await expect(
      sns.send(new PublishCommand({ TopicArn, Message: "x".repeat(262_145) })),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(
      sns.send(new PublishCommand({ TopicArn: `${TopicArn}-nope`, Message: "x" })),
    ).rejects.toMatchObject({ name: "NotFoundException" });
  });
});
