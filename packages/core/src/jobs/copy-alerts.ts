import type { Alert } from "../alerts/alert.ts";
import { type ExhaustedCopy, MAX_COPY_ATTEMPTS } from "../copy/plan.ts";

const LISTED = 10;

/**
 * The alert for DR copies that failed on every attempt (MAX_COPY_ATTEMPTS), with AWS's reason for
 * each. Sent once per source snapshot: the job tags the last failed copy as alerted. Limits and
 * throttling never get here (they are waits), nor do KMS problems (their own alarm, per key).
 * @example copyExhaustedAlert(plan.exhausted.filter((e) => !e.alerted), { region: "us-east-1", at })
 */
export function copyExhaustedAlert(
  exhausted: ExhaustedCopy[],
  context: { region: string; at: Date },
): Omit<Alert, "stage"> | undefined {
  if (exhausted.length === 0) return undefined;
  return {
    severity: "warning",
    job: "copy",
    title: `${exhausted.length} DR cop${exhausted.length === 1 ? "y" : "ies"} to ${context.region} failed ${MAX_COPY_ATTEMPTS} times`,
    body: [
      `These snapshots could not be copied to ${context.region}; outpost-ops tried ${MAX_COPY_ATTEMPTS} times and stops here.`,
      "The next snapshot of each resource is copied as usual when it completes.",
      "",
      ...exhausted
        .slice(0, LISTED)
        .map((e) => `  ${e.request.policy}/${e.request.resource}: ${e.request.source.id}: ${e.lastMessage}`),
      ...(exhausted.length > LISTED ? [`  ... and ${exhausted.length - LISTED} more`] : []),
      "",
      "Fix the cause AWS gives, then delete the failed copies (state error) in the DR Region to have",
      "outpost-ops try again, or wait for the next snapshot. `npx outpost-ops status` shows each resource.",
    ].join("\n"),
    region: context.region,
    at: context.at,
    resourceIds: exhausted.map((e) => e.request.source.id),
    links: [],
  };
}
