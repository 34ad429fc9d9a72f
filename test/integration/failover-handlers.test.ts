/**
 * The deployed failover handlers (the function and the readiness check) over the sandbox, wired as
 * the drill wires them: alerts on the sandbox's SNS topic, events on its DR default bus, the
 * FailoverReady gauge read back from its CloudWatch. What people receive when an alarm flaps or is
 * delivered twice, and when readiness changes, across missed runs.
 */
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { ChangeResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { createClients } from "@outpost-ops/core/aws/clients";
import { toSdk } from "@outpost-ops/core/aws/route53";
import { type Config, parseConfig } from "@outpost-ops/core/config";
import { recordFor } from "@outpost-ops/core/failover/records";
import { type Sandbox, startSandbox } from "@outpost-ops/sandbox";
import { lambdaContext, scheduledEvent } from "outpost-ops/src/drill/lambda.ts";
import { createInfrastructure, drillHandlers, sandboxClock } from "outpost-ops/src/drill/wiring.ts";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CREDENTIALS } from "./helpers.ts";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

const START = new Date("2024-05-14T12:00:00Z");
const PRIMARY = "us-west-2";
const DR = "us-east-1";
const ZONE_ID = "Z0FAILOVER000000000001";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function config(): Config {
  return parseConfig({
    regions: { primary: PRIMARY, dr: DR },
    alerts: { emails: [] },
    policies: [
      {
        name: "orders-db",
        resource: "rds-instance",
        selector: { tags: { Backup: "dr" } },
        schedules: [{ name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 24 } }],
        copy: { rpo: "6h", kmsKeyArn: KEY },
      },
    ],
    failover: {
      hostedZone: { id: ZONE_ID },
      records: [
        {
          name: "app.example.com",
          type: "A",
          primary: { values: ["10.0.0.10"] },
          dr: { values: ["10.1.0.10"] },
        },
      ],
      alarms: ["factory-connected"],
      mode: "automatic",
    },
  });
}

let open: Sandbox | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function harness() {
  const sb = await startSandbox({ port: 0, startTime: START });
  open = sb;
  sb.seed({ hostedZones: [{ id: ZONE_ID, name: "example.com" }] });
  // Few attempts: a run that loses a race waits out the other's PENDING change on the sandbox clock.
  const clients = createClients({ endpoint: sb.endpoint, credentials: CREDENTIALS, maxAttempts: 2 });
  const cfg = config();
  const record = cfg.failover?.records[0];
  if (!record) throw new Error("no record");
  await clients.get(Route53Client, DR).send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: ZONE_ID,
      ChangeBatch: {
        Changes: [{ Action: "CREATE", ResourceRecordSet: toSdk(recordFor(record, "primary")) }],
      },
    }),
  );
  sb.clock.advance(60_000);
  const infra = await createInfrastructure(clients, DR, ["alerts", "failover"]);
  const handlers = drillHandlers(cfg, clients, infra, sandboxClock(sb));
  return {
    sb,
    handlers,
    /** The DR copy scheduler's gauges for orders-db, as published now. */
    gauges: async (worstAgeSeconds: number) => {
      await clients.get(CloudWatchClient, DR).send(
        new PutMetricDataCommand({
          Namespace: "OutpostOps",
          MetricData: [
            {
              MetricName: "WorstRecoveryPointAge",
              Dimensions: [
                { Name: "policy", Value: "orders-db" },
                { Name: "location", Value: "dr" },
              ],
              Value: worstAgeSeconds,
              Timestamp: sb.clock.now(),
            },
            {
              MetricName: "ResourcesWithoutDrCopy",
              Dimensions: [{ Name: "policy", Value: "orders-db" }],
              Value: 0,
              Timestamp: sb.clock.now(),
            },
          ],
        }),
      );
    },
    /** The subjects of the alerts on the DR topic. */
    alerts: () => sb.state.snsMessages(DR).map((m) => (m as { subject?: string }).subject ?? ""),
    /** The failover events on the DR default bus, as `detail-type outcome`. */
    events: () =>
      sb.state
        .events(DR)
        .filter((e) => e.source === "outpost-ops")
        .map((e) => `${e["detail-type"]} ${(e.detail as { outcome?: string }).outcome}`),
    app: () =>
      sb.state
        .records(ZONE_ID)
        .find((r) => r.name === "app.example.com.")
        ?.values.join(","),
  };
}

function alarm(at: Date, value = "ALARM") {
  return {
    version: "0",
    id: `alarm-${at.getTime()}-${value}`,
    "detail-type": "CloudWatch Alarm State Change",
    source: "aws.cloudwatch",
    account: "123456789012",
    time: at.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: PRIMARY,
    resources: [`arn:aws:cloudwatch:${PRIMARY}:123456789012:alarm:factory-connected`],
    detail: {
      alarmName: "factory-connected",
      state: { value, reason: "Threshold Crossed", timestamp: at.toISOString() },
    },
  };
}

describe("Failover handlers over the sandbox", () => {
  it("an alarm flapping for an hour: one failover, two alerts (started, INSYNC), an event per run", async () => {
    // Arrange
    const h = await harness();
    await h.gauges(3600);
    const context = lambdaContext("failover");

    // Act: ALARM and OK every minute for an hour
    for (let minute = 0; minute < 60; minute++) {
      await h.handlers.failover(alarm(h.sb.clock.now()), context);
      h.sb.clock.advance(30_000);
      await h.handlers.failover(alarm(h.sb.clock.now(), "OK"), context);
      h.sb.clock.advance(30_000);
    }

    // Assess
    expect(h.app()).toBe("10.1.0.10");
    expect(h.alerts()).toEqual([
      "[CRITICAL] outpost-ops failover: Failover to the DR site started",
      "[CRITICAL] outpost-ops failover: DNS now points at the DR site",
    ]);
    const events = h.events();
    expect(events.filter((e) => e === "Failover Changed changed")).toHaveLength(1);
    expect(events.filter((e) => e === "Failover Skipped nothing-to-do")).toHaveLength(59);
    // OK is not a trigger: no run, no event.
    expect(events).toHaveLength(60);
  });

  it("an alarm delivered twice at once: one change, and no one is told a second failover started", async () => {
    // Arrange
    const h = await harness();
    await h.gauges(3600);
    const event = alarm(h.sb.clock.now());

    // Act
    const results = (await Promise.all([
      h.handlers.failover(event, lambdaContext("failover")),
      h.handlers.failover(event, lambdaContext("failover")),
    ])) as { outcome: string }[];

    // Assess
    expect(results.map((r) => r.outcome).sort()).toEqual(["changed", "raced"]);
    expect(h.app()).toBe("10.1.0.10");
    expect(h.alerts()).toEqual([
      "[CRITICAL] outpost-ops failover: Failover to the DR site started",
      "[CRITICAL] outpost-ops failover: DNS now points at the DR site",
    ]);
    expect(h.events().sort()).toEqual(["Failover Changed changed", "Failover Skipped raced"]);
  });

  it("the classic DR Lambda's event fails over the configured record, audited as classic; a mismatch changes nothing", async () => {
    // Arrange
    const h = await harness();
    await h.gauges(3600);
    const classic = { hosted_zone_id: ZONE_ID, domain_name: "app.example.com", dr_ip: "10.1.0.10" };

    // Act
    const wrong = h.handlers.failover({ ...classic, dr_ip: "10.9.9.9" }, lambdaContext("failover"));
    await expect(wrong).rejects.toThrow(/dr_ip: 10.9.9.9 is not the configured DR target of app.example.com/);
    const unchanged = h.app();
    const result = (await h.handlers.failover(classic, lambdaContext("failover"))) as {
      outcome: string;
      next: { by: string };
    };

    // Assess
    expect(unchanged).toBe("10.0.0.10");
    expect(result.outcome).toBe("changed");
    expect(result.next.by).toMatch(/^classic:/);
    expect(h.app()).toBe("10.1.0.10");
  });

  it("readiness alerts when it is lost and when it is back, not in between, and again after a long silence", async () => {
    // Arrange
    const h = await harness();
    const check = async (worstAgeSeconds: number) => {
      await h.gauges(worstAgeSeconds);
      const result = (await h.handlers.failoverReadiness(
        scheduledEvent(h.sb.clock.now(), DR, "readiness"),
        lambdaContext("failover-readiness"),
      )) as { ready: boolean; change?: string };
      h.sb.clock.advance(30 * 60_000);
      return result.change ?? (result.ready ? "ready" : "not ready");
    };

    // Act: fresh, stale, stale, fresh, then two and a half hours without a check, stale
    const changes = [await check(3600), await check(9 * 3600), await check(9 * 3600), await check(3600)];
    h.sb.clock.advance(2.5 * 3_600_000);
    changes.push(await check(9 * 3600), await check(9 * 3600));

    // Assess
    expect(changes).toEqual(["ready", "lost", "not ready", "regained", "lost", "not ready"]);
    // (SNS subjects stop at 100 characters: the reason is cut short there, whole in the body.)
    const lost = expect.stringMatching(
      /^\[WARNING\] outpost-ops failover: Failover not ready: DR copies older/,
    );
    expect(h.alerts()).toEqual([lost, "[INFO] outpost-ops failover: Failover is ready again", lost]);
    expect(h.events()).toEqual([
      "Failover Readiness Changed not-ready",
      "Failover Readiness Changed ready",
      "Failover Readiness Changed not-ready",
    ]);
    // The check never changed DNS.
    expect(h.app()).toBe("10.0.0.10");
  });
});
