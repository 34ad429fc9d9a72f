import type { Alert } from "../alerts/alert.ts";
import { type ReasonCode, reasonLabel } from "../reasons.ts";
import type { ItemOutcome } from "./outcome.ts";

/** As many failures as an inbox reader takes in; the rest are counted (and in the logs and events). */
const LISTED = 10;

/**
 * The alert for work items that failed, on their first delivery, for a reason waiting will not fix
 * (a missing permission, a resource in the wrong state): people hear of it at once rather than when
 * the retries run out hours later. None for no failures.
 * @example firstFailuresAlert(failures, { job: "snapshot", region: "us-west-2", at })
 */
export function firstFailuresAlert(
  failures: ItemOutcome[],
  context: { job: "snapshot" | "retention" | "copy"; region: string; at: Date },
): Omit<Alert, "stage"> | undefined {
  if (failures.length === 0) return undefined;
  const what = {
    snapshot: "snapshot(s) could not be taken",
    retention: "snapshot(s) could not be deleted",
    copy: "DR copy(ies) could not be started",
  }[context.job];
  const byCode = new Map<ReasonCode, ItemOutcome[]>();
  for (const f of failures) byCode.set(f.code, [...(byCode.get(f.code) ?? []), f]);
  const advice: Partial<Record<ReasonCode, string>> = {
    "access-denied": "A permission is missing: check the function's IAM role (README, IAM) and any SCP.",
  };
  return {
    severity: "warning",
    job: context.job,
    title: `${failures.length} ${what}`,
    body: [
      // Grouped by reason code, so an inbox reader sees what kind of failure before the ids.
      ...[...byCode].flatMap(([code, group]) => [
        `${reasonLabel(code)} (${code}), ${group.length}:`,
        ...group.slice(0, LISTED).map((f) => `  ${f.key}: ${f.detail}`),
        ...(group.length > LISTED
          ? [`  ... and ${group.length - LISTED} more (see the function's logs)`]
          : []),
        ...(advice[code] ? [`  ${advice[code]}`] : []),
      ]),
      "",
      "This is not a rate or quota limit, so waiting alone may not fix it: check the resource and its",
      ...(context.job === "copy"
        ? [
            "state. The copy scheduler tries again on every run (at least every 10 minutes) and repeats",
            "this alert hourly while it fails; `npx outpost-ops status` shows each resource's RPO.",
          ]
        : [
            "state. outpost-ops retries each item; after 10 tries it moves to the dead-letter queue and its",
            "alarm raises a critical alert.",
          ]),
    ].join("\n"),
    region: context.region,
    at: context.at,
    resourceIds: failures.map((f) => f.key),
    links: [],
  };
}
