import { readFileSync } from "node:fs";
import { EventShapeError } from "@outpost-ops/core/errors";
import { describe, expect, it } from "vitest";
import { parseAlarmEvent, parseScheduledEvent, parseSqsEvent } from "../src/lib/events.ts";

// The AWS-documented sample events (test/fixtures/events, see its README).
const EVENTS = new URL("../../../test/fixtures/events/", import.meta.url);

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, EVENTS), "utf8")) as Record<string, unknown>;
}

function shapeError(parse: () => unknown): EventShapeError {
  try {
    parse();
  } catch (error) {
    if (error instanceof EventShapeError) return error;
    throw new Error(`expected an EventShapeError, got ${String(error)}`, { cause: error });
  }
  throw new Error("expected the parser to throw");
}

describe("Function: parseScheduledEvent", () => {
  it("parses the documented scheduled event", () => {
    // Act
    const event = parseScheduledEvent(fixture("scheduled-event.json"));

    // Assess
    expect(event.time).toBe("2015-10-08T16:53:06Z");
    expect(event.region).toBe("us-east-1");
    expect(event.resources).toEqual(["arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"]);
    expect(event).toHaveProperty("account", "123456789012");
  });

  it("defaults missing resources to none", () => {
    // Prepare
    const raw = fixture("scheduled-event.json");
    delete raw.resources;

    // Act
    const event = parseScheduledEvent(raw);

    // Assess
    expect(event.resources).toEqual([]);
  });

  it.each([
    ["2024-05-14T10:00:00Z"],
    ["2024-05-14T10:00:00.123Z"],
    ["2024-05-14T12:00:00+02:00"],
    ["2024-05-14T10:00Z"],
  ])("accepts the ISO-8601 time %s", (time) => {
    // Act
    const event = parseScheduledEvent({ ...fixture("scheduled-event.json"), time });

    // Assess
    expect(event.time).toBe(time);
  });

  const bad: Array<
    [label: string, mutate: (e: Record<string, unknown>) => unknown, path: string, message: RegExp]
  > = [
    [
      "a missing time",
      (e) => {
        delete e.time;
        return e;
      },
      "time",
      /expected string/,
    ],
    [
      "a non-ISO time (RFC 1123)",
      (e) => ({ ...e, time: "Tue, 14 May 2024 10:00:00 GMT" }),
      "time",
      /ISO-8601/,
    ],
    ["a bare number as time", (e) => ({ ...e, time: "1" }), "time", /ISO-8601/],
    ["a date without a time", (e) => ({ ...e, time: "2024-05-14" }), "time", /ISO-8601/],
    ["a time without a zone", (e) => ({ ...e, time: "2024-05-14T10:00:00" }), "time", /ISO-8601/],
    ["garbage as time", (e) => ({ ...e, time: "yesterday" }), "time", /ISO-8601/],
    [
      "the wrong detail-type",
      (e) => ({ ...e, "detail-type": "Object Created" }),
      "detail-type",
      /Scheduled Event/,
    ],
    ["the wrong source", (e) => ({ ...e, source: "aws.s3" }), "source", /aws\.events/],
    ["an empty region", (e) => ({ ...e, region: "" }), "region", /.+/],
  ];

  it.each(bad)("rejects %s, naming the field", (_label, mutate, path, message) => {
    // Prepare
    const raw = mutate(fixture("scheduled-event.json"));

    // Act
    const error = shapeError(() => parseScheduledEvent(raw));

    // Assess
    expect(error.issues).toContainEqual({ path, message: expect.stringMatching(message) });
    expect(error.message).toContain(`${path}: `);
    expect(error.message).toContain("EventBridge Scheduled Event");
    expect(error.message).toContain("Nothing was changed");
  });

  it("says which time format it accepts, in the words the CLI's --at uses too", () => {
    // Act
    const error = shapeError(() =>
      parseScheduledEvent({ ...fixture("scheduled-event.json"), time: "2024-05-14" }),
    );

    // Assess
    expect(error.issues).toEqual([
      { path: "time", message: "must be an ISO-8601 time with a zone, such as 2024-05-14T10:00:00Z" },
    ]);
  });

  it.each([
    "ebs-snapshot-notification-create.json",
    "cloudwatch-alarm-state-change.json",
    "rds-snapshot-event.json",
    "sqs-event.json",
  ])("rejects %s given to the scheduled parser", (name) => {
    // Act
    const error = shapeError(() => parseScheduledEvent(fixture(name)));

    // Assess
    expect(error.issues.map((i) => i.path)).toContain("detail-type");
  });

  it.each([null, undefined, "event", 42, []])("rejects %s as a scheduled event", (raw) => {
    // Act & Assess
    expect(() => parseScheduledEvent(raw)).toThrow(EventShapeError);
  });
});

describe("Function: parseSqsEvent", () => {
  it("parses the documented SQS event, keeping unknown keys", () => {
    // Act
    const event = parseSqsEvent(fixture("sqs-event.json"));

    // Assess
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toMatchObject({
      messageId: "059f36b4-87a3-44ab-83d2-661975830a7d",
      body: "test",
      eventSource: "aws:sqs",
      attributes: { ApproximateReceiveCount: "1" },
      awsRegion: "us-east-1",
    });
  });

  it("rejects an event with no records", () => {
    // Act
    const error = shapeError(() => parseSqsEvent({ Records: [] }));

    // Assess
    expect(error.issues).toContainEqual({ path: "Records", message: expect.stringMatching(/>=1/) });
    expect(error.message).toMatch(/^Unexpected SQS event: Records: /);
  });

  it("rejects a record without a body, naming the record", () => {
    // Prepare
    const raw = fixture("sqs-event.json");
    const records = raw.Records as Record<string, unknown>[];
    delete records[0]?.body;

    // Act
    const error = shapeError(() => parseSqsEvent(raw));

    // Assess
    expect(error.issues.map((i) => i.path)).toEqual(["Records.0.body"]);
  });

  it("rejects a record from another event source", () => {
    // Prepare
    const raw = fixture("sqs-event.json");
    (raw.Records as Record<string, unknown>[])[0] = {
      ...(raw.Records as Record<string, unknown>[])[0],
      eventSource: "aws:kinesis",
    };

    // Act
    const error = shapeError(() => parseSqsEvent(raw));

    // Assess
    expect(error.issues.map((i) => i.path)).toEqual(["Records.0.eventSource"]);
  });

  it("rejects a scheduled event given to the SQS parser", () => {
    // Act
    const error = shapeError(() => parseSqsEvent(fixture("scheduled-event.json")));

    // Assess
    expect(error.issues.map((i) => i.path)).toEqual(["Records"]);
  });
});

describe("Function: parseAlarmEvent", () => {
  it("parses the documented alarm going to ALARM", () => {
    // Act
    const event = parseAlarmEvent(fixture("cloudwatch-alarm-state-change.json"));

    // Assess
    expect(event.time).toBe("2024-05-14T10:07:41Z");
    expect(event.detail.alarmName).toBe("OutpostServiceLinkDisconnected");
    expect(event.detail.state.value).toBe("ALARM");
    expect(event.detail.previousState?.value).toBe("OK");
    expect(event.detail.configuration?.description).toBe(
      "Goes into alarm when the Outpost service link is disconnected",
    );
    expect(event.resources).toEqual([
      "arn:aws:cloudwatch:us-west-2:123456789012:alarm:OutpostServiceLinkDisconnected",
    ]);
  });

  it("parses the documented alarm going back to OK", () => {
    // Act
    const event = parseAlarmEvent(fixture("cloudwatch-alarm-state-change-ok.json"));

    // Assess
    expect(event.detail.state.value).toBe("OK");
    expect(event.detail.previousState?.value).toBe("ALARM");
  });

  it("defaults a missing reason to empty and accepts a missing previous state", () => {
    // Prepare
    const raw = fixture("cloudwatch-alarm-state-change.json");
    raw.detail = { alarmName: "outpost-ops-snapshot-dead-letters", state: { value: "ALARM" } };

    // Act
    const event = parseAlarmEvent(raw);

    // Assess
    expect(event.detail.state.reason).toBe("");
    expect(event.detail.previousState).toBeUndefined();
  });

  it.each([
    [
      "an unknown state",
      (d: Record<string, unknown>) => ({ ...d, state: { value: "FIRING" } }),
      "detail.state.value",
    ],
    [
      "a missing alarm name",
      (d: Record<string, unknown>) => ({ ...d, alarmName: undefined }),
      "detail.alarmName",
    ],
    ["a missing state", (d: Record<string, unknown>) => ({ ...d, state: undefined }), "detail.state"],
  ])("rejects %s, naming the field", (_label, mutate, path) => {
    // Prepare
    const raw = fixture("cloudwatch-alarm-state-change.json");
    raw.detail = mutate(raw.detail as Record<string, unknown>);

    // Act
    const error = shapeError(() => parseAlarmEvent(raw));

    // Assess
    expect(error.issues.map((i) => i.path)).toEqual([path]);
    expect(error.message).toContain("CloudWatch Alarm State Change");
  });

  it("rejects a non-ISO time", () => {
    // Act
    const error = shapeError(() =>
      parseAlarmEvent({ ...fixture("cloudwatch-alarm-state-change.json"), time: "05/14/2024" }),
    );

    // Assess
    expect(error.issues).toContainEqual({ path: "time", message: expect.stringMatching(/ISO-8601/) });
  });

  it("rejects a scheduled event given to the alarm parser", () => {
    // Act
    const error = shapeError(() => parseAlarmEvent(fixture("scheduled-event.json")));

    // Assess
    expect(error.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(["detail-type", "source", "detail.alarmName"]),
    );
  });
});
