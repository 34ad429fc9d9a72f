/**
 * The copy job's gauges, published to CloudWatch on every scheduler run (PutMetricData, so alarms in
 * the stack and in the sandbox read the same numbers):
 *
 * | metric                     | dimensions                      | value                                   |
 * |----------------------------|---------------------------------|-----------------------------------------|
 * | RecoveryPointAge           | policy, resource, location      | seconds since the newest point (local, regional, dr) |
 * | WorstRecoveryPointAge      | policy, location                | the policy's oldest resource, seconds    |
 * | ResourcesBehindRpo         | policy                          | resources whose DR copy is older than the RPO (or missing) |
 * | ResourcesWithoutDrCopy     | policy                          | resources with no DR copy at all (failover readiness) |
 * | CopiesInFlight             | destination                     | our pending copies there                 |
 * | CopiesQueued               | destination                     | copies waiting for a slot                |
 * | KmsKeyUnusable             | key                             | 1 while the key blocks copies, else 0    |
 *
 * A resource without any point at a location reports no age there (CloudWatch has no "infinity"),
 * but counts in ResourcesBehindRpo. The alarms on ResourcesBehindRpo and KmsKeyUnusable (stacks and
 * packages/functions/src/jobs.ts) give one alert on the way into ALARM and one on the way out.
 * Per-resource ages are custom metrics billed per metric: an estate of N copied resources adds up to 3N.
 * A run that could not list the protected resources (`resourcesRead: false`) publishes only the
 * plan's gauges: counting from the snapshots alone would leave out every resource with none (a new
 * volume), an optimistic 0 that readiness and the RPO alarm would believe. Unpublished, the
 * recovery gauges go missing, which the RPO alarm treats as breaching and readiness as stale.
 */
import type { CopyPlan, KeyHealth } from "./plan.ts";
import type { ResourceRecovery } from "./recovery.ts";

export const METRICS_NAMESPACE = "OutpostOps";

export interface MetricDatum {
  name: string;
  dimensions: Record<string, string>;
  value: number;
  unit: "Seconds" | "Count";
}

export type Location = "local" | "regional" | "dr";

/**
 * @example copyMetrics({ plan, recovery, keys, at }).find((m) => m.name === "ResourcesBehindRpo")
 */
export function copyMetrics(input: {
  plan: CopyPlan;
  recovery: readonly ResourceRecovery[];
  keys: ReadonlyMap<string, KeyHealth>;
  /** Every policy with a copy rule: one with no resources yet reports 0 behind, not silence. */
  policies: readonly string[];
  at: Date;
  /** False when the run could not list the protected resources: no recovery gauges then. */
  resourcesRead?: boolean;
}): MetricDatum[] {
  const at = input.at.getTime();
  const out: MetricDatum[] = [];
  if (input.resourcesRead !== false) out.push(...recoveryGauges(input.recovery, input.policies, at));
  const destination = input.plan.destination;
  out.push({
    name: "CopiesInFlight",
    dimensions: { destination },
    value: input.plan.inFlight.ebs.length + input.plan.inFlight.rds.length + input.plan.start.length,
    unit: "Count",
  });
  out.push({
    name: "CopiesQueued",
    dimensions: { destination },
    value: input.plan.queued.length,
    unit: "Count",
  });
  for (const key of input.keys.values())
    out.push({
      name: "KmsKeyUnusable",
      dimensions: { key: key.arn },
      value: key.usable ? 0 : 1,
      unit: "Count",
    });
  return out;
}

/** Per resource and per policy: ages, and the counts behind the RPO and without a DR copy. */
function recoveryGauges(
  recovery: readonly ResourceRecovery[],
  policies: readonly string[],
  at: number,
): MetricDatum[] {
  const out: MetricDatum[] = [];
  const worst = new Map<string, number>();
  const behind = new Map<string, number>(policies.map((p) => [p, 0]));
  const without = new Map<string, number>(policies.map((p) => [p, 0]));
  for (const r of recovery) {
    for (const location of ["local", "regional", "dr"] as const) {
      const point = r[location];
      if (!point) continue;
      const age = Math.max(0, Math.round((at - point.at.getTime()) / 1000));
      out.push({
        name: "RecoveryPointAge",
        dimensions: { policy: r.policy, resource: r.resource, location },
        value: age,
        unit: "Seconds",
      });
      const key = `${r.policy}|${location}`;
      worst.set(key, Math.max(worst.get(key) ?? 0, age));
    }
    if (!r.withinRpo) behind.set(r.policy, (behind.get(r.policy) ?? 0) + 1);
    if (!r.dr) without.set(r.policy, (without.get(r.policy) ?? 0) + 1);
  }
  for (const [key, value] of worst) {
    const [policy, location] = key.split("|") as [string, string];
    out.push({ name: "WorstRecoveryPointAge", dimensions: { policy, location }, value, unit: "Seconds" });
  }
  for (const [policy, value] of behind)
    out.push({ name: "ResourcesBehindRpo", dimensions: { policy }, value, unit: "Count" });
  for (const [policy, value] of without)
    out.push({ name: "ResourcesWithoutDrCopy", dimensions: { policy }, value, unit: "Count" });
  return out;
}
