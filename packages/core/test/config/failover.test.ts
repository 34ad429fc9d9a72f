import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/schema.ts";
import { ConfigError } from "../../src/errors.ts";
import { checkClassicEvent, parseManualEvent } from "../../src/failover/manual-event.ts";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const HC = "11111111-2222-3333-4444-555555555555";

// biome-ignore lint/suspicious/noExplicitAny: bad configs are by definition off-type
function config(failover: Record<string, any>): unknown {
  return {
    regions: { primary: "us-west-2", dr: "us-east-1" },
    alerts: { emails: [] },
    policies: [
      {
        name: "db",
        resource: "rds-instance",
        selector: { tags: { Backup: "dr" } },
        schedules: [{ name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 2 } }],
        copy: { rpo: "6h", kmsKeyArn: KEY },
      },
      {
        name: "local",
        resource: "ebs-volume",
        selector: { tags: { Backup: "x" } },
        schedules: [{ name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 2 } }],
      },
    ],
    failover: {
      hostedZone: { name: "example.com" },
      records: [
        {
          name: "app.example.com",
          type: "A",
          primary: { values: ["10.0.0.1"] },
          dr: { values: ["10.1.0.1"] },
        },
      ],
      ...failover,
    },
  };
}

function issues(input: unknown): { path: string; message: string }[] {
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

describe("Config: failover", () => {
  it("fills the defaults: alert-only, 1h cooldown, readiness every 30 minutes, TTL 60, simple routing", () => {
    const parsed = parseConfig(config({})).failover;
    expect(parsed).toMatchObject({
      mode: "alert-only",
      cooldown: "1h",
      readiness: { schedule: "rate(30 minutes)" },
      alarms: [],
      operators: [],
      records: [{ ttl: 60, routing: "simple", setIdentifiers: { primary: "primary", dr: "dr" } }],
    });
  });

  it("names each bad field: zone, values per type, alias on a CNAME, failover routing without a health check", () => {
    const found = issues(
      config({
        hostedZone: { id: "Z1", name: "example.com" },
        records: [
          {
            name: "app.example.com",
            type: "A",
            primary: { values: ["10.0.0.1"] },
            dr: { values: ["10.1.0.300"] },
          },
          {
            name: "v6.example.com",
            type: "AAAA",
            primary: { values: ["10.0.0.1"] },
            dr: { values: ["2001:db8::1"] },
          },
          {
            name: "c.example.com",
            type: "CNAME",
            primary: { values: ["a.example.net", "b.example.net"] },
            dr: { alias: { dnsName: "x.elb.amazonaws.com", hostedZoneId: "Z35SXDOTRQ7X7K" } },
          },
          {
            name: "f.example.com",
            type: "A",
            routing: "failover",
            primary: { values: ["10.0.0.1"] },
            dr: { values: ["10.1.0.1"] },
          },
          { name: "both.example.com", type: "A", primary: {}, dr: { values: ["10.1.0.1"] } },
        ],
      }),
    );
    expect(found.map((f) => f.path)).toEqual([
      "failover.hostedZone",
      "failover.records[0].dr.values[0]",
      "failover.records[1].primary.values[0]",
      "failover.records[2].primary.values",
      "failover.records[2].dr.alias",
      "failover.records[3].primaryHealthCheckId",
      "failover.records[4].primary",
    ]);
  });

  it("checks it against the rest of the config: alarm Regions, policies, the zone's names, automatic without alarms", () => {
    const found = issues(
      config({
        mode: "automatic",
        policies: ["local", "nope"],
        alarms: ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:far"],
        records: [
          {
            name: "app.example.org",
            type: "A",
            primary: { values: ["10.0.0.1"] },
            dr: { values: ["10.1.0.1"] },
          },
          {
            name: "APP.example.org.",
            type: "A",
            primary: { values: ["10.0.0.1"] },
            dr: { values: ["10.1.0.1"] },
          },
        ],
      }),
    );
    expect(found).toEqual([
      {
        path: "failover.alarms[0]",
        message: expect.stringMatching(/in eu-west-1: failover sees alarms of the primary Region/),
      },
      { path: "failover.policies[0]", message: expect.stringMatching(/"local" has no copy rule/) },
      {
        path: "failover.policies[1]",
        message: expect.stringMatching(/unknown policy "nope" \(copy policies: db\)/),
      },
      { path: "failover.records[0].name", message: "app.example.org is not in the hosted zone example.com." },
      { path: "failover.records[1].name", message: "app.example.org. A is listed twice" },
      {
        path: "failover.records[1].name",
        message: "APP.example.org. is not in the hosted zone example.com.",
      },
    ]);
    expect(issues(config({ mode: "automatic" }))).toEqual([
      { path: "failover.alarms", message: expect.stringMatching(/needs at least one alarm/) },
    ]);
  });

  it("refuses a wildcard record: Route 53 lists it escaped, and a site's front door is a name", () => {
    const found = issues(
      config({
        records: [
          {
            name: "*.example.com",
            type: "A",
            primary: { values: ["10.0.0.1"] },
            dr: { values: ["10.1.0.1"] },
          },
        ],
      }),
    );
    expect(found).toEqual([
      { path: "failover.records[0].name", message: "must be a DNS name such as app.example.com" },
    ]);
  });

  it("is strict: an unknown key is an error at its path", () => {
    expect(issues(config({ ttl: 60 })).map((i) => i.path)).toEqual(["failover"]);
    expect(
      issues(
        config({
          records: [
            {
              name: "f.example.com",
              type: "A",
              routing: "failover",
              primaryHealthCheckId: HC,
              primary: { values: ["10.0.0.1"] },
              dr: { values: ["10.1.0.1"] },
            },
          ],
        }),
      ),
    ).toEqual([]);
  });
});

describe("Manual failover events", () => {
  const failover = (
    parseConfig(config({})) as { failover: NonNullable<ReturnType<typeof parseConfig>["failover"]> }
  ).failover;

  it("accepts the CLI's event with defaults, and refuses unknown fields by name", () => {
    expect(parseManualEvent({ "outpost-ops": "failback" })).toEqual({
      kind: "manual",
      event: {
        "outpost-ops": "failback",
        dryRun: false,
        force: false,
        reason: "requested by an operator",
        requestedBy: "unknown",
      },
    });
    expect(() => parseManualEvent({ "outpost-ops": "failover", dryrun: true })).toThrow(/dryrun/);
    expect(() => parseManualEvent({ action: "failover" })).toThrow(/outpost-ops/);
  });

  it("accepts the classic DR Lambda's event only for a configured record and its DR value", () => {
    const classic = parseManualEvent({
      hosted_zone_id: "Z0123",
      domain_name: "app.example.com",
      dr_ip: "10.1.0.1",
    });
    expect(classic.kind).toBe("classic");
    if (classic.kind !== "classic") throw new Error("not classic");
    expect(checkClassicEvent(failover, classic.event)).toBeUndefined();
    expect(checkClassicEvent(failover, { ...classic.event, dr_ip: "10.9.9.9" })).toEqual([
      {
        path: "dr_ip",
        message: expect.stringMatching(/not the configured DR target of app.example.com \(10.1.0.1\)/),
      },
    ]);
    expect(
      checkClassicEvent(failover, { ...classic.event, domain_name: "other.example.com" })?.[0]?.path,
    ).toBe("domain_name");
    expect(() => parseManualEvent({ hosted_zone_id: "Z0123", domain_name: "app.example.com" })).toThrow(
      /dr_ip/,
    );
  });
});
