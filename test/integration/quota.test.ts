/**
 * The manual DB snapshot quotas, read from RDS itself (DescribeAccountAttributes), when they are
 * already (nearly) full as the window is planned: the planner plans only what fits and says so once.
 * A quota that fills between planning and working is the worker's to meet: faults.test.ts.
 */
import type { RunSummary } from "@outpost-ops/core/summary";
import type { Estate } from "@outpost-ops/sandbox";
import { queue } from "outpost-ops/src/drill/wiring.ts";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  buildEstate,
  captureSummaries,
  DAY_MS,
  drain,
  type Harness,
  lambdaContext,
  managedTags,
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
const WINDOW = "2024-05-14T00:00Z";

describe("Integration: the snapshot planner within the manual DB snapshot quotas", () => {
  let h: Harness;
  let seeded: SeededEstate;
  /** Three selected DB instances; the orders quota has room for one more snapshot. */
  const databases = ["orders-db-1", "orders-db-2", "orders-db-3"];
  const usedBefore = { instance: 4, cluster: 2 };

  beforeAll(async () => {
    h = await startHarness({ start: new Date(DUE.getTime() - 3_600_000) });
    seeded = buildEstate({ lineVolumes: 3, instances: 1 });
    const day = (d: number) => new Date(DUE.getTime() - d * DAY_MS);
    const dbSnapshots: NonNullable<Estate["dbSnapshots"]> = Array.from(
      { length: usedBefore.instance },
      (_, d) => ({
        region: REGION,
        id: `oo-orders-earlier-${d}`,
        dbInstanceId: "orders-db-1",
        createdAt: day(d + 1).toISOString(),
        tags: managedTags("orders", "daily", "orders-db-1", day(d + 1)),
      }),
    );
    const dbClusterSnapshots: NonNullable<Estate["dbClusterSnapshots"]> = Array.from(
      { length: usedBefore.cluster },
      (_, d) => ({
        region: REGION,
        id: `manual-by-someone-${d}`,
        clusterId: seeded.clusterIds[0] ?? "",
        createdAt: day(d + 1).toISOString(),
      }),
    );
    h.sb.seed({
      ...seeded.estate,
      dbInstances: [
        ...(seeded.estate.dbInstances ?? []),
        ...databases.slice(1).map((id) => ({
          region: REGION,
          id,
          engine: "postgres",
          tags: { Backup: "outpost-ops" },
        })),
      ],
      dbSnapshots,
      dbClusterSnapshots,
      quotas: {
        region: REGION,
        manualDbSnapshots: usedBefore.instance + 1,
        manualDbClusterSnapshots: usedBefore.cluster,
      },
    });
    h.sb.clock.set(DUE);
  });

  afterAll(async () => {
    await h?.sb.close();
  });

  it("plans only the DB snapshots that fit, and alerts once naming each full quota with RDS's figure", async () => {
    // Prepare
    h.sb.requests.reset();

    // Act: the window is planned, then worked.
    const plan = (await h.handlers.snapshotWindow(
      scheduledEvent(DUE, REGION, "outpost-ops-line-daily"),
      lambdaContext("snapshot-window"),
    )) as RunSummary;
    const alertsAfterPlanning = h.sb.state.snsMessages(REGION);
    const capture = captureSummaries();
    let drained: Awaited<ReturnType<typeof drain>>;
    try {
      drained = await drain(h, "snapshot");
    } finally {
      capture.restore();
    }

    // Assess: the quotas were read once, from RDS; one DB instance planned, the other two and the
    // cluster (its quota is full) left unplanned as quota-exhausted; everything else planned.
    expect(h.sb.requests.count("DescribeAccountAttributes")).toBe(1);
    const ebsItems = seeded.lineVolumeIds.length + seeded.instanceIds.length;
    expect(plan).toMatchObject({ planned: ebsItems + 1, enqueued: ebsItems + 1 });
    expect(plan.skipped["quota-exhausted"]).toBe(databases.length - 1 + 1);

    // One alert, critical, naming both quotas with the usage RDS reported, and what was not planned.
    expect(alertsAfterPlanning).toHaveLength(1);
    const [alert] = alertsAfterPlanning;
    expect(alert?.messageAttributes.severity?.value).toBe("critical");
    expect(alert?.subject).toContain("not planned");
    const text = alert?.message ?? "";
    expect(text).toContain(
      `Manual DB instance snapshots (Service Quotas: service rds, quota L-272F1212) in ${REGION}: ${usedBefore.instance} of ${usedBefore.instance + 1} used.`,
    );
    expect(text).toContain(
      `Manual DB cluster snapshots (Service Quotas: service rds, quota L-9B510759) in ${REGION}: ${usedBefore.cluster} of ${usedBefore.cluster} used.`,
    );
    expect(text).toContain(seeded.clusterIds[0]);
    expect(databases.filter((db) => text.includes(db))).toHaveLength(databases.length - 1);

    // The worker took what was planned, none of it refused, and sent no alert of its own.
    expect(drained).toMatchObject({ records: ebsItems + 1, failedRecords: 0 });
    const worked = capture.summaries.reduce(
      (t, s) => ({
        created: t.created + s.created,
        failed: t.failed + s.failed,
        retried: t.retried + s.retried,
      }),
      { created: 0, failed: 0, retried: 0 },
    );
    expect(worked).toMatchObject({ failed: 0, retried: 0 });
    const taken = h.sb.state.dbSnapshots(REGION).filter((s) => s.tags["outpost-ops:window"] === WINDOW);
    expect(taken).toHaveLength(1);
    expect(databases).toContain(taken[0]?.sourceId);
    expect(
      h.sb.state.dbClusterSnapshots(REGION).filter((s) => s.tags["outpost-ops:window"] === WINDOW),
    ).toEqual([]);
    expect(h.sb.requests.count("CreateDBSnapshot")).toBe(1);
    expect(h.sb.requests.count("CreateDBClusterSnapshot")).toBe(0);
    expect(h.sb.state.snsMessages(REGION)).toHaveLength(1);
    expect(await queueDepth(h.sqs, queue(h.infra, "snapshot-work").url)).toBe(0);
    expect(await queueDepth(h.sqs, queue(h.infra, "snapshot-work").dlqUrl)).toBe(0);
  });
});
