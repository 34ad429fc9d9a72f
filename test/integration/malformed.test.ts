import { readFileSync } from "node:fs";
import { planSnapshotRun } from "@outpost-ops/core/jobs/snapshot";
import type { DeleteWorkItem } from "@outpost-ops/core/snapshot/work-item";
import type { SQSBatchResponse } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  buildEstate,
  captureSummaries,
  type Harness,
  lambdaContext,
  managedTags,
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

/** The events AWS documents, kept beside PRODUCT.md (see its "Realities"). */
const EVENTS = new URL("../fixtures/events/", import.meta.url);
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(name, EVENTS), "utf8")) as Record<string, unknown> & {
    Records?: Record<string, unknown>[];
  };

const DUE = new Date("2024-05-14T00:00:00Z");
const OLD = new Date("2024-04-01T00:00:00Z");
const OLD_SNAPSHOT = "snap-0bbbbbbbbbbbbbbb1";

/** An SQS event shaped like AWS's sample, one record per body. */
function sqsEvent(bodies: Record<string, string>) {
  const [template] = fixture("sqs-event.json").Records ?? [];
  return { Records: Object.entries(bodies).map(([messageId, body]) => ({ ...template, messageId, body })) };
}

describe("Integration: malformed events change nothing and say why", () => {
  let h: Harness;
  let seeded: SeededEstate;
  const config = testConfig();

  /** Everything that could have changed: requests of any kind, snapshots, deletions, alerts. */
  function fingerprint() {
    return {
      requests: h.sb.requests.count(),
      snapshots: h.sb.state.snapshots(REGION).length,
      dbSnapshots: h.sb.state.dbSnapshots(REGION).length,
      deleted: h.sb.state.deleted(REGION).length,
      alerts: h.sb.state.snsMessages(REGION).length,
    };
  }

  beforeAll(async () => {
    // Powertools Metrics warns on the console when a failed invocation flushes no metrics: noise here.
    const warn = console.warn.bind(console);
    vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => {
      if (!String(args[0]).startsWith("No application metrics to publish")) warn(...args);
    });
    h = await startHarness({ config, start: DUE });
    seeded = buildEstate({ lineVolumes: 2, instances: 0 });
    const volume = seeded.lineVolumeIds[0] ?? "";
    h.sb.seed({
      ...seeded.estate,
      snapshots: [
        {
          region: REGION,
          id: OLD_SNAPSHOT,
          volumeId: volume,
          startTime: OLD.toISOString(),
          state: "completed",
          tags: managedTags("line", "daily", volume, OLD),
        },
      ],
    });
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await h?.sb.close();
  });

  const scheduled = scheduledEvent(DUE, REGION, "outpost-ops-line-daily");
  const alarm = fixture("cloudwatch-alarm-state-change.json");
  const badEvents: [string, unknown][] = [
    ["an empty object", {}],
    ["a wrong detail-type", { ...scheduled, "detail-type": "Scheduled Events" }],
    ["a time without a zone", { ...scheduled, time: "2024-05-14T00:00:07" }],
    ["an EBS snapshot notification", fixture("ebs-snapshot-notification-create.json")],
    ["an SQS event", fixture("sqs-event.json")],
  ];

  for (const handlerName of ["snapshotWindow", "retentionSweep"] as const) {
    it.each(badEvents)(
      `${handlerName} given %s throws EventShapeError before any AWS call`,
      async (_, event) => {
        // Prepare
        const before = fingerprint();

        // Act
        const error = await h.handlers[handlerName](event, lambdaContext(handlerName)).catch(
          (e: unknown) => e,
        );

        // Assess
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).name).toBe("EventShapeError");
        expect((error as Error).message).toMatch(
          /^Unexpected EventBridge Scheduled Event event: .*Nothing was changed/,
        );
        expect(fingerprint()).toEqual(before);
      },
    );
  }

  it.each([
    ["an empty object", {}],
    ["a scheduled event", scheduled],
    ["an alarm without a state", { ...alarm, detail: { alarmName: "x" } }],
    ["an EBS snapshot notification", fixture("ebs-snapshot-notification-create.json")],
  ])("the alarm handler given %s throws EventShapeError and publishes nothing", async (_, event) => {
    // Prepare
    const before = fingerprint();

    // Act
    const error = await h.handlers.alarmStateChange(event, lambdaContext("alarm")).catch((e: unknown) => e);

    // Assess
    expect((error as Error).name).toBe("EventShapeError");
    expect((error as Error).message).toContain("CloudWatch Alarm State Change");
    expect(fingerprint()).toEqual(before);
  });

  it.each([
    ["snapshotWork", {}],
    ["snapshotWork", { Records: [] }],
    ["retentionWork", scheduled],
  ] as const)("%s given a non-SQS event (%j) throws EventShapeError", async (name, event) => {
    // Prepare
    const before = fingerprint();

    // Act
    const error = await h.handlers[name](event, lambdaContext(name)).catch((e: unknown) => e);

    // Assess
    expect((error as Error).name).toBe("EventShapeError");
    expect(fingerprint()).toEqual(before);
  });

  it("the snapshot worker fails only the bad records of a batch and applies the good ones", async () => {
    // Prepare: one real work item among bodies that are not JSON, not work items, or the other queue's.
    const plans = await planSnapshotRun({ clients: h.clients, config, region: REGION, now: DUE });
    const good = plans.flatMap((p) => p.items).find((i) => i.kind === "ebs-volume");
    expect(good).toBeDefined();
    const deleteItem: DeleteWorkItem = {
      kind: "delete",
      snapshotKind: "ebs",
      region: REGION,
      snapshotIds: [OLD_SNAPSHOT],
    };
    const event = sqsEvent({
      "not-json": "test",
      "not-a-work-item": JSON.stringify({ hello: "world" }),
      "unknown-kind": JSON.stringify({ ...good, kind: "s3-bucket" }),
      "bad-volume-id": JSON.stringify({ ...good, volumeId: "vol-; rm -rf" }),
      "a-delete-item": JSON.stringify(deleteItem),
      good: JSON.stringify(good),
    });
    const creates = h.sb.requests.count("CreateSnapshot");
    const snapshots = h.sb.state.snapshots(REGION).length;
    const capture = captureSummaries();

    // Act
    let response: SQSBatchResponse;
    try {
      response = (await h.handlers.snapshotWork(event, lambdaContext("snapshot-work"))) as SQSBatchResponse;
    } finally {
      capture.restore();
    }

    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      ["a-delete-item", "bad-volume-id", "not-a-work-item", "not-json", "unknown-kind"].sort(),
    );
    expect(h.sb.requests.count("CreateSnapshot")).toBe(creates + 1);
    expect(h.sb.state.snapshots(REGION).length).toBe(snapshots + 1);
    expect(h.sb.requests.count("DeleteSnapshot")).toBe(0);
    expect(h.sb.state.snapshots(REGION).map((s) => s.snapshotId)).toContain(OLD_SNAPSHOT);
    expect(capture.summaries.map((s) => ({ created: s.created, failed: s.failed }))).toEqual([
      { created: 1, failed: 0 },
    ]);
  });

  it("the retention worker fails only the bad records of a batch and deletes nothing they name", async () => {
    // Prepare
    const snapshotItem = (await planSnapshotRun({ clients: h.clients, config, region: REGION, now: DUE }))
      .flatMap((p) => p.items)
      .find((i) => i.kind === "ebs-volume");
    const event = sqsEvent({
      "not-json": "{ kind: delete",
      "too-many-ids": JSON.stringify({
        kind: "delete",
        snapshotKind: "ebs",
        region: REGION,
        snapshotIds: Array.from({ length: 51 }, () => OLD_SNAPSHOT),
      }),
      "no-ids": JSON.stringify({ kind: "delete", snapshotKind: "ebs", region: REGION, snapshotIds: [] }),
      "a-snapshot-item": JSON.stringify(snapshotItem),
      "unknown-snapshot-kind": JSON.stringify({
        kind: "delete",
        snapshotKind: "s3",
        region: REGION,
        snapshotIds: [OLD_SNAPSHOT],
      }),
      good: JSON.stringify({
        kind: "delete",
        snapshotKind: "ebs",
        region: REGION,
        snapshotIds: [OLD_SNAPSHOT],
      }),
    });
    const deletes = h.sb.requests.count("DeleteSnapshot");

    // Act
    const response = (await h.handlers.retentionWork(
      event,
      lambdaContext("retention-work"),
    )) as SQSBatchResponse;

    // Assess: only the well-formed record ran (one DeleteSnapshot), the rest were set aside intact.
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      ["a-snapshot-item", "no-ids", "not-json", "too-many-ids", "unknown-snapshot-kind"].sort(),
    );
    expect(h.sb.requests.count("DeleteSnapshot")).toBe(deletes + 1);
    expect(h.sb.state.deleted(REGION)).toEqual([OLD_SNAPSHOT]);
  });
});
