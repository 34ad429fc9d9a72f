import { type Alert, ConsoleLinks } from "../alerts/alert.ts";
import type { RetentionPlan } from "../retention/plan.ts";

/** The alert a capped retention run sends: what it would have deleted, and how to proceed. */
export function capExceededAlert(plan: RetentionPlan, region: string): Omit<Alert, "stage"> {
  const wouldDelete = plan.decisions.filter((d) => d.code === "cap-exceeded").map((d) => d.snapshot.id);
  return {
    severity: "warning",
    job: "retention",
    title: `Retention stopped: ${plan.cap.planned} deletions exceed the cap of ${plan.cap.limit}`,
    body: [
      `Retention planned to delete ${plan.cap.planned} of ${plan.managed} managed snapshots in ${region}, more than the`,
      `per-run cap (${plan.cap.count} snapshots or ${plan.cap.percent}% of managed snapshots, whichever is lower).`,
      "Nothing was deleted. A policy change, a clock problem or many sources removed at once can cause this.",
      "If the deletions are intended, raise retention.maxDeletesPerRun / retention.maxDeletesPercent in",
      "outpost-ops.config.ts and redeploy, or review the plan with `npx outpost-ops plan retention`.",
    ].join("\n"),
    region,
    at: plan.at,
    resourceIds: wouldDelete,
    links: [ConsoleLinks.managedSnapshots(region)],
  };
}
