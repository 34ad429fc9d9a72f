import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import type { OutpostOpsEvent } from "../../src/events/event.ts";
import { batchEntries, eventBridgeSink, memoryEventSink } from "../../src/events/publish.ts";

const eventBridge = mockClient(EventBridgeClient);
afterEach(() => eventBridge.reset());

const AT = new Date("2024-05-14T10:00:07Z");
function created(id: string, reason = "created"): OutpostOpsEvent {
  return {
    detailType: "Snapshot Created",
    time: AT,
    resources: [`arn:aws:ec2:us-west-2::snapshot/${id}`],
    detail: {
      version: 1,
      job: "snapshot",
      outcome: "created",
      code: "created",
      reason,
      resource: { type: "ebs-snapshot", id, region: "us-west-2" },
      snapshotIds: [id],
      policy: "line-volumes",
      lineage: { sourceId: "vol-1", schedule: "hourly", window: "2024-05-14T10:00Z" },
      stage: "test",
    },
  };
}
const ok = (n: number) => ({
  FailedEntryCount: 0,
  Entries: Array.from({ length: n }, (_, i) => ({ EventId: `e-${i}` })),
});

describe("Function: eventBridgeSink", () => {
  it("sends 25 events in calls of at most 10, with source outpost-ops and the detail as JSON", async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).callsFake((input) => ok(input.Entries.length));
    const events = Array.from({ length: 25 }, (_, i) => created(`snap-${i}`));
    // Act
    const result = await eventBridgeSink(new EventBridgeClient({ region: "us-west-2" }), "default").publish(
      events,
    );
    // Assess
    expect(result).toEqual({ sent: 25, failed: [] });
    const calls = eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries ?? []);
    expect(calls.map((c) => c.length)).toEqual([10, 10, 5]);
    const first = calls[0]?.[0];
    expect(first).toMatchObject({
      Source: "outpost-ops",
      DetailType: "Snapshot Created",
      EventBusName: "default",
      Time: AT,
    });
    expect(JSON.parse(first?.Detail ?? "{}")).toMatchObject({ code: "created", policy: "line-volumes" });
  });

  it("re-sends entries refused as throttled and reports the ones refused for good", async () => {
    // Prepare: the second entry is throttled once, the third is malformed every time.
    let call = 0;
    eventBridge.on(PutEventsCommand).callsFake((input) => {
      call += 1;
      const entries = input.Entries as { Detail: string }[];
      return {
        FailedEntryCount: 1,
        Entries: entries.map((e) => {
          const id = JSON.parse(e.Detail).resource.id;
          if (id === "snap-1" && call === 1)
            return { ErrorCode: "ThrottlingException", ErrorMessage: "slow down" };
          if (id === "snap-2") return { ErrorCode: "MalformedDetail", ErrorMessage: "bad" };
          return { EventId: `e-${id}` };
        }),
      };
    });
    // Act
    const result = await eventBridgeSink(new EventBridgeClient({ region: "us-west-2" }), "default").publish([
      created("snap-0"),
      created("snap-1"),
      created("snap-2"),
    ]);
    // Assess
    expect(result.sent).toBe(2);
    expect(result.failed.map((f) => [f.event.detail.resource.id, f.code])).toEqual([
      ["snap-2", "MalformedDetail"],
    ]);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(2);
  });

  it("reports the entries of a call that failed as a whole, and goes on with the next call", async () => {
    // Prepare: the first call is refused outright (after the SDK's retries), the second goes through
    eventBridge
      .on(PutEventsCommand)
      .rejectsOnce(Object.assign(new Error("not allowed"), { name: "AccessDeniedException" }))
      .callsFake((input) => ok(input.Entries.length));
    const events = Array.from({ length: 12 }, (_, i) => created(`snap-${i}`));
    // Act
    const result = await eventBridgeSink(new EventBridgeClient({ region: "us-west-2" }), "default").publish(
      events,
    );
    // Assess
    expect(result.sent).toBe(2);
    expect(result.failed).toHaveLength(10);
    expect(new Set(result.failed.map((f) => f.code))).toEqual(new Set(["AccessDeniedException"]));
  });

  it("reports an entry over 256 KB without sending it: AWS would refuse the whole call", async () => {
    eventBridge.on(PutEventsCommand).callsFake((input) => ok(input.Entries.length));
    const huge = created("snap-huge", "x".repeat(300_000));
    const result = await eventBridgeSink(new EventBridgeClient({ region: "us-west-2" }), "default").publish([
      huge,
      created("snap-small"),
    ]);
    expect(result).toEqual({ sent: 1, failed: [{ event: huge, code: "EntryTooLarge" }] });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
  });

  it("sends nothing for no events", async () => {
    const result = await eventBridgeSink(new EventBridgeClient({ region: "us-west-2" }), "default").publish(
      [],
    );
    expect(result).toEqual({ sent: 0, failed: [] });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});

describe("Function: batchEntries", () => {
  it("starts a new call before 256 KB", () => {
    const sizes = [100_000, 100_000, 100_000, 10];
    expect(batchEntries(sizes, (n) => n).map((b) => b.length)).toEqual([2, 2]);
  });

  it("keeps an entry larger than the limit alone rather than dropping it", () => {
    expect(batchEntries([300_000, 5], (n) => n)).toEqual([[300_000], [5]]);
  });
});

describe("Function: memoryEventSink", () => {
  it("keeps what it is given", async () => {
    const sink = memoryEventSink();
    await sink.publish([created("snap-9")]);
    expect(sink.events.map((e) => e.detail.resource.id)).toEqual(["snap-9"]);
  });
});
