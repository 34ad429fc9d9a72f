import { jobsIn } from "@outpost-ops/functions/src/jobs.ts";
import { type StackContext, use } from "sst/constructs";
import { Alerts } from "./Alerts.ts";
import { useConfig } from "./context.ts";
import { buildJob, type JobOutput } from "./job.ts";

/*
 * Snapshots and retention, each as a planner on a schedule that fans work items out to an SQS queue,
 * and a worker that drains it with bounded concurrency (AWS-LIMITS.md: CreateSnapshot and
 * DeleteSnapshot refill at 5/s per account and Region, so 10,000 volumes cannot fit in one Lambda run).
 * What each job consists of is declared in packages/functions/src/jobs.ts.
 *
 * Only the jobs that run in this app's Region: the primary gets snapshot and retention, the DR
 * Region retention alone (of the DR copies there).
 */

export interface BackupOutput {
  snapshot?: JobOutput;
  retention?: JobOutput;
}

const BACKUP_JOBS = ["snapshot", "retention"] as const;

export function Backup({ stack, app }: StackContext): BackupOutput {
  const alerts = use(Alerts);
  const here = new Set(jobsIn(app.region, useConfig(app)));
  const output: BackupOutput = {};
  for (const job of BACKUP_JOBS) if (here.has(job)) output[job] = buildJob(stack, app, job, alerts);
  return output;
}
