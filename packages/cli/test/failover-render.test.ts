import { describe, expect, it } from "vitest";
import { formatDuration, renderOutcome, renderPlan, renderTimeline } from "../src/failover/render.ts";
import { changed, NOW, onDr, plan, result, staleReadiness } from "./failover-fixtures.ts";

const STAGE = { flags: "--stage prod" };

describe("Function: renderPlan", () => {
  it("lists every preflight item with ✓/✗, each record's current and new target, and the decision", () => {
    // Act
    const text = renderPlan(result("dry-run"), STAGE);

    // Assess
    expect(text.split("\n")).toEqual([
      "Failover to the DR site (dry run: nothing is changed)",
      "Preflight:",
      "  ✓ zone             hosted zone example.com. (Z0123456789ABCDEFGHIJ)",
      "  ✓ state            1 of 1 record(s) to move to the DR site",
      "  ✓ records          1 record(s) exist as configured",
      "  ✓ recovery-points  orders: every DR copy within 8h 0m",
      "  ✓ health           no health check configured for the DR target",
      "  ✓ permissions      may change 2 record(s) in zone Z0123456789ABCDEFGHIJ",
      "Records:",
      "  app.example.com. A  10.0.0.10 (TTL 60) → 10.1.0.10 (TTL 60) (now: primary)",
      "Decision: move 1 record(s) to the DR site in one Route 53 change batch, with the state record.",
    ]);
  });

  it("before asking, says that it is the plan to confirm rather than a dry run", () => {
    // Act
    const text = renderPlan(result("dry-run"), STAGE, undefined, { preview: true });

    // Assess
    expect(text.split("\n")[0]).toBe(
      "Failover to the DR site (the plan: nothing is changed unless you confirm)",
    );
  });

  it("refused on stale data: the reasons, and the exact --force command that overrides them", () => {
    // Act
    const text = renderPlan(result("refused", plan("primary", { readiness: staleReadiness })), STAGE);

    // Assess
    expect(text).toContain(
      "  ✗ recovery-points  orders: its oldest DR copy is 20h 0m old (--force overrides)",
    );
    expect(text).toContain(
      "Refused (dr-behind-rpo): DR copies older than the failover RPO, or missing. Nothing was changed.",
    );
    expect(text).toContain("  - recovery-points: orders: its oldest DR copy is 20h 0m old");
    expect(text).toContain(
      "--force overrides recovery-points (recorded as forced=yes in the state record): npx outpost-ops failover --stage prod --force",
    );
    expect(text).not.toContain("Decision:");
  });

  it("refused on something --force cannot override: says to fix it first, and offers no --force command", () => {
    // Prepare
    const p = plan("primary", {
      readiness: staleReadiness,
      permission: {
        ok: false,
        detail: "may not change the records in zone Z0123456789ABCDEFGHIJ: AccessDenied",
      },
    });

    // Act
    const text = renderPlan(result("refused", p), STAGE);

    // Assess
    expect(text).toContain("  ✗ permissions      may not change the records");
    expect(text).toContain("permissions cannot be overridden: fix it first.");
    expect(text).toContain("--force would override recovery-points once that is fixed.");
    expect(text).not.toContain("--stage prod --force");
  });

  it("forced: says which checks failed and that the state record records it", () => {
    // Act
    const text = renderPlan(
      result("dry-run", plan("primary", { readiness: staleReadiness, force: true })),
      STAGE,
    );

    // Assess
    expect(text).toContain("Decision: move 1 record(s) to the DR site");
    expect(text).toContain(
      "Forced: recovery-points failed and --force overrides it (recorded as forced=yes in the state record).",
    );
  });

  it("already on DR: the last change, the records where they are, and nothing to do", () => {
    // Act
    const text = renderPlan(result("nothing-to-do", plan("primary", onDr())), { flags: "--local" });

    // Assess
    expect(text).toContain(
      "Last change: the DR site since 2024-05-14T09:00:00.000Z (by manual:arn:aws:sts::123456789012:assumed-role/ops/alice: drill)",
    );
    expect(text).toContain("  app.example.com. A  10.1.0.10 (TTL 60) (already at the DR site)");
    expect(text).toContain(
      "Nothing to do: DNS already points at the DR site (since 2024-05-14T09:00:00.000Z).",
    );
  });

  it("failback checks no DR data and names the primary site", () => {
    // Act
    const text = renderPlan(
      result("dry-run", plan("dr", { ...onDr(), target: "primary", readiness: [] })),
      STAGE,
    );

    // Assess
    expect(text).toContain("Failback to the primary site (dry run: nothing is changed)");
    expect(text).not.toContain("recovery-points");
    expect(text).toContain("10.1.0.10 (TTL 60) → 10.0.0.10 (TTL 60) (now: dr)");
  });
});

describe("Function: renderTimeline", () => {
  it("each step with the time since the previous one, and the totals from the event and from the alarm", () => {
    // Act
    const lines = renderTimeline({
      alarmAt: new Date(NOW.getTime() - 65_000).toISOString(),
      receivedAt: NOW.toISOString(),
      decidedAt: new Date(NOW.getTime() + 300).toISOString(),
      submittedAt: new Date(NOW.getTime() + 450).toISOString(),
      inSyncAt: new Date(NOW.getTime() + 40_450).toISOString(),
    });

    // Assess
    expect(lines).toEqual([
      "Timeline:",
      "  alarm      2024-05-14T11:58:55.000Z",
      "  received   2024-05-14T12:00:00.000Z  +1m 5s",
      "  decided    2024-05-14T12:00:00.300Z  +300 ms",
      "  submitted  2024-05-14T12:00:00.450Z  +150 ms",
      "  INSYNC     2024-05-14T12:00:40.450Z  +40.0 s",
      "  450 ms to submit (the tool's own time); 40.5 s to INSYNC; 1m 45s from the alarm",
    ]);
  });

  it("leaves out the steps that did not happen", () => {
    // Act
    const lines = renderTimeline({ receivedAt: NOW.toISOString(), decidedAt: NOW.toISOString() });

    // Assess
    expect(lines).toEqual([
      "Timeline:",
      "  received   2024-05-14T12:00:00.000Z",
      "  decided    2024-05-14T12:00:00.000Z  +0 ms",
    ]);
  });
});

describe("Function: renderOutcome", () => {
  it("changed: done, the change id, the timeline, and the failback command", () => {
    // Act
    const text = renderOutcome(changed(), STAGE);

    // Assess
    expect(text).toContain(
      "Done: DNS points at the DR site: 1 record(s) moved in change C0123456789ABCDEF, INSYNC.",
    );
    expect(text).toContain("  INSYNC     2024-05-14T12:00:40.450Z  +40.0 s");
    expect(text).toContain(
      "Fail back, once the primary site is healthy again: npx outpost-ops failback --stage prod",
    );
  });

  it("submitted but not INSYNC within the wait: says so and how to follow it", () => {
    // Act
    const text = renderOutcome(changed(plan(), true), STAGE);

    // Assess
    expect(text).toContain(
      "Submitted: 1 record(s) to the DR site in change C0123456789ABCDEF, not INSYNC yet",
    );
    expect(text).toContain("aws route53 get-change --id C0123456789ABCDEF");
    expect(text).not.toContain("INSYNC     ");
  });

  it("failed: Route 53's error, that nothing changed, and that running it again is safe", () => {
    // Act
    const text = renderOutcome(result("failed", plan(), { error: "Throttling: Rate exceeded" }), {
      flags: "--local",
    });

    // Assess
    expect(text).toContain(
      "Failed: Throttling: Rate exceeded. Route 53 applies a change batch whole or not at all",
    );
    expect(text).toContain("npx outpost-ops failover --local");
  });

  it("raced: another run made the change; nothing for the dry-run, refused or nothing-to-do outcomes (the plan says it)", () => {
    // Act
    const raced = renderOutcome(result("raced"), STAGE);

    // Assess
    expect(raced).toContain("Another run moved DNS to the DR site first");
    for (const outcome of ["dry-run", "refused", "nothing-to-do"] as const)
      expect(renderOutcome(result(outcome), STAGE)).toBe("");
  });
});

describe("Function: formatDuration", () => {
  it.each([
    [0, "0 ms"],
    [999, "999 ms"],
    [1000, "1.0 s"],
    [40_450, "40.5 s"],
    [59_949, "59.9 s"],
    [60_000, "1m 0s"],
    [95_400, "1m 35s"],
    [119_600, "2m 0s"],
  ])("%d ms is %s", (ms, text) => {
    // Act & Assess
    expect(formatDuration(ms)).toBe(text);
  });
});
