import { randomUUID } from "node:crypto";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { planSnapshotRun } from "@outpost-ops/core/jobs/snapshot";
import { rdsSnapshotId } from "@outpost-ops/core/snapshot/names";
import type { RunSummary } from "@outpost-ops/core/summary";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  buildEstate,
  captureSummaries,
  drain,
  type Harness,
  lambdaContext,
  perSource,
  REGION,
  type SeededEstate,
  scheduledEvent,
  startHarness,
  testConfig,
} from "./helpers.ts";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

const windowOf = (t: Date) => t.toISOString().slice(0, 16).concat("Z");

describe("Integration: duplicate and concurrent delivery create no second snapshot", () => {
  let h: Harness;
  let seeded: SeededEstate;
  const config = testConfig();

  const fire = (at: Date, rule = "outpost-ops-line-daily") =>
    h.handlers.snapshotWindow(
      scheduledEvent(at, REGION, rule),
      lambdaContext("snapshot-window"),
    ) as Promise<RunSummary>;

  /** Exactly one snapshot per selected volume, one set (2 data volumes) per instance, one per database. */
  function expectOneSnapshotPerResource(window: string, schedule: string) {
    const counts = perSource(h.sb, window);
    for (const v of seeded.lineVolumeIds) expect(counts.get(v), v).toBe(1);
    for (const i of seeded.instanceIds) expect(counts.get(i), i).toBe(2);
    for (const s of h.sb.state.snapshots(REGION).filter((x) => x.tags["outpost-ops:window"] === window))
      if (s.tags["outpost-ops:policy"] === "line") expect(s.tags["outpost-ops:schedule"]).toBe(schedule);
    const db = h.sb.state.dbSnapshots(REGION).filter((s) => s.tags["outpost-ops:window"] === window);
    expect(db.map((s) => s.id)).toEqual([rdsSnapshotId("orders", seeded.dbInstanceIds[0] ?? "", window)]);
    const cluster = h.sb.state
      .dbClusterSnapshots(REGION)
      .filter((s) => s.tags["outpost-ops:window"] === window);
    expect(cluster.map((s) => s.id)).toEqual([
      rdsSnapshotId("inventory", seeded.clusterIds[0] ?? "", window),
    ]);
  }

  beforeAll(async () => {
    h = await startHarness({ config, start: new Date("2024-05-13T12:00:00Z") });
    seeded = buildEstate({ lineVolumes: 6, instances: 2 });
    h.sb.seed(seeded.estate);
  });

  afterAll(async () => {
    await h?.sb.close();
  });

  it("the same scheduled event delivered twice in sequence", async () => {
    // Prepare
    const at = new Date("2024-05-14T00:00:00Z");
    h.sb.clock.set(at);
    const event = scheduledEvent(at, REGION, "outpost-ops-line-daily");

    // Act
    const first = (await h.handlers.snapshotWindow(event, lambdaContext("snapshot-window"))) as RunSummary;
    const firstDrain = await drain(h, "snapshot");
    h.sb.clock.advance(30_000);
    const again = (await h.handlers.snapshotWindow(event, lambdaContext("snapshot-window"))) as RunSummary;
    const secondDrain = await drain(h, "snapshot");

    // Assess
    expect(again.planned).toBe(first.planned);
    expect(firstDrain.records).toBe(first.planned);
    // The FIFO queue's de-duplication drops the second run's items; nothing reaches a worker twice.
    expect(secondDrain.records).toBe(0);
    expectOneSnapshotPerResource(windowOf(at), "daily");
  });

  it("the same scheduled event delivered twice at once", async () => {
    // Prepare
    const at = new Date("2024-05-15T00:00:00Z");
    h.sb.clock.set(at);
    const event = scheduledEvent(at, REGION, "outpost-ops-line-daily");
    const creates = h.sb.requests.count("CreateSnapshot");

    // Act
    const runs = (await Promise.all([
      h.handlers.snapshotWindow(event, lambdaContext("snapshot-window")),
      h.handlers.snapshotWindow({ ...event, id: randomUUID() }, lambdaContext("snapshot-window")),
    ])) as RunSummary[];
    await drain(h, "snapshot", 2);

    // Assess
    expect(runs.map((r) => r.enqueued)).toEqual([runs[0]?.planned, runs[0]?.planned]);
    expect(h.sb.requests.count("CreateSnapshot") - creates).toBe(seeded.lineVolumeIds.length);
    expectOneSnapshotPerResource(windowOf(at), "daily");
  });

  it("two schedules of one policy firing in the same minute: one snapshot, the longer retention's tag", async () => {
    // Prepare
    const at = new Date("2024-05-16T00:00:00Z");
    h.sb.clock.set(at);

    // Act
    await Promise.all([fire(at, "outpost-ops-line-hourly"), fire(at, "outpost-ops-line-daily")]);
    await drain(h, "snapshot", 2);
    // An hour later only the hourly schedule fires, and its snapshots say so.
    const later = new Date("2024-05-16T01:00:00Z");
    h.sb.clock.set(later);
    await fire(later, "outpost-ops-line-hourly");
    await drain(h, "snapshot");

    // Assess
    expectOneSnapshotPerResource(windowOf(at), "daily");
    const hourly = perSource(h.sb, windowOf(later));
    expect([...hourly.keys()].sort()).toEqual([...seeded.lineVolumeIds].sort());
    expect(
      h.sb.state
        .snapshots(REGION)
        .filter((s) => s.tags["outpost-ops:window"] === windowOf(later))
        .map((s) => s.tags["outpost-ops:schedule"]),
    ).toEqual(seeded.lineVolumeIds.map(() => "hourly"));
  });

  it("a work item redelivered after the FIFO de-duplication interval creates nothing new", async () => {
    // Prepare: the window's run has completed.
    const at = new Date("2024-05-17T00:00:00Z");
    h.sb.clock.set(at);
    const event = scheduledEvent(at, REGION, "outpost-ops-line-daily");
    await h.handlers.snapshotWindow(event, lambdaContext("snapshot-window"));
    await drain(h, "snapshot");
    const before = h.sb.state.snapshots(REGION).length;
    const creates = ["CreateSnapshot", "CreateSnapshots", "CreateDBSnapshot", "CreateDBClusterSnapshot"].map(
      (op) => h.sb.requests.count(op),
    );
    // The same bodies the planner enqueued (planning is a function of the event's time alone).
    const plans = await planSnapshotRun({
      clients: h.clients,
      config,
      region: REGION,
      now: new Date(event.time),
    });
    const items = plans.flatMap((p) => p.items);
    expect(items.length).toBe(seeded.lineVolumeIds.length + seeded.instanceIds.length + 2);

    // Act: 10 minutes later (past SQS's 5-minute de-duplication interval) they arrive again.
    h.sb.clock.advance(10 * 60_000);
    for (const item of items) {
      await h.sqs.send(
        new SendMessageCommand({
          QueueUrl: h.infra.snapshotQueueUrl,
          MessageBody: JSON.stringify(item),
          MessageGroupId: randomUUID(),
          MessageDeduplicationId: randomUUID(),
        }),
      );
    }
    const capture = captureSummaries();
    let drained: Awaited<ReturnType<typeof drain>>;
    try {
      drained = await drain(h, "snapshot");
    } finally {
      capture.restore();
    }

    // Assess: every item was processed, found its window's snapshot, and succeeded without creating.
    expect(drained.records).toBe(items.length);
    expect(drained.failedRecords).toBe(0);
    expect(h.sb.state.snapshots(REGION).length).toBe(before);
    expect(
      ["CreateSnapshot", "CreateSnapshots", "CreateDBSnapshot", "CreateDBClusterSnapshot"].map((op) =>
        h.sb.requests.count(op),
      ),
    ).toEqual([
      creates[0],
      creates[1],
      // RDS names are deterministic: a second create is refused by RDS itself and counts as "exists".
      (creates[2] ?? 0) + 1,
      (creates[3] ?? 0) + 1,
    ]);
    const created = capture.summaries.reduce((n, s) => n + s.created, 0);
    const failed = capture.summaries.reduce((n, s) => n + s.failed, 0);
    const exists = capture.summaries.reduce((n, s) => n + (s.skipped["already-exists"] ?? 0), 0);
    expect({ created, failed, exists }).toEqual({ created: 0, failed: 0, exists: items.length });
    expectOneSnapshotPerResource(windowOf(at), "daily");
  });
});
