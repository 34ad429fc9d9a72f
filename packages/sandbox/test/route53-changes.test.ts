/**
 * Route 53 change batches as a DR failover job uses them: atomic batches, exact DELETEs, failover/alias/TXT
 * record sets, listing order and paging, propagation (PENDING → INSYNC, PriorRequestNotComplete) and the
 * account-wide request rate. Messages are Route 53's (see README "Route 53").
 */
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandInput,
  type ResourceRecordSet,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const ZONE = "Z0FAILOVER0001";
const OTHER_ZONE = "Z0FAILOVER0002";
const HC_PRIMARY = "11111111-1111-4111-8111-111111111111";
const HC_DR = "22222222-2222-4222-8222-222222222222";
const PROPAGATION_MS = 60_000;
const ELB_ZONE = "Z35SXDOTRQ7X7K";

let sb: Sandbox;
let r53: Route53Client;

const primary: ResourceRecordSet = {
  Name: "app.example.com.",
  Type: "A",
  SetIdentifier: "primary",
  Failover: "PRIMARY",
  TTL: 60,
  ResourceRecords: [{ Value: "192.0.2.10" }],
  HealthCheckId: HC_PRIMARY,
};
const secondary: ResourceRecordSet = {
  Name: "app.example.com.",
  Type: "A",
  SetIdentifier: "secondary",
  Failover: "SECONDARY",
  TTL: 60,
  ResourceRecords: [{ Value: "198.51.100.10" }],
};
const STATE_VALUE = '"active=primary" "since=2024-01-01T00:00:00Z"';

beforeAll(async () => {
  sb = await startSandbox({ route53PropagationMs: PROPAGATION_MS });
  r53 = new Route53Client({ region: "us-east-1", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  sb.seed({
    healthChecks: [
      { id: HC_PRIMARY, fqdn: "primary.example.com", resourcePath: "/health" },
      { id: HC_DR, fqdn: "dr.example.com", resourcePath: "/health" },
    ],
    hostedZones: [
      {
        id: ZONE,
        name: "example.com",
        records: [
          {
            name: "app.example.com",
            type: "A",
            setIdentifier: "primary",
            failover: "PRIMARY",
            ttl: 60,
            values: ["192.0.2.10"],
            healthCheckId: HC_PRIMARY,
          },
          {
            name: "app.example.com",
            type: "A",
            setIdentifier: "secondary",
            failover: "SECONDARY",
            ttl: 60,
            values: ["198.51.100.10"],
          },
          {
            name: "www.example.com",
            type: "A",
            aliasTarget: {
              hostedZoneId: ELB_ZONE,
              dnsName: "my-elb.us-east-1.elb.amazonaws.com",
              evaluateTargetHealth: true,
            },
          },
          { name: "_failover.example.com", type: "TXT", values: [STATE_VALUE] },
          { name: "db.example.com", type: "A", values: ["10.0.0.1"] },
          { name: "multi.example.com", type: "A", ttl: 300, values: ["10.0.0.1", "10.0.0.2"] },
          {
            name: "weighted.example.com",
            type: "A",
            setIdentifier: "blue",
            weight: 10,
            values: ["10.0.1.1"],
          },
        ],
      },
      { id: OTHER_ZONE, name: "example.org" },
    ],
  });
});

afterAll(async () => {
  r53.destroy();
  await sb.close();
});

const change = (Changes: Change[], HostedZoneId = ZONE, Comment?: string) =>
  r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId, ChangeBatch: { Comment, Changes } }));
/** The error a batch is refused with (fails the test if it is accepted). */
const reject = async (Changes: Change[]): Promise<Error> => {
  try {
    await change(Changes);
  } catch (e) {
    return e as Error;
  }
  throw new Error("the change batch was accepted");
};
/** Let any pending change sync, so the next change is accepted. */
const settle = () => sb.clock.advance(PROPAGATION_MS);
const listAll = async (zone = ZONE) =>
  (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }))).ResourceRecordSets ?? [];
const find = (sets: ResourceRecordSet[], name: string, type: string, id?: string) =>
  sets.find((r) => r.Name === name && r.Type === type && r.SetIdentifier === id);
const values = (name: string, type: string, id?: string) =>
  sb.state
    .records(ZONE)
    .find((r) => r.name === name && r.type === type && r.setIdentifier === id)
    ?.values.slice()
    .sort();

describe("Route 53 record sets: failover, alias and TXT round-trip", () => {
  it("lists seeded failover (SetIdentifier, Failover, HealthCheckId) and alias record sets as created", async () => {
    const sets = await listAll();
    expect(find(sets, "app.example.com.", "A", "primary")).toEqual(primary);
    expect(find(sets, "app.example.com.", "A", "secondary")).toEqual(secondary);
    // Alias record sets have no TTL or ResourceRecords; the target is listed as an absolute name.
    expect(find(sets, "www.example.com.", "A")).toEqual({
      Name: "www.example.com.",
      Type: "A",
      AliasTarget: {
        HostedZoneId: ELB_ZONE,
        DNSName: "my-elb.us-east-1.elb.amazonaws.com.",
        EvaluateTargetHealth: true,
      },
    });
  });

  it("round-trips failover alias record sets and quoted TXT strings created through the API, verbatim", async () => {
    const api: ResourceRecordSet = {
      Name: "api.example.com.",
      Type: "A",
      SetIdentifier: "api-primary",
      Failover: "PRIMARY",
      AliasTarget: {
        HostedZoneId: ELB_ZONE,
        DNSName: "api-elb.us-east-1.elb.amazonaws.com.",
        EvaluateTargetHealth: true,
      },
      HealthCheckId: HC_PRIMARY,
    };
    const txt = ['"a=b" "c=d"', '"say \\"hi\\" & <bye>"', '"v=spf1 include:_spf.example.com ~all"'];
    await change([
      { Action: "CREATE", ResourceRecordSet: api },
      {
        Action: "CREATE",
        ResourceRecordSet: {
          Name: "txt.example.com",
          Type: "TXT",
          TTL: 300,
          ResourceRecords: txt.map((Value) => ({ Value })),
        },
      },
    ]);
    settle();
    const sets = await listAll();
    expect(find(sets, "api.example.com.", "A", "api-primary")).toEqual(api);
    expect(find(sets, "txt.example.com.", "TXT")?.ResourceRecords?.map((r) => r.Value)).toEqual(txt);
    expect(find(sets, "_failover.example.com.", "TXT")?.ResourceRecords).toEqual([{ Value: STATE_VALUE }]);
  });

  it("orders record sets by reversed name, type, then set identifier, and pages with Next* as AWS does", async () => {
    const all = await listAll();
    const key = (r: ResourceRecordSet) => `${r.Name} ${r.Type} ${r.SetIdentifier ?? ""}`.trim();
    expect(all.map(key)).toEqual([
      "example.com. NS",
      "example.com. SOA",
      "_failover.example.com. TXT",
      "api.example.com. A api-primary",
      "app.example.com. A primary",
      "app.example.com. A secondary",
      "db.example.com. A",
      "multi.example.com. A",
      "txt.example.com. TXT",
      "weighted.example.com. A blue",
      "www.example.com. A",
    ]);
    // Page one record set at a time, following NextRecordName / NextRecordType / NextRecordIdentifier.
    const paged: ResourceRecordSet[] = [];
    const nexts: (string | undefined)[] = [];
    let start: Omit<ListResourceRecordSetsCommandInput, "HostedZoneId"> = {};
    for (let i = 0; i < 20; i++) {
      const page = await r53.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: ZONE, MaxItems: 1, ...start }),
      );
      paged.push(...(page.ResourceRecordSets ?? []));
      expect(page.MaxItems).toBe(1);
      if (!page.IsTruncated) {
        expect(page.NextRecordName).toBeUndefined();
        break;
      }
      nexts.push(page.NextRecordIdentifier);
      start = {
        StartRecordName: page.NextRecordName,
        StartRecordType: page.NextRecordType,
        StartRecordIdentifier: page.NextRecordIdentifier,
      };
    }
    expect(paged.map(key)).toEqual(all.map(key));
    // NextRecordIdentifier only names record sets that have a SetIdentifier.
    expect(nexts.filter(Boolean)).toEqual(["api-primary", "primary", "secondary", "blue"]);
    // StartRecordName alone starts at the first record set of that name (or the next name).
    const from = await r53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: ZONE,
        StartRecordName: "app.example.com",
        MaxItems: 2,
      }),
    );
    expect(from.ResourceRecordSets?.map(key)).toEqual([
      "app.example.com. A primary",
      "app.example.com. A secondary",
    ]);
    expect(from).toMatchObject({ IsTruncated: true, NextRecordName: "db.example.com.", NextRecordType: "A" });
    expect(from.NextRecordIdentifier).toBeUndefined();
    await expect(
      r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE, StartRecordType: "A" })),
    ).rejects.toMatchObject({ name: "InvalidInput", $metadata: { httpStatusCode: 400 } });
  });
});

describe("Route 53 change batches: all or nothing, with Route 53's messages", () => {
  it("applies nothing when one change of the batch fails, and accepts no change then", async () => {
    const err = await reject([
      {
        Action: "UPSERT",
        ResourceRecordSet: { ...primary, ResourceRecords: [{ Value: "203.0.113.99" }] },
      },
      {
        Action: "DELETE",
        ResourceRecordSet: {
          Name: "db.example.com",
          Type: "A",
          TTL: 60,
          ResourceRecords: [{ Value: "10.0.0.1" }],
        },
      },
    ]);
    expect(err).toMatchObject({
      name: "InvalidChangeBatch",
      message:
        "[Tried to delete resource record set [name='db.example.com.', type='A'] but the values provided do not match the current values]",
      $metadata: { httpStatusCode: 400 },
    });
    expect(values("app.example.com.", "A", "primary")).toEqual(["192.0.2.10"]);
    // The rejected batch left no PENDING change behind: the next one is accepted at once.
    await expect(
      change([
        {
          Action: "UPSERT",
          ResourceRecordSet: {
            Name: "noop.example.com",
            Type: "A",
            TTL: 60,
            ResourceRecords: [{ Value: "10.9.9.9" }],
          },
        },
      ]),
    ).resolves.toMatchObject({ ChangeInfo: { Status: "PENDING" } });
    settle();
  });

  it("keeps the accepted batches of each zone, oldest first, and none that was refused (state.route53Changes)", async () => {
    // Prepare
    const before = sb.state.route53Changes(OTHER_ZONE).length;
    const set = {
      Name: "log.example.org",
      Type: "A" as const,
      TTL: 60,
      ResourceRecords: [{ Value: "10.2.0.1" }],
    };
    // Act: a refused batch (DELETE of a set that does not exist), then an accepted one
    await expect(change([{ Action: "DELETE", ResourceRecordSet: set }], OTHER_ZONE)).rejects.toMatchObject({
      name: "InvalidChangeBatch",
    });
    const out = await change([{ Action: "CREATE", ResourceRecordSet: set }], OTHER_ZONE, "drill: one change");
    settle();
    // Assess
    const history = sb.state.route53Changes(OTHER_ZONE);
    expect(history).toHaveLength(before + 1);
    expect(history.at(-1)).toEqual({
      id: out.ChangeInfo?.Id?.replace("/change/", ""),
      submittedAt: out.ChangeInfo?.SubmittedAt,
      comment: "drill: one change",
      changes: [{ action: "CREATE", name: "log.example.org.", type: "A", values: ["10.2.0.1"] }],
    });
    expect(sb.state.route53Changes("Z0NOSUCHZONE")).toEqual([]);
  });

  it("answers CREATE of an existing set and DELETE of a missing one together, naming the set identifier", async () => {
    const err = await reject([
      { Action: "CREATE", ResourceRecordSet: primary },
      {
        Action: "DELETE",
        ResourceRecordSet: {
          Name: "gone.example.com.",
          Type: "A",
          TTL: 60,
          ResourceRecords: [{ Value: "10.0.0.9" }],
        },
      },
    ]);
    expect(err).toMatchObject({
      name: "InvalidChangeBatch",
      message:
        "[Tried to create resource record set [name='app.example.com.', type='A', set-identifier='primary'] but it already exists, Tried to delete resource record set [name='gone.example.com.', type='A'] but it was not found]",
    });
  });

  it("DELETE must match TTL, every value (in any order), alias target, failover and health check", async () => {
    const multi = (over: Partial<ResourceRecordSet>): Change => ({
      Action: "DELETE",
      ResourceRecordSet: {
        Name: "multi.example.com.",
        Type: "A",
        TTL: 300,
        ResourceRecords: [{ Value: "10.0.0.1" }, { Value: "10.0.0.2" }],
        ...over,
      },
    });
    const alias = (over: Partial<NonNullable<ResourceRecordSet["AliasTarget"]>>): Change => ({
      Action: "DELETE",
      ResourceRecordSet: {
        Name: "www.example.com.",
        Type: "A",
        AliasTarget: {
          HostedZoneId: ELB_ZONE,
          DNSName: "my-elb.us-east-1.elb.amazonaws.com",
          EvaluateTargetHealth: true,
          ...over,
        },
      },
    });
    const mismatches: [string, Change][] = [
      ["TTL", multi({ TTL: 60 })],
      ["a missing value", multi({ ResourceRecords: [{ Value: "10.0.0.1" }] })],
      [
        "an extra value",
        multi({ ResourceRecords: [{ Value: "10.0.0.1" }, { Value: "10.0.0.2" }, { Value: "10.0.0.3" }] }),
      ],
      ["another value", multi({ ResourceRecords: [{ Value: "10.0.0.1" }, { Value: "10.0.0.3" }] })],
      ["the alias DNS name", alias({ DNSName: "other-elb.us-east-1.elb.amazonaws.com" })],
      ["the alias zone", alias({ HostedZoneId: "Z1H1FL5HABSF5" })],
      [
        "the weight",
        {
          Action: "DELETE",
          ResourceRecordSet: {
            Name: "weighted.example.com",
            Type: "A",
            SetIdentifier: "blue",
            Weight: 20,
            TTL: 300,
            ResourceRecords: [{ Value: "10.0.1.1" }],
          },
        },
      ],
      ["EvaluateTargetHealth", alias({ EvaluateTargetHealth: false })],
      ["the failover role", { Action: "DELETE", ResourceRecordSet: { ...primary, Failover: "SECONDARY" } }],
      ["the health check", { Action: "DELETE", ResourceRecordSet: { ...primary, HealthCheckId: HC_DR } }],
      ["no health check", { Action: "DELETE", ResourceRecordSet: { ...primary, HealthCheckId: undefined } }],
    ];
    for (const [what, c] of mismatches) {
      const err = await reject([c]);
      expect(err.message, what).toMatch(/but the values provided do not match the current values\]$/);
    }
    const unknownSet = await reject([
      { Action: "DELETE", ResourceRecordSet: { ...primary, SetIdentifier: "tertiary" } },
    ]);
    expect(unknownSet.message).toBe(
      "[Tried to delete resource record set [name='app.example.com.', type='A', set-identifier='tertiary'] but it was not found]",
    );
    expect(sb.state.records(ZONE).filter((r) => r.name === "multi.example.com.")).toHaveLength(1);
    // Exactly as created, values in another order and the name in upper case: deleted.
    await change([
      {
        Action: "DELETE",
        ResourceRecordSet: {
          Name: "MULTI.example.com",
          Type: "A",
          TTL: 300,
          ResourceRecords: [{ Value: "10.0.0.2" }, { Value: "10.0.0.1" }],
        },
      },
      alias({ DNSName: "my-elb.us-east-1.elb.amazonaws.com." }),
    ]);
    settle();
    expect(
      sb.state.records(ZONE).some((r) => r.name === "multi.example.com." || r.name === "www.example.com."),
    ).toBe(false);
  });

  it("fails over in one batch: swap PRIMARY and SECONDARY values and write the state TXT record", async () => {
    const before = await listAll();
    const out = await change(
      [
        {
          Action: "UPSERT",
          ResourceRecordSet: {
            ...primary,
            ResourceRecords: [{ Value: "198.51.100.10" }],
            HealthCheckId: HC_DR,
          },
        },
        { Action: "UPSERT", ResourceRecordSet: { ...secondary, ResourceRecords: [{ Value: "192.0.2.10" }] } },
        {
          Action: "UPSERT",
          ResourceRecordSet: {
            Name: "_failover.example.com.",
            Type: "TXT",
            TTL: 300,
            ResourceRecords: [{ Value: '"active=dr" "since=2024-01-01T00:05:00Z"' }],
          },
        },
      ],
      ZONE,
      "failover to dr",
    );
    expect(out.ChangeInfo).toMatchObject({ Status: "PENDING", Comment: "failover to dr" });
    const after = await listAll();
    expect(after).toHaveLength(before.length);
    expect(find(after, "app.example.com.", "A", "primary")).toMatchObject({
      ResourceRecords: [{ Value: "198.51.100.10" }],
      HealthCheckId: HC_DR,
    });
    expect(find(after, "app.example.com.", "A", "secondary")?.ResourceRecords).toEqual([
      { Value: "192.0.2.10" },
    ]);
    expect(find(after, "_failover.example.com.", "TXT")?.ResourceRecords).toEqual([
      { Value: '"active=dr" "since=2024-01-01T00:05:00Z"' },
    ]);
    settle();
    // Swapping the roles (both sets change Failover in one batch) is judged on the result: allowed.
    await change([
      {
        Action: "UPSERT",
        ResourceRecordSet: { ...primary, Failover: "SECONDARY", HealthCheckId: undefined },
      },
      { Action: "UPSERT", ResourceRecordSet: { ...secondary, Failover: "PRIMARY", HealthCheckId: HC_DR } },
    ]);
    settle();
    expect(
      sb.state
        .records(ZONE)
        .filter((r) => r.name === "app.example.com.")
        .map((r) => `${r.setIdentifier}=${r.failover}`),
    ).toEqual(["primary=SECONDARY", "secondary=PRIMARY"]);
    await change([
      { Action: "UPSERT", ResourceRecordSet: primary },
      { Action: "UPSERT", ResourceRecordSet: secondary },
    ]);
    settle();
  });

  it("replaces a set with DELETE then CREATE in one batch, but refuses other repeats of one set", async () => {
    await change([
      {
        Action: "DELETE",
        ResourceRecordSet: {
          Name: "db.example.com",
          Type: "A",
          TTL: 300,
          ResourceRecords: [{ Value: "10.0.0.1" }],
        },
      },
      {
        Action: "CREATE",
        ResourceRecordSet: {
          Name: "db.example.com",
          Type: "A",
          TTL: 60,
          ResourceRecords: [{ Value: "10.0.0.5" }],
        },
      },
    ]);
    settle();
    expect(values("db.example.com.", "A")).toEqual(["10.0.0.5"]);
    const twice = await reject([
      {
        Action: "UPSERT",
        ResourceRecordSet: {
          Name: "db.example.com",
          Type: "A",
          TTL: 60,
          ResourceRecords: [{ Value: "10.0.0.6" }],
        },
      },
      {
        Action: "UPSERT",
        ResourceRecordSet: {
          Name: "db.example.com",
          Type: "A",
          TTL: 60,
          ResourceRecords: [{ Value: "10.0.0.7" }],
        },
      },
    ]);
    expect(twice).toMatchObject({
      name: "InvalidChangeBatch",
      message:
        "[The request contains an invalid set of changes for a resource record set 'A db.example.com.']",
    });
  });

  it("refuses what Route 53 refuses: conflicts, bad RDATA, a primary without health check", async () => {
    const a = (name: string, value: string, extra: Partial<ResourceRecordSet> = {}): Change => ({
      Action: "CREATE",
      ResourceRecordSet: { Name: name, Type: "A", TTL: 60, ResourceRecords: [{ Value: value }], ...extra },
    });
    const cases: [Change[], string][] = [
      [
        [
          {
            Action: "CREATE",
            ResourceRecordSet: {
              Name: "app.example.com",
              Type: "CNAME",
              TTL: 60,
              ResourceRecords: [{ Value: "x.example.net" }],
            },
          },
        ],
        "RRSet of type CNAME with DNS name app.example.com. is not permitted as it conflicts with other records with the same DNS name in zone example.com.",
      ],
      [
        [
          {
            Action: "CREATE",
            ResourceRecordSet: {
              Name: "example.com",
              Type: "CNAME",
              TTL: 60,
              ResourceRecords: [{ Value: "x.example.net" }],
            },
          },
        ],
        "RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com.",
      ],
      [
        [a("app.example.com", "10.1.1.1")],
        "RRSet with DNS name app.example.com., type A is not permitted because an RRSet with the same name and type and a different routing policy exists in zone example.com.",
      ],
      [
        [
          a("app.example.com", "10.1.1.1", {
            SetIdentifier: "third",
            Failover: "PRIMARY",
            HealthCheckId: HC_DR,
          }),
        ],
        "RRSet with DNS name app.example.com., type A, SetIdentifier third is not permitted because a failover RRSet with the same name and type and Failover PRIMARY already exists in zone example.com.",
      ],
      [
        [a("new.example.com", "10.1.1.1", { SetIdentifier: "p", Failover: "PRIMARY" })],
        "A non-alias primary ResourceRecordSet must have an associated health check. No changes made.",
      ],
      [
        [a("new.example.com", "10.0.0.256")],
        "Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '10.0.0.256''",
      ],
      [
        [
          {
            Action: "CREATE",
            ResourceRecordSet: {
              Name: "t.example.com",
              Type: "TXT",
              TTL: 60,
              ResourceRecords: [{ Value: `"${"x".repeat(256)}"` }],
            },
          },
        ],
        `Invalid Resource Record: 'FATAL problem: CharacterStringTooLong (Value is too long) encountered with '"${"x".repeat(256)}"''`,
      ],
      [
        [
          {
            Action: "CREATE",
            ResourceRecordSet: {
              Name: "v6.example.com",
              Type: "AAAA",
              TTL: 60,
              ResourceRecords: [{ Value: "10.0.0.1" }],
            },
          },
        ],
        "Invalid Resource Record: 'FATAL problem: AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address) encountered with '10.0.0.1''",
      ],
      [
        [a("app.example.org", "10.1.1.1")],
        "RRSet with DNS name app.example.org. is not permitted in zone example.com.",
      ],
    ];
    for (const [changes, message] of cases) {
      await expect(change(changes), message).rejects.toMatchObject({
        name: "InvalidChangeBatch",
        message: `[${message}]`,
      });
    }
    // Long TXT data is fine split into strings of at most 255 characters.
    await change([
      {
        Action: "CREATE",
        ResourceRecordSet: {
          Name: "t.example.com",
          Type: "TXT",
          TTL: 60,
          ResourceRecords: [{ Value: `"${"x".repeat(255)}" "${"y".repeat(200)}"` }],
        },
      },
    ]);
    settle();
  });

  it("answers InvalidInput for malformed record sets and NoSuchHealthCheck for an unknown health check", async () => {
    const cases: [ResourceRecordSet, string][] = [
      [
        { Name: "n.example.com", Type: "A", ResourceRecords: [{ Value: "10.0.0.1" }] },
        "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=CREATE, Name=n.example.com, Type=A, SetIdentifier=null]",
      ],
      [
        {
          Name: "n.example.com.",
          Type: "A",
          TTL: 60,
          AliasTarget: {
            HostedZoneId: ELB_ZONE,
            DNSName: "e.elb.amazonaws.com",
            EvaluateTargetHealth: false,
          },
        },
        "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in Change with [Action=CREATE, Name=n.example.com., Type=A, SetIdentifier=null]",
      ],
      [
        {
          Name: "n.example.com",
          Type: "A",
          TTL: 60,
          Failover: "SECONDARY",
          ResourceRecords: [{ Value: "10.0.0.1" }],
        },
        "Invalid request: Missing field 'SetIdentifier' in Change with [Action=CREATE, Name=n.example.com, Type=A, SetIdentifier=null]",
      ],
    ];
    cases.push([
      { ...primary, SetIdentifier: "x", Failover: "TERTIARY" as "PRIMARY" },
      "1 validation error detected: Value 'TERTIARY' at 'changeBatch.changes.1.member.resourceRecordSet.failover' failed to satisfy constraint: Member must satisfy enum value set: [SECONDARY, PRIMARY]",
    ]);
    await expect(
      change([{ Action: "REPLACE" as "CREATE", ResourceRecordSet: primary }]),
    ).rejects.toMatchObject({
      name: "InvalidInput",
      message:
        "1 validation error detected: Value 'REPLACE' at 'changeBatch.changes.1.member.action' failed to satisfy constraint: Member must satisfy enum value set: [UPSERT, DELETE, CREATE]",
    });
    for (const [rrset, message] of cases) {
      await expect(change([{ Action: "CREATE", ResourceRecordSet: rrset }])).rejects.toMatchObject({
        name: "InvalidInput",
        message,
        $metadata: { httpStatusCode: 400 },
      });
    }
    await expect(
      change([
        {
          Action: "UPSERT",
          ResourceRecordSet: { ...primary, HealthCheckId: "33333333-3333-4333-8333-333333333333" },
        },
      ]),
    ).rejects.toMatchObject({
      name: "NoSuchHealthCheck",
      message: "No health check exists with the specified ID: 33333333-3333-4333-8333-333333333333",
      $metadata: { httpStatusCode: 404 },
    });
  });
});

describe("Route 53 batch limits", () => {
  it("refuses more than 1,000 records in a batch, UPSERTs counting twice", async () => {
    const ips = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ Value: `10.1.${Math.floor(i / 250)}.${i % 250}` }));
    await expect(
      change([
        {
          Action: "UPSERT",
          ResourceRecordSet: { Name: "big.example.com", Type: "A", TTL: 60, ResourceRecords: ips(501) },
        },
      ]),
    ).rejects.toMatchObject({
      name: "InvalidChangeBatch",
      message: "Number of records limit of 1000 exceeded.",
    });
    await change([
      {
        Action: "UPSERT",
        ResourceRecordSet: { Name: "big.example.com", Type: "A", TTL: 60, ResourceRecords: ips(500) },
      },
    ]);
    settle();
    expect(values("big.example.com.", "A")).toHaveLength(500);
  });

  it("refuses MaxItems below 1 with InvalidInput, and a negative route53PropagationMs at start", async () => {
    await expect(
      r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE, MaxItems: 0 })),
    ).rejects.toMatchObject({
      name: "InvalidInput",
    });
    await expect(startSandbox({ route53PropagationMs: -1 })).rejects.toThrow(/route53PropagationMs/);
  });
});

describe("Route 53 propagation: PENDING, then INSYNC after route53PropagationMs", () => {
  it("stays PENDING until the configured time, refusing new changes to that zone (not others) meanwhile", async () => {
    const t0 = sb.clock.now().getTime();
    const out = await change([
      {
        Action: "UPSERT",
        ResourceRecordSet: {
          Name: "p.example.com",
          Type: "A",
          TTL: 60,
          ResourceRecords: [{ Value: "10.0.0.1" }],
        },
      },
    ]);
    const id = out.ChangeInfo?.Id;
    expect(out.ChangeInfo?.SubmittedAt?.getTime()).toBe(t0);
    sb.clock.advance(PROPAGATION_MS - 1);
    expect((await r53.send(new GetChangeCommand({ Id: id }))).ChangeInfo?.Status).toBe("PENDING");
    const busy = await reject([
      {
        Action: "UPSERT",
        ResourceRecordSet: {
          Name: "p.example.com",
          Type: "A",
          TTL: 60,
          ResourceRecords: [{ Value: "10.0.0.2" }],
        },
      },
    ]);
    expect(busy).toMatchObject({ name: "PriorRequestNotComplete", $metadata: { httpStatusCode: 400 } });
    // Zones are independent: another zone takes a change while this one is pending.
    await change(
      [
        {
          Action: "CREATE",
          ResourceRecordSet: {
            Name: "x.example.org",
            Type: "A",
            TTL: 60,
            ResourceRecords: [{ Value: "10.0.0.3" }],
          },
        },
      ],
      OTHER_ZONE,
    );
    sb.clock.advance(1);
    expect((await r53.send(new GetChangeCommand({ Id: id }))).ChangeInfo).toMatchObject({ Status: "INSYNC" });
    await change([
      {
        Action: "UPSERT",
        ResourceRecordSet: {
          Name: "p.example.com",
          Type: "A",
          TTL: 60,
          ResourceRecords: [{ Value: "10.0.0.2" }],
        },
      },
    ]);
    settle();
  });

  it("defaults to 5 s", async () => {
    const other = await startSandbox();
    const client = new Route53Client({
      region: "us-east-1",
      endpoint: other.endpoint,
      credentials,
      maxAttempts: 1,
    });
    try {
      other.seed({ hostedZones: [{ id: ZONE, name: "example.com" }] });
      const out = await client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: ZONE,
          ChangeBatch: {
            Changes: [
              {
                Action: "CREATE",
                ResourceRecordSet: {
                  Name: "a.example.com",
                  Type: "A",
                  TTL: 60,
                  ResourceRecords: [{ Value: "10.0.0.1" }],
                },
              },
            ],
          },
        }),
      );
      other.clock.advance(4_999);
      expect((await client.send(new GetChangeCommand({ Id: out.ChangeInfo?.Id }))).ChangeInfo?.Status).toBe(
        "PENDING",
      );
      other.clock.advance(1);
      expect((await client.send(new GetChangeCommand({ Id: out.ChangeInfo?.Id }))).ChangeInfo?.Status).toBe(
        "INSYNC",
      );
    } finally {
      client.destroy();
      await other.close();
    }
  });
});
