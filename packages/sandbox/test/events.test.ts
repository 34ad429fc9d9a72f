import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";
import { bucketFor } from "../src/throttle.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const START = new Date("2024-05-01T12:00:00Z");
let sb: Sandbox;
let events: EventBridgeClient;
let east: EventBridgeClient;

const entry = (over: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: "outpost-ops.snapshots",
  DetailType: "Snapshot Created",
  Detail: JSON.stringify({ snapshotId: "snap-0123456789abcdef0" }),
  ...over,
});

beforeAll(async () => {
  sb = await startSandbox({ startTime: START });
  events = new EventBridgeClient({ region: "us-west-2", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  east = new EventBridgeClient({ region: "us-east-1", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  sb.seed({ eventBuses: [{ region: "us-west-2", name: "seeded-bus" }] });
});

afterEach(() => {
  sb.faults.clear();
  sb.throttling(false);
});

afterAll(async () => {
  events.destroy();
  east.destroy();
  await sb.close();
});

describe("Sandbox: EventBridge PutEvents", () => {
  it("puts events on the default bus in the envelope EventBridge delivers, per region", async () => {
    // Prepare
    const before = sb.state.events("us-west-2").length;
    // Act
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          entry({ Resources: ["arn:aws:ec2:us-west-2:123456789012:snapshot/snap-0123456789abcdef0"] }),
          entry({ DetailType: "Other", Time: new Date("2024-04-30T08:09:10.456Z") }),
        ],
      }),
    );
    // Assess
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries).toHaveLength(2);
    const stored = sb.state.events("us-west-2").slice(before);
    expect(stored.map((e) => e.id)).toEqual(out.Entries?.map((e) => e.EventId));
    expect(stored[0]).toEqual({
      version: "0",
      id: out.Entries?.[0]?.EventId,
      "detail-type": "Snapshot Created",
      source: "outpost-ops.snapshots",
      account: "123456789012",
      time: "2024-05-01T12:00:00Z",
      region: "us-west-2",
      resources: ["arn:aws:ec2:us-west-2:123456789012:snapshot/snap-0123456789abcdef0"],
      detail: { snapshotId: "snap-0123456789abcdef0" },
    });
    expect(stored[1]).toMatchObject({ "detail-type": "Other", time: "2024-04-30T08:09:10Z", resources: [] });
    expect(sb.state.events("us-east-1")).toEqual([]);
    expect(sb.requests.count("PutEvents")).toBeGreaterThanOrEqual(1);
  });

  it("answers per-entry errors in entry order, counted in FailedEntryCount, and stores only the good ones", async () => {
    // Prepare
    const before = sb.state.events("us-west-2").length;
    // Act
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          entry(),
          entry({ Detail: "{not json" }),
          entry({ Detail: '["an array"]' }),
          entry({ Source: undefined }),
          entry({ DetailType: undefined }),
          entry({ Detail: undefined }),
          entry({ Source: "aws.ec2" }),
          entry(),
        ],
      }),
    );
    // Assess
    expect(out.FailedEntryCount).toBe(6);
    expect(out.Entries?.map((e) => e.ErrorCode ?? "ok")).toEqual([
      "ok",
      "MalformedDetail",
      "MalformedDetail",
      "InvalidArgument",
      "InvalidArgument",
      "InvalidArgument",
      "NotAuthorizedForSourceException",
      "ok",
    ]);
    expect(out.Entries?.[1]).toEqual({ ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." });
    expect(out.Entries?.[3]?.ErrorMessage).toBe(
      "Parameter Source is not valid. Reason: Source is a required argument.",
    );
    expect(sb.state.events("us-west-2").length - before).toBe(2);
  });

  it("rejects the whole request over 10 entries, with no entries, or over 256 KB of entries", async () => {
    const eleven = Array.from({ length: 11 }, () => entry());
    await expect(events.send(new PutEventsCommand({ Entries: eleven }))).rejects.toMatchObject({
      name: "ValidationException",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(events.send(new PutEventsCommand({ Entries: [] }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    // AWS's size rule: Source + DetailType + Detail (+ Resources, + 14 for Time) in UTF-8, summed over the entries.
    const big = JSON.stringify({ pad: "x".repeat(132_000) });
    await expect(
      events.send(new PutEventsCommand({ Entries: [entry({ Detail: big }), entry({ Detail: big })] })),
    ).rejects.toMatchObject({
      name: "ValidationException",
      message: "Total size of the entries in the request is over the limit.",
    });
    // Just under the limit is fine.
    const fits = 262_144 - "outpost-ops.snapshots".length - "Snapshot Created".length;
    const exact = JSON.stringify({ p: "x".repeat(fits - 10) });
    const ok = await events.send(new PutEventsCommand({ Entries: [entry({ Detail: exact })] }));
    expect(ok.FailedEntryCount).toBe(0);
  });

  it("takes a custom bus by name or ARN, and accepts-then-drops events for a bus that does not exist", async () => {
    // Prepare
    const created = await events.send(new CreateEventBusCommand({ Name: "ops" }));
    // Act
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          entry({ EventBusName: "ops" }),
          entry({ EventBusName: created.EventBusArn }),
          entry({ EventBusName: "seeded-bus" }),
          entry({ EventBusName: "no-such-bus" }),
          entry({ EventBusName: "arn:aws:events:us-east-1:123456789012:event-bus/ops" }),
        ],
      }),
    );
    // Assess
    expect(created.EventBusArn).toBe("arn:aws:events:us-west-2:123456789012:event-bus/ops");
    // AWS answers 200 with an EventId for a missing bus and drops the event (EventBridge User Guide,
    // "Handling failures with PutEvents").
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries?.every((e) => e.EventId)).toBe(true);
    expect(sb.state.events("us-west-2", "ops")).toHaveLength(2);
    expect(sb.state.events("us-west-2", created.EventBusArn)).toHaveLength(2);
    expect(sb.state.events("us-west-2", "seeded-bus")).toHaveLength(1);
    expect(sb.state.events("us-west-2", "no-such-bus")).toEqual([]);
    expect(sb.state.droppedEvents("us-west-2").map((e) => e.eventBusName)).toEqual([
      "no-such-bus",
      "arn:aws:events:us-east-1:123456789012:event-bus/ops",
    ]);
    expect(sb.state.droppedEvents("us-west-2")[0]?.id).toBe(out.Entries?.[3]?.EventId);
  });

  it("rejects an EventBusName that is neither a name nor an event-bus ARN", async () => {
    await expect(
      events.send(new PutEventsCommand({ Entries: [entry({ EventBusName: "bad name!" })] })),
    ).rejects.toMatchObject({ name: "ValidationException" });
  });
});

describe("Sandbox: EventBridge buses", () => {
  it("describes the default bus of any region and custom buses; unknown buses are ResourceNotFoundException", async () => {
    // Act
    const dflt = await east.send(new DescribeEventBusCommand({}));
    const named = await east.send(new DescribeEventBusCommand({ Name: "default" }));
    await east.send(new CreateEventBusCommand({ Name: "east-bus", Description: "DR events" }));
    const custom = await east.send(
      new DescribeEventBusCommand({ Name: "arn:aws:events:us-east-1:123456789012:event-bus/east-bus" }),
    );
    // Assess
    expect(dflt).toMatchObject({
      Name: "default",
      Arn: "arn:aws:events:us-east-1:123456789012:event-bus/default",
    });
    expect(named.Arn).toBe(dflt.Arn);
    expect(custom).toMatchObject({ Name: "east-bus", Description: "DR events" });
    expect(custom.CreationTime).toEqual(START);
    await expect(east.send(new DescribeEventBusCommand({ Name: "nope" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      message: "Event bus nope does not exist.",
    });
    // Buses are per region.
    await expect(events.send(new DescribeEventBusCommand({ Name: "east-bus" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });

  it("refuses a second bus of the same name, the reserved name default, and names with a /", async () => {
    await east.send(new CreateEventBusCommand({ Name: "twice" }));
    await expect(east.send(new CreateEventBusCommand({ Name: "twice" }))).rejects.toMatchObject({
      name: "ResourceAlreadyExistsException",
    });
    await expect(east.send(new CreateEventBusCommand({ Name: "default" }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    await expect(east.send(new CreateEventBusCommand({ Name: "a/b" }))).rejects.toMatchObject({
      name: "ValidationException",
    });
  });
});

describe("Sandbox: EventBridge faults and throttling", () => {
  it("throttles and fails like the other services under fault rules for service events", async () => {
    sb.faults.set({ service: "events", throttleRate: 1 });
    await expect(events.send(new PutEventsCommand({ Entries: [entry()] }))).rejects.toMatchObject({
      name: "ThrottlingException",
      $metadata: { httpStatusCode: 400 },
    });
    sb.faults.clear();
    sb.faults.set({ service: "events", operation: "PutEvents", serverErrorRate: 1 });
    const codes = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const err = await events.send(new PutEventsCommand({ Entries: [entry()] })).catch((e: Error) => e);
      codes.add((err as Error).name);
    }
    expect(codes).toEqual(new Set(["InternalException", "ServiceUnavailable"]));
  });

  it("fails a share of entries with retryable per-entry errors under entryFailureRate", async () => {
    // Prepare
    sb.faults.set({ service: "events", entryFailureRate: 1, seed: 7 });
    const before = sb.state.events("us-west-2").length;
    // Act
    const out = await events.send(new PutEventsCommand({ Entries: [entry(), entry()] }));
    // Assess
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries?.map((e) => e.ErrorCode).sort()).toEqual(["InternalFailure", "ThrottlingException"]);
    expect(sb.state.events("us-west-2").length).toBe(before);
  });

  it("throttles the other EventBridge APIs at 50/s, PutEvents from its own, larger per-region bucket", async () => {
    // timeScale 0: no refill, so the 51st call within the burst of 50 is throttled.
    sb.throttling({ timeScale: 0 });
    for (let i = 0; i < 50; i++) await east.send(new DescribeEventBusCommand({}));
    await expect(east.send(new DescribeEventBusCommand({}))).rejects.toMatchObject({
      name: "ThrottlingException",
    });
    // PutEvents has its own, much larger bucket: still open.
    const out = await east.send(new PutEventsCommand({ Entries: [entry()] }));
    expect(out.FailedEntryCount).toBe(0);
  });

  it("sizes the PutEvents bucket by region: 10,000/s in the large regions, 2,400/s elsewhere", () => {
    expect(bucketFor("events", "PutEvents", true, "us-west-2")).toMatchObject({
      capacity: 10_000,
      refillPerSecond: 10_000,
    });
    expect(bucketFor("events", "PutEvents", true, "ap-southeast-4")).toMatchObject({ capacity: 2_400 });
    expect(bucketFor("events", "CreateEventBus", true, "us-west-2")).toMatchObject({
      capacity: 50,
      refillPerSecond: 50,
    });
  });
});
