/**
 * Logger and Metrics configured once and shared by every handler (Powertools, applied through middy):
 * structured JSON logs with the Lambda context, and EMF metrics flushed after each invocation.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { countReason, type ReasonCounts } from "@outpost-ops/core/reasons";
import type { RunSummary } from "@outpost-ops/core/summary";

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "outpost-ops" });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "OutpostOps",
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "outpost-ops",
});

/** Every run logs its summary and emits the same counters, dimensioned by job. */
export function reportSummary(summary: RunSummary): void {
  logger.info("run summary", { summary });
  metrics.addDimension("job", summary.job);
  metrics.addMetric("Selected", MetricUnit.Count, summary.selected);
  metrics.addMetric("Created", MetricUnit.Count, summary.created);
  metrics.addMetric("Deleted", MetricUnit.Count, summary.deleted);
  metrics.addMetric(
    "Skipped",
    MetricUnit.Count,
    Object.values(summary.skipped).reduce((a, b) => a + b, 0),
  );
  metrics.addMetric("Retried", MetricUnit.Count, summary.retried);
  metrics.addMetric("Failed", MetricUnit.Count, summary.failed);
  // And by reason code, so dashboards and alarms can tell "used by an AMI" from "access denied".
  const failedByCode: ReasonCounts = {};
  for (const e of summary.errors) countReason(failedByCode, e.code);
  for (const [name, counts] of [
    ["SkippedByReason", summary.skipped],
    ["FailedByReason", failedByCode],
    // Planned with a caveat: a local snapshot taken in the Region instead (local-storage-low), …
    ["NotedByReason", summary.noted ?? {}],
  ] as const) {
    for (const [code, n] of Object.entries(counts)) {
      const single = metrics.singleMetric();
      single.addDimensions({ job: summary.job, code });
      single.addMetric(name, MetricUnit.Count, n ?? 0);
    }
  }
}
