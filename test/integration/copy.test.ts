/**
 * The DR copy job end to end: the deployed copySchedule handler (as the DR Region wires it) over the
 * sandbox, through the real SDK, with EC2's listing delay on. Each test drives the scheduler with
 * ticks (SQS records carrying EventBridge events, as the copy-ticks queue delivers them) and moves
 * the sandbox clock so copies take their time.
 */

import { CloudWatchClient, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import { SQSClient } from "@aws-sdk/client-sqs";
import { type AwsClients, createClients } from "@outpost-ops/core/aws/clients";
import { startEbsCopy } from "@outpost-ops/core/aws/copy";
import { type Config, parseConfig } from "@outpost-ops/core/config";
import { readCopyState } from "@outpost-ops/core/jobs/copy";
import { Tag } from "@outpost-ops/core/tags";
import { Jobs, jobsIn } from "@outpost-ops/functions/src/jobs.ts";
import { type Estate, type Sandbox, startSandbox } from "@outpost-ops/sandbox";
import { drainQueue, lambdaContext, scheduledEvent } from "outpost-ops/src/drill/lambda.ts";
import {
  createInfrastructure,
  drillHandlers,
  type Infrastructure,
  queue,
  sandboxClock,
} from "outpost-ops/src/drill/wiring.ts";
import { afterEach, describe, expect, it } from "vitest";
import { CREDENTIALS, DESCRIBE_DELAY_MS, managedTags, REGION } from "./helpers.ts";

const DR = "us-east-1";
const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY = `arn:aws:kms:${DR}:123456789012:key/${KEY_ID}`;
const START = new Date("2024-05-14T12:00:00Z");
const MINUTE = 60_000;

function copyConfig(): Config {
  const hourly = [{ name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 24 } }];
  return parseConfig({
    regions: { primary: REGION, dr: DR },
    alerts: { emails: [] },
    retention: { maxDeletesPerRun: 1000, maxDeletesPercent: 100 },
    policies: [
      {
        name: "vols",
        resource: "ebs-volume",
        selector: { tags: { Backup: "dr" } },
        schedules: hourly,
        copy: { rpo: "6h", kmsKeyArn: KEY, retention: { keepLast: 2 } },
      },
      {
        name: "db",
        resource: "rds-instance",
        selector: { tags: { Backup: "dr" } },
        schedules: hourly,
        copy: { rpo: "6h", kmsKeyArn: KEY },
      },
    ],
  });
}

const volumeId = (i: number) => `vol-${(i + 1).toString(16).padStart(17, "0")}`;

/** `volumes` tagged volumes, each with one completed managed snapshot an hour before START. */
function estate(volumes: number, options: { dbs?: number; keyState?: "Enabled" | "Disabled" } = {}): Estate {
  const taken = new Date(START.getTime() - 60 * MINUTE);
  const ids = Array.from({ length: volumes }, (_, i) => volumeId(i));
  const dbs = Array.from({ length: options.dbs ?? 0 }, (_, i) => `orders-${i}`);
  return {
    volumes: ids.map((id) => ({
      region: REGION,
      id,
      sizeGiB: 8,
      type: "gp3",
      availabilityZone: `${REGION}a`,
      tags: { Backup: "dr" },
    })),
    snapshots: ids.map((v) => ({
      region: REGION,
      volumeId: v,
      startTime: taken.toISOString(),
      state: "completed",
      tags: managedTags("vols", "hourly", v, taken),
    })),
    dbInstances: dbs.map((id) => ({ region: REGION, id, engine: "postgres", tags: { Backup: "dr" } })),
    dbSnapshots: dbs.map((id) => ({
      region: REGION,
      id: `oo-db-${id}-20240514t1100`,
      dbInstanceId: id,
      createdAt: taken.toISOString(),
      tags: managedTags("db", "hourly", id, taken),
    })),
    kmsKeys: [{ region: DR, id: KEY_ID, keyState: options.keyState ?? "Enabled" }],
  } as Estate;
}

interface CopyHarness {
  sb: Sandbox;
  clients: AwsClients;
  config: Config;
  /** Runs the DR scheduler once on a batch of ticks (default: one scheduled event). */
  tick(bodies?: unknown[]): Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
  /** The same, with the scheduler built over other clients (faults a fault rule cannot express). */
  tickWith(
    clients: AwsClients,
  ): (bodies?: unknown[]) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
  /** Our copies in the DR Region, by state. */
  copies(state?: "pending" | "completed" | "error"): ReturnType<Sandbox["state"]["snapshots"]>;
  /** Alerts on the DR Region's topic. */
  alerts(): ReturnType<Sandbox["state"]["snsMessages"]>;
  handlers: ReturnType<typeof drillHandlers>;
  infra: Infrastructure;
}

let open: Sandbox | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function copyHarness(
  seed: Estate,
  copyCompletionMs = 60 * MINUTE,
  maxAttempts = 3,
  config: Config = copyConfig(),
): Promise<CopyHarness> {
  const sb = await startSandbox({
    port: 0,
    startTime: START,
    copyCompletionMs,
    describeVisibilityDelayMs: DESCRIBE_DELAY_MS,
  });
  open = sb;
  sb.seed(seed);
  const clients = createClients({ endpoint: sb.endpoint, credentials: CREDENTIALS, maxAttempts });
  const infra = await createInfrastructure(clients, DR, jobsIn(DR, config));
  const handlers = drillHandlers(config, clients, infra, sandboxClock(sb));
  let n = 0;
  const tickOn =
    (on: ReturnType<typeof drillHandlers>) =>
    (bodies: unknown[] = [scheduledEvent(sb.clock.now(), DR, "CopySchedule")]) =>
      on.copySchedule(
        {
          Records: bodies.map((body) => ({
            messageId: `m-${++n}`,
            body: typeof body === "string" ? body : JSON.stringify(body),
            eventSource: "aws:sqs",
            attributes: { ApproximateReceiveCount: "1" },
          })),
        },
        lambdaContext("copySchedule"),
      );
  return {
    sb,
    clients,
    config,
    handlers,
    infra,
    tick: tickOn(handlers),
    tickWith: (other) => tickOn(drillHandlers(config, other, infra, sandboxClock(sb))),
    copies: (state) =>
      sb.state
        .snapshots(DR)
        .filter((s) => s.tags[Tag.sourceSnapshot] !== undefined && (!state || s.state === state)),
    alerts: () => sb.state.snsMessages(DR),
  };
}

describe("Copy job: backlog and slots", () => {
  it("drains a backlog of 500 copies at exactly 20 in flight, with zero failure alerts", async () => {
    // Arrange
    const h = await copyHarness(estate(500));
    let peak = 0;
    let rounds = 0;

    // Act: a tick every 10 minutes; each copy takes an hour
    while (h.copies("completed").length < 500 && rounds < 400) {
      await h.tick();
      const inFlight = h.copies("pending").length;
      const waiting = 500 - h.copies().length;
      peak = Math.max(peak, inFlight);
      expect(inFlight).toBeLessThanOrEqual(20);
      // While a backlog remains, every slot is taken.
      if (waiting > 0) expect(inFlight).toBe(20);
      h.sb.clock.advance(10 * MINUTE);
      rounds += 1;
    }

    // Assess
    expect(h.copies("completed")).toHaveLength(500);
    expect(new Set(h.copies().map((c) => c.tags[Tag.sourceSnapshot])).size).toBe(500);
    expect(peak).toBe(20);
    expect(h.alerts()).toEqual([]);
  }, 120_000);

  it("treats ResourceLimitExceeded and throttling as waits: no failures, no alerts, copies still made", async () => {
    // Arrange: AWS refuses a third of the copies (limit) and throttles some Describe calls
    // (the production client's 8 attempts absorb the throttling, as in Lambda)
    const h = await copyHarness(estate(30), 60 * MINUTE, 8);
    h.sb.faults.set({ service: "ec2", operation: "CopySnapshot", quotaErrorRate: 0.3, seed: 7 });
    h.sb.faults.set({ service: "ec2", operation: "DescribeSnapshots", throttleRate: 0.1, seed: 8 });

    // Act
    for (let i = 0; i < 30 && h.copies("completed").length < 30; i++) {
      await h.tick();
      h.sb.clock.advance(30 * MINUTE);
    }

    // Assess
    expect(h.copies("completed")).toHaveLength(30);
    expect(h.copies().length).toBe(30);
    expect(h.alerts()).toEqual([]);
  }, 60_000);

  it("a run ends only once EC2 lists the copies it started, so a back-to-back run copies nothing twice", async () => {
    // Arrange: EC2 lists a new copy only DESCRIBE_DELAY_MS after CopySnapshot (CopySnapshot has no
    // client token, so the listing is the only way to know a source is being copied)
    const h = await copyHarness(estate(40));

    // Act: three runs in a row, as a burst of completion events gives
    await h.tick();
    await h.tick();
    await h.tick();

    // Assess: the later runs saw the 20 in flight and made no call AWS would refuse
    expect(h.copies("pending")).toHaveLength(20);
    expect(h.sb.requests.count("CopySnapshot")).toBe(20);
    expect(h.alerts()).toEqual([]);
  });
});

describe("Copy job: following copies", () => {
  it("follows a copy that outlives many runs until it completes, then the resource is within its RPO", async () => {
    // Arrange: a copy takes 5 hours
    const h = await copyHarness(estate(1, { dbs: 1 }), 5 * 60 * MINUTE);

    // Act
    await h.tick();
    const started = h.copies().map((c) => c.snapshotId);
    for (let hour = 0; hour < 4; hour++) {
      h.sb.clock.advance(60 * MINUTE);
      await h.tick();
    }
    const whilePending = h.copies().map((c) => c.snapshotId);
    h.sb.clock.advance(90 * MINUTE);
    await h.tick();

    // Assess
    expect(started).toHaveLength(1);
    expect(whilePending).toEqual(started);
    expect(h.copies("completed").map((c) => c.snapshotId)).toEqual(started);
    expect(h.sb.state.dbSnapshots(DR).map((s) => s.status)).toEqual(["available"]);
    expect(h.sb.state.dbSnapshots(DR)).toHaveLength(1);
  });

  it("starts one copy for a duplicated completion event, in one batch and across runs", async () => {
    // Arrange
    const h = await copyHarness(estate(1));
    const source = h.sb.state.snapshots(REGION)[0];
    const completed = {
      version: "0",
      id: "01234567-0123-0123-0123-012345678901",
      "detail-type": "EBS Snapshot Notification",
      source: "aws.ec2",
      account: "123456789012",
      time: "2024-05-14T11:08:05Z",
      region: REGION,
      resources: [`arn:aws:ec2::${REGION}:snapshot/${source?.snapshotId}`],
      detail: { event: "createSnapshot", result: "succeeded", snapshot_id: source?.snapshotId },
    };

    // Act
    await h.tick([completed, completed]);
    h.sb.clock.advance(5_000);
    await h.tick([completed]);

    // Assess
    expect(h.copies()).toHaveLength(1);
    expect(h.copies()[0]?.tags[Tag.sourceSnapshot]).toBe(source?.snapshotId);
  });

  it("a run killed after starting some copies leaves nothing stuck: the next run fills the rest", async () => {
    // Arrange: what a run killed after its 5th CopySnapshot leaves behind is exactly 5 copies in
    // AWS (the run keeps nothing else anywhere), so replay that: plan, start 5, stop.
    const h = await copyHarness(estate(30));
    const state = await readCopyState({ clients: h.clients, config: h.config, now: h.sb.clock.now() });
    const ec2 = h.clients.get(EC2Client, DR);
    for (const request of state.plan.start.slice(0, 5)) await startEbsCopy(ec2, request);
    expect(h.copies()).toHaveLength(5);

    // Act: the killed run's batch comes back after the queue's visibility timeout
    h.sb.clock.advance(10 * MINUTE);
    await h.tick();

    // Assess: 20 in flight, none twice, nothing failed
    expect(h.copies("pending")).toHaveLength(20);
    expect(new Set(h.copies().map((c) => c.tags[Tag.sourceSnapshot])).size).toBe(20);
    expect(h.alerts()).toEqual([]);
  });

  it("retries a failed copy, then alerts its reason once (the failed copy is tagged as alerted)", async () => {
    // Arrange: the only source already failed to copy three times
    const seed = estate(1);
    const h = await copyHarness(seed);
    const source = h.sb.state.snapshots(REGION)[0];
    const tags = { ...source?.tags, [Tag.sourceSnapshot]: source?.snapshotId ?? "" };
    h.sb.seed({
      snapshots: [1, 2, 3].map((n) => ({
        region: DR,
        volumeId: "vol-ffffffff",
        startTime: new Date(START.getTime() - n * MINUTE).toISOString(),
        state: "error" as const,
        tags,
      })),
    });

    // Act
    await h.tick();
    h.sb.clock.advance(10 * MINUTE);
    await h.tick();

    // Assess
    const alerts = h.alerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.subject).toMatch(/1 DR copy to us-east-1 failed 3 times/);
    expect(alerts[0]?.message).toContain(source?.snapshotId);
    expect(h.copies("pending")).toEqual([]);
    expect(h.copies("error").filter((c) => c.tags[Tag.failureAlerted])).toHaveLength(1);
  });
});

describe("Copy job: refusals", () => {
  it("alerts a copy AWS refuses for good once an hour, not on every run", async () => {
    // Arrange: the copy role lacks ec2:CopySnapshot (an SCP, say): every call is refused
    const h = await copyHarness(estate(2));
    const denied = createClients({
      endpoint: h.sb.endpoint,
      credentials: CREDENTIALS,
      maxAttempts: 1,
      onCommand: ({ command }) => {
        if (command === "CopySnapshot")
          throw Object.assign(new Error("You are not authorized to perform this operation."), {
            name: "UnauthorizedOperation",
          });
      },
    });
    const tick = h.tickWith(denied);

    // Act: runs 10 minutes apart for an hour, then one more
    for (let i = 0; i < 6; i++) {
      await tick();
      h.sb.clock.advance(10 * MINUTE);
    }
    const withinTheHour = h.alerts().length;
    await tick();

    // Assess
    expect(withinTheHour).toBe(1);
    expect(h.alerts()).toHaveLength(2);
    expect(h.alerts()[0]?.subject).toMatch(/2 DR copy\(ies\) could not be started/);
    expect(h.alerts()[0]?.message).toMatch(/missing permission \(access-denied\)/);
  });
});

describe("Copy job: protected resources", () => {
  it("are what the snapshot policy selects: a database tagged out of it is not reported behind its RPO", async () => {
    // Arrange: orders-0 is selected; legacy carries the selector key with another value
    const h = await copyHarness(estate(1, { dbs: 1 }));
    h.sb.seed({
      dbInstances: [{ region: REGION, id: "legacy", engine: "postgres", tags: { Backup: "none" } }],
    });

    // Act
    const state = await readCopyState({
      clients: h.clients,
      config: h.config,
      now: h.sb.clock.now(),
      withResources: true,
    });

    // Assess
    expect(state.protectedResources).toEqual(
      expect.arrayContaining([
        { policy: "db", resource: "orders-0" },
        { policy: "vols", resource: volumeId(0) },
      ]),
    );
    expect(state.protectedResources?.some((r) => r.resource === "legacy")).toBe(false);
  });

  it("are listed after the copies start: a failed listing neither delays nor loses them", async () => {
    // Arrange: every DescribeVolumes (the protected resources' listing) is refused
    const h = await copyHarness(estate(3));
    h.sb.faults.set({ service: "ec2", operation: "DescribeVolumes", error: { code: "InternalError" } });

    // Act
    const result = await h.tick();

    // Assess: the copies are made, the batch is done, and their events are out
    expect(result.batchItemFailures).toEqual([]);
    expect(h.copies("pending")).toHaveLength(3);
    const started = h.sb.state
      .events(DR)
      .filter((e) => e.source === "outpost-ops" && e["detail-type"] === "Snapshot Copy Started");
    expect(started).toHaveLength(3);
  });

  it("publishes no recovery gauges from a run that could not list the resources, only the plan's", async () => {
    // Arrange: the listing is refused, and one volume has no snapshot at all (it has no DR copy)
    const h = await copyHarness(estate(3));
    h.sb.seed({
      volumes: [
        {
          region: REGION,
          id: volumeId(9),
          sizeGiB: 8,
          type: "gp3",
          availabilityZone: `${REGION}a`,
          tags: { Backup: "dr" },
        },
      ],
    });
    h.sb.faults.set({ service: "ec2", operation: "DescribeVolumes", error: { code: "InternalError" } });

    // Act
    await h.tick();

    // Assess: no optimistic "0 without a DR copy" for readiness and the RPO alarm; copies in flight are known
    const published = (name: string, dimensions: Record<string, string>) =>
      h.sb.metrics.get(DR, "OutpostOps", name, dimensions);
    expect(published("ResourcesWithoutDrCopy", { policy: "vols" })).toEqual([]);
    expect(published("ResourcesBehindRpo", { policy: "vols" })).toEqual([]);
    expect(published("CopiesInFlight", { destination: DR }).map((p) => p.value)).toEqual([3]);
  });
});

describe("Copy job: failed DB copies", () => {
  it("alerts a DB snapshot whose copies failed three times once, and tags the last failed copy", async () => {
    // Arrange: the DB's only snapshot failed to copy three times (RDS lists failed copies)
    const h = await copyHarness(estate(0, { dbs: 1 }));
    const source = h.sb.state.dbSnapshots(REGION)[0];
    const sourceId = source?.id ?? "";
    h.sb.seed({
      dbSnapshots: [1, 2, 3].map((n) => ({
        region: DR,
        id: n === 1 ? sourceId : `${sourceId}-r${n}`,
        dbInstanceId: "orders-0",
        createdAt: new Date(START.getTime() - (4 - n) * MINUTE).toISOString(),
        status: "failed",
        tags: { ...source?.tags, [Tag.sourceSnapshot]: sourceId, [Tag.sourceRegion]: REGION },
      })),
    });

    // Act
    await h.tick();
    h.sb.clock.advance(10 * MINUTE);
    await h.tick();

    // Assess: one alert; the newest failed copy (the -r3) carries the mark; no fourth attempt
    expect(h.alerts()).toHaveLength(1);
    expect(h.alerts()[0]?.message).toContain(sourceId);
    const marked = h.sb.state.dbSnapshots(DR).filter((s) => s.tags[Tag.failureAlerted] !== undefined);
    expect(marked.map((s) => s.id)).toEqual([`${sourceId}-r3`]);
    expect(h.sb.state.dbSnapshots(DR)).toHaveLength(3);
  });
});

describe("Copy job: a refused copy does not hold its slot", () => {
  it("gives the slot of a copy AWS refuses to the next queued copy, in the same run", async () => {
    // Arrange: 25 sources; AWS refuses the run's first two copies for good
    const h = await copyHarness(estate(25));
    let refusals = 0;
    const refusing = createClients({
      endpoint: h.sb.endpoint,
      credentials: CREDENTIALS,
      maxAttempts: 1,
      onCommand: ({ command }) => {
        if (command === "CopySnapshot" && refusals++ < 2)
          throw Object.assign(new Error("not authorized"), { name: "UnauthorizedOperation" });
      },
    });

    // Act
    await h.tickWith(refusing)();

    // Assess: every slot taken all the same, and the refusals alerted
    expect(h.copies("pending")).toHaveLength(20);
    expect(h.alerts()).toHaveLength(1);
  });
});

describe("Copy job: KMS", () => {
  it("a disabled key gives one alert through its alarm, however many runs, and one when it is fixed", async () => {
    // Arrange: the stack's alarms for this config, in the sandbox's CloudWatch
    const h = await copyHarness(estate(5, { keyState: "Disabled" }));
    const cloudwatch = h.clients.get(CloudWatchClient, DR);
    const prefix = "outpost-ops-drill";
    const specs = Jobs.copy.alarms(h.config, prefix, DR);
    for (const a of specs)
      await cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: a.name,
          AlarmDescription: a.description,
          Namespace: a.metric.namespace,
          MetricName: a.metric.name,
          Dimensions: Object.entries(a.metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
          Statistic: a.metric.statistic,
          Period: a.metric.periodSeconds,
          EvaluationPeriods: a.evaluationPeriods,
          Threshold: a.threshold,
          ComparisonOperator: "GreaterThanThreshold",
          TreatMissingData: a.treatMissingData,
        }),
      );
    const kmsAlarm = specs.find((a) => a.metric.name === "KmsKeyUnusable")?.name ?? "none";
    // EventBridge's part: the relay's rule gets every state change of our alarms.
    let delivered = 0;
    const relay = async () => {
      const events = h.sb.state.events(DR).filter((e) => e.source === "aws.cloudwatch");
      for (const e of events.slice(delivered))
        if ((e.detail as { alarmName: string }).alarmName === kmsAlarm)
          await h.handlers.alarmStateChange(e, lambdaContext("alarmStateChange"));
      delivered = events.length;
    };
    const kmsAlerts = () => h.alerts().filter((m) => m.subject?.includes(kmsAlarm));

    // Act: an hour of runs with the key disabled, then the key enabled again
    for (let i = 0; i < 6; i++) {
      await h.tick();
      h.sb.clock.advance(10 * MINUTE);
      await relay();
    }
    const whileDisabled = kmsAlerts().map((m) => m.subject);
    h.sb.seed({ kmsKeys: [{ region: DR, id: KEY_ID, keyState: "Enabled" }] });
    for (let i = 0; i < 2; i++) {
      await h.tick();
      h.sb.clock.advance(10 * MINUTE);
      await relay();
    }

    // Assess: one alert naming the key, the Region and the fix; copies stopped; one recovery
    expect(whileDisabled).toHaveLength(1);
    expect(whileDisabled[0]).toMatch(/^\[CRITICAL\] outpost-ops copy: /);
    const body = kmsAlerts()[0]?.message ?? "";
    expect(body).toContain(KEY);
    expect(body).toContain(DR);
    expect(body).toMatch(/enable it|cancel its deletion/);
    expect(kmsAlerts()).toHaveLength(2);
    expect(kmsAlerts()[1]?.subject).toMatch(/^\[INFO\] outpost-ops copy: /);
    expect(kmsAlerts()[1]?.message).toMatch(/is OK/);
    expect(h.copies()).toHaveLength(5);
    expect(h.alerts().filter((m) => /could not be started|failed 3 times/.test(m.subject ?? ""))).toEqual([]);
  });

  it("a disabled destination key starts no copy and reports the key as unusable on every run, with no failure alerts", async () => {
    // Arrange
    const h = await copyHarness(estate(5, { dbs: 2, keyState: "Disabled" }));

    // Act
    await h.tick();
    h.sb.clock.advance(10 * MINUTE);
    await h.tick();

    // Assess: no copies, no stream of failures; the gauge the key's alarm reads says 1
    expect(h.copies()).toEqual([]);
    expect(h.sb.state.dbSnapshots(DR)).toEqual([]);
    expect(h.alerts()).toEqual([]);
    expect(h.sb.requests.count("CopySnapshot")).toBe(0);
    expect(h.sb.requests.count("CopyDBSnapshot")).toBe(0);
  });
});

describe("Copy job: time-based copies", () => {
  it("asks EC2 for a time-based copy where the policy sets completionWithin, and it lands in time", async () => {
    // Arrange: standard copies would take 5 hours; the policy wants them within 2
    const config = copyConfig();
    const vols = config.policies.find((p) => p.name === "vols");
    if (vols?.copy) vols.copy.completionWithin = "2h";
    const h = await copyHarness(estate(1, { dbs: 1 }), 5 * 60 * MINUTE, 3, config);

    // Act
    await h.tick();
    h.sb.clock.advance(2 * 60 * MINUTE);

    // Assess: the EBS copy is complete, the RDS copy (no such option) still running
    expect(h.copies("completed")).toHaveLength(1);
    expect(h.sb.state.dbSnapshots(DR).map((s) => s.status)).toEqual(["copying"]);
  });
});

describe("Copy job: unexpected ticks", () => {
  it("reports a tick that is not an EventBridge event as a batch item failure and changes nothing", async () => {
    // Arrange
    const h = await copyHarness(estate(3));

    // Act
    const bad = await h.tick(["not json", { hello: "world" }]);

    // Assess: both handed back (they reach the dead-letter queue, whose alarm alerts), no AWS call
    expect(bad.batchItemFailures.map((f) => f.itemIdentifier)).toHaveLength(2);
    expect(h.sb.requests.count("DescribeSnapshots")).toBe(0);
    expect(h.copies()).toEqual([]);
  });

  it("runs for the good ticks of a mixed batch and hands back only the bad one", async () => {
    // Arrange
    const h = await copyHarness(estate(3));

    // Act
    const mixed = await h.tick(["{", scheduledEvent(h.sb.clock.now(), DR, "CopySchedule")]);

    // Assess
    expect(mixed.batchItemFailures).toHaveLength(1);
    expect(h.copies("pending")).toHaveLength(3);
  });
});

describe("Retention in the DR Region", () => {
  it("applies the copy retention to our copies only, with the sources' liveness read from the primary Region", async () => {
    // Arrange: five completed copies of vol-1's hourly snapshots (copy.retention keepLast 2), one on
    // legal hold, a snapshot someone else made, and a managed snapshot of a policy that does not copy
    const h = await copyHarness(estate(1));
    const volume = volumeId(0);
    const copyTags = (hoursAgo: number) => {
      const at = new Date(START.getTime() - hoursAgo * 60 * MINUTE);
      return {
        ...managedTags("vols", "hourly", volume, at),
        [Tag.sourceSnapshot]: `snap-src${hoursAgo}`,
        [Tag.sourceRegion]: REGION,
        [Tag.sourceVolume]: volume,
        [Tag.sourceTime]: at.toISOString(),
      };
    };
    h.sb.seed({
      snapshots: [
        ...[1, 2, 3, 4, 5].map((n) => ({
          region: DR,
          id: `snap-0000000000000dr0${n}`,
          volumeId: "vol-ffffffff",
          startTime: new Date(START.getTime() - n * 60 * MINUTE).toISOString(),
          state: "completed" as const,
          tags: n === 4 ? { ...copyTags(n), [Tag.legalHold]: "case-17" } : copyTags(n),
        })),
        {
          region: DR,
          id: "snap-0000000000000other",
          volumeId: "vol-ffffffff",
          startTime: new Date(START.getTime() - 30 * 60 * MINUTE).toISOString(),
        },
        {
          region: DR,
          id: "snap-000000000000nocopy",
          volumeId: "vol-ffffffff",
          startTime: new Date(START.getTime() - 30 * 60 * MINUTE).toISOString(),
          tags: managedTags("gone-policy", "hourly", volume, START),
        },
      ],
    });

    // Act: the DR deployment's retention sweep, then its workers
    await h.handlers.retentionSweep(
      scheduledEvent(START, DR, "RetentionSchedule"),
      lambdaContext("retentionSweep"),
    );
    await drainQueue({
      sqs: h.clients.get(SQSClient, DR),
      queueUrl: queue(h.infra, "retention-work").url,
      region: DR,
      handler: h.handlers.retentionWork,
      functionName: "retentionWork",
    });

    // Assess: the 3rd and 5th newest copies go (keepLast 2; the 4th is on hold); nothing else
    expect(h.sb.state.deleted(DR).sort()).toEqual(["snap-0000000000000dr03", "snap-0000000000000dr05"]);
    expect(h.sb.state.snapshots(REGION)).toHaveLength(1);
  });
});
