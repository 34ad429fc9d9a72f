import { EVENT_SOURCE } from "@outpost-ops/core/events/event";
import { forwardingIn, jobsIn } from "@outpost-ops/functions/src/jobs.ts";
import { Archive, EventBus, type Rule } from "aws-cdk-lib/aws-events";
import { ArnPrincipal } from "aws-cdk-lib/aws-iam";
import { Duration } from "aws-cdk-lib/core";
import { type StackContext, use } from "sst/constructs";
import { Alerts } from "./Alerts.ts";
import { namePrefix, useConfig } from "./context.ts";
import { buildForwarding } from "./forwarding.ts";
import { partitionOf } from "./iam.ts";
import { buildJob, type JobOutput } from "./job.ts";

/*
 * DNS failover. In the DR Region, outside what it protects: the failover function (named
 * `<prefix>-failover`, so `outpost-ops failover` can invoke it) with its rules on the trigger
 * alarms (the DR Region's own, and the primary's as forwarded), the scheduled readiness check,
 * invoke rights for the configured operators, and an archive of the failover events on the default
 * bus, so the audit history is held by AWS in the Region that survives. In the primary Region, only
 * the rules that forward its trigger alarms' state changes to the DR Region's default bus. Deployed
 * only where one of the two has something to do (stacks/select.ts): no `failover` section, no stack.
 */

export interface FailoverOutput {
  /** DR Region: the failover job. */
  job?: JobOutput;
  archive?: Archive;
  /** Primary Region: the forwarding rules, by Forwarding id. */
  forwarding: Record<string, Rule>;
}

/** How long the DR Region's event archive keeps failover events: a year of audit. */
export const FAILOVER_ARCHIVE_DAYS = 365;

export function Failover({ stack, app }: StackContext): FailoverOutput {
  const config = useConfig(app);
  const prefix = namePrefix(app);
  const output: FailoverOutput = {
    forwarding: buildForwarding(
      stack,
      forwardingIn(app.region, config).filter((f) => f.job === "failover"),
    ),
  };
  if (!jobsIn(app.region, config).includes("failover")) return output;

  output.job = buildJob(stack, app, "failover", use(Alerts));
  const fn = output.job.functions.failover;
  if (!fn) throw new Error("Job failover: no failover function");
  // Operators need nothing else to run `outpost-ops failover`: the function's own role does the rest.
  config.failover?.operators.forEach((principal, i) => {
    fn.addPermission(`OperatorInvoke${i}`, {
      principal: new ArnPrincipal(principal),
      action: "lambda:InvokeFunction",
    });
  });

  const bus = EventBus.fromEventBusArn(
    stack,
    "DefaultBus",
    `arn:${partitionOf(stack)}:events:${stack.region}:${stack.account}:event-bus/default`,
  );
  // A name people can replay from (`aws events start-replay`), when it fits EventBridge's 48 characters.
  const archiveName = `${prefix}-failover`;
  output.archive = new Archive(stack, "FailoverEventArchive", {
    ...(archiveName.length <= 48 ? { archiveName } : {}),
    description: `outpost-ops ${app.stage}: every failover run and readiness change (the event stream's failover events)`,
    sourceEventBus: bus,
    eventPattern: { source: [EVENT_SOURCE], detail: { job: ["failover"] } },
    retention: Duration.days(FAILOVER_ARCHIVE_DAYS),
  });
  return output;
}
