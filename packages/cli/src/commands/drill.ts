/**
 * `outpost-ops drill` (also `npm start`): the offline DR drill. Starts the sandbox, seeds an estate
 * from the config, runs the real handlers on their schedules over simulated weeks and checks the
 * invariants users rely on. Exits 1 when one breaks.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import { type AwsClients, createClients } from "@outpost-ops/core/aws/clients";
import type { Config } from "@outpost-ops/core/config";
import { OutpostOpsError } from "@outpost-ops/core/errors";
import { planRetentionRun } from "@outpost-ops/core/jobs/retention";
import { emptySummary, mergeSummaries } from "@outpost-ops/core/summary";
import { jobsIn } from "@outpost-ops/functions/src/jobs.ts";
import { type Sandbox, startSandbox } from "@outpost-ops/sandbox";
import { drillEstate } from "../drill/estate.ts";
import type { InvariantResult } from "../drill/invariants.ts";
import { checkEventStream, checkInvariants } from "../drill/invariants.ts";
import { drainQueue, lambdaContext, scheduledEvent } from "../drill/lambda.ts";
import {
  alertsOf,
  countSkips,
  type DrillReport,
  eventsOf,
  keptByGroup,
  renderReport,
} from "../drill/report.ts";
import { type RegionDeployment, simulate } from "../drill/simulate.ts";
import {
  createInfrastructure,
  drillHandlers,
  eventRulesIn,
  queue,
  rulesIn,
  sandboxClock,
} from "../drill/wiring.ts";
import { toJson } from "../format.ts";
import { loadConfig } from "../load-config.ts";

export const DRILL_START = new Date("2024-05-01T00:00:00Z");
/**
 * A one-hour incident on the second simulated day: random throttling, 5xx and slow calls throughout,
 * and for its first 30 minutes every CreateSnapshot fails with a quota error (the midnight window's
 * EBS snapshots must come back through the queue, not fail).
 */
const INCIDENT = {
  fromMs: 86_400_000,
  quotaUntilMs: 86_400_000 + 30 * 60_000,
  toMs: 86_400_000 + 3_600_000,
};
type IncidentPhase = "before" | "quota" | "throttling" | "after";

function setIncident(sandbox: Sandbox, phase: IncidentPhase): void {
  sandbox.faults.clear();
  if (phase === "before" || phase === "after") return;
  sandbox.faults.set({
    service: "ec2",
    throttleRate: 0.1,
    serverErrorRate: 0.02,
    latencyMs: [0, 5],
    seed: 7,
  });
  sandbox.faults.set({ service: "rds", throttleRate: 0.1, seed: 13 });
  if (phase === "quota")
    sandbox.faults.set({ service: "ec2", operation: "CreateSnapshot", quotaErrorRate: 1, seed: 11 });
}

function incidentPhase(elapsedMs: number): IncidentPhase {
  if (elapsedMs < INCIDENT.fromMs) return "before";
  if (elapsedMs < INCIDENT.quotaUntilMs) return "quota";
  return elapsedMs < INCIDENT.toMs ? "throttling" : "after";
}

/**
 * An operator shortens every schedule to keepLast 1 by mistake. Retention must see that the run
 * would delete more than the cap allows, delete nothing and alert.
 */
async function mistakenRetentionChange(input: {
  sandbox: Sandbox;
  config: Config;
  clients: AwsClients;
  primary: RegionDeployment;
  at: Date;
}): Promise<InvariantResult> {
  const { sandbox, config, clients, primary, at } = input;
  const { infra } = primary;
  const region = infra.region;
  const shrunk: Config = {
    ...config,
    policies: config.policies.map((p) => ({
      ...p,
      schedules: p.schedules.map((s) => ({ ...s, retention: { keepLast: 1 } })),
    })),
  };
  const before = sandbox.state.deleted(region).length;
  const alertsBefore = sandbox.state.snsMessages(region).length;
  const handlers = drillHandlers(shrunk, clients, infra, sandboxClock(sandbox));
  await handlers.retentionSweep(
    scheduledEvent(at, region, "outpost-ops-drill-retention"),
    lambdaContext("retention-sweep"),
  );
  await drainQueue({
    sqs: clients.get(SQSClient, region),
    queueUrl: queue(infra, "retention-work").url,
    region,
    handler: handlers.retentionWork,
    functionName: "retention-work",
  });
  const deleted = sandbox.state.deleted(region).length - before;
  const alerted = sandbox.state.snsMessages(region).length - alertsBefore;
  return {
    name: "a mistaken retention change is stopped by the cap",
    ok: deleted === 0 && alerted === 1,
    detail: `config changed to keepLast 1 everywhere: ${deleted} deleted, ${alerted} alert sent`,
  };
}

export async function runDrill(options: {
  days?: number;
  config?: string;
  quiet?: boolean;
}): Promise<DrillReport> {
  const days = options.days ?? 21;
  const { config } = await loadConfig(options.config);
  const region = config.regions.primary;
  const started = Date.now();
  // EC2 lists a new snapshot a few seconds after creating it, as in AWS (the workers confirm before acknowledging).
  const sandbox = await startSandbox({
    startTime: DRILL_START,
    snapshotCompletionMs: 10 * 60_000,
    describeVisibilityDelayMs: 2_000,
  });
  try {
    const clients = createClients({
      endpoint: sandbox.endpoint,
      credentials: { accessKeyId: "drill", secretAccessKey: "drill" },
      maxAttempts: 8,
    });
    const drill = drillEstate(config, DRILL_START);
    sandbox.seed(drill.estate);
    // Both deployments, as `sst deploy` makes them: the primary Region and the DR Region.
    const deployments: RegionDeployment[] = [];
    for (const where of [config.regions.primary, config.regions.dr]) {
      const infra = await createInfrastructure(clients, where, jobsIn(where, config));
      deployments.push({
        infra,
        handlers: drillHandlers(config, clients, infra, sandboxClock(sandbox)),
        rules: rulesIn(where, config),
        eventRules: eventRulesIn(where, config),
      });
    }
    const [primary] = deployments as [RegionDeployment, ...RegionDeployment[]];
    const end = new Date(DRILL_START.getTime() + days * 86_400_000);
    let lastDay = -1;
    let incident: IncidentPhase = "before";
    const log = await simulate({
      sandbox,
      config,
      clients,
      deployments,
      start: DRILL_START,
      end,
      onStep: (at) => {
        const elapsed = at.getTime() - DRILL_START.getTime();
        const phase = incidentPhase(elapsed);
        if (phase !== incident) setIncident(sandbox, phase);
        incident = phase;
        const day = Math.floor(elapsed / 86_400_000);
        if (!options.quiet && day !== lastDay && process.stderr.isTTY)
          process.stderr.write(`\rsimulating day ${day + 1}/${days}`);
        lastDay = day;
      },
    });
    if (!options.quiet && process.stderr.isTTY) process.stderr.write("\n");
    sandbox.clock.set(end);
    const capCheck = await mistakenRetentionChange({ sandbox, config, clients, primary, at: end });
    const finalPlan = await planRetentionRun({ clients, config, region, now: end });
    const totals = log.planSummaries.reduce(mergeSummaries, emptySummary("snapshot", "plan", end));
    const snapshots =
      sandbox.state.snapshots(region).length +
      sandbox.state.dbSnapshots(region).length +
      sandbox.state.dbClusterSnapshots(region).length;
    const deleted = sandbox.state.deleted(region).length;
    const invariants = checkInvariants({ sandbox, config, drill, region, end });
    invariants.push(capCheck, checkEventStream({ sandbox, drill, region }));
    if (log.deadLetters > 0)
      invariants.push({
        name: "no work item dead-lettered",
        ok: false,
        detail: `${log.deadLetters} in a dead-letter queue`,
      });
    else
      invariants.push({ name: "no work item dead-lettered", ok: true, detail: "dead-letter queues empty" });
    const at = (ms: number) => new Date(DRILL_START.getTime() + ms).toISOString().slice(0, 16);
    const scenarios = [
      "every EventBridge rule of the config fires on its schedule; every 7th snapshot event is delivered twice, concurrently",
      ...(end.getTime() > DRILL_START.getTime() + INCIDENT.fromMs
        ? [
            `AWS incident ${at(INCIDENT.fromMs)} to ${at(INCIDENT.toMs)} UTC: EC2 and RDS throttling, 5xx and slow calls; every CreateSnapshot refused with a quota error for the first 30 minutes`,
          ]
        : []),
      `at ${end.toISOString().slice(0, 16)} an operator changes every schedule to keepLast 1 by mistake`,
    ];
    return {
      ok: invariants.every((i) => i.ok),
      region,
      regions: deployments.map((d) => d.infra.region),
      scenarios,
      from: DRILL_START.toISOString(),
      to: end.toISOString(),
      elapsedMs: Date.now() - started,
      log,
      requests: sandbox.requests.count(),
      totals: {
        created: snapshots + deleted - drill.untouchable.size,
        deleted,
        skipped: totals.skipped,
        retried: log.workerRetries,
        failed: totals.failed,
      },
      kept: keptByGroup(finalPlan),
      retention: { deleted, skipped: countSkips(finalPlan) },
      alerts: alertsOf(deployments.flatMap((d) => sandbox.state.snsMessages(d.infra.region))),
      events: eventsOf(deployments.flatMap((d) => sandbox.state.events(d.infra.region))),
      invariants,
    };
  } finally {
    await sandbox.close();
  }
}

export async function drill(options: { json: boolean; days?: string; config?: string }): Promise<number> {
  const days = options.days === undefined ? 21 : Number(options.days);
  if (!Number.isInteger(days) || days < 1 || days > 366)
    throw new OutpostOpsError(`--days must be a whole number of days from 1 to 366 (got "${options.days}").`);
  const report = await runDrill({
    days,
    ...(options.config ? { config: options.config } : {}),
    quiet: options.json,
  });
  process.stdout.write(`${options.json ? toJson(report) : renderReport(report)}\n`);
  return report.ok ? 0 : 1;
}
