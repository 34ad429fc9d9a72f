import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { parseConfig } from "@outpost-ops/core/config";
import type { DeleteWorkItem } from "@outpost-ops/core/snapshot/work-item";
import type { RunSummary } from "@outpost-ops/core/summary";
import type { Estate } from "@outpost-ops/sandbox";
import { queue } from "outpost-ops/src/drill/wiring.ts";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  buildEstate,
  captureSummaries,
  configInput,
  DAY_MS,
  drain,
  type Harness,
  handlersFor,
  lambdaContext,
  managedTags,
  queueDepth,
  REGION,
  scheduledEvent,
  seedDailyEbs,
  startHarness,
} from "./helpers.ts";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

/** Daily snapshots were taken at 00:00; the sweep runs at noon, so none sits on the 90-day boundary. */
const SEEDED_BEFORE = new Date("2024-05-14T00:00:00Z");
const SWEEP = new Date("2024-05-14T12:15:00Z");

/** The test config, with `line` daily snapshots kept for 90 days and a cap of `maxDeletesPerRun`. */
function retentionConfig(maxDeletesPerRun: number) {
  const input = configInput({ maxDeletesPerRun, maxDeletesPercent: 25 });
  const line = input.policies[0];
  const daily = line?.schedules[1];
  if (!daily) throw new Error("test config changed: line policy has no daily schedule");
  daily.retention = { maxAge: "90d" };
  return parseConfig(input);
}

describe("Integration: retention sweep and deletion workers", () => {
  let h: Harness;
  const expectedDeletions = new Set<string>();
  /** Snapshot id → why retention must leave it. */
  const protectedIds = new Map<string, string>();

  beforeAll(async () => {
    // Prepare: 12 volumes × 100 daily snapshots (1200: DescribeSnapshots needs two pages), RDS and
    // Aurora snapshots, and every kind of snapshot retention must never delete.
    h = await startHarness({ config: retentionConfig(1000), start: SWEEP });
    const seeded = buildEstate({ lineVolumes: 12, instances: 0 });
    const { snapshots, idsByVolume } = seedDailyEbs(seeded.lineVolumeIds, 100, SEEDED_BEFORE, 7);
    for (const ids of idsByVolume.values()) for (const id of ids.slice(89)) expectedDeletions.add(id);

    const volume = seeded.lineVolumeIds[0] ?? "";
    const old = new Date(SEEDED_BEFORE.getTime() - 95 * DAY_MS - 3_600_000);
    const tags = managedTags("line", "daily", volume, old);
    const extra = (id: string, why: string, fields: Partial<NonNullable<Estate["snapshots"]>[number]>) => {
      snapshots.push({ region: REGION, id, volumeId: volume, startTime: old.toISOString(), tags, ...fields });
      protectedIds.set(id, why);
    };
    extra("snap-0aaaaaaaaaaaaaaa1", "not created by outpost-ops", {
      tags: { Name: "hand-made" },
      state: "completed",
    });
    extra("snap-0aaaaaaaaaaaaaaa2", "legal hold", {
      tags: { ...tags, "outpost-ops:legal-hold": "case-4711" },
      state: "completed",
    });
    extra("snap-0aaaaaaaaaaaaaaa3", "used by an AMI", { state: "completed" });
    extra("snap-0aaaaaaaaaaaaaaa4", "managed by AWS Backup", {
      tags: { ...tags, "aws:backup:source-resource": "arn:aws:backup" },
      state: "completed",
      awsBackup: true,
    });
    extra("snap-0aaaaaaaaaaaaaaa5", "still pending", { state: "pending" });

    const db = seeded.dbInstanceIds[0] ?? "";
    const cluster = seeded.clusterIds[0] ?? "";
    const dbSnapshots: NonNullable<Estate["dbSnapshots"]> = [];
    const dbClusterSnapshots: NonNullable<Estate["dbClusterSnapshots"]> = [];
    for (let d = 1; d <= 10; d++) {
      const at = new Date(SEEDED_BEFORE.getTime() - d * DAY_MS);
      const suffix = at.toISOString().slice(0, 10).replaceAll("-", "");
      dbSnapshots.push({
        region: REGION,
        id: `oo-orders-${db}-${suffix}`,
        dbInstanceId: db,
        createdAt: at.toISOString(),
        tags: managedTags("orders", "daily", db, at),
      });
      dbClusterSnapshots.push({
        region: REGION,
        id: `oo-inventory-${cluster}-${suffix}`,
        clusterId: cluster,
        createdAt: at.toISOString(),
        tags: managedTags("inventory", "daily", cluster, at),
      });
      // keepLast 5.
      if (d > 5) expectedDeletions.add(`oo-orders-${db}-${suffix}`).add(`oo-inventory-${cluster}-${suffix}`);
    }
    const oldDb = new Date(SEEDED_BEFORE.getTime() - 60 * DAY_MS).toISOString();
    dbSnapshots.push(
      {
        region: REGION,
        id: "rds:orders-automated",
        dbInstanceId: db,
        createdAt: oldDb,
        type: "automated",
        tags: managedTags("orders", "daily", db, new Date(oldDb)),
      },
      {
        region: REGION,
        id: "awsbackup:job-orders",
        dbInstanceId: db,
        createdAt: oldDb,
        type: "awsbackup",
        tags: managedTags("orders", "daily", db, new Date(oldDb)),
      },
    );
    protectedIds.set("rds:orders-automated", "automated, not ours");
    protectedIds.set("awsbackup:job-orders", "managed by AWS Backup");

    h.sb.seed({
      ...seeded.estate,
      snapshots,
      images: [
        {
          region: REGION,
          id: "ami-0123456789abcdef0",
          name: "golden",
          snapshotIds: ["snap-0aaaaaaaaaaaaaaa3"],
        },
      ],
      dbSnapshots,
      dbClusterSnapshots,
    });
    h.sb.clock.set(SWEEP);
  });

  afterAll(async () => {
    await h?.sb.close();
  });

  it("a plan over the deletion cap deletes nothing and publishes exactly one alert", async () => {
    // Prepare: the same estate, a cap of 50 deletions per run.
    const capped = handlersFor(h, retentionConfig(50));
    h.sb.requests.reset();

    // Act
    const summary = (await capped.retentionSweep(
      scheduledEvent(SWEEP, REGION, "outpost-ops-retention"),
      lambdaContext("retention-sweep"),
    )) as RunSummary;
    const drained = await drain(h, "retention");

    // Assess
    expect(summary.enqueued).toBe(0);
    expect(drained.records).toBe(0);
    expect(h.sb.requests.count("DeleteSnapshot")).toBe(0);
    expect(h.sb.state.deleted(REGION)).toEqual([]);
    const messages = h.sb.state.snsMessages(REGION);
    expect(messages).toHaveLength(1);
    const [alert] = messages;
    expect(alert?.subject).toMatch(/^\[WARNING\] outpost-ops retention: .*exceed the cap of 50/);
    expect(alert?.message).toContain(`${expectedDeletions.size}`);
    expect(alert?.messageAttributes).toMatchObject({
      severity: { dataType: "String", value: "warning" },
      job: { dataType: "String", value: "retention" },
      region: { dataType: "String", value: REGION },
    });
  });

  it("deletes exactly the planned snapshots, paging through the inventory, and none of the protected ones", async () => {
    // Prepare
    h.sb.requests.reset();
    const alertsBefore = h.sb.state.snsMessages(REGION).length;

    // Act
    const summary = (await h.handlers.retentionSweep(
      scheduledEvent(SWEEP, REGION, "outpost-ops-retention"),
      lambdaContext("retention-sweep"),
    )) as RunSummary;
    const capture = captureSummaries();
    let drained: Awaited<ReturnType<typeof drain>>;
    try {
      drained = await drain(h, "retention");
    } finally {
      capture.restore();
    }

    // Assess
    expect(h.sb.requests.count("DescribeSnapshots")).toBeGreaterThanOrEqual(2);
    expect(summary.planned).toBe(expectedDeletions.size);
    // Batches of at most 50 ids of one kind: 132 EBS → 3, RDS → 1, Aurora → 1.
    expect(summary.enqueued).toBe(5);
    expect(drained).toMatchObject({ records: 5, failedRecords: 0 });
    expect(new Set(h.sb.state.deleted(REGION))).toEqual(expectedDeletions);
    const ebsLeft = new Set(h.sb.state.snapshots(REGION).map((s) => s.snapshotId));
    const rdsLeft = new Set(h.sb.state.dbSnapshots(REGION).map((s) => s.id));
    for (const [id, why] of protectedIds)
      expect(ebsLeft.has(id) || rdsLeft.has(id), `${id}: ${why}`).toBe(true);
    expect(capture.summaries.reduce((n, s) => n + s.deleted, 0)).toBe(expectedDeletions.size);
    expect(capture.summaries.every((s) => s.failed === 0)).toBe(true);
    expect(h.sb.state.snsMessages(REGION)).toHaveLength(alertsBefore);
    expect(await queueDepth(h.sqs, queue(h.infra, "retention-work").url)).toBe(0);
  });

  it("the same delete work item delivered twice counts as success both times", async () => {
    // Prepare: a batch of snapshots deleted above, sent again (at-least-once delivery).
    const ids = [...expectedDeletions].filter((id) => id.startsWith("snap-")).slice(0, 3);
    const item: DeleteWorkItem = { kind: "delete", snapshotKind: "ebs", region: REGION, snapshotIds: ids };
    const rdsId = [...expectedDeletions].find((id) => id.startsWith("oo-orders-")) ?? "";
    const rdsItem: DeleteWorkItem = {
      kind: "delete",
      snapshotKind: "rds",
      region: REGION,
      snapshotIds: [rdsId],
    };
    for (const body of [item, item, rdsItem])
      await h.sqs.send(
        new SendMessageCommand({
          QueueUrl: queue(h.infra, "retention-work").url,
          MessageBody: JSON.stringify(body),
        }),
      );
    const deletedBefore = h.sb.state.deleted(REGION).length;
    const capture = captureSummaries();

    // Act
    let drained: Awaited<ReturnType<typeof drain>>;
    try {
      drained = await drain(h, "retention");
    } finally {
      capture.restore();
    }

    // Assess
    expect(drained).toMatchObject({ records: 3, failedRecords: 0 });
    const failed = capture.summaries.reduce((n, s) => n + s.failed, 0);
    const gone = capture.summaries.reduce((n, s) => n + (s.skipped["already-deleted"] ?? 0), 0);
    expect({ failed, gone }).toEqual({ failed: 0, gone: 2 * ids.length + 1 });
    expect(h.sb.state.deleted(REGION)).toHaveLength(deletedBefore);
    expect(await queueDepth(h.sqs, queue(h.infra, "retention-work").dlqUrl)).toBe(0);
  });
});
