import { ListHostedZonesByNameCommand, Route53Client } from "@aws-sdk/client-route-53";
import { createClients } from "@outpost-ops/core/aws/clients";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { statusAwsProblem } from "../src/commands/status.ts";
import { failoverStatus, readFailoverStatus, renderFailoverStatus } from "../src/commands/status-failover.ts";
import { failoverConfig, NOW, onDr, plan, staleReadiness } from "./failover-fixtures.ts";

describe("Function: failoverStatus", () => {
  it("ready: a failover now would go ahead", () => {
    // Act
    const f = failoverStatus(plan(), "us-east-1");

    // Assess
    expect(f).toMatchObject({ state: "ready", code: "failover-ready", region: "us-east-1" });
    expect(f.records).toEqual([
      { record: "app.example.com. A", site: "primary", current: "10.0.0.10 (TTL 60)" },
    ]);
  });

  it("refused on stale DR data: the first blocking check's code and every reason", () => {
    // Act
    const f = failoverStatus(plan("primary", { readiness: staleReadiness }), "us-east-1");

    // Assess
    expect(f).toMatchObject({ state: "refused", code: "dr-behind-rpo" });
    expect(f.detail).toBe("a failover now would be refused: orders: its oldest DR copy is 20h 0m old");
  });

  it("the operator's own missing permission is shown but does not make it refused: the function has its own role", () => {
    // Act
    const f = failoverStatus(
      plan("primary", {
        permission: { ok: false, detail: "may not change the records in zone Z1: AccessDenied" },
      }),
      "us-east-1",
    );

    // Assess
    expect(f.state).toBe("ready");
    expect(f.detail).toContain("your own credentials may not change the records");
    expect(renderFailoverStatus(f)).toContain("  ! permissions      may not change the records in zone Z1");
  });

  it("a missing permission with stale data is refused for the stale data", () => {
    // Act
    const f = failoverStatus(
      plan("primary", { readiness: staleReadiness, permission: { ok: false, detail: "denied" } }),
      "us-east-1",
    );

    // Assess
    expect(f).toMatchObject({ state: "refused", code: "dr-behind-rpo" });
  });

  it("on DR: since when, by whom and why, from the state record", () => {
    // Act
    const f = failoverStatus(plan("primary", onDr()), "us-east-1");

    // Assess
    expect(f).toMatchObject({
      state: "on-dr",
      code: "already-on-site",
      since: new Date("2024-05-14T09:00:00.000Z"),
      by: "manual:arn:aws:sts::123456789012:assumed-role/ops/alice",
      reason: "drill",
      forced: false,
    });
    expect(renderFailoverStatus(f).split("\n")[0]).toBe(
      "Failover readiness (DNS to the DR site; the function runs in us-east-1): ON DR: DNS points at the DR site since 2024-05-14T09:00:00.000Z (by manual:arn:aws:sts::123456789012:assumed-role/ops/alice: drill); fail back with npx outpost-ops failback --stage NAME",
    );
  });
});

describe("Function: renderFailoverStatus", () => {
  it("the state first, then each preflight item and each record", () => {
    // Act
    const text = renderFailoverStatus(
      failoverStatus(plan("primary", { readiness: staleReadiness }), "us-east-1"),
    );

    // Assess
    expect(text.split("\n")).toEqual([
      "Failover readiness (DNS to the DR site; the function runs in us-east-1): WOULD BE REFUSED (dr-behind-rpo): a failover now would be refused: orders: its oldest DR copy is 20h 0m old",
      "  ✓ zone             hosted zone example.com. (Z0123456789ABCDEFGHIJ)",
      "  ✓ state            1 of 1 record(s) to move to the DR site",
      "  ✓ records          1 record(s) exist as configured",
      "  ✗ recovery-points  orders: its oldest DR copy is 20h 0m old",
      "  ✓ health           no health check configured for the DR target",
      "  ✓ permissions      may change 2 record(s) in zone Z0123456789ABCDEFGHIJ",
      "  app.example.com. A: primary, 10.0.0.10 (TTL 60)",
    ]);
  });
});

describe("Function: readFailoverStatus", () => {
  const route53 = mockClient(Route53Client);

  it("no failover section: no section", async () => {
    // Act
    const f = await readFailoverStatus({
      clients: createClients(),
      config: failoverConfig(false),
      now: NOW,
      problemOf: statusAwsProblem,
    });

    // Assess
    expect(f).toBeUndefined();
  });

  it("an AWS refusal makes it unknown, with the problem, rather than failing the whole status", async () => {
    // Prepare
    route53.reset();
    route53
      .on(ListHostedZonesByNameCommand)
      .rejects(
        Object.assign(new Error("Rate exceeded"), { name: "Throttling", $metadata: { httpStatusCode: 400 } }),
      );

    // Act
    const f = await readFailoverStatus({
      clients: createClients({ credentials: { accessKeyId: "test", secretAccessKey: "test" } }),
      config: failoverConfig(),
      now: NOW,
      problemOf: statusAwsProblem,
    });

    // Assess
    expect(f).toMatchObject({ state: "unknown", items: [], records: [] });
    expect(f?.detail).toContain(
      "the failover preflight could not be read: AWS refused a call: Throttling: Rate exceeded",
    );
    route53.restore();
  });
});
