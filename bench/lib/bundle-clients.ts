/**
 * The SDK clients a function calls, from what its role is granted, and the clients its bundle
 * loads, from esbuild's metafile. The grants are the truth source because they are proven to be
 * exactly the commands the function sends: test/infra/permissions.test.ts runs every handler on the
 * sandbox and fails on a command without its grant and on a grant never sent. Beyond
 * FunctionPermissions, the stacks grant publishing to the alert topic (every function but those
 * declared `alerts: false`, stacks/function.ts) and sending to the queues a function produces to
 * (stacks/job.ts); what Lambda does with the role itself (logs, the SQS event source mapping) and
 * what EC2 and RDS do on the caller's behalf (`onBehalf`, KMS during a copy) are no client's calls.
 */
import { FunctionPermissions } from "@outpost-ops/core/aws/permissions";
import { type FunctionName, type JobSpec, Jobs } from "@outpost-ops/functions/src/jobs.ts";

/** IAM service prefixes whose client package is not `@aws-sdk/client-<prefix>`. */
const CLIENT_PACKAGE_OF_PREFIX: Record<string, string> = {
  events: "@aws-sdk/client-eventbridge",
  route53: "@aws-sdk/client-route-53",
  logs: "@aws-sdk/client-cloudwatch-logs",
  states: "@aws-sdk/client-sfn",
};

/** @example clientPackageOf("ec2:DescribeVolumes") // "@aws-sdk/client-ec2" */
export function clientPackageOf(action: string): string {
  const prefix = action.split(":")[0] ?? action;
  return CLIENT_PACKAGE_OF_PREFIX[prefix] ?? `@aws-sdk/client-${prefix}`;
}

function jobOf(name: FunctionName): JobSpec {
  const job = Object.values(Jobs as Record<string, JobSpec>).find((j) => name in j.functions);
  if (!job) throw new Error(`Function ${name} is in no job of packages/functions/src/jobs.ts`);
  return job;
}

/**
 * The client packages `name` calls, sorted.
 * @example calledClients("alarmStateChange") // ["@aws-sdk/client-sns"]
 */
export function calledClients(name: FunctionName): string[] {
  const job = jobOf(name);
  const spec = job.functions[name];
  if (!spec) throw new Error(`Function ${name} has no spec`);
  const actions = FunctionPermissions[spec.role]
    .filter((statement) => !("onBehalf" in statement && statement.onBehalf))
    .flatMap((statement) => statement.actions);
  if (spec.alerts !== false) actions.push("sns:Publish");
  if (job.queues.some((q) => q.producer === name)) actions.push("sqs:SendMessage");
  return [...new Set(actions.map(clientPackageOf))].sort();
}

/** Loaded but never called, and called but not loaded (the latter would fail at the first call). */
export function clientMismatch(loaded: readonly string[], called: readonly string[]) {
  return {
    notCalled: loaded.filter((c) => !called.includes(c)),
    notLoaded: called.filter((c) => !loaded.includes(c)),
  };
}
