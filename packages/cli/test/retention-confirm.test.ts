/**
 * `run retention` asks before it deletes: the plan comes from a stub of core's planner and deletes go
 * to a spy, so this is about the confirmation step alone (the subprocess tests run it against the
 * sandbox).
 */
import { memoryAlertSink } from "@outpost-ops/core/alerts";
import type { AwsClients } from "@outpost-ops/core/aws/clients";
import type { Config } from "@outpost-ops/core/config";
import type { SnapshotRecord } from "@outpost-ops/core/inventory";
import type { RetentionPlan } from "@outpost-ops/core/retention";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { noPaint } from "../src/colour.ts";
import { ConfirmationRequiredError } from "../src/confirm.ts";
import type { CommandContext } from "../src/context.ts";
import { fakeIo } from "./fake-io.ts";

const jobs = vi.hoisted(() => ({ plan: undefined as unknown, deleted: [] as string[] }));

vi.mock("@outpost-ops/core/jobs/retention", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@outpost-ops/core/jobs/retention")>()),
  planRetentionRun: async () => jobs.plan,
  applyDeleteItem: async (_clients: unknown, item: { snapshotIds: string[] }) => {
    jobs.deleted.push(...item.snapshotIds);
    return item.snapshotIds.map((id) => ({ key: id, status: "deleted", snapshotIds: [id], detail: "" }));
  },
}));

const { runRetention } = await import("../src/commands/retention.ts");

const AT = new Date("2024-05-14T00:00:20Z");

function snapshot(id: string, day: number): SnapshotRecord {
  return {
    kind: "ebs",
    id,
    sourceId: "vol-1",
    createdAt: new Date(AT.getTime() - day * 86_400_000),
    state: "completed",
    tags: { "outpost-ops:managed": "true", "outpost-ops:policy": "line", "outpost-ops:schedule": "daily" },
    awsBackup: false,
  };
}

/** `keep` snapshots kept and `remove` deleted by keepLast. */
function plan(keep: number, remove: number): RetentionPlan {
  const kept = Array.from({ length: keep }, (_, i) => snapshot(`snap-keep-${i}`, i + 1));
  const gone = Array.from({ length: remove }, (_, i) => snapshot(`snap-old-${i}`, keep + i + 1));
  return {
    at: AT,
    decisions: [
      ...kept.map((s) => ({
        snapshot: s,
        action: "keep" as const,
        code: "keep-last" as const,
        codes: ["keep-last" as const],
        reason: "keepLast 5",
      })),
      ...gone.map((s) => ({
        snapshot: s,
        action: "delete" as const,
        code: "beyond-rules" as const,
        codes: ["beyond-rules" as const],
        reason: "beyond keepLast 5",
      })),
    ],
    deletions: gone,
    managed: keep + remove,
    cap: { count: 1000, percent: 100, limit: 1000, planned: remove, exceeded: false },
  };
}

function context(t: ReturnType<typeof fakeIo>, yes = false): CommandContext {
  return {
    config: {} as Config,
    region: "us-west-2",
    now: AT,
    json: true,
    dryRun: false,
    yes,
    clients: {} as AwsClients,
    alerts: memoryAlertSink(),
    clock: { now: () => Date.now(), sleep: async () => {} },
    out: (text) => t.io.stdout.write(`${text}\n`),
    paint: noPaint,
    io: t.io,
  };
}

describe("Function: runRetention asks before deleting", () => {
  beforeEach(() => {
    jobs.plan = plan(5, 3);
    jobs.deleted = [];
  });

  it("shows the count and the plan summary, asks, and deletes nothing when declined (exit 2)", async () => {
    // Prepare
    const t = fakeIo({ tty: true, answer: "n" });

    // Act
    const code = await runRetention(context(t));

    // Assess
    expect(code).toBe(2);
    expect(jobs.deleted).toEqual([]);
    expect(t.stdout()).toBe("");
    expect(t.stderr()).toContain("8 managed snapshots; keep 5, delete 3, skip 0.");
    for (const id of ["snap-old-0", "snap-old-1", "snap-old-2"]) expect(t.stderr()).toContain(id);
    expect(t.stderr()).not.toContain("snap-keep-0");
    expect(t.stderr()).toContain("Delete 3 snapshots in us-west-2? [y/N] ");
    expect(t.stderr()).toContain("Declined: nothing was deleted.");
  });

  it("deletes exactly the plan's snapshots once the person answers y", async () => {
    // Prepare
    const t = fakeIo({ tty: true, answer: "y" });

    // Act
    const code = await runRetention(context(t));

    // Assess
    expect(code).toBe(0);
    expect(t.asked()).toBe(1);
    expect(jobs.deleted.sort()).toEqual(["snap-old-0", "snap-old-1", "snap-old-2"]);
    expect(JSON.parse(t.stdout())).toMatchObject({ summary: { deleted: 3 } });
  });

  it("asks in the singular for one snapshot", async () => {
    // Prepare
    jobs.plan = plan(5, 1);
    const t = fakeIo({ tty: true, answer: "" });

    // Act
    await runRetention(context(t));

    // Assess
    expect(t.stderr()).toContain("Delete 1 snapshot in us-west-2? [y/N] ");
    expect(jobs.deleted).toEqual([]);
  });

  it("without a terminal and without --yes, refuses and deletes nothing", async () => {
    // Prepare
    const t = fakeIo({ tty: false });

    // Act
    const error = await runRetention(context(t)).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfirmationRequiredError);
    expect(jobs.deleted).toEqual([]);
    expect(t.stderr()).toContain("keep 5, delete 3, skip 0.");
  });

  it("--yes deletes without asking or showing the preview", async () => {
    // Prepare
    const t = fakeIo({ tty: false });

    // Act
    const code = await runRetention(context(t, true));

    // Assess
    expect(code).toBe(0);
    expect(t.asked()).toBe(0);
    expect(t.stderr()).toBe("");
    expect(jobs.deleted).toHaveLength(3);
  });

  it("a plan that deletes nothing needs no confirmation", async () => {
    // Prepare
    jobs.plan = plan(5, 0);
    const t = fakeIo({ tty: false });

    // Act
    const code = await runRetention(context(t));

    // Assess
    expect(code).toBe(0);
    expect(t.asked()).toBe(0);
    expect(t.stderr()).toBe("");
  });

  it("over the deletion cap nothing is deleted and nobody is asked (exit 2)", async () => {
    // Prepare
    const p = plan(5, 0);
    p.cap = { ...p.cap, planned: 3, limit: 2, exceeded: true };
    jobs.plan = p;
    const t = fakeIo({ tty: true, answer: "y" });

    // Act
    const code = await runRetention(context(t));

    // Assess
    expect(code).toBe(2);
    expect(t.asked()).toBe(0);
    expect(jobs.deleted).toEqual([]);
  });
});
