/** Failover runs as the job returns them, for the alert and event builders' tests. */
import { type FailoverInput, planFailover } from "../../src/failover/plan.ts";
import type { FailoverOutcome, FailoverRun } from "../../src/jobs/failover.ts";
import { failoverConfig, input, NOW, ZONE } from "../failover/fixtures.ts";

export const failover = failoverConfig();
export const ALARM_AT = new Date(NOW.getTime() - 30_000);

/** A run that came to `outcome`, from the planner's plan for `change` (the fixtures' defaults). */
export function runOf(
  outcome: FailoverOutcome,
  change: Partial<FailoverInput> = {},
  extra: Partial<FailoverRun> = {},
): FailoverRun {
  const plan = planFailover(input(failover, change));
  const submitted = outcome === "changed";
  return {
    plan,
    outcome,
    zone: { id: ZONE.id, name: ZONE.name },
    timeline: {
      ...(plan.next.by.startsWith("alarm:") ? { alarmAt: ALARM_AT } : {}),
      receivedAt: NOW,
      decidedAt: new Date(NOW.getTime() + 180),
      ...(submitted
        ? { submittedAt: new Date(NOW.getTime() + 420), inSyncAt: new Date(NOW.getTime() + 42_420) }
        : {}),
    },
    ...(submitted ? { changeId: "C0123456789ABCDEF" } : {}),
    ...extra,
  };
}
