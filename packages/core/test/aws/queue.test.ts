import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
// Types for the matchers test/setup.ts registers.
import type {} from "aws-sdk-client-mock-vitest/extend";
import { afterEach, describe, expect, it } from "vitest";
import { EnqueueError, enqueue } from "../../src/aws/queue.ts";
import { OutpostOpsError } from "../../src/errors.ts";
import type { DeleteWorkItem, SnapshotWorkItem, WorkItem } from "../../src/snapshot/work-item.ts";

const FIFO_URL = "https://sqs.us-west-2.amazonaws.com/123456789012/outpost-ops-snapshot-work.fifo";
const STANDARD_URL = "https://sqs.us-west-2.amazonaws.com/123456789012/outpost-ops-retention-work";
const WINDOW = "2024-05-14T10:00Z";

const sqsMock = mockClient(SQSClient);
const sqs = new SQSClient({ region: "us-west-2" });

function volumeItem(n: number, policy = "line-volumes"): SnapshotWorkItem {
  const volumeId = `vol-${n.toString(16).padStart(17, "0")}`;
  return {
    kind: "ebs-volume",
    region: "us-west-2",
    policy,
    schedule: "hourly",
    window: WINDOW,
    key: `${policy}/${volumeId}/${WINDOW}`,
    tags: [],
    volumeId,
    description: "d",
  };
}

function deleteItem(ids: string[]): DeleteWorkItem {
  return { kind: "delete", snapshotKind: "ebs", region: "us-west-2", snapshotIds: ids };
}

function sentEntries() {
  return sqsMock.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
}

describe("Function: enqueue", () => {
  afterEach(() => {
    sqsMock.reset();
  });

  it("sends work items in batches of 10 and returns how many it enqueued", async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const items = Array.from({ length: 23 }, (_, i) => volumeItem(i));

    // Act
    const count = await enqueue(sqs, FIFO_URL, items);

    // Assess
    expect(count).toBe(23);
    const batches = sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(batches.map((b) => b.Entries?.length)).toEqual([10, 10, 3]);
    expect(batches.every((b) => b.QueueUrl === FIFO_URL)).toBe(true);
    expect(batches[0]?.Entries?.map((e) => e.Id)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(sentEntries().map((e) => JSON.parse(e.MessageBody ?? ""))).toEqual(items);
  });

  it("sends nothing for no items", async () => {
    // Act
    const count = await enqueue(sqs, FIFO_URL, []);

    // Assess
    expect(count).toBe(0);
    expect(sqsMock).not.toHaveReceivedCommand(SendMessageBatchCommand);
  });

  it("gives FIFO entries a group id and a de-duplication id of at most 128 characters", async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).resolves({});
    const longPolicy = "p".repeat(40);
    const items: WorkItem[] = [
      volumeItem(1, longPolicy),
      deleteItem(Array.from({ length: 50 }, (_, i) => `snap-${i}`)),
    ];

    // Act
    await enqueue(sqs, FIFO_URL, items);

    // Assess
    for (const entry of sentEntries()) {
      expect(entry.MessageGroupId).toMatch(/^[0-9a-f]{1,128}$/);
      expect(entry.MessageDeduplicationId).toMatch(/^[0-9a-f]{1,128}$/);
    }
  });

  it("gives the same item the same de-duplication id on every run, and different items different ids", async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).resolves({});

    // Act
    await enqueue(sqs, FIFO_URL, [volumeItem(1), volumeItem(2)]);
    await enqueue(sqs, FIFO_URL, [volumeItem(1)]);
    await enqueue(sqs, FIFO_URL, [
      deleteItem(["snap-a", "snap-b"]),
      deleteItem(["snap-a", "snap-b"]),
      deleteItem(["snap-c"]),
    ]);

    // Assess
    const ids = sentEntries().map((e) => e.MessageDeduplicationId);
    expect(ids[0]).toBe(ids[2]);
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids[3]).toBe(ids[4]);
    expect(ids[3]).not.toBe(ids[5]);
  });

  it("keys the de-duplication id on the work item's key, not on details that may differ between runs", async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).resolves({});
    const first = volumeItem(1);
    const redelivered = { ...first, description: "written differently", tags: [{ Key: "k", Value: "v" }] };

    // Act
    await enqueue(sqs, FIFO_URL, [first, redelivered]);

    // Assess
    const [a, b] = sentEntries();
    expect(a?.MessageDeduplicationId).toBe(b?.MessageDeduplicationId);
  });

  it("sends standard-queue entries without group or de-duplication ids", async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).resolves({});

    // Act
    await enqueue(sqs, STANDARD_URL, [deleteItem(["snap-1"]), volumeItem(3)]);

    // Assess
    for (const entry of sentEntries()) {
      expect(entry).not.toHaveProperty("MessageGroupId");
      expect(entry).not.toHaveProperty("MessageDeduplicationId");
    }
  });

  it("raises EnqueueError naming the codes of entries SQS refused, after sending every batch", async () => {
    // Prepare
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: "3", Code: "InvalidParameterValue", SenderFault: true }] })
      .resolvesOnce({
        Failed: [
          { Id: "0", Code: "InternalError", SenderFault: false },
          { Id: "1", SenderFault: false } as never,
        ],
      });
    const items = Array.from({ length: 12 }, (_, i) => volumeItem(i));

    // Act
    const error = await enqueue(sqs, FIFO_URL, items).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(EnqueueError);
    expect(error).toBeInstanceOf(OutpostOpsError);
    const enqueueError = error as EnqueueError;
    expect(enqueueError.name).toBe("EnqueueError");
    expect(enqueueError.failed.map((f) => f.code)).toEqual([
      "InvalidParameterValue",
      "InternalError",
      "unknown",
    ]);
    expect(enqueueError.failed.map((f) => f.id)).toEqual([items[3]?.key, items[10]?.key, items[11]?.key]);
    expect(enqueueError.message).toContain(
      `SQS refused 3 work item(s): ${items[3]?.key} (InvalidParameterValue), ${items[10]?.key} (InternalError)`,
    );
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageBatchCommand, 2);
  });

  it("lets a failed SendMessageBatch call reach the caller", async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDenied" }));

    // Act & Assess
    await expect(enqueue(sqs, FIFO_URL, [volumeItem(1)])).rejects.toThrow("denied");
  });
});
