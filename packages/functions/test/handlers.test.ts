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
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { SNSClient } from "@aws-sdk/client-sns";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { memoryAlertSink } from "@outpost-ops/core/alerts";
import { createClients } from "@outpost-ops/core/aws/clients";
import { parseConfig } from "@outpost-ops/core/config";
import { EventShapeError } from "@outpost-ops/core/errors";
import { unpaced } from "@outpost-ops/core/pacing";
import type { SnapshotWorkItem } from "@outpost-ops/core/snapshot/work-item";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
// Types for the matchers test/setup.ts registers.
import type {} from "aws-sdk-client-mock-vitest/extend";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHandler as alarmStateChange } from "../src/alarm/state-change.ts";
import type { Runtime } from "../src/lib/runtime.ts";
import { createHandler as retentionWork } from "../src/queue/retention-work.ts";
import { createHandler as snapshotWork } from "../src/queue/snapshot-work.ts";
import { createHandler as retentionSweep } from "../src/schedule/retention-sweep.ts";
import { createHandler as snapshotWindow } from "../src/schedule/snapshot-window.ts";

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

const config = (maxDeletesPercent = 100) =>
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
    ],
  });

function runtime(options: { maxDeletesPercent?: number } = {}) {
  const alerts = memoryAlertSink();
  const value: Runtime = {
    config: config(options.maxDeletesPercent),
    env: {
      region: REGION,
      stage: "test",
      alertTopicArn: "arn:aws:sns:us-west-2:123456789012:outpost-ops-test-alerts",
      snapshotQueueUrl: SNAPSHOT_QUEUE,
      retentionQueueUrl: RETENTION_QUEUE,
    },
    clients: createClients({
      endpoint: "http://127.0.0.1:9",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      maxAttempts: 1,
    }),
    alerts,
    pacer: unpaced,
    clock: { now: () => NOW.getTime(), sleep: async () => {} },
  };
  return { runtime: () => value, alerts };
}

const context = {
  functionName: "outpost-ops-test",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-west-2:123456789012:function:outpost-ops-test",
  memoryLimitInMB: "512",
  awsRequestId: "req-1",
  logGroupName: "/aws/lambda/outpost-ops-test",
  logStreamName: "stream",
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 600_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} as Context;

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
    tags: [{ Key: "outpost-ops:managed", Value: "true" }],
    volumeId,
    description: "outpost-ops ten snapshot",
  };
}

function awsError(name: string): Error {
  const error = new Error(`${name}: from AWS`);
  error.name = name;
  return Object.assign(error, { $metadata: { httpStatusCode: 400 } });
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
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-new" });
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

  it("returns no failures when every item succeeds or already exists", async () => {
    // Prepare: vol-…b already has its snapshot for the window
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .callsFake((input: { Filters?: { Name?: string; Values?: string[] }[] }) => {
        const source = input.Filters?.find((f) => f.Name === "tag:outpost-ops:source")?.Values?.[0];
        return {
          Snapshots:
            source === "vol-0000000000000000b" ? [{ SnapshotId: "snap-earlier", State: "completed" }] : [],
        };
      });
    ec2Mock.on(CreateSnapshotCommand).resolves({ SnapshotId: "snap-new" });
    const handler = snapshotWork(runtime().runtime);

    // Act
    const response = await handler(
      sqsEvent({
        "m-a": JSON.stringify(volumeItem("vol-0000000000000000a")),
        "m-b": JSON.stringify(volumeItem("vol-0000000000000000b")),
      }),
      context,
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotCommand, 1);
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
