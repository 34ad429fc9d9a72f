/**
 * The failover run (core/jobs/failover.ts) end to end over the sandbox's Route 53 and CloudWatch,
 * through the real SDK: the DR gauges decide readiness, the change batch moves the records and the
 * state record together, INSYNC is followed on the sandbox clock, and races, flapping alarms,
 * throttling and stale data behave.
 */
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { ChangeResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { type AwsClients, createClients } from "@outpost-ops/core/aws/clients";
import { toSdk } from "@outpost-ops/core/aws/route53";
import { type Config, parseConfig } from "@outpost-ops/core/config";
import type { Trigger } from "@outpost-ops/core/failover/plan";
import { recordFor, secondaryFor } from "@outpost-ops/core/failover/records";
import { parseState } from "@outpost-ops/core/failover/state";
import { runFailover } from "@outpost-ops/core/jobs/failover";
import { type Sandbox, startSandbox } from "@outpost-ops/sandbox";
import { sandboxClock } from "outpost-ops/src/drill/wiring.ts";
import { afterEach, describe, expect, it } from "vitest";
import { CREDENTIALS } from "./helpers.ts";

const START = new Date("2024-05-14T12:00:00Z");
const DR = "us-east-1";
const ZONE_ID = "Z0FAILOVER000000000001";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const PRIMARY_HC = "11111111-2222-3333-4444-555555555555";
const DR_HC = "66666666-7777-8888-9999-000000000000";

function config(): Config {
  return parseConfig({
    regions: { primary: "us-west-2", dr: DR },
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
      hostedZone: { name: "example.com" },
      records: [
        {
          name: "app.example.com",
          type: "A",
          primary: { values: ["10.0.0.10"] },
          dr: { values: ["10.1.0.10"] },
          drHealthCheckId: DR_HC,
        },
        {
          name: "api.example.com",
          type: "A",
          routing: "failover",
          primary: { values: ["10.0.0.20"] },
          dr: { values: ["10.1.0.20"] },
          primaryHealthCheckId: PRIMARY_HC,
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

interface Harness {
  sb: Sandbox;
  clients: AwsClients;
  config: Config;
  route53: Route53Client;
  /** The DR copy scheduler's gauges, as it publishes them. */
  gauges(worstAgeSeconds: number, withoutDrCopy?: number): Promise<void>;
  /** Where app and api point now, and the state record's site. */
  where(): { app?: string; api?: string; site?: string };
  run(trigger?: Trigger, options?: { dryRun?: boolean; force?: boolean }): ReturnType<typeof runFailover>;
}

const alarm = (minutesAgo = 0): Trigger => ({
  kind: "alarm",
  alarm: "factory-connected",
  alarmAt: new Date(START.getTime() - minutesAgo * 60_000),
  region: "us-west-2",
});

async function harness(maxAttempts = 3): Promise<Harness> {
  const sb = await startSandbox({ port: 0, startTime: START });
  open = sb;
  sb.seed({
    hostedZones: [{ id: ZONE_ID, name: "example.com" }],
    healthChecks: [
      { id: PRIMARY_HC, healthy: true },
      { id: DR_HC, healthy: true },
    ],
  });
  const clients = createClients({ endpoint: sb.endpoint, credentials: CREDENTIALS, maxAttempts });
  const cfg = config();
  const failover = cfg.failover;
  if (!failover) throw new Error("no failover");
  const route53 = clients.get(Route53Client, DR);
  // The zone as the application team made it: everything on the primary site.
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: ZONE_ID,
      ChangeBatch: {
        Changes: failover.records.flatMap((r) =>
          [recordFor(r, "primary"), secondaryFor(r)].flatMap((set) =>
            set ? [{ Action: "CREATE" as const, ResourceRecordSet: toSdk(set) }] : [],
          ),
        ),
      },
    }),
  );
  sb.clock.advance(60_000);
  const clock = sandboxClock(sb);
  const pointsAt = (name: string, setIdentifier?: string) =>
    sb.state
      .records(ZONE_ID)
      .find(
        (r) =>
          r.name === name &&
          r.type === "A" &&
          (r as { setIdentifier?: string }).setIdentifier === setIdentifier,
      )
      ?.values.join(",");
  return {
    sb,
    clients,
    config: cfg,
    route53,
    gauges: async (worst, without = 0) => {
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
              Value: worst,
              Timestamp: sb.clock.now(),
              Unit: "Seconds",
            },
            {
              MetricName: "ResourcesWithoutDrCopy",
              Dimensions: [{ Name: "policy", Value: "orders-db" }],
              Value: without,
              Timestamp: sb.clock.now(),
              Unit: "Count",
            },
          ],
        }),
      );
    },
    where: () => {
      const txt = sb.state.records(ZONE_ID).find((r) => r.type === "TXT");
      const state = parseState(txt ? { name: txt.name, type: "TXT", values: txt.values } : undefined);
      return {
        app: pointsAt("app.example.com."),
        api: pointsAt("api.example.com.", "primary"),
        ...(state ? { site: state.site } : {}),
      };
    },
    run: (trigger = alarm(), options = {}) =>
      runFailover({
        clients,
        config: cfg,
        target: "dr",
        trigger,
        reason: "factory service link down",
        clock,
        ...options,
      }),
  };
}

describe("Failover run over the sandbox", () => {
  it("moves every record and the state in one change, and follows it to INSYNC with a timeline", async () => {
    // Arrange
    const h = await harness();
    await h.gauges(2 * 3600);

    // Act
    const run = await h.run(alarm(1));

    // Assess
    expect(run.outcome).toBe("changed");
    expect(run.plan.items.every((i) => i.ok)).toBe(true);
    expect(h.where()).toEqual({ app: "10.1.0.10", api: "10.1.0.20", site: "dr" });
    const t = run.timeline;
    expect(t.alarmAt?.toISOString()).toBe("2024-05-14T11:59:00.000Z");
    expect(t.submittedAt && t.inSyncAt).toBeTruthy();
    // Polled every 2 s of sandbox time: INSYNC seen within one poll of the sandbox's propagation.
    const syncMs = (t.inSyncAt as Date).getTime() - (t.submittedAt as Date).getTime();
    expect(syncMs).toBeGreaterThan(0);
    expect(syncMs).toBeLessThanOrEqual(5_000 + 2_000);
    expect(run.pending).toBeUndefined();
  });

  it("refuses stale DR data with the reason and changes nothing; unknown gauges too", async () => {
    // Arrange
    const h = await harness();
    await h.gauges(9 * 3600);

    // Act
    const stale = await h.run();
    h.sb.clock.advance(25 * 3_600_000);
    const unknown = await h.run(alarm(), { dryRun: true });

    // Assess
    expect(stale).toMatchObject({ outcome: "refused", plan: { code: "dr-behind-rpo" } });
    expect(stale.plan.items.find((i) => i.check === "recovery-points")?.detail).toMatch(
      /9h 0m old, more than the RPO of 6h/,
    );
    expect(unknown.plan.code).toBe("dr-recovery-unknown");
    expect(h.where()).toEqual({ app: "10.0.0.10", api: "10.0.0.20" });
  });

  it("a dry run reports the plan and changes nothing", async () => {
    const h = await harness();
    await h.gauges(60);
    const run = await h.run({ kind: "manual", by: "ops" }, { dryRun: true });
    expect(run.outcome).toBe("dry-run");
    expect(run.plan.changes.length).toBe(5);
    expect(h.where()).toEqual({ app: "10.0.0.10", api: "10.0.0.20" });
  });

  it("two triggers racing make one change: the other finds it done", async () => {
    // Arrange
    const h = await harness();
    await h.gauges(60);
    const before = h.sb.requests.count("ChangeResourceRecordSets");

    // Act
    const runs = await Promise.all([h.run(alarm()), h.run(alarm())]);

    // Assess
    expect(runs.map((r) => r.outcome).sort()).toEqual(["changed", "raced"]);
    expect(h.where()).toEqual({ app: "10.1.0.10", api: "10.1.0.20", site: "dr" });
    // Route 53 accepted one batch beyond the setup's; the loser's was refused (neither probes: a run
    // that submits lets its change check the permission).
    expect(h.sb.state.route53Changes(ZONE_ID)).toHaveLength(2);
    expect(h.sb.requests.count("ChangeResourceRecordSets") - before).toBeGreaterThanOrEqual(2);
  });

  it("an alarm flapping for an hour fails over once; an automatic failover after a manual failback waits out the cooldown", async () => {
    // Arrange
    const h = await harness();
    await h.gauges(60);

    // Act: ALARM every minute for an hour
    const outcomes: string[] = [];
    for (let minute = 0; minute < 60; minute++) {
      outcomes.push((await h.run(alarm())).outcome);
      h.sb.clock.advance(60_000);
      await h.gauges(60);
    }
    const back = await runFailover({
      clients: h.clients,
      config: h.config,
      target: "primary",
      trigger: { kind: "manual", by: "ops" },
      reason: "primary restored",
      clock: sandboxClock(h.sb),
    });
    h.sb.clock.advance(60_000);
    await h.gauges(60);
    // A new state change of the still-firing alarm, after the failback.
    const again = await h.run({
      kind: "alarm",
      alarm: "factory-connected",
      alarmAt: h.sb.clock.now(),
      region: "us-west-2",
    });

    // Assess
    expect(outcomes.filter((o) => o === "changed")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "nothing-to-do")).toHaveLength(59);
    expect(back.outcome).toBe("changed");
    expect(again).toMatchObject({ outcome: "refused", plan: { code: "cooldown-active" } });
    expect(h.where()).toEqual({ app: "10.0.0.10", api: "10.0.0.20", site: "primary" });
  });

  it("a change whose answer was lost (the SDK's retry then finds its values gone) is reported as made, not as a race", async () => {
    // Arrange: Route 53 applies the batch, the answer is lost, the retry of the same batch is refused
    const h = await harness();
    await h.gauges(60);
    const route53 = h.clients.get(Route53Client, DR);
    const lossy = {
      get: (cls: unknown, region: string) => {
        if (cls !== Route53Client) return h.clients.get(cls as typeof Route53Client, region);
        return {
          send: async (command: { input?: { ChangeBatch?: { Comment?: string } } }) => {
            const real = route53.send(command as never);
            if (!command.input?.ChangeBatch || /probe/.test(command.input.ChangeBatch.Comment ?? ""))
              return real;
            await real;
            return route53.send(command as never);
          },
        };
      },
    } as unknown as AwsClients;

    // Act
    const run = await runFailover({
      clients: lossy,
      config: h.config,
      target: "dr",
      trigger: alarm(),
      reason: "factory service link down",
      clock: sandboxClock(h.sb),
    });

    // Assess
    expect(run).toMatchObject({ outcome: "changed", pending: true });
    expect(h.where()).toEqual({ app: "10.1.0.10", api: "10.1.0.20", site: "dr" });
  });

  it("before its change a run spends at most Route 53's burst: the zone, one page of records, the health check; no probe", async () => {
    // Arrange
    const h = await harness();
    await h.gauges(60);
    h.sb.requests.reset();

    // Act
    const run = await h.run();

    // Assess: 5 requests/s per account with a burst of 5 (AWS-LIMITS.md): nothing waits for a token.
    expect(run.outcome).toBe("changed");
    expect(h.sb.requests.count("ListHostedZonesByName")).toBe(1);
    expect(h.sb.requests.count("ListResourceRecordSets")).toBe(1);
    expect(h.sb.requests.count("GetHealthCheckStatus")).toBe(1);
    expect(h.sb.requests.count("ChangeResourceRecordSets")).toBe(1);
    expect(run.plan.items.find((i) => i.check === "permissions")).toMatchObject({
      ok: true,
      detail: expect.stringContaining("checked by the change itself"),
    });
  });

  it("a dry run still probes the permission (the readiness check and the CLI's plan report it)", async () => {
    // Arrange
    const h = await harness();
    await h.gauges(60);
    h.sb.requests.reset();

    // Act
    const run = await h.run(alarm(), { dryRun: true });

    // Assess
    expect(run.outcome).toBe("dry-run");
    expect(h.sb.requests.count("ChangeResourceRecordSets")).toBe(1);
    expect(run.plan.items.find((i) => i.check === "permissions")?.detail).toMatch(
      /^may change 3 record\(s\)/,
    );
    expect(h.sb.state.route53Changes(ZONE_ID)).toHaveLength(1);
  });

  it("a change refused as AccessDenied refuses the run as the probe would (permission-denied), DNS as it was", async () => {
    // Arrange
    const h = await harness();
    await h.gauges(60);
    h.sb.faults.set({
      service: "route53",
      operation: "ChangeResourceRecordSets",
      error: { code: "AccessDenied" },
    });

    // Act
    const run = await h.run();

    // Assess
    expect(run).toMatchObject({
      outcome: "refused",
      plan: { decision: "refused", code: "permission-denied" },
    });
    expect(run.plan.items.find((i) => i.check === "permissions")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^may not change the records in zone Z0FAILOVER000000000001: /),
    });
    expect(run.changeId).toBeUndefined();
    expect(h.where()).toEqual({ app: "10.0.0.10", api: "10.0.0.20" });
  });

  it("a run refused for another reason still reports a missing permission (it probes once refused)", async () => {
    // Arrange: the DR health check fails, and the records may not be changed
    const h = await harness();
    await h.gauges(60);
    h.sb.setHealthCheck(DR_HC, false);
    h.sb.faults.set({
      service: "route53",
      operation: "ChangeResourceRecordSets",
      error: { code: "AccessDenied" },
    });

    // Act
    const run = await h.run();

    // Assess: both reasons, so fixing the health check is not followed by a second refusal
    expect(run.outcome).toBe("refused");
    expect(run.plan.items.find((i) => i.check === "health")?.ok).toBe(false);
    expect(run.plan.items.find((i) => i.check === "permissions")?.ok).toBe(false);
    expect(h.where()).toEqual({ app: "10.0.0.10", api: "10.0.0.20" });
  });

  it("Route 53 throttling is retried: the change still goes through once", async () => {
    // Arrange: a third of Route 53 calls throttled
    const h = await harness(6);
    await h.gauges(60);
    h.sb.faults.set({ service: "route53", throttleRate: 0.35, seed: 7 });

    // Act
    const run = await h.run();

    // Assess
    h.sb.faults.clear();
    expect(run.outcome).toBe("changed");
    expect(h.where()).toEqual({ app: "10.1.0.10", api: "10.1.0.20", site: "dr" });
  });

  it("refuses while the DR target's health check fails, as Route 53's checkers report it", async () => {
    // Arrange
    const h = await harness();
    await h.gauges(60);
    h.sb.setHealthCheck(DR_HC, false);

    // Act
    const run = await h.run();

    // Assess
    expect(run).toMatchObject({ outcome: "refused", plan: { code: "health-check-failing" } });
    expect(run.plan.items.find((i) => i.check === "health")?.detail).toMatch(
      /0 of \d+ checkers report healthy/,
    );
    expect(h.where()).toEqual({ app: "10.0.0.10", api: "10.0.0.20" });
  });

  it("a zone that does not exist is refused, naming the field", async () => {
    const h = await harness();
    const wrong = {
      ...h.config,
      failover: {
        ...(h.config.failover as NonNullable<Config["failover"]>),
        hostedZone: { id: "Z0NOPE0000000000000000" },
      },
    };
    const run = await runFailover({
      clients: h.clients,
      config: wrong,
      target: "dr",
      trigger: { kind: "manual", by: "ops" },
      reason: "x",
      clock: sandboxClock(h.sb),
    });
    expect(run).toMatchObject({ outcome: "refused", plan: { code: "zone-not-found" } });
    expect(run.plan.items[0]?.detail).toMatch(
      /Z0NOPE0000000000000000 does not exist: check failover.hostedZone.id/,
    );
  });
});
