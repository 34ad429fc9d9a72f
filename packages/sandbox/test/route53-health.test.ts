/**
 * Route 53 health checks (seeded, flipped with sandbox.setHealthCheck), zone lookups by id and by name,
 * and the account-wide request rate (Throttling, retried by the SDK).
 */
import {
  GetHealthCheckCommand,
  GetHealthCheckStatusCommand,
  GetHostedZoneCommand,
  ListHealthChecksCommand,
  ListHostedZonesByNameCommand,
  ListHostedZonesCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const HC_PRIMARY = "11111111-1111-4111-8111-111111111111";
const HC_DR = "22222222-2222-4222-8222-222222222222";
const HC_TCP = "33333333-3333-4333-8333-333333333333";
const CHECKERS = [
  "us-east-1",
  "us-west-1",
  "us-west-2",
  "eu-west-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-northeast-1",
  "sa-east-1",
];

let sb: Sandbox;
let r53: Route53Client;

beforeAll(async () => {
  sb = await startSandbox({ startTime: new Date("2024-05-01T10:00:45Z") });
  r53 = new Route53Client({ region: "us-east-1", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  sb.seed({
    healthChecks: [
      { id: HC_PRIMARY, fqdn: "primary.example.com", resourcePath: "/health", requestInterval: 10 },
      {
        id: HC_DR,
        type: "HTTP",
        ipAddress: "198.51.100.10",
        healthy: false,
        failureReason: "Failure: HTTP Status Code 503, Service Unavailable",
      },
      {
        id: HC_TCP,
        type: "TCP",
        ipAddress: "198.51.100.20",
        port: 5432,
        regions: ["us-east-1", "eu-west-1", "ap-southeast-1"],
      },
    ],
    hostedZones: [
      { id: "Z0000000000AAA", name: "example.com" },
      { id: "Z0000000000BBB", name: "a.example.com" },
      { id: "Z0000000000CCC", name: "example.org" },
    ],
  });
});

afterEach(() => sb.throttling(false));

afterAll(async () => {
  r53.destroy();
  await sb.close();
});

const statuses = async (id: string) =>
  (await r53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }))).HealthCheckObservations ?? [];

describe("Route 53 health checks", () => {
  it("GetHealthCheck answers the seeded configuration with Route 53's defaults", async () => {
    const out = await r53.send(new GetHealthCheckCommand({ HealthCheckId: HC_PRIMARY }));
    expect(out.HealthCheck).toMatchObject({
      Id: HC_PRIMARY,
      HealthCheckVersion: 1,
      HealthCheckConfig: {
        Type: "HTTPS",
        FullyQualifiedDomainName: "primary.example.com",
        Port: 443,
        ResourcePath: "/health",
        RequestInterval: 10,
        FailureThreshold: 3,
        Inverted: false,
        Disabled: false,
        EnableSNI: true,
      },
    });
    const tcp = await r53.send(new GetHealthCheckCommand({ HealthCheckId: HC_TCP }));
    expect(tcp.HealthCheck?.HealthCheckConfig).toMatchObject({
      Type: "TCP",
      IPAddress: "198.51.100.20",
      Port: 5432,
    });
    expect(tcp.HealthCheck?.HealthCheckConfig?.Regions).toEqual(["us-east-1", "eu-west-1", "ap-southeast-1"]);
    const http = await r53.send(new GetHealthCheckCommand({ HealthCheckId: HC_DR }));
    expect(http.HealthCheck?.HealthCheckConfig).toMatchObject({ Type: "HTTP", Port: 80, ResourcePath: "/" });
    expect(http.HealthCheck?.HealthCheckConfig?.EnableSNI).toBeUndefined();
    expect(() => sb.seed({ healthChecks: [{ id: "bad", failureReason: "it is down" }] })).toThrow(
      /must start "Failure: "/,
    );
  });

  it("answers NoSuchHealthCheck (404) for an unknown id, on GetHealthCheck and GetHealthCheckStatus", async () => {
    for (const cmd of [
      new GetHealthCheckCommand({ HealthCheckId: "nope" }),
      new GetHealthCheckStatusCommand({ HealthCheckId: "nope" }),
    ]) {
      await expect(r53.send(cmd as GetHealthCheckCommand)).rejects.toMatchObject({
        name: "NoSuchHealthCheck",
        $metadata: { httpStatusCode: 404 },
      });
    }
  });

  it("GetHealthCheckStatus: one observation per checker Region, reporting success while healthy", async () => {
    const obs = await statuses(HC_PRIMARY);
    expect(obs.map((o) => o.Region)).toEqual(CHECKERS);
    for (const o of obs) {
      expect(o.StatusReport?.Status).toBe("Success: HTTP Status Code 200, OK");
      expect(o.IPAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      // Checked at the last multiple of the 10 s request interval.
      expect(o.StatusReport?.CheckedTime).toEqual(new Date("2024-05-01T10:00:40Z"));
    }
    expect(new Set(obs.map((o) => o.IPAddress)).size).toBe(CHECKERS.length);
    const tcp = await statuses(HC_TCP);
    expect(tcp.map((o) => o.Region)).toEqual(["us-east-1", "eu-west-1", "ap-southeast-1"]);
    expect(tcp[0]?.StatusReport?.Status).toMatch(/^Success: /);
  });

  it("reports the seeded failure, and follows sandbox.setHealthCheck both ways", async () => {
    expect((await statuses(HC_DR)).map((o) => o.StatusReport?.Status)).toEqual(
      CHECKERS.map(() => "Failure: HTTP Status Code 503, Service Unavailable"),
    );
    sb.setHealthCheck(HC_PRIMARY, false);
    const down = await statuses(HC_PRIMARY);
    expect(down).toHaveLength(CHECKERS.length);
    for (const o of down) expect(o.StatusReport?.Status).toMatch(/^Failure: Connection timed out\. /);
    sb.setHealthCheck(HC_PRIMARY, false, "Failure: HTTP Status Code 500, Internal Server Error");
    expect((await statuses(HC_PRIMARY))[0]?.StatusReport?.Status).toBe(
      "Failure: HTTP Status Code 500, Internal Server Error",
    );
    sb.setHealthCheck(HC_PRIMARY, true);
    for (const o of await statuses(HC_PRIMARY))
      expect(o.StatusReport?.Status).toBe("Success: HTTP Status Code 200, OK");
    sb.setHealthCheck(HC_DR, true);
    expect((await statuses(HC_DR))[0]?.StatusReport?.Status).toBe("Success: HTTP Status Code 200, OK");
    expect(() => sb.setHealthCheck("nope", true)).toThrow(/no health check nope/);
    expect(() => sb.setHealthCheck(HC_DR, false, "down")).toThrow(/must start "Failure: "/);
  });

  it("ListHealthChecks pages by Marker / NextMarker", async () => {
    const first = await r53.send(new ListHealthChecksCommand({ MaxItems: 2 }));
    expect(first.HealthChecks?.map((h) => h.Id)).toEqual([HC_PRIMARY, HC_DR]);
    expect(first).toMatchObject({ IsTruncated: true, NextMarker: HC_TCP, MaxItems: 2 });
    const rest = await r53.send(new ListHealthChecksCommand({ Marker: first.NextMarker }));
    expect(rest.HealthChecks?.map((h) => h.Id)).toEqual([HC_TCP]);
    expect(rest.IsTruncated).toBe(false);
    expect(rest.NextMarker).toBeUndefined();
  });
});

describe("Route 53 hosted zones: by id and by name", () => {
  it("GetHostedZone: the zone, or NoSuchHostedZone (404) with Route 53's message", async () => {
    const zone = await r53.send(new GetHostedZoneCommand({ Id: "/hostedzone/Z0000000000CCC" }));
    expect(zone.HostedZone).toMatchObject({ Id: "/hostedzone/Z0000000000CCC", Name: "example.org." });
    await expect(r53.send(new GetHostedZoneCommand({ Id: "ZNOPE" }))).rejects.toMatchObject({
      name: "NoSuchHostedZone",
      message: "No hosted zone found with ID: ZNOPE",
      $metadata: { httpStatusCode: 404 },
    });
  });

  it("ListHostedZonesByName resolves a zone by name (reversed-label order) and pages", async () => {
    const org = await r53.send(new ListHostedZonesByNameCommand({ DNSName: "example.org", MaxItems: 1 }));
    expect(org.HostedZones?.map((z) => z.Name)).toEqual(["example.org."]);
    expect(org).toMatchObject({ DNSName: "example.org", IsTruncated: false, MaxItems: 1 });
    const com = await r53.send(new ListHostedZonesByNameCommand({ DNSName: "example.com.", MaxItems: 1 }));
    expect(com.HostedZones?.[0]).toMatchObject({ Id: "/hostedzone/Z0000000000AAA", Name: "example.com." });
    // com.example < com.example.a < org.example
    expect(com).toMatchObject({
      IsTruncated: true,
      NextDNSName: "a.example.com.",
      NextHostedZoneId: "Z0000000000BBB",
    });
    const all = await r53.send(new ListHostedZonesByNameCommand({}));
    expect(all.HostedZones?.map((z) => z.Name)).toEqual(["example.com.", "a.example.com.", "example.org."]);
  });

  it("ListHostedZones pages by Marker / NextMarker", async () => {
    const first = await r53.send(new ListHostedZonesCommand({ MaxItems: 2 }));
    expect(first.HostedZones).toHaveLength(2);
    expect(first).toMatchObject({ IsTruncated: true, NextMarker: "Z0000000000CCC", MaxItems: 2 });
    const rest = await r53.send(new ListHostedZonesCommand({ Marker: first.NextMarker }));
    expect(rest.HostedZones?.map((z) => z.Name)).toEqual(["example.org."]);
    expect(rest.IsTruncated).toBe(false);
  });
});

describe("Route 53 request rate: 5 per second across the account", () => {
  it("answers Throttling / Rate exceeded with HTTP 400 once the shared bucket is empty", async () => {
    sb.throttling({ timeScale: 0.001 });
    const east = r53;
    const west = new Route53Client({
      region: "eu-west-1",
      endpoint: sb.endpoint,
      credentials,
      maxAttempts: 1,
    });
    try {
      // Route 53 is global: calls signed for any Region draw on one bucket.
      for (let i = 0; i < 3; i++) await east.send(new GetHealthCheckCommand({ HealthCheckId: HC_PRIMARY }));
      for (let i = 0; i < 2; i++) await west.send(new ListHostedZonesCommand({}));
      await expect(west.send(new GetHostedZoneCommand({ Id: "Z0000000000AAA" }))).rejects.toMatchObject({
        name: "Throttling",
        message: "Rate exceeded",
        $metadata: { httpStatusCode: 400 },
      });
    } finally {
      west.destroy();
    }
  });

  it("is retried by the SDK's standard retry strategy as a throttling error", async () => {
    sb.throttling({ timeScale: 0.001 });
    const retrying = new Route53Client({
      region: "us-east-1",
      endpoint: sb.endpoint,
      credentials,
      maxAttempts: 3,
    });
    try {
      for (let i = 0; i < 5; i++) await retrying.send(new ListHostedZonesCommand({}));
      sb.requests.reset();
      const err = await retrying.send(new GetHostedZoneCommand({ Id: "Z0000000000AAA" })).catch((e) => e);
      expect(err).toMatchObject({ name: "Throttling", $metadata: { attempts: 3 } });
      expect(sb.requests.count("GetHostedZone")).toBe(3);
    } finally {
      retrying.destroy();
    }
  });
});
