/**
 * Wire conformance for EventBridge (awsJson1_1): the documented request sent raw, the answer compared with the
 * example response of the API Reference page (sandbox ⊇ example) and with the SDK's model (nothing it does not
 * know).
 */
import * as EventBridge from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";
import { json, jsonShape, missing, outsideModel, schemaOf } from "./wire-shape.ts";

let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox();
});

afterAll(async () => {
  await sb.close();
});

describe("EventBridge (awsJson1_1) — API Reference examples", () => {
  const call = async (op: string, input: unknown, status = 200) => {
    const res = await json(sb.endpoint, "events", `AWSEvents.${op}`, input);
    expect(res.status, res.body).toBe(status);
    expect(res.headers.get("content-type")).toContain("application/x-amz-json-1.1");
    return JSON.parse(res.body) as unknown;
  };
  const conforms = (body: unknown, output: string, documented: string) => {
    const paths = jsonShape(body);
    expect(missing(jsonShape(JSON.parse(documented)), paths)).toEqual([]);
    expect(outsideModel(paths, schemaOf(EventBridge, output), "json")).toEqual([]);
  };

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html (Example "Sends two custom
  // events": its sample request, and the body of its sample response)
  it("PutEvents", async () => {
    const body = await call("PutEvents", {
      Entries: [
        {
          Source: "com.mycompany.myapp",
          Detail: '{ "key1": "value1", "key2": "value2" }',
          Resources: ["resource1", "resource2"],
          DetailType: "myDetailType",
        },
        {
          Source: "com.mycompany.myapp",
          Detail: '{ "key1": "value3", "key2": "value4" }',
          Resources: ["resource1", "resource2"],
          DetailType: "myDetailType",
        },
      ],
    });
    conforms(
      body,
      "PutEventsResponse",
      `{
 "FailedEntryCount": 0,
 "Entries": [
   {
     "EventId": "11710aed-b79e-4468-a20b-bb3c0c3b4860"
   },
   {
     "EventId": "d804d26a-88db-4b66-9eaf-9a11c708ae82"
   }
 ]
}`,
    );
    const { FailedEntryCount, Entries } = body as {
      FailedEntryCount: number;
      Entries: { EventId: string }[];
    };
    expect(FailedEntryCount).toBe(0);
    // Event ids are UUIDs, like the example's.
    for (const e of Entries)
      expect(e.EventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(sb.state.events("us-east-1").map((e) => e.detail)).toEqual([
      { key1: "value1", key2: "value2" },
      { key1: "value3", key2: "value4" },
    ]);
  });

  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevents.html ("Handling failures with
  // PutEvents": three result entries, the second unsuccessful). The sandbox fails an entry the same way under
  // an entryFailureRate fault.
  it("PutEvents with a failed entry", async () => {
    sb.faults.set({ service: "events", entryFailureRate: 1 });
    const entry = { Source: "com.mycompany.myapp", DetailType: "myDetailType", Detail: "{}" };
    const body = await call("PutEvents", { Entries: [entry] });
    sb.faults.clear();
    const documented = `{
    "FailedEntryCount": 1,
    "Entries": [
        { "EventId": "11710aed-b79e-4468-a20b-bb3c0c3b4860" },
        { "ErrorCode": "InternalFailure", "ErrorMessage": "Internal Service Failure" },
        { "EventId": "d804d26a-88db-4b66-9eaf-9a11c708ae82" }
    ]
}`;
    // Only the failed entry's shape is compared: this call had one entry, and it failed.
    expect(jsonShape(body)).toEqual([
      "Entries",
      "Entries/[]",
      "Entries/[]/ErrorCode",
      "Entries/[]/ErrorMessage",
      "FailedEntryCount",
    ]);
    expect(body).toEqual({
      FailedEntryCount: 1,
      Entries: [(JSON.parse(documented) as { Entries: unknown[] }).Entries[1]],
    });
    expect(outsideModel(jsonShape(body), schemaOf(EventBridge, "PutEventsResponse"), "json")).toEqual([]);
  });

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html and
  // API_DescribeEventBus.html have no example; checked against their Response Syntax members and the model.
  it("CreateEventBus / DescribeEventBus (no documented example)", async () => {
    const created = await call("CreateEventBus", { Name: "my-bus" });
    expect(jsonShape(created)).toEqual(["EventBusArn"]);
    expect(outsideModel(jsonShape(created), schemaOf(EventBridge, "CreateEventBusResponse"), "json")).toEqual(
      [],
    );
    const described = await call("DescribeEventBus", { Name: "my-bus" });
    expect(missing(["Arn", "CreationTime", "LastModifiedTime", "Name"], jsonShape(described))).toEqual([]);
    expect(
      outsideModel(jsonShape(described), schemaOf(EventBridge, "DescribeEventBusResponse"), "json"),
    ).toEqual([]);
  });

  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html — no example document; the
  // awsJson1_1 error form the SDK reads: `__type` and `message`.
  it("error shape (no documented example)", async () => {
    const body = await call("DescribeEventBus", { Name: "no-such-bus" }, 400);
    expect(jsonShape(body)).toEqual(["__type", "message"]);
    expect(body).toEqual({
      __type: "ResourceNotFoundException",
      message: "Event bus no-such-bus does not exist.",
    });
  });
});
