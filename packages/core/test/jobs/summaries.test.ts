import { describe, expect, it } from "vitest";
import { retentionPlanSummary, snapshotPlanNotes, snapshotPlanSummary } from "../../src/jobs/summaries.ts";
import type { RetentionPlan } from "../../src/retention/plan.ts";
import type { SnapshotPlan } from "../../src/snapshot/plan.ts";

const NOW = new Date("2024-05-14T10:00:00Z");

describe("Function: snapshotPlanSummary", () => {
  it("adds up every policy's plan and counts skips and notes by code", () => {
    type Code = SnapshotPlan["skipped"][number]["code"];
    const plan = (selected: number, items: number, codes: Code[], notes: Code[] = []) =>
      ({
        policy: "p",
        selected,
        items: Array.from({ length: items }, () => ({})),
        skipped: codes.map((code, i) => ({ resourceId: `r-${i}`, code, reason: `sentence ${i}` })),
        notes: notes.map((code, i) => ({ resourceId: `vol-${i}`, code, reason: `note ${i}` })),
      }) as unknown as SnapshotPlan;
    const summary = snapshotPlanSummary(
      [
        plan(3, 2, ["instance-state"], ["local-storage-low", "local-storage-low"]),
        plan(2, 1, ["instance-state", "aurora-member"]),
      ],
      NOW,
      { enqueued: 3 },
    );
    expect(summary).toMatchObject({
      job: "snapshot",
      phase: "plan",
      at: NOW.toISOString(),
      dryRun: false,
      selected: 5,
      planned: 3,
      enqueued: 3,
      skipped: { "instance-state": 2, "aurora-member": 1 },
      // The regional-instead snapshots are in the summary the planner logs, not only in the plan.
      noted: { "local-storage-low": 2 },
    });
    expect(snapshotPlanSummary([plan(1, 1, [])], NOW)).not.toHaveProperty("noted");
  });
});

describe("Function: snapshotPlanNotes", () => {
  it("counts the plans' notes by code, with the code's label and the policies it touched", () => {
    // Prepare
    const plan = (policy: string, codes: SnapshotPlan["notes"][number]["code"][]) =>
      ({
        policy,
        notes: codes.map((code, i) => ({ resourceId: `vol-${i}`, code, reason: `sentence ${i}` })),
      }) as unknown as SnapshotPlan;

    // Act
    const notes = snapshotPlanNotes([
      plan("line-volumes", ["local-storage-low", "local-storage-low", "tags-dropped"]),
      plan("line-strict", ["local-storage-low-strict"]),
      plan("second-site", ["local-storage-low"]),
    ]);

    // Assess
    expect(notes).toEqual([
      {
        code: "local-storage-low",
        label: "regional snapshot instead: the Outpost's local snapshot storage is below the floor",
        count: 3,
        policies: ["line-volumes", "second-site"],
      },
      {
        code: "tags-dropped",
        label: "source tags not copied: over AWS's 50-tag limit",
        count: 1,
        policies: ["line-volumes"],
      },
      {
        code: "local-storage-low-strict",
        label:
          "kept local (residency strict) though the Outpost's local snapshot storage is below the floor: it may fail",
        count: 1,
        policies: ["line-strict"],
      },
    ]);
  });
});

describe("Function: retentionPlanSummary", () => {
  it("counts managed snapshots, deletions and skips by code; keeps are not skips", () => {
    const plan = {
      managed: 4,
      deletions: [{}],
      decisions: [
        { action: "skip", code: "used-by-ami" },
        { action: "skip", code: "used-by-ami" },
        { action: "keep", code: "keep-last" },
        { action: "delete", code: "beyond-rules" },
      ],
    } as unknown as RetentionPlan;
    expect(retentionPlanSummary(plan, NOW, { dryRun: true })).toMatchObject({
      job: "retention",
      dryRun: true,
      selected: 4,
      planned: 1,
      enqueued: 0,
      skipped: { "used-by-ami": 2 },
    });
  });
});
