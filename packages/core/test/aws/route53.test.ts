import {
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandInput,
  type ResourceRecordSet,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { readRecordSets } from "../../src/aws/route53.ts";

const route53Mock = mockClient(Route53Client);
afterEach(() => route53Mock.reset());

const ZONE = "Z0123456789";
const key = (r: { Name?: string; Type?: string; SetIdentifier?: string }) =>
  `${(r.Name ?? "").split(".").reverse().join(".")}\u0000${r.Type}\u0000${r.SetIdentifier ?? ""}`;

const a = (name: string, value: string, setIdentifier?: string): ResourceRecordSet => ({
  Name: name,
  Type: "A",
  TTL: 60,
  ResourceRecords: [{ Value: value }],
  ...(setIdentifier
    ? { SetIdentifier: setIdentifier, Failover: setIdentifier.toUpperCase() as "PRIMARY" }
    : {}),
});

/** A zone answering ListResourceRecordSets as Route 53 does: its order, from the start, MaxItems a page. */
function fakeZone(sets: ResourceRecordSet[], maxItems?: number): ListResourceRecordSetsCommandInput[] {
  const zone = [...sets].sort((x, y) => (key(x) < key(y) ? -1 : 1));
  const calls: ListResourceRecordSetsCommandInput[] = [];
  route53Mock.on(ListResourceRecordSetsCommand).callsFake((input: ListResourceRecordSetsCommandInput) => {
    calls.push(input);
    const start = key({
      Name: input.StartRecordName,
      Type: input.StartRecordType,
      SetIdentifier: input.StartRecordIdentifier,
    });
    const from = zone.findIndex((s) => key(s) >= start);
    const max = maxItems ?? input.MaxItems ?? 300;
    const first = from < 0 ? zone.length : from;
    const page = zone.slice(first, first + max);
    const next = zone[first + max];
    return {
      ResourceRecordSets: page,
      IsTruncated: next !== undefined,
      MaxItems: max,
      ...(next
        ? {
            NextRecordName: next.Name,
            NextRecordType: next.Type,
            ...(next.SetIdentifier ? { NextRecordIdentifier: next.SetIdentifier } : {}),
          }
        : {}),
    };
  });
  return calls;
}

const WANTED = [
  { name: "app.example.com", type: "A" },
  { name: "api.example.com", type: "A" },
  { name: "_outpost-ops-failover.example.com.", type: "TXT" },
];

describe("readRecordSets", () => {
  it("reads nearby names from one page (Route 53's 5 requests/s are not spent a name at a time)", async () => {
    // Arrange
    const calls = fakeZone([
      a("app.example.com.", "10.0.0.10"),
      a("api.example.com.", "10.0.0.20", "primary"),
      a("api.example.com.", "10.1.0.20", "secondary"),
      a("www.example.com.", "10.0.0.99"),
    ]);

    // Act
    const sets = await readRecordSets(new Route53Client({ region: "us-east-1" }), ZONE, WANTED);

    // Assess: the state record does not exist; every other set is read, from the first name on
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ StartRecordName: "_outpost-ops-failover.example.com.", MaxItems: 300 });
    expect(sets.map((s) => `${s.name} ${s.setIdentifier ?? ""}`).sort()).toEqual([
      "api.example.com. primary",
      "api.example.com. secondary",
      "app.example.com. ",
    ]);
  });

  it("reads a name the first page does not hold from its own position (a large zone: a page per name)", async () => {
    // Arrange: 400 records between api and app
    const filler = Array.from({ length: 400 }, (_, i) =>
      a(`apj${String(i).padStart(3, "0")}.example.com.`, "10.9.9.9"),
    );
    const calls = fakeZone([
      a("app.example.com.", "10.0.0.10"),
      a("api.example.com.", "10.0.0.20"),
      ...filler,
    ]);

    // Act
    const sets = await readRecordSets(new Route53Client({ region: "us-east-1" }), ZONE, WANTED);

    // Assess
    expect(calls.map((c) => c.StartRecordName)).toEqual([
      "_outpost-ops-failover.example.com.",
      "app.example.com.",
    ]);
    expect(sets.map((s) => s.name).sort()).toEqual(["api.example.com.", "app.example.com."]);
  });

  it("a name whose sets a page cuts off goes on from the next record; one cut off at another's page is read whole", async () => {
    // Arrange: pages of two sets
    const calls = fakeZone(
      [
        a("api.example.com.", "10.0.0.20", "primary"),
        a("api.example.com.", "10.1.0.20", "secondary"),
        a("api.example.com.", "10.2.0.20", "tertiary"),
        a("app.example.com.", "10.0.0.10", "one"),
        a("app.example.com.", "10.0.0.11", "two"),
      ],
      2,
    );

    // Act
    const sets = await readRecordSets(new Route53Client({ region: "us-east-1" }), ZONE, WANTED.slice(0, 2));

    // Assess: every set once
    expect(sets.map((s) => `${s.name} ${s.setIdentifier}`).sort()).toEqual([
      "api.example.com. primary",
      "api.example.com. secondary",
      "api.example.com. tertiary",
      "app.example.com. one",
      "app.example.com. two",
    ]);
    expect(calls.map((c) => `${c.StartRecordName} ${c.StartRecordIdentifier ?? ""}`)).toEqual([
      "api.example.com. ",
      "api.example.com. tertiary",
      "app.example.com. ",
    ]);
  });
});
