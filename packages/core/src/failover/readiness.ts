/**
 * Is the DR data recent enough to fail over to? Read from the gauges the DR copy scheduler publishes
 * every run (copy/metrics.ts) rather than from EC2 and RDS: the same numbers `status` and the RPO
 * alarms use, one CloudWatch call instead of paging every snapshot, and no EC2 client (~1.5 MB,
 * ~200 ms of cold start) in the failover function. Pure: aws/failover-reads.ts fetches the datapoints.
 */
import { formatAge } from "../copy/recovery.ts";
import type { ReasonCode } from "../reasons.ts";

/**
 * How far back a gauge still counts. A DR point only gets older until a newer copy replaces it, so
 * the last reported worst age plus the time since is an upper bound on its age now, however old the
 * report: a copy scheduler that stopped (the primary Region down, so it cannot read its sources)
 * leaves the DR site judged conservatively, not "unknown". Beyond a day nothing is assumed.
 */
export const GAUGES_LOOKBACK_MS = 24 * 3_600_000;
/** Older than this, the detail says when the scheduler last reported. */
const GAUGES_FRESH_MS = 30 * 60_000;

/** A gauge's newest datapoint. */
export interface Datapoint {
  value: number;
  at: Date;
}

/** What the DR Region's gauges say about one copy policy. */
export interface PolicyGauges {
  policy: string;
  /** The age its DR copies may have at failover (failover.rpo, else the policy's copy.rpo). */
  rpoMs: number;
  /** WorstRecoveryPointAge{policy, location: dr}: absent when no resource has a DR copy. */
  worstDrAge?: Datapoint;
  /** ResourcesWithoutDrCopy{policy}. */
  withoutDrCopy?: Datapoint;
}

export interface PolicyReadiness {
  policy: string;
  ready: boolean;
  code: ReasonCode;
  detail: string;
}

/**
 * @example policyReadiness({ policy: "orders-db", rpoMs: 6 * 3_600_000, worstDrAge, withoutDrCopy }, now)
 */
export function policyReadiness(g: PolicyGauges, now: Date): PolicyReadiness {
  const no = (code: ReasonCode, detail: string) => ({ policy: g.policy, ready: false, code, detail });
  const counted = g.withoutDrCopy;
  if (!counted || now.getTime() - counted.at.getTime() > GAUGES_LOOKBACK_MS)
    return no(
      "dr-recovery-unknown",
      `${g.policy}: the DR copy scheduler has not reported ${counted ? `since ${counted.at.toISOString()}` : "in the last 24 hours"}, so its DR recovery points are unknown`,
    );
  const stale =
    now.getTime() - counted.at.getTime() > GAUGES_FRESH_MS
      ? ` (as last reported by the copy scheduler at ${counted.at.toISOString()}, aged since)`
      : "";
  if (counted.value > 0)
    return no("dr-behind-rpo", `${g.policy}: ${counted.value} resource(s) have no DR copy at all${stale}`);
  if (!g.worstDrAge)
    return {
      policy: g.policy,
      ready: true,
      code: "failover-ready",
      detail: `${g.policy}: no protected resources`,
    };
  // The gauge's age was measured when it was published; it has aged since.
  const ageMs = g.worstDrAge.value * 1000 + Math.max(0, now.getTime() - g.worstDrAge.at.getTime());
  if (ageMs > g.rpoMs)
    return no(
      "dr-behind-rpo",
      `${g.policy}: its oldest DR copy is ${formatAge(ageMs)} old, more than the RPO of ${formatAge(g.rpoMs)}${stale}`,
    );
  return {
    policy: g.policy,
    ready: true,
    code: "failover-ready",
    detail: `${g.policy}: every DR copy within ${formatAge(g.rpoMs)} (oldest ${formatAge(ageMs)})${stale}`,
  };
}
