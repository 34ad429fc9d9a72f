import { jobsIn } from "@outpost-ops/functions/src/jobs.ts";
import { type StackContext, use } from "sst/constructs";
import { Alerts } from "./Alerts.ts";
import { useConfig } from "./context.ts";
import { buildJob, type JobOutput } from "./job.ts";

/*
 * Outposts capacity, in the primary Region (where the Outposts are anchored and their AWS/Outposts
 * metrics are): the capacity job as declared in packages/functions/src/jobs.ts. The alarms that need
 * no discovery, per Outpost of the config (ConnectedStatus, and the CPU gauge's bands); the
 * scheduled monitor that discovers instance and volume types and S3 on Outposts and reconciles
 * their alarms (so a type added to an Outpost is watched without a redeploy), and publishes the
 * CPU gauge; the handler of every capacity alarm's state change (one alert per condition, from the
 * band alarms' states); the weekly report. Deployed only when the config declares Outposts
 * (stacks/select.ts): no `outposts`, no stack.
 */

export interface CapacityOutput {
  job?: JobOutput;
}

export function Capacity({ stack, app }: StackContext): CapacityOutput {
  const config = useConfig(app);
  if (!jobsIn(app.region, config).includes("capacity")) return {};
  return { job: buildJob(stack, app, "capacity", use(Alerts)) };
}
