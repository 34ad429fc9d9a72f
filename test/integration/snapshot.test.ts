import { rdsSnapshotId } from "@outpost-ops/core/snapshot/names";
import type { RunSummary } from "@outpost-ops/core/summary";
import { queue } from "outpost-ops/src/drill/wiring.ts";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  buildEstate,
  captureSummaries,
  DESCRIBE_DELAY_MS,
  drain,
  FACTORY_ARN,
  type Harness,
  lambdaContext,
  queueDepth,
  REGION,
  type SeededEstate,
  scheduledEvent,
  startHarness,
} from "./helpers.ts";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

const DUE = new Date("2024-05-14T00:00:00Z");

/**
 * How many lookups the worker's confirmation makes at most before a snapshot created `delayMs` ago is
 * listed: it looks at once, then after 1 s, 2 s, 4 s... more (snapshot-visibility.ts).
 */
function confirmationLookups(delayMs: number): number {
  let lookups = 1;
  for (let waited = 0, wait = 1_000; waited < delayMs; waited += wait, wait *= 2) lookups++;
  return lookups;
}
const WINDOW = "2024-05-14T00:00Z";

describe("Integration: snapshot window end to end through the handlers", () => {
  let h: Harness;
  let seeded: SeededEstate;
  let plan: RunSummary;
  let workerSummaries: RunSummary[];

  beforeAll(async () => {
    // Prepare: more matching volumes than one DescribeVolumes page (1000), instances, RDS, Aurora.
    h = await startHarness({ start: new Date(DUE.getTime() - 3_600_000) });
    seeded = buildEstate({ lineVolumes: 1050, instances: 3 });
    h.sb.seed(seeded.estate);
    h.sb.clock.set(DUE);
    h.sb.requests.reset();

    // Act: the rule fires; an emulated event source mapping (two pollers) drains the FIFO queue.
    plan = (await h.handlers.snapshotWindow(
      scheduledEvent(DUE, REGION, "outpost-ops-line-daily"),
      lambdaContext("snapshot-window"),
    )) as RunSummary;
    const capture = captureSummaries();
    try {
      await drain(h, "snapshot", 2);
    } finally {
      capture.restore();
    }
    workerSummaries = capture.summaries;
  }, 120_000);

  afterAll(async () => {
    await h?.sb.close();
  });

  it("streams the volume inventory over several pages and enqueues one item per selected resource", async () => {
    // Assess
    expect(h.sb.requests.count("DescribeVolumes")).toBeGreaterThanOrEqual(2);
    const expected = seeded.lineVolumeIds.length + seeded.instanceIds.length + 1 + 1;
    expect(plan.planned).toBe(expected);
    expect(plan.enqueued).toBe(expected);
    expect(await queueDepth(h.sqs, queue(h.infra, "snapshot-work").url)).toBe(0);
    expect(workerSummaries.reduce((n, s) => n + s.created, 0)).toBe(
      seeded.lineVolumeIds.length + 2 * seeded.instanceIds.length + 2,
    );
    expect(workerSummaries.every((s) => s.failed === 0 && s.retried === 0)).toBe(true);
  });

  it("makes the idempotency lookup per batch, not per item", () => {
    // Assess: per worker invocation (one summary each; ten items per batch), one lookup per policy
    // window before the batch's creates, then the confirmation's re-runs of it until EC2 lists them.
    const lookups = h.sb.requests.count("DescribeSnapshots");
    const perWindow = 1 + confirmationLookups(DESCRIBE_DELAY_MS);
    expect(lookups).toBeLessThanOrEqual(2 * perWindow * workerSummaries.length);
    // Per item it would be one lookup per item and as many confirmations: over 1,050 of each.
    expect(lookups).toBeLessThan(seeded.lineVolumeIds.length / 2);
  });

  it("takes exactly one snapshot of every selected volume, tagged at creation and placed on its Outpost", () => {
    // Assess
    const byVolume = new Map<string, ReturnType<Harness["sb"]["state"]["snapshots"]>>();
    for (const s of h.sb.state.snapshots(REGION))
      byVolume.set(s.volumeId, [...(byVolume.get(s.volumeId) ?? []), s]);
    for (const volumeId of seeded.lineVolumeIds) {
      const snaps = byVolume.get(volumeId) ?? [];
      expect(snaps, volumeId).toHaveLength(1);
      const [snap] = snaps;
      expect(snap?.tags).toMatchObject({
        "outpost-ops:managed": "true",
        "outpost-ops:policy": "line",
        "outpost-ops:schedule": "daily",
        "outpost-ops:source": volumeId,
        "outpost-ops:window": WINDOW,
        Application: "line-mes",
      });
      expect(snap?.tags.Owner).toBeUndefined();
      expect(snap?.outpostArn).toBe(FACTORY_ARN);
    }
    for (const volumeId of seeded.unselectedVolumeIds) expect(byVolume.get(volumeId)).toBeUndefined();
    // Tagged in the create call itself: never an untagged moment retention could misjudge.
    expect(h.sb.requests.count("CreateTags")).toBe(0);
  });

  it("snapshots each instance as one crash-consistent set without its boot volume, in the Region", () => {
    // Assess
    for (const [i, instanceId] of seeded.instanceIds.entries()) {
      const snaps = h.sb.state.snapshots(REGION).filter((s) => s.tags["outpost-ops:instance"] === instanceId);
      expect(snaps.map((s) => s.volumeId).sort()).toEqual(
        seeded.dataVolumeIds.slice(2 * i, 2 * i + 2).sort(),
      );
      for (const s of snaps) {
        expect(s.tags).toMatchObject({
          "outpost-ops:managed": "true",
          "outpost-ops:policy": "clinic",
          "outpost-ops:schedule": "daily",
          "outpost-ops:source": instanceId,
          "outpost-ops:window": WINDOW,
        });
        expect(s.outpostArn).toBeUndefined();
      }
    }
    const boot = new Set(seeded.bootVolumeIds);
    expect(h.sb.state.snapshots(REGION).filter((s) => boot.has(s.volumeId))).toEqual([]);
  });

  it("creates RDS and Aurora snapshots with deterministic ids, Aurora members only through their cluster", () => {
    // Assess
    const dbSnapshots = h.sb.state.dbSnapshots(REGION);
    expect(dbSnapshots.map((s) => s.id)).toEqual(
      seeded.dbInstanceIds.map((db) => rdsSnapshotId("orders", db, WINDOW)),
    );
    expect(dbSnapshots[0]?.tags).toMatchObject({
      "outpost-ops:managed": "true",
      "outpost-ops:policy": "orders",
      "outpost-ops:source": seeded.dbInstanceIds[0],
      "outpost-ops:window": WINDOW,
    });
    const members = new Set(seeded.clusterMemberIds);
    expect(dbSnapshots.filter((s) => members.has(s.sourceId))).toEqual([]);

    const clusterSnapshots = h.sb.state.dbClusterSnapshots(REGION);
    expect(clusterSnapshots.map((s) => s.id)).toEqual(
      seeded.clusterIds.map((c) => rdsSnapshotId("inventory", c, WINDOW)),
    );
    expect(clusterSnapshots[0]).toMatchObject({
      sourceId: seeded.clusterIds[0],
      snapshotType: "manual",
      tags: expect.objectContaining({ "outpost-ops:policy": "inventory", "outpost-ops:window": WINDOW }),
    });
  });
});
