import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";

let sb: Sandbox;
let r53: Route53Client;
const ZONE = "Z0123456789ABC";

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
        records: [
          { name: "app.example.com", type: "CNAME", ttl: 60, values: ["primary.example.com"] },
          { name: "db.example.com", type: "A", values: ["10.0.0.1"] },
        ],
      },
      { name: "other.org" },
    ],
  });
});

afterAll(async () => {
  r53.destroy();
  await sb.close();
});

describe("Sandbox: Route 53", () => {
  it("finds zones by name and gets them by id", async () => {
    const byName = await r53.send(new ListHostedZonesByNameCommand({ DNSName: "example.com", MaxItems: 1 }));
    expect(byName.HostedZones?.[0]).toMatchObject({
      Id: `/hostedzone/${ZONE}`,
      Name: "example.com.",
      Config: { PrivateZone: false },
    });
    expect(byName.IsTruncated).toBe(true);
    const zone = await r53.send(new GetHostedZoneCommand({ Id: ZONE }));
    expect(zone.HostedZone?.ResourceRecordSetCount).toBe(4);
    await expect(r53.send(new GetHostedZoneCommand({ Id: "ZNOPE" }))).rejects.toMatchObject({
      name: "NoSuchHostedZone",
      $metadata: { httpStatusCode: 404 },
    });
  });

  it("lists record sets in Route 53 order with name/type pagination", async () => {
    const first = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE, MaxItems: 2 }));
    expect(first.ResourceRecordSets?.map((r) => `${r.Name} ${r.Type}`)).toEqual([
      "example.com. NS",
      "example.com. SOA",
    ]);
    expect(first).toMatchObject({
      IsTruncated: true,
      NextRecordName: "app.example.com.",
      NextRecordType: "CNAME",
    });
    const rest = await r53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: ZONE,
        StartRecordName: first.NextRecordName,
        StartRecordType: first.NextRecordType,
      }),
    );
    expect(rest.ResourceRecordSets?.map((r) => r.Name)).toEqual(["app.example.com.", "db.example.com."]);
    expect(rest.ResourceRecordSets?.[0]).toMatchObject({
      TTL: 60,
      ResourceRecords: [{ Value: "primary.example.com" }],
    });
  });

  it("UPSERTs, goes PENDING -> INSYNC after 5 s of sandbox time, and refuses a change while one is pending", async () => {
    // Act
    const out = await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: ZONE,
        ChangeBatch: {
          Comment: "failover",
          Changes: [
            {
              Action: "UPSERT",
              ResourceRecordSet: {
                Name: "app.example.com",
                Type: "CNAME",
                TTL: 60,
                ResourceRecords: [{ Value: "dr.example.com" }],
              },
            },
          ],
        },
      }),
    );
    const pending = await r53.send(new GetChangeCommand({ Id: out.ChangeInfo?.Id }));
    await expect(
      r53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: ZONE,
          ChangeBatch: {
            Changes: [
              {
                Action: "DELETE",
                ResourceRecordSet: {
                  Name: "db.example.com",
                  Type: "A",
                  TTL: 300,
                  ResourceRecords: [{ Value: "10.0.0.1" }],
                },
              },
            ],
          },
        }),
      ),
    ).rejects.toMatchObject({ name: "PriorRequestNotComplete" });
    sb.clock.advance(5_000);
    const insync = await r53.send(new GetChangeCommand({ Id: out.ChangeInfo?.Id }));
    // Assess
    expect(out.ChangeInfo).toMatchObject({ Status: "PENDING", Comment: "failover" });
    expect(out.ChangeInfo?.Id).toMatch(/^\/change\/C/);
    expect(pending.ChangeInfo?.Status).toBe("PENDING");
    expect(insync.ChangeInfo?.Status).toBe("INSYNC");
    expect(sb.state.records(ZONE).find((r) => r.name === "app.example.com.")?.values).toEqual([
      "dr.example.com",
    ]);
  });

  it("rejects invalid batches atomically with InvalidChangeBatch", async () => {
    sb.clock.advance(5_000);
    const bad = r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: ZONE,
        ChangeBatch: {
          Changes: [
            {
              Action: "CREATE",
              ResourceRecordSet: {
                Name: "new.example.com",
                Type: "A",
                TTL: 60,
                ResourceRecords: [{ Value: "10.0.0.9" }],
              },
            },
            {
              Action: "CREATE",
              ResourceRecordSet: {
                Name: "db.example.com",
                Type: "A",
                TTL: 300,
                ResourceRecords: [{ Value: "10.0.0.1" }],
              },
            },
          ],
        },
      }),
    );
    await expect(bad).rejects.toMatchObject({
      name: "InvalidChangeBatch",
      message: expect.stringContaining("already exists"),
    });
    expect(sb.state.records(ZONE).some((r) => r.name === "new.example.com.")).toBe(false);
    const missing = r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: ZONE,
        ChangeBatch: {
          Changes: [
            {
              Action: "DELETE",
              ResourceRecordSet: {
                Name: "gone.example.com",
                Type: "A",
                TTL: 60,
                ResourceRecords: [{ Value: "1.1.1.1" }],
              },
            },
          ],
        },
      }),
    );
    await expect(missing).rejects.toMatchObject({
      name: "InvalidChangeBatch",
      message: expect.stringContaining("not found"),
    });
  });
});
