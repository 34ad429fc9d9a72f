import { readFileSync } from "node:fs";
import {
  CreateSnapshotCommand,
  DeleteSnapshotCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  CreateDBSnapshotCommand,
  DescribeAccountAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { SNSClient } from "@aws-sdk/client-sns";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { memoryAlertSink } from "@outpost-ops/core/alerts";
import { createClients } from "@outpost-ops/core/aws/clients";
import { type ConfigInput, parseConfig } from "@outpost-ops/core/config";
import { DeadlineError } from "@outpost-ops/core/deadline";
import { EventShapeError } from "@outpost-ops/core/errors";
import { memoryEventSink } from "@outpost-ops/core/events/publish";
import { unpaced } from "@outpost-ops/core/pacing";
import type { SnapshotWorkItem } from "@outpost-ops/core/snapshot/work-item";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
// Types for the matchers test/setup.ts registers.
import type {} from "aws-sdk-client-mock-vitest/extend";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHandler as alarmStateChange } from "../src/alarm/state-change.ts";
import { logger } from "../src/lib/observability.ts";
import type { Runtime } from "../src/lib/runtime.ts";
import { createHandler as retentionWork } from "../src/queue/retention-work.ts";
import { createHandler as snapshotWork } from "../src/queue/snapshot-work.ts";
import { createHandler as retentionSweep } from "../src/schedule/retention-sweep.ts";
import { createHandler as snapshotWindow } from "../src/schedule/snapshot-window.ts";
import { fakeSnapshots } from "./fake-snapshots.ts";
import { lambdaTestContext } from "./lambda-context.ts";

vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
});

const REGION = "us-west-2";
const SNAPSHOT_QUEUE = "https://sqs.us-west-2.amazonaws.com/123456789012/outpost-ops-test-snapshot-work.fifo";
const RETENTION_QUEUE = "https://sqs.us-west-2.amazonaws.com/123456789012/outpost-ops-test-retention-work";
const DUE_TIME = "2024-05-14T10:00:20Z";
const WINDOW = "2024-05-14T10:00Z";
const NOW = new Date(DUE_TIME);
const EVENTS = new URL("../../../test/fixtures/events/", import.meta.url);

const ec2Mock = mockClient(EC2Client);
const rdsMock = mockClient(RDSClient);
const sqsMock = mockClient(SQSClient);
const snsMock = mockClient(SNSClient);

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, EVENTS), "utf8")) as Record<string, unknown>;
}

const ORDERS_POLICY: ConfigInput["policies"][number] = {
  name: "orders",
  resource: "rds-instance",
  selector: { tags: { Backup: "daily" } },
  schedules: [{ name: "ten", expression: "cron(0 10 * * ? *)", retention: { keepLast: 1 } }],
};

const config = (maxDeletesPercent = 100, more: ConfigInput["policies"] = []) =>
  parseConfig({
    regions: { primary: REGION, dr: "us-east-1" },
    alerts: { emails: [] },
    retention: { maxDeletesPerRun: 1000, maxDeletesPercent },
    policies: [
      {
        name: "data",
        resource: "ebs-volume",
        selector: { tags: { Backup: "daily" } },
        schedules: [{ name: "ten", expression: "cron(0 10 * * ? *)", retention: { keepLast: 1 } }],
      },
      ...more,
    ],
  });

function runtime(options: { maxDeletesPercent?: number; policies?: ConfigInput["policies"] } = {}) {
  const alerts = memoryAlertSink();
  const events = memoryEventSink();
  const value: Runtime = {
    config: config(options.maxDeletesPercent, options.policies),
    env: {
      region: REGION,
      stage: "test",
      prefix: "outpost-ops-test",
      alertTopicArn: "arn:aws:sns:us-west-2:123456789012:outpost-ops-test-alerts",
      eventBusName: "default",
      snapshotQueueUrl: SNAPSHOT_QUEUE,
      retentionQueueUrl: RETENTION_QUEUE,
    },
    clients: createClients({
      endpoint: "http://127.0.0.1:9",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      maxAttempts: 1,
    }),
    alerts,
    events,
    pacer: unpaced,
    clock: { now: () => NOW.getTime(), sleep: async () => {} },
  };
  return { runtime: () => value, alerts, events };
}

const context = lambdaTestContext("", "us-west-2", 600_000);

function scheduledEvent(time = DUE_TIME) {
  return { ...fixture("scheduled-event.json"), time, region: REGION };
}

function sqsEvent(bodies: Record<string, string>) {
  const [template] = fixture("sqs-event.json").Records as Record<string, unknown>[];
  return {
    Records: Object.entries(bodies).map(([messageId, body]) => ({ ...template, messageId, body })),
  };
}

function volumeItem(volumeId: string): SnapshotWorkItem {
  return {
    kind: "ebs-volume",
    region: REGION,
    policy: "data",
    schedule: "ten",
    window: WINDOW,
    key: `data/${volumeId}/${WINDOW}`,
    tags: [
      { Key: "outpost-ops:managed", Value: "true" },
      { Key: "outpost-ops:policy", Value: "data" },
      { Key: "outpost-ops:schedule", Value: "ten" },
      { Key: "outpost-ops:source", Value: volumeId },
      { Key: "outpost-ops:window", Value: WINDOW },
    ],
    volumeId,
    description: "outpost-ops ten snapshot",
  };
}

function awsError(name: string): Error {
  const error = new Error(`${name}: from AWS`);
  error.name = name;
  return Object.assign(error, { $metadata: { httpStatusCode: 400 } });
}

/** The same records, delivered again (ApproximateReceiveCount 2). */
function redelivered(event: ReturnType<typeof sqsEvent>) {
  return {
    Records: event.Records.map((r) => {
      const record = r as Record<string, unknown>;
      return { ...record, attributes: { ...(record.attributes as object), ApproximateReceiveCount: "2" } };
    }),
  };
}

/** A Lambda context whose remaining time drops to `low` once `drop()` says so. */
function contextDropping(drop: () => boolean, low = 20_000): Context {
  return { ...context, getRemainingTimeInMillis: () => (drop() ? low : 600_000) };
}

function allCalls() {
  return [...ec2Mock.calls(), ...rdsMock.calls(), ...sqsMock.calls(), ...snsMock.calls()];
}

afterEach(() => {
  ec2Mock.reset();
  rdsMock.reset();
  sqsMock.reset();
  snsMock.reset();
});

describe("Handlers: malformed events", () => {
  const malformedScheduled = { ...fixture("scheduled-event.json"), time: "not a time" };
  const cases: Array<
    [name: string, make: (r: () => Runtime) => (e: unknown, c: Context) => Promise<unknown>, event: unknown]
  > = [
    ["schedule/snapshot-window", snapshotWindow, malformedScheduled],
    ["schedule/retention-sweep", retentionSweep, fixture("ebs-snapshot-notification-create.json")],
    ["queue/snapshot-work", snapshotWork, { Records: [] }],
    ["queue/retention-work", retentionWork, scheduledEvent()],
    ["alarm/state-change", alarmStateChange, scheduledEvent()],
  ];

  it.each(cases)("%s throws EventShapeError and sends no AWS command", async (_name, make, event) => {
    // Prepare
    const { runtime: rt, alerts } = runtime();
    const handler = make(rt);

    // Act
    const result = handler(event, context);

    // Assess
    await expect(result).rejects.toThrow(EventShapeError);
    expect(allCalls()).toHaveLength(0);
    expect(alerts.alerts).toEqual([]);
  });
});

describe("Handler: schedule/snapshot-window", () => {
  it("enqueues one work item per selected volume for the due window", async () => {
    // Prepare
    ec2Mock.on(DescribeVolumesCommand).resolves({
      Volumes: [
        {
          VolumeId: "vol-0000000000000000b",
          VolumeType: "gp3",
          AvailabilityZone: "us-west-2a",
          Tags: [{ Key: "Backup", Value: "daily" }],
        },
        {
          VolumeId: "vol-0000000000000000a",
          VolumeType: "gp3",
          AvailabilityZone: "us-west-2a",
          Tags: [{ Key: "Backup", Value: "daily" }],
        },
      ],
    });
    sqsMock.on(SendMessageBatchCommand).resolves({});
    const handler = snapshotWindow(runtime().runtime);

    // Act
    const summary = await handler(scheduledEvent(), context);

    // Assess
    expect(summary).toMatchObject({ job: "snapshot", phase: "plan", selected: 2, planned: 2, enqueued: 2 });
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageBatchCommand, 1);
    const entries = sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries ?? [];
    expect(sqsMock).toHaveReceivedCommandWith(SendMessageBatchCommand, { QueueUrl: SNAPSHOT_QUEUE });
    const items = entries.map((e) => JSON.parse(e.MessageBody ?? "") as SnapshotWorkItem);
    expect(items.map((i) => [i.kind, i.key, i.window, i.schedule])).toEqual([
      ["ebs-volume", `data/vol-0000000000000000a/${WINDOW}`, WINDOW, "ten"],
      ["ebs-volume", `data/vol-0000000000000000b/${WINDOW}`, WINDOW, "ten"],
    ]);
    expect(entries.every((e) => e.MessageGroupId && e.MessageDeduplicationId)).toBe(true);
  });

  it("enqueues nothing, calls no AWS API and warns of a missed window when no schedule is due", async () => {
    // Prepare
    const { runtime: get, alerts } = runtime();
    const handler = snapshotWindow(get);

    // Act
    const summary = await handler(scheduledEvent("2024-05-14T13:30:00Z"), context);

    // Assess
    expect(summary).toMatchObject({ selected: 0, planned: 0, enqueued: 0 });
    expect(allCalls()).toHaveLength(0);
    expect(alerts.alerts).toHaveLength(1);
    expect(alerts.alerts[0]).toMatchObject({
      severity: "warning",
      job: "snapshot",
      title: "A snapshot window was missed",
    });
    expect(alerts.alerts[0]?.body).toContain("2024-05-14T13:30:00Z");
  });

  it("stops with DeadlineError before the Lambda timeout and enqueues nothing", async () => {
    // Prepare: 60 s left, less than the planners' safety margin
    ec2Mock.on(DescribeVolumesCommand).resolves({
      Volumes: [
        {
          VolumeId: "vol-0000000000000000a",
          VolumeType: "gp3",
          AvailabilityZone: "us-west-2a",
          Tags: [{ Key: "Backup", Value: "daily" }],
        },
      ],
    });
    const handler = snapshotWindow(runtime().runtime);

    // Act
    const error = await handler(scheduledEvent(), {
      ...context,
      getRemainingTimeInMillis: () => 60_000,
    }).catch((e: unknown) => e);

    // Assess
    expect((error as Error).name).toBe("DeadlineError");
    expect(sqsMock).not.toHaveReceivedCommand(SendMessageBatchCommand);
  });

  it("enqueues what it planned before the deadline, then rethrows the DeadlineError", async () => {
    // Prepare: two inventory pages; time runs out once the first page was enqueued
    const tagged = [{ Key: "Backup", Value: "daily" }];
    ec2Mock
      .on(DescribeVolumesCommand)
      .resolvesOnce({
        Volumes: [
          {
            VolumeId: "vol-0000000000000000a",
            VolumeType: "gp3",
            AvailabilityZone: "us-west-2a",
            Tags: tagged,
          },
        ],
        NextToken: "p2",
      })
      .resolves({
        Volumes: [
          {
            VolumeId: "vol-0000000000000000b",
            VolumeType: "gp3",
            AvailabilityZone: "us-west-2a",
            Tags: tagged,
          },
        ],
      });
    sqsMock.on(SendMessageBatchCommand).resolves({});
    const handler = snapshotWindow(runtime().runtime);

    // Act
    const error = await handler(
      scheduledEvent(),
      contextDropping(() => sqsMock.commandCalls(SendMessageBatchCommand).length > 0, 60_000),
    ).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DeadlineError);
    const bodies = sqsMock
      .commandCalls(SendMessageBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? [])
      .map((e) => (JSON.parse(e.MessageBody ?? "") as SnapshotWorkItem).key);
    expect(bodies).toEqual([`data/vol-0000000000000000a/${WINDOW}`]);
  });

  it("plans only the DB snapshots the quota has room for and alerts once about the rest", async () => {
    // Prepare: room for one more manual DB snapshot, two databases due
    ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [] });
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: ["orders-a", "orders-b"].map((id) => ({
        DBInstanceIdentifier: id,
        DBInstanceStatus: "available",
        TagList: [{ Key: "Backup", Value: "daily" }],
      })),
    });
    rdsMock.on(DescribeAccountAttributesCommand).resolves({
      AccountQuotas: [{ AccountQuotaName: "ManualSnapshots", Used: 99, Max: 100 }],
    });
    sqsMock.on(SendMessageBatchCommand).resolves({});
    const { runtime: get, alerts } = runtime({ policies: [ORDERS_POLICY] });

    // Act
    const summary = await snapshotWindow(get)(scheduledEvent(), context);

    // Assess
    expect(summary).toMatchObject({ planned: 1, enqueued: 1, skipped: { "quota-exhausted": 1 } });
    expect(alerts.alerts).toHaveLength(1);
    expect(alerts.alerts[0]).toMatchObject({
      severity: "critical",
      title:
        "1 database snapshot(s) not planned: the Manual DB instance snapshots quota is full in us-west-2",
      resourceIds: ["orders-b"],
      stage: "test",
    });
    expect(rdsMock).toHaveReceivedCommandTimes(DescribeAccountAttributesCommand, 1);
  });

  it("sends no alert when a schedule is due", async () => {
    // Prepare
    ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [] });
    const { runtime: get, alerts } = runtime();

    // Act
    await snapshotWindow(get)(scheduledEvent(), context);

    // Assess
    expect(alerts.alerts).toEqual([]);
  });
});

describe("Handler: queue/snapshot-work", () => {
  it("reports retries and malformed bodies as batch item failures, successes not", async () => {
    // Prepare
    fakeSnapshots(ec2Mock);
    ec2Mock
      .on(CreateSnapshotCommand, { VolumeId: "vol-0000000000000000b" })
      .rejects(awsError("SnapshotCreationPerVolumeRateExceeded"));
    const handler = snapshotWork(runtime().runtime);
    const event = sqsEvent({
      "m-created": JSON.stringify(volumeItem("vol-0000000000000000a")),
      "m-throttled": JSON.stringify(volumeItem("vol-0000000000000000b")),
      "m-not-json": "test",
      "m-wrong-shape": JSON.stringify({ ...volumeItem("vol-0000000000000000c"), volumeId: "not-a-volume" }),
    });

    // Act
    const response = await handler(event, context);

    // Assess
    expect(response).toEqual({
      batchItemFailures: [
        { itemIdentifier: "m-throttled" },
        { itemIdentifier: "m-not-json" },
        { itemIdentifier: "m-wrong-shape" },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotCommand, 2);
    expect(ec2Mock).not.toHaveReceivedCommandWith(CreateSnapshotCommand, {
      VolumeId: "vol-0000000000000000c",
    });
  });

  it("announces a non-retryable failure once, on its first delivery, and retries it", async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(CreateSnapshotCommand).rejects(awsError("UnauthorizedOperation"));
    const { runtime: get, alerts } = runtime();
    const handler = snapshotWork(get);
    const first = sqsEvent({ "m-denied": JSON.stringify(volumeItem("vol-0000000000000000a")) });
    const again = {
      Records: first.Records.map((r) => {
        const record = r as Record<string, unknown>;
        return { ...record, attributes: { ...(record.attributes as object), ApproximateReceiveCount: "2" } };
      }),
    };

    // Act
    const firstResponse = await handler(first, context);
    const againResponse = await handler(again, context);

    // Assess
    expect(firstResponse).toEqual({ batchItemFailures: [{ itemIdentifier: "m-denied" }] });
    expect(againResponse).toEqual(firstResponse);
    expect(alerts.alerts).toHaveLength(1);
    expect(alerts.alerts[0]).toMatchObject({
      severity: "warning",
      job: "snapshot",
      title: "1 snapshot(s) could not be taken",
    });
    expect(alerts.alerts[0]?.body).toContain("UnauthorizedOperation");
  });

  it("returns no failures when every item succeeds or already exists, with one lookup for the batch", async () => {
    // Prepare: vol-…b already has its snapshot for the window
    const snapshots = fakeSnapshots(ec2Mock);
    snapshots.seed({
      SnapshotId: "snap-earlier",
      VolumeId: "vol-0000000000000000b",
      State: "completed",
      Tags: volumeItem("vol-0000000000000000b").tags,
    });
    const handler = snapshotWork(runtime().runtime);

    // Act
    const response = await handler(
      sqsEvent({
        "m-a": JSON.stringify(volumeItem("vol-0000000000000000a")),
        "m-b": JSON.stringify(volumeItem("vol-0000000000000000b")),
        "m-c": JSON.stringify(volumeItem("vol-0000000000000000c")),
      }),
      context,
    );

    // Assess: one lookup before, one confirming the two creates after
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotCommand, 2);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 2);
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeSnapshotsCommand, 1, {
      Filters: expect.arrayContaining([
        {
          Name: "tag:outpost-ops:source",
          Values: ["vol-0000000000000000a", "vol-0000000000000000b", "vol-0000000000000000c"],
        },
      ]),
    });
  });

  it("puts one event per item on the stream: created, already there, with policy and lineage", async () => {
    // Prepare: vol-…b already has its snapshot for the window
    const snapshots = fakeSnapshots(ec2Mock);
    snapshots.seed({
      SnapshotId: "snap-earlier",
      VolumeId: "vol-0000000000000000b",
      State: "completed",
      Tags: volumeItem("vol-0000000000000000b").tags,
    });
    const { runtime: rt, events } = runtime();

    // Act
    await snapshotWork(rt)(
      sqsEvent({
        "m-a": JSON.stringify(volumeItem("vol-0000000000000000a")),
        "m-b": JSON.stringify(volumeItem("vol-0000000000000000b")),
      }),
      context,
    );

    // Assess
    expect(
      events.events.map((e) => [e.detailType, e.detail.code, e.detail.lineage.sourceId, e.detail.policy]),
    ).toEqual([
      ["Snapshot Created", "created", "vol-0000000000000000a", "data"],
      ["Snapshot Skipped", "already-exists", "vol-0000000000000000b", "data"],
    ]);
    expect(events.events[0]?.resources).toEqual([
      `arn:aws:ec2:${REGION}::snapshot/${events.events[0]?.detail.snapshotIds[0]}`,
    ]);
  });

  it("acknowledges a duplicate record of one item in the batch without a second create", async () => {
    // Prepare: FIFO delivered two messages of one group in one batch
    fakeSnapshots(ec2Mock);
    const handler = snapshotWork(runtime().runtime);
    const body = JSON.stringify(volumeItem("vol-0000000000000000a"));

    // Act
    const response = await handler(sqsEvent({ "m-1": body, "m-2": body }), context);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotCommand, 1);
  });

  it("hands back a create AWS does not list yet, without alert or failure, and its redelivery takes no second snapshot", async () => {
    // Prepare: DescribeSnapshots does not list new snapshots for a while
    const snapshots = fakeSnapshots(ec2Mock);
    snapshots.hideNew();
    const { runtime: get, alerts } = runtime();
    const handler = snapshotWork(get);
    const event = sqsEvent({ "m-a": JSON.stringify(volumeItem("vol-0000000000000000a")) });
    const capture = vi.spyOn(logger, "info");

    // Act: first delivery, then (30 minutes later, now listed) the redelivery
    const first = await handler(event, context);
    snapshots.listAll();
    const again = await handler(redelivered(event), context);

    // Assess
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: "m-a" }] });
    expect(again).toEqual({ batchItemFailures: [] });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotCommand, 1);
    expect(snapshots.all).toHaveLength(1);
    expect(alerts.alerts).toEqual([]);
    const summaries = capture.mock.calls
      .filter(([message]) => message === "run summary")
      .map(([, extra]) => (extra as { summary: { failed: number; created: number } }).summary);
    capture.mockRestore();
    expect(summaries.map((s) => [s.created, s.failed])).toEqual([
      [1, 0],
      [0, 0],
    ]);
  });

  it("returns the records it did not start before the timeout untouched, with no create for them", async () => {
    // Prepare: less than the 30 s margin is left once two snapshots were created
    fakeSnapshots(ec2Mock);
    const handler = snapshotWork(runtime().runtime);
    const ids = ["a", "b", "c", "d"].map((x) => `vol-000000000000000${x}`);
    const event = sqsEvent(
      Object.fromEntries(ids.map((id, i) => [`m-${i}`, JSON.stringify(volumeItem(id))])),
    );

    // Act
    const response = await handler(
      event,
      contextDropping(() => ec2Mock.commandCalls(CreateSnapshotCommand).length >= 2),
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: "m-2" }, { itemIdentifier: "m-3" }] });
    expect(ec2Mock.commandCalls(CreateSnapshotCommand).map((c) => c.args[0].input.VolumeId)).toEqual(
      ids.slice(0, 2),
    );
  });

  it("hands every record back, calling nothing, when the batch arrives with too little time", async () => {
    // Prepare
    fakeSnapshots(ec2Mock);
    const handler = snapshotWork(runtime().runtime);

    // Act
    const response = await handler(
      sqsEvent({ "m-a": JSON.stringify(volumeItem("vol-0000000000000000a")) }),
      contextDropping(() => true),
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: "m-a" }] });
    expect(allCalls()).toHaveLength(0);
  });

  it("fails a full quota at once, acknowledged, with one alert for the batch and no call for the rest", async () => {
    // Prepare: the account has no room for another EBS snapshot
    fakeSnapshots(ec2Mock);
    ec2Mock.on(CreateSnapshotCommand).rejects(awsError("SnapshotLimitExceeded"));
    const { runtime: get, alerts } = runtime();
    const handler = snapshotWork(get);
    const ids = ["a", "b", "c"].map((x) => `vol-000000000000000${x}`);

    // Act
    const response = await handler(
      sqsEvent(Object.fromEntries(ids.map((id, i) => [`m-${i}`, JSON.stringify(volumeItem(id))]))),
      context,
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotCommand, 1);
    expect(alerts.alerts).toHaveLength(1);
    expect(alerts.alerts[0]).toMatchObject({
      severity: "critical",
      job: "snapshot",
      title: "3 snapshot(s) failed: the EBS snapshots per Region quota is full in us-west-2",
      stage: "test",
      resourceIds: ids.map((id) => `data/${id}/${WINDOW}`),
    });
    expect(alerts.alerts[0]?.body).toContain("--service-code ebs --quota-code L-309BACF6");
  });

  it("alerts once per quota per hour from a container, while every failed item keeps its event", async () => {
    // Prepare: three batches against a full EBS quota, at 0, +10 and +61 minutes
    fakeSnapshots(ec2Mock);
    ec2Mock.on(CreateSnapshotCommand).rejects(awsError("SnapshotLimitExceeded"));
    const { runtime: get, alerts, events } = runtime();
    let t = NOW.getTime();
    get().clock = { now: () => t, sleep: async () => {} };
    const handler = snapshotWork(get);
    const batch = (id: string) => sqsEvent({ [`m-${id}`]: JSON.stringify(volumeItem(id)) });

    // Act
    await handler(batch("vol-0000000000000000a"), context);
    t += 10 * 60_000;
    await handler(batch("vol-0000000000000000b"), context);
    t += 51 * 60_000;
    await handler(batch("vol-0000000000000000c"), context);

    // Assess
    expect(alerts.alerts.map((a) => a.resourceIds)).toEqual([
      [`data/vol-0000000000000000a/${WINDOW}`],
      [`data/vol-0000000000000000c/${WINDOW}`],
    ]);
    expect(events.events.map((e) => [e.detailType, e.detail.code])).toEqual([
      ["Work Item Failed", "quota-exceeded"],
      ["Work Item Failed", "quota-exceeded"],
      ["Work Item Failed", "quota-exceeded"],
    ]);
  });

  it("quotes the RDS quota's current value in its alert", async () => {
    // Prepare
    rdsMock.on(CreateDBSnapshotCommand).rejects(awsError("SnapshotQuotaExceeded"));
    rdsMock.on(DescribeAccountAttributesCommand).resolves({
      AccountQuotas: [{ AccountQuotaName: "ManualSnapshots", Used: 100, Max: 100 }],
    });
    const { runtime: get, alerts } = runtime();
    const item: SnapshotWorkItem = {
      kind: "rds-instance",
      region: REGION,
      policy: "orders",
      schedule: "ten",
      window: WINDOW,
      key: `orders/orders-db/${WINDOW}`,
      tags: [{ Key: "outpost-ops:managed", Value: "true" }],
      dbInstanceId: "orders-db",
      snapshotId: "oo-orders-orders-db-20240514t1000",
    };

    // Act
    const response = await snapshotWork(get)(sqsEvent({ "m-db": JSON.stringify(item) }), context);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(alerts.alerts).toHaveLength(1);
    expect(alerts.alerts[0]?.body).toContain("Manual DB instance snapshots");
    expect(alerts.alerts[0]?.body).toContain("100 of 100 used");
  });
});

describe("Handler: queue/retention-work", () => {
  it("fails only the batch that hit a throttle", async () => {
    // Prepare
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
    ec2Mock.on(DeleteSnapshotCommand, { SnapshotId: "snap-busy" }).rejects(awsError("RequestLimitExceeded"));
    ec2Mock
      .on(DeleteSnapshotCommand, { SnapshotId: "snap-gone" })
      .rejects(awsError("InvalidSnapshot.NotFound"));
    const handler = retentionWork(runtime().runtime);
    const batch = (ids: string[]) =>
      JSON.stringify({ kind: "delete", snapshotKind: "ebs", region: REGION, snapshotIds: ids });

    // Act
    const response = await handler(
      sqsEvent({
        "m-done": batch(["snap-1", "snap-gone"]),
        "m-throttled": batch(["snap-2", "snap-busy"]),
        "m-empty": batch([]),
      }),
      context,
    );

    // Assess
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: "m-throttled" }, { itemIdentifier: "m-empty" }],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 4);
  });

  it("puts a Snapshot Deleted event per snapshot on the stream, with the lineage the planner sent", async () => {
    // Prepare
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
    const { runtime: rt, events } = runtime();
    const item = {
      kind: "delete",
      snapshotKind: "ebs",
      region: REGION,
      snapshotIds: ["snap-1"],
      lineage: { "snap-1": { sourceId: "vol-1", policy: "data", schedule: "ten" } },
    };

    // Act
    await retentionWork(rt)(sqsEvent({ "m-1": JSON.stringify(item) }), context);

    // Assess
    expect(events.events.map((e) => [e.detailType, e.detail.job, e.detail.policy, e.detail.lineage])).toEqual(
      [["Snapshot Deleted", "retention", "data", { sourceId: "vol-1", schedule: "ten" }]],
    );
  });

  it("returns the batches it did not start before the timeout untouched", async () => {
    // Prepare: the margin is reached once the first batch was deleted
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
    const handler = retentionWork(runtime().runtime);
    const batch = (ids: string[]) =>
      JSON.stringify({ kind: "delete", snapshotKind: "ebs", region: REGION, snapshotIds: ids });

    // Act
    const response = await handler(
      sqsEvent({ "m-1": batch(["snap-1", "snap-2"]), "m-2": batch(["snap-3"]) }),
      contextDropping(() => ec2Mock.commandCalls(DeleteSnapshotCommand).length >= 2),
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: "m-2" }] });
    expect(ec2Mock.commandCalls(DeleteSnapshotCommand).map((c) => c.args[0].input.SnapshotId)).toEqual([
      "snap-1",
      "snap-2",
    ]);
  });
});

describe("Handler: schedule/retention-sweep", () => {
  function estate(snapshots: number) {
    ec2Mock.on(DescribeSnapshotsCommand).resolves({
      Snapshots: Array.from({ length: snapshots }, (_, i) => ({
        SnapshotId: `snap-${String(i).padStart(17, "0")}`,
        VolumeId: "vol-0000000000000000a",
        State: "completed",
        StartTime: new Date(NOW.getTime() - (i + 1) * 86_400_000),
        Tags: [
          { Key: "outpost-ops:managed", Value: "true" },
          { Key: "outpost-ops:policy", Value: "data" },
          { Key: "outpost-ops:schedule", Value: "ten" },
        ],
      })),
    });
    ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [{ VolumeId: "vol-0000000000000000a" }] });
    ec2Mock.on(DescribeImagesCommand).resolves({});
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({});
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({});
  }

  it("publishes a cap-exceeded alert and enqueues nothing when the plan is over the cap", async () => {
    // Prepare: keepLast 1 of 10 plans 9 deletions; 25% of 10 allows 2
    estate(10);
    const { runtime: rt, alerts } = runtime({ maxDeletesPercent: 25 });
    const handler = retentionSweep(rt);

    // Act
    const summary = await handler(scheduledEvent(), context);

    // Assess
    expect(summary).toMatchObject({ job: "retention", selected: 10, planned: 0, enqueued: 0 });
    expect(sqsMock).not.toHaveReceivedCommand(SendMessageBatchCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
    expect(alerts.alerts).toHaveLength(1);
    expect(alerts.alerts[0]).toMatchObject({
      severity: "warning",
      job: "retention",
      title: "Retention stopped: 9 deletions exceed the cap of 2",
      region: REGION,
      stage: "test",
      at: NOW,
    });
    expect(alerts.alerts[0]?.resourceIds).toHaveLength(9);
    expect(alerts.alerts[0]?.body).toContain("Nothing was deleted");
  });

  it("enqueues the deletions in batches when the plan is within the cap", async () => {
    // Prepare
    estate(4);
    sqsMock.on(SendMessageBatchCommand).resolves({});
    const { runtime: rt, alerts } = runtime({ maxDeletesPercent: 100 });
    const handler = retentionSweep(rt);

    // Act
    const summary = await handler(scheduledEvent(), context);

    // Assess
    expect(summary).toMatchObject({ planned: 3, enqueued: 1 });
    expect(alerts.alerts).toEqual([]);
    const entries = sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries ?? [];
    expect(sqsMock).toHaveReceivedCommandWith(SendMessageBatchCommand, { QueueUrl: RETENTION_QUEUE });
    expect(entries.map((e) => JSON.parse(e.MessageBody ?? ""))).toEqual([
      {
        kind: "delete",
        snapshotKind: "ebs",
        region: REGION,
        snapshotIds: ["snap-00000000000000001", "snap-00000000000000002", "snap-00000000000000003"],
        // Each snapshot's policy and source travel with it, for the deletion's event.
        lineage: Object.fromEntries(
          ["snap-00000000000000001", "snap-00000000000000002", "snap-00000000000000003"].map((id) => [
            id,
            { sourceId: "vol-0000000000000000a", policy: "data", schedule: "ten" },
          ]),
        ),
      },
    ]);
  });
});

describe("Handler: alarm/state-change", () => {
  function alarmEvent(file: string, alarmName: string) {
    const raw = fixture(file);
    return { ...raw, detail: { ...(raw.detail as Record<string, unknown>), alarmName } };
  }

  it("publishes a critical alert for a dead-letters alarm going to ALARM", async () => {
    // Prepare
    const { runtime: rt, alerts } = runtime();
    const handler = alarmStateChange(rt);

    // Act
    const result = await handler(
      alarmEvent("cloudwatch-alarm-state-change.json", "outpost-ops-test-snapshot-dead-letters"),
      context,
    );

    // Assess
    expect(result).toEqual({ published: "outpost-ops-test-snapshot-dead-letters is ALARM" });
    expect(alerts.alerts).toHaveLength(1);
    const [alert] = alerts.alerts;
    expect(alert).toMatchObject({
      severity: "critical",
      job: "platform",
      title: "outpost-ops-test-snapshot-dead-letters is ALARM",
      region: "us-west-2",
      at: new Date("2024-05-14T10:07:41Z"),
      stage: "test",
      resourceIds: ["arn:aws:cloudwatch:us-west-2:123456789012:alarm:OutpostServiceLinkDisconnected"],
    });
    expect(alert?.body).toContain("dead-letter queue");
    expect(alert?.body).toContain("State: OK -> ALARM.");
    expect(alert?.links[0]?.url).toContain("alarmsV2:alarm/outpost-ops-test-snapshot-dead-letters");
    expect(allCalls()).toHaveLength(0);
  });

  it("publishes an info alert when the alarm returns to OK", async () => {
    // Prepare
    const { runtime: rt, alerts } = runtime();
    const handler = alarmStateChange(rt);

    // Act
    await handler(
      alarmEvent("cloudwatch-alarm-state-change-ok.json", "outpost-ops-test-snapshot-dead-letters"),
      context,
    );

    // Assess
    expect(alerts.alerts).toHaveLength(1);
    expect(alerts.alerts[0]).toMatchObject({
      severity: "info",
      title: "outpost-ops-test-snapshot-dead-letters is OK",
    });
    expect(alerts.alerts[0]?.body).not.toContain("dead-letter queue");
    expect(alerts.alerts[0]?.body).toContain("State: ALARM -> OK.");
  });
});
