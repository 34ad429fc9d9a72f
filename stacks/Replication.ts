import type { Config } from "@outpost-ops/core/config";
import { copyView } from "@outpost-ops/core/copy/destinations";
import { parseDuration } from "@outpost-ops/core/time";
import { forwardingIn, jobsIn } from "@outpost-ops/functions/src/jobs.ts";
import {
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  SearchExpression,
  TextWidget,
} from "aws-cdk-lib/aws-cloudwatch";
import type { Rule } from "aws-cdk-lib/aws-events";
import { Duration } from "aws-cdk-lib/core";
import { type App, type Stack, type StackContext, use } from "sst/constructs";
import { Alerts } from "./Alerts.ts";
import { namePrefix, useConfig } from "./context.ts";
import { buildForwarding } from "./forwarding.ts";
import { buildJob, type JobOutput } from "./job.ts";

/*
 * DR copies. In each copy destination (regions.dr, and any `copy.alsoTo` Region): the copy job (the
 * scheduler fed by one FIFO message group, its rules, its RPO and KMS alarms) and a dashboard of
 * recovery points. In the primary Region: the rules that forward AWS's snapshot events to each
 * destination's default bus, where its copy job's rules see them (EventBridge delivers cross-Region
 * to an event bus only). Deployed only where one of the two has something to do (stacks/select.ts):
 * a config without a copy rule has no Replication anywhere.
 */

export interface ReplicationOutput {
  /** DR Region: the copy job. */
  copy?: JobOutput;
  dashboard?: Dashboard;
  /** Primary Region: the forwarding rules, by Forwarding id (one per ForwardSpec and destination). */
  forwarding: Record<string, Rule>;
}

export function Replication({ stack, app }: StackContext): ReplicationOutput {
  const config = useConfig(app);
  const output: ReplicationOutput = { forwarding: {} };
  if (jobsIn(app.region, config).includes("copy")) {
    output.copy = buildJob(stack, app, "copy", use(Alerts));
    output.dashboard = drDashboard(stack, app, config);
  }

  // The copy job's forwarding only: other jobs' is built by their own stacks (Failover's).
  output.forwarding = buildForwarding(
    stack,
    forwardingIn(app.region, config).filter((f) => f.job === "copy"),
  );
  return output;
}

const WIDTH = 24;
/** The scheduler publishes at least every 10 minutes (COPY_TICK_SCHEDULE). */
const PERIOD = Duration.minutes(10);

function metric(name: string, dimensions: Record<string, string>, label: string): Metric {
  return new Metric({
    namespace: "OutpostOps",
    metricName: name,
    dimensionsMap: dimensions,
    statistic: "Maximum",
    period: PERIOD,
    label,
  });
}

/**
 * Job outcomes of the copy job by reason code. Powertools' Metrics adds its `service` dimension to
 * every metric, so the counters' dimension set is {service, job, code}: a metric listed with job
 * and code alone would match nothing. A SEARCH over that schema also picks up codes added later.
 */
function outcomes(name: "SkippedByReason" | "FailedByReason"): IMetric {
  return new SearchExpression({
    expression: `SEARCH('{OutpostOps,code,job,service} MetricName="${name}" job="copy"', 'Sum', 300)`,
    label: name === "SkippedByReason" ? "skipped" : "failed",
    period: Duration.minutes(5),
  });
}

/** The copies into this Region (regions.dr or an `alsoTo` Region) and the policies copying here. */
function drDashboard(stack: Stack, app: App, config: Config): Dashboard {
  const dr = app.region;
  const copying = copyView(config, dr).policies.filter((p) => p.copy);
  const dashboard = new Dashboard(stack, "DrDashboard", {
    // Dashboards are global to the account: each destination's needs a name of its own.
    dashboardName: dr === config.regions.dr ? `${namePrefix(app)}-dr` : `${namePrefix(app)}-dr-${dr}`,
    defaultInterval: Duration.days(2),
  });
  dashboard.addWidgets(
    new TextWidget({
      markdown: `# outpost-ops DR copies into ${dr}\nRecovery points per policy against their RPO, the copy slots, and why copies were skipped or failed. \`npx outpost-ops status\` shows each resource.`,
      width: WIDTH,
      height: 2,
    }),
  );
  for (const policy of copying) {
    const rpo = policy.copy?.rpo ?? "";
    dashboard.addWidgets(
      new GraphWidget({
        title: `${policy.name}: oldest DR recovery point (RPO ${rpo})`,
        left: [
          metric("WorstRecoveryPointAge", { policy: policy.name, location: "dr" }, "oldest DR point (s)"),
        ],
        leftAnnotations: [{ value: parseDuration(rpo) / 1000, label: `RPO ${rpo}`, color: "#d62728" }],
        leftYAxis: { min: 0, label: "seconds", showUnits: false },
        width: WIDTH / 2,
      }),
      new GraphWidget({
        title: `${policy.name}: resources behind the RPO`,
        left: [metric("ResourcesBehindRpo", { policy: policy.name }, "behind RPO")],
        leftYAxis: { min: 0, showUnits: false },
        width: WIDTH / 2,
      }),
    );
  }
  dashboard.addWidgets(
    new GraphWidget({
      title: `Copies into ${dr}: in flight and queued`,
      left: [
        metric("CopiesInFlight", { destination: dr }, "in flight"),
        metric("CopiesQueued", { destination: dr }, "queued"),
      ],
      leftAnnotations: [{ value: 20, label: "AWS's limit per service (EBS, RDS)" }],
      leftYAxis: { min: 0, showUnits: false },
      width: WIDTH / 2,
    }),
    new GraphWidget({
      title: "Copy job outcomes by reason code",
      left: [outcomes("SkippedByReason"), outcomes("FailedByReason")],
      leftYAxis: { min: 0, showUnits: false },
      width: WIDTH / 2,
    }),
  );
  return dashboard;
}
