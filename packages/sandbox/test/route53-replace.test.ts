import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";

let sb: Sandbox;
let r53: Route53Client;
const ZONE = "Z0REPLACE00000";

beforeAll(async () => {
  sb = await startSandbox();
  r53 = new Route53Client({
    region: "us-east-1",
    endpoint: sb.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  sb.seed({
    hostedZones: [
      {
        id: ZONE,
        name: "example.com",
        records: [{ name: "app.example.com", type: "A", ttl: 60, values: ["10.0.0.1"] }],
      },
    ],
  });
});

afterAll(async () => {
  r53.destroy();
  await sb.close();
});

const set = (value: string) => ({
  Name: "app.example.com.",
  Type: "A" as const,
  TTL: 60,
  ResourceRecords: [{ Value: value }],
});
const change = (
  ...changes: { Action: "CREATE" | "DELETE" | "UPSERT"; ResourceRecordSet: ReturnType<typeof set> }[]
) => r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: ZONE, ChangeBatch: { Changes: changes } }));

describe("Route 53: replacing a record set in one batch", () => {
  it("applies a DELETE of the exact current value followed by a CREATE of the new one, atomically", async () => {
    await change(
      { Action: "DELETE", ResourceRecordSet: set("10.0.0.1") },
      { Action: "CREATE", ResourceRecordSet: set("10.1.0.1") },
    );
    const out = await r53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: ZONE,
        StartRecordName: "app.example.com",
        StartRecordType: "A",
        MaxItems: 1,
      }),
    );
    expect(out.ResourceRecordSets?.[0]?.ResourceRecords).toEqual([{ Value: "10.1.0.1" }]);
  });

  it("refuses the same batch once the value it deletes is gone (the loser of a race), and any other repeat", async () => {
    sb.clock.advance(60_000);
    await expect(
      change(
        { Action: "DELETE", ResourceRecordSet: set("10.0.0.1") },
        { Action: "CREATE", ResourceRecordSet: set("10.1.0.1") },
      ),
    ).rejects.toMatchObject({ name: "InvalidChangeBatch" });
    await expect(
      change(
        { Action: "CREATE", ResourceRecordSet: set("10.2.0.1") },
        { Action: "DELETE", ResourceRecordSet: set("10.1.0.1") },
      ),
    ).rejects.toMatchObject({
      name: "InvalidChangeBatch",
      message: expect.stringMatching(/invalid set of changes/),
    });
  });
});
