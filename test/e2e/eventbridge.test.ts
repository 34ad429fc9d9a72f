/**
 * The drill's EventBridge (packages/cli/src/drill/eventbridge.ts) on the sandbox: events AWS sends to
 * the primary's default bus are forwarded to the DR Region's rules and land in the copy scheduler's
 * FIFO queue, duplicates are dropped by its content-based de-duplication, and a rule with a function
 * target invokes it.
 */
import { CreateSnapshotCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

const { startSandbox } = await import("@outpost-ops/sandbox");
const { jobsIn } = await import("@outpost-ops/functions/src/jobs.ts");
const { loadConfig } = await import("../../packages/cli/src/load-config.ts");
const { drillEstate } = await import("../../packages/cli/src/drill/estate.ts");
const { drillClients } = await import("../../packages/cli/src/drill/clients.ts");
const { EventBridge } = await import("../../packages/cli/src/drill/eventbridge.ts");
const { HandlerFactories } = await import("../../packages/cli/src/drill/handlers.ts");
const W = await import("../../packages/cli/src/drill/wiring.ts");

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
type FunctionName = keyof typeof HandlerFactories;

const START = new Date("2024-05-01T00:00:00Z");

describe("Drill EventBridge: rules, forwarding and queue targets", () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await startSandbox({ startTime: START });
  });
  afterEach(async () => {
    await sb.close();
  });

  async function wire() {
    const { config } = await loadConfig("outpost-ops.config.ts");
    const drill = drillEstate(config, START);
    sb.seed(drill.estate);
    const clients = drillClients({
      endpoint: sb.endpoint,
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    const invoked: { region: string; fn: string; event: unknown }[] = [];
    const deployments = [];
    for (const region of [config.regions.primary, config.regions.dr]) {
      const infra = await W.createInfrastructure(clients, region, jobsIn(region, config), config);
      // Stand-in handlers: this test is about what reaches them, not what they do.
      const handlers = Object.fromEntries(
        (Object.keys(HandlerFactories) as FunctionName[]).map((fn) => [
          fn,
          async (event: unknown) => {
            invoked.push({ region, fn, event });
          },
        ]),
      ) as Record<FunctionName, (event: unknown) => Promise<void>>;
      deployments.push({
        infra,
        handlers,
        eventRules: W.eventRulesIn(region, config),
        forwarding: W.forwardingFrom(region, config),
      });
    }
    const bridge = new EventBridge({ sandbox: sb, clients, deployments });
    return { config, drill, clients, bridge, invoked, deployments };
  }

  it("forwards the primary's snapshot completion to the DR copy scheduler's queue", async () => {
    // Prepare
    const { config, drill, clients, bridge } = await wire();
    const volumeId = drill.protectedSources.get("line-volumes-dr")?.[0] ?? "";
    await clients
      .get(EC2Client, config.regions.primary)
      .send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    sb.clock.advance(10 * 60_000); // the snapshot completes: AWS's event reaches the primary's bus
    // Act
    const delivered = await bridge.pump();
    // Assess
    expect(delivered).toBe(1);
    expect(bridge.log.forwarded).toEqual({ ForwardEbsSnapshotEvents: 1 });
    expect(bridge.log.deliveries).toEqual({ "us-east-1/CopyEbsEventsRule": 1 });
    await bridge.flush();
    expect(sb.state.queueMessages("us-east-1", "outpost-ops-drill-copy-ticks.fifo").visible).toBe(1);
    // Nothing new on the buses: a second pump delivers nothing.
    expect(await bridge.pump()).toBe(0);
  });

  it("delivers each event to a FIFO queue at least once, and the queue keeps one", async () => {
    // Prepare
    const { deployments, bridge } = await wire();
    const dr = deployments[1];
    if (!dr) throw new Error("no DR deployment");
    const target = { name: "copy-ticks", messageGroupId: "copy-scheduler" };
    // Act: seven deliveries of different events; the seventh is sent twice
    for (let i = 0; i < 7; i++)
      bridge.sendToQueue(dr.infra, target, { id: `e-${i}`, "detail-type": "Scheduled Event" });
    expect(sb.state.queueMessages("us-east-1", "outpost-ops-drill-copy-ticks.fifo").visible).toBe(0);
    await bridge.flush();
    // Assess
    expect(bridge.log).toMatchObject({ duplicatesSent: 1, deduplicated: 1 });
    expect(sb.state.queueMessages("us-east-1", "outpost-ops-drill-copy-ticks.fifo").visible).toBe(7);
  });

  it("invokes a function target with the event, in the event's Region only", async () => {
    // Prepare
    const { bridge, invoked } = await wire();
    const alarm = {
      version: "0",
      id: "a-1",
      "detail-type": "CloudWatch Alarm State Change",
      source: "aws.cloudwatch",
      region: "us-east-1",
      resources: ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:outpost-ops-drill-rpo-orders-db"],
      detail: { alarmName: "outpost-ops-drill-rpo-orders-db", state: { value: "ALARM" } },
    };
    // Act
    await bridge.deliver("us-east-1", alarm);
    await bridge.deliver("us-east-1", { ...alarm, detail: { ...alarm.detail, alarmName: "someone-elses" } });
    // Assess
    expect(invoked).toEqual([{ region: "us-east-1", fn: "alarmStateChange", event: alarm }]);
    expect(bridge.log.deliveries).toEqual({ "us-east-1/AlarmStateChangeRule": 1 });
  });

  it("matches array fields, exists and anything-but as EventBridge does", () => {
    const event = {
      source: "aws.ec2",
      resources: ["arn:aws:ec2::us-west-2:snapshot/snap-1"],
      detail: { a: 1 },
    };
    expect(W.matchesPattern({ resources: [{ prefix: "arn:aws:ec2::" }] }, event)).toBe(true);
    expect(W.matchesPattern({ resources: ["arn:aws:ec2::us-west-2:snapshot/snap-2"] }, event)).toBe(false);
    expect(W.matchesPattern({ detail: { a: [{ exists: true }], b: [{ exists: false }] } }, event)).toBe(true);
    expect(W.matchesPattern({ source: [{ "anything-but": ["aws.rds"] }] }, event)).toBe(true);
    expect(W.matchesPattern({ source: [{ "anything-but": "aws.ec2" }] }, event)).toBe(false);
  });
});
