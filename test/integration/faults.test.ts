import { EC2Client } from "@aws-sdk/client-ec2";
import { RDSClient } from "@aws-sdk/client-rds";
import { rdsSnapshotId } from "@outpost-ops/core/snapshot/names";
import type { RunSummary } from "@outpost-ops/core/summary";
import type { Estate } from "@outpost-ops/sandbox";
import { queue } from "outpost-ops/src/drill/wiring.ts";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  buildEstate,
  captureSummaries,
  countSdkRetries,
  DAY_MS,
  drain,
  drainUntilEmpty,
  type Harness,
  lambdaContext,
  managedTags,
  perSource,
  queueDepth,
  REGION,
  type SeededEstate,
  scheduledEvent,
  seedDailyEbs,
  startHarness,
} from "./helpers.ts";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

const DAY1 = new Date("2024-05-14T00:00:00Z");
const SWEEP1 = new Date("2024-05-14T00:15:00Z");
const DAY2 = new Date("2024-05-15T00:00:00Z");
const DAY3 = new Date("2024-05-16T00:00:00Z");
const windowOf = (t: Date) => `${t.toISOString().slice(0, 16)}Z`;

/**
 * A bad day at AWS: 30% throttled, 5% 5xx, every call slowed, on EC2 and RDS; SQS lightly throttled.
 * The seeds fix which requests fail (the jobs call in a fixed order); the SDK's backoff is real and
 * costs about 0.5 s per retry, which is why this estate is small.
 */
function badDay(h: Harness) {
  h.sb.faults.set({ service: "ec2", throttleRate: 0.3, serverErrorRate: 0.05, latencyMs: [5, 30], seed: 4 });
  h.sb.faults.set({
    service: "rds",
    throttleRate: 0.3,
    serverErrorRate: 0.05,
    latencyMs: [5, 30],
    seed: 104,
  });
  h.sb.faults.set({ service: "sqs", throttleRate: 0.05, latencyMs: [1, 5], seed: 13 });
}

describe("Integration: throttling, 5xx, slow responses and quota errors", () => {
  let h: Harness;
  let seeded: SeededEstate;
  /** EBS snapshots retention must delete: the 2 oldest of 6 seeded daily ones per volume (keepLast 5). */
  const expectedEbsDeletions: string[] = [];
  const keptEbs: string[] = [];
  const rdsSeeded: string[] = [];
  const clusterSeeded: string[] = [];

  beforeAll(async () => {
    h = await startHarness({
      start: new Date(DAY1.getTime() - 3_600_000),
    });
    seeded = buildEstate({ lineVolumes: 8, instances: 1 });
    const { snapshots, idsByVolume } = seedDailyEbs(seeded.lineVolumeIds, 6, DAY1, 9);
    for (const ids of idsByVolume.values()) {
      keptEbs.push(...ids.slice(0, 4));
      expectedEbsDeletions.push(...ids.slice(4));
    }
    const db = seeded.dbInstanceIds[0] ?? "";
    const cluster = seeded.clusterIds[0] ?? "";
    const dbSnapshots: NonNullable<Estate["dbSnapshots"]> = [];
    const clusterSnapshots: NonNullable<Estate["dbClusterSnapshots"]> = [];
    for (let d = 1; d <= 6; d++) {
      const at = new Date(DAY1.getTime() - d * DAY_MS);
      const dbId = rdsSnapshotId("orders", db, windowOf(at));
      const clusterId = rdsSnapshotId("inventory", cluster, windowOf(at));
      dbSnapshots.push({
        region: REGION,
        id: dbId,
        dbInstanceId: db,
        createdAt: at.toISOString(),
        tags: managedTags("orders", "daily", db, at),
      });
      clusterSnapshots.push({
        region: REGION,
        id: clusterId,
        clusterId: cluster,
        createdAt: at.toISOString(),
        tags: managedTags("inventory", "daily", cluster, at),
      });
      rdsSeeded.push(dbId);
      clusterSeeded.push(clusterId);
    }
    h.sb.seed({ ...seeded.estate, snapshots, dbSnapshots, dbClusterSnapshots: clusterSnapshots });
  });

  afterEach(() => {
    h.sb.faults.clear();
  });

  afterAll(async () => {
    await h?.sb.close();
  });

  it("a snapshot window and a retention sweep complete on a bad day: nothing lost, nothing dead-lettered, no false alerts", async () => {
    // Prepare
    badDay(h);
    const retries = countSdkRetries([h.clients.get(EC2Client, REGION), h.clients.get(RDSClient, REGION)]);
    const capture = captureSummaries();
    let window: RunSummary;
    let sweep: RunSummary;
    let snapshotDrain: Awaited<ReturnType<typeof drainUntilEmpty>>;
    let retentionDrain: Awaited<ReturnType<typeof drainUntilEmpty>>;
    try {
      // Act: the snapshot window, drained until every item succeeded.
      h.sb.clock.set(DAY1);
      window = (await h.handlers.snapshotWindow(
        scheduledEvent(DAY1, REGION, "outpost-ops-line-daily"),
        lambdaContext("snapshot-window"),
      )) as RunSummary;
      snapshotDrain = await drainUntilEmpty(h, "snapshot");
      // The retention sweep (after the new snapshots completed), drained the same way.
      if (h.sb.clock.now() < SWEEP1) h.sb.clock.set(SWEEP1);
      sweep = (await h.handlers.retentionSweep(
        scheduledEvent(h.sb.clock.now(), REGION, "outpost-ops-retention"),
        lambdaContext("retention-sweep"),
      )) as RunSummary;
      retentionDrain = await drainUntilEmpty(h, "retention");
    } finally {
      capture.restore();
    }

    // Assess: the faults were real, and the SDK's retries (or the queue's redelivery) absorbed them.
    expect(retries.count).toBeGreaterThan(10);
    retries.stop();
    expect(window.enqueued).toBe(seeded.lineVolumeIds.length + seeded.instanceIds.length + 2);
    const counts = perSource(h.sb, windowOf(DAY1));
    for (const v of seeded.lineVolumeIds) expect(counts.get(v), v).toBe(1);
    for (const i of seeded.instanceIds) expect(counts.get(i), i).toBe(2);
    expect(h.sb.state.dbSnapshots(REGION).map((s) => s.id)).toContain(
      rdsSnapshotId("orders", seeded.dbInstanceIds[0] ?? "", windowOf(DAY1)),
    );
    expect(h.sb.state.dbClusterSnapshots(REGION).map((s) => s.id)).toContain(
      rdsSnapshotId("inventory", seeded.clusterIds[0] ?? "", windowOf(DAY1)),
    );

    // keepLast 5: today's snapshot and the 4 newest seeded stay, the rest go (RDS/Aurora the same).
    expect(sweep.planned).toBe(expectedEbsDeletions.length + 2 + 2);
    const deleted = new Set(h.sb.state.deleted(REGION));
    expect([...deleted].sort()).toEqual(
      [...expectedEbsDeletions, ...rdsSeeded.slice(4), ...clusterSeeded.slice(4)].sort(),
    );
    const remaining = new Set(h.sb.state.snapshots(REGION).map((s) => s.snapshotId));
    for (const id of keptEbs) expect(remaining.has(id), id).toBe(true);

    for (const url of [
      queue(h.infra, "snapshot-work").url,
      queue(h.infra, "retention-work").url,
      queue(h.infra, "snapshot-work").dlqUrl,
      queue(h.infra, "retention-work").dlqUrl,
    ])
      expect(await queueDepth(h.sqs, url), url).toBe(0);
    expect(h.sb.state.snsMessages(REGION)).toEqual([]);
    const workers = capture.summaries.filter((s) => s.phase === "apply");
    expect(workers.length).toBe(snapshotDrain.invocations + retentionDrain.invocations);
    expect(workers.map((s) => s.failed).reduce((a, b) => a + b, 0)).toBe(0);
    expect(workers.flatMap((s) => s.errors)).toEqual([]);
  }, 90_000);

  it("quota errors on CreateSnapshot are retried later, never counted as failures or dead-lettered", async () => {
    // Prepare: every CreateSnapshot refused with a per-volume quota error.
    h.sb.clock.set(DAY2);
    h.sb.faults.set({ service: "ec2", operation: "CreateSnapshot", quotaErrorRate: 1, seed: 5 });
    await h.handlers.snapshotWindow(
      scheduledEvent(DAY2, REGION, "outpost-ops-line-daily"),
      lambdaContext("snapshot-window"),
    );
    const capture = captureSummaries();

    // Act: one drain while the quota is exhausted.
    let first: Awaited<ReturnType<typeof drain>>;
    try {
      first = await drain(h, "snapshot");
    } finally {
      capture.restore();
    }

    // Assess: the volume items came back as batch item failures; the rest went through.
    expect(first.failedRecords).toBe(seeded.lineVolumeIds.length);
    const summed = capture.summaries.reduce(
      (a, s) => ({ failed: a.failed + s.failed, retried: a.retried + s.retried }),
      { failed: 0, retried: 0 },
    );
    expect(summed).toEqual({ failed: 0, retried: seeded.lineVolumeIds.length });
    expect(await queueDepth(h.sqs, queue(h.infra, "snapshot-work").dlqUrl)).toBe(0);
    expect(await queueDepth(h.sqs, queue(h.infra, "snapshot-work").url)).toBe(seeded.lineVolumeIds.length);
    expect(perSource(h.sb, windowOf(DAY2)).get(seeded.lineVolumeIds[0] ?? "")).toBeUndefined();

    // Act: the quota frees up; after the visibility timeout SQS redelivers.
    h.sb.faults.clear();
    h.sb.clock.advance(301_000);
    const second = await drain(h, "snapshot");

    // Assess
    expect(second).toMatchObject({ records: seeded.lineVolumeIds.length, failedRecords: 0 });
    const counts = perSource(h.sb, windowOf(DAY2));
    for (const v of seeded.lineVolumeIds) expect(counts.get(v), v).toBe(1);
    for (const i of seeded.instanceIds) expect(counts.get(i), i).toBe(2);
    expect(await queueDepth(h.sqs, queue(h.infra, "snapshot-work").url)).toBe(0);
    expect(h.sb.state.snsMessages(REGION)).toEqual([]);
  });

  it("full snapshot quotas fail their items at once: acknowledged, alerted once per quota, nothing dead-lettered", async () => {
    // Prepare: the window is planned with room left; then the quotas fill up before the worker runs
    // (other snapshots taken meanwhile), so the worker meets them: no room for another EBS snapshot or
    // manual DB instance snapshot in the Region. (A quota already full when planning: quota.test.ts.)
    h.sb.clock.set(DAY3);
    const creates = () => h.sb.requests.count("CreateSnapshot") + h.sb.requests.count("CreateSnapshots");
    const createsBefore = creates();
    const window = (await h.handlers.snapshotWindow(
      scheduledEvent(DAY3, REGION, "outpost-ops-line-daily"),
      lambdaContext("snapshot-window"),
    )) as RunSummary;
    h.sb.seed({ quotas: { region: REGION, snapshotsPerRegion: 1, manualDbSnapshots: 1 } });
    const ebsBefore = h.sb.state.snapshots(REGION).length;
    const manualDbSnapshots = h.sb.state
      .dbSnapshots(REGION)
      .filter((s) => s.snapshotType === "manual").length;
    const capture = captureSummaries();

    // Act
    let drained: Awaited<ReturnType<typeof drain>>;
    try {
      drained = await drain(h, "snapshot");
    } finally {
      capture.restore();
      h.sb.seed({ quotas: { region: REGION, snapshotsPerRegion: 100_000, manualDbSnapshots: 100 } });
    }

    // Assess: every EBS and DB instance item failed without cycling through the queue
    const refused = seeded.lineVolumeIds.length + seeded.instanceIds.length + 1;
    expect(window.enqueued).toBe(refused + 1);
    expect(drained.failedRecords).toBe(0);
    expect(await queueDepth(h.sqs, queue(h.infra, "snapshot-work").url)).toBe(0);
    expect(await queueDepth(h.sqs, queue(h.infra, "snapshot-work").dlqUrl)).toBe(0);
    const summed = capture.summaries.reduce(
      (a, s) => ({
        failed: a.failed + s.failed,
        retried: a.retried + s.retried,
        created: a.created + s.created,
      }),
      { failed: 0, retried: 0, created: 0 },
    );
    expect(summed).toEqual({ failed: refused, retried: 0, created: 1 });
    expect(capture.summaries.flatMap((s) => s.errors).every((e) => e.code === "quota-exceeded")).toBe(true);
    expect(h.sb.state.snapshots(REGION).length).toBe(ebsBefore);
    // At most one CreateSnapshot(s) per batch reached AWS; the rest failed without a call.
    expect(creates() - createsBefore).toBeLessThanOrEqual(drained.invocations);

    // One alert per quota (however many batches met it), naming it and how to raise it; none says
    // "not a quota limit".
    const messages = h.sb.state.snsMessages(REGION);
    expect(drained.invocations).toBeGreaterThan(1);
    for (const quota of ["EBS snapshots per Region", "Manual DB instance snapshots"])
      expect(
        messages.filter((m) => m.message.includes(quota)),
        quota,
      ).toHaveLength(1);
    const text = messages.map((m) => m.message).join("\n");
    expect(text).toContain("EBS snapshots per Region");
    expect(text).toContain("--service-code ebs --quota-code L-309BACF6");
    expect(text).toContain("Manual DB instance snapshots");
    // With the figure RDS reports (DescribeAccountAttributes), not a guess.
    expect(text).toContain(
      `Manual DB instance snapshots (Service Quotas: service rds, quota L-272F1212) in ${REGION}: ${manualDbSnapshots} of 1 used.`,
    );
    expect(text).not.toContain("This is not a rate or quota limit");
    expect(messages.every((m) => m.messageAttributes.severity?.value === "critical")).toBe(true);
  });
});
