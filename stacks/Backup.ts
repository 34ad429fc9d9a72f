import { type StackContext, use } from "sst/constructs";
import { Alerts } from "./Alerts.ts";
import { buildJob, type JobOutput } from "./job.ts";

/*
 * Snapshots and retention, each as a planner on a schedule that fans work items out to an SQS queue,
 * and a worker that drains it with bounded concurrency (AWS-LIMITS.md: CreateSnapshot and
 * DeleteSnapshot refill at 5/s per account and Region, so 10,000 volumes cannot fit in one Lambda run).
 * What each job consists of is declared in packages/functions/src/jobs.ts.
 */

export interface BackupOutput {
  snapshot: JobOutput;
  retention: JobOutput;
}

export function Backup({ stack, app }: StackContext): BackupOutput {
  const alerts = use(Alerts);
  return {
    snapshot: buildJob(stack, app, "snapshot", alerts),
    retention: buildJob(stack, app, "retention", alerts),
  };
}
