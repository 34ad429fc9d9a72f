/**
 * `outpost-ops drill` (also `npm start`): the offline DR drill. Starts the sandbox, seeds an estate
 * from the config, runs the real handlers on their schedules over simulated weeks and checks the
 * invariants users rely on. Exits 1 when one breaks.
 */
import { CopySnapshotCommand, EC2Client } from "@aws-sdk/client-ec2";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { AwsClients } from "@outpost-ops/core/aws/clients";
import { capacityAlarmPrefix } from "@outpost-ops/core/capacity/names";
import { type Config, deploymentRegions } from "@outpost-ops/core/config";
import { COPY_LIMITS } from "@outpost-ops/core/copy/plan";
import { OutpostOpsError } from "@outpost-ops/core/errors";
import { planRetentionRun } from "@outpost-ops/core/jobs/retention";
import { parseScheduleExpression } from "@outpost-ops/core/schedule/expression";
import { emptySummary, mergeSummaries } from "@outpost-ops/core/summary";
import { jobsIn } from "@outpost-ops/functions/src/jobs.ts";
import { type Sandbox, startSandbox } from "@outpost-ops/sandbox";
import { CapacityPhase, MONITOR_EVERY_MINUTES } from "../drill/capacity.ts";
import { checkCapacityInvariants } from "../drill/capacity-invariants.ts";
import { capacityReport } from "../drill/capacity-report.ts";
import {
  capacityScript,
  describeFill,
  describeSqueeze,
  HISTORY_DAYS,
  placesOn,
} from "../drill/capacity-script.ts";
import { drillClients } from "../drill/clients.ts";
import { CopyWatch } from "../drill/copies.ts";
import { drillEstate, localOutpost } from "../drill/estate.ts";
import { DRILL_FAILOVER_FUNCTION, FailoverPhase } from "../drill/failover.ts";
import { failoverReport } from "../drill/failover-report.ts";
import { describeOutage, failoverScript } from "../drill/failover-script.ts";
import type { InvariantResult } from "../drill/invariants.ts";
import {
  checkCopyInvariants,
  checkEventStream,
  checkFailoverInvariants,
  checkInvariants,
} from "../drill/invariants.ts";
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
  DRILL_PREFIX,
  drillHandlers,
  eventRulesIn,
  forwardingFrom,
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

/** How long a DR copy takes (sandbox time): long enough that copies outlive scheduler runs. */
const COPY_COMPLETION_MS = 75 * 60_000;
/** Route 53 reports a change INSYNC this long after it (sandbox time; in AWS usually within a minute). */
const ROUTE53_PROPAGATION_MS = 40_000;

/** A span of the drill, in ms after its start. */
export interface Span {
  fromMs: number;
  toMs: number;
}

/**
 * Day 8, all day: the DR Region's copy scheduler does not run. Its event source mapping stops
 * polling copy-ticks (a Lambda service event in the DR Region, or a bad deploy that disabled it):
 * snapshots are taken and their events still arrive in the queue, copies already started finish,
 * but none is started. When polling resumes, the queued ticks run as batches of ten, one at a time
 * (one message group), and the first finds every resource's newest snapshot waiting: more EBS copies
 * than AWS lets run at once, so the rest must wait for slots. A wait, not a failure: no alert but
 * the RPO alarm, which the missing metrics put into ALARM.
 */
export const COPY_OUTAGE: Span = { fromMs: 7 * 86_400_000, toMs: 8 * 86_400_000 };
const COPY_QUEUE = "copy-ticks";
/**
 * How often the drill's event source mapping polls copy-ticks (deployed: continuously). Every rule
 * still fires and sends its event when due; the ticks and events of the half hour wait in the queue
 * and run as one batch (the scheduler reads AWS, not its ticks). Each run reads every managed
 * snapshot of the primary and every copy in DR (~15 SDK calls, ~40 ms here), and polling as often
 * as the 10-minute backstop fires made 21 days take over four minutes. Thirty minutes is the coarsest
 * that still gives the RPO alarms (period 30 minutes, missing data breaching) a datapoint each period.
 */
export const COPY_POLL_MINUTES = 30;

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
 * Another team's migration copies its own snapshots into the DR Region just as the copy path comes
 * back: they take 18 of AWS's 20 EBS copy slots there, which outpost-ops' scheduler cannot see (it
 * counts only its own copies), so AWS refuses its copies beyond two (ResourceLimitExceeded) and the
 * backlog must wait for slots: a wait, not a failure.
 */
async function otherTeamCopies(input: { clients: AwsClients; config: Config; snapshots: string[] }) {
  const { clients, config } = input;
  const ec2 = clients.get(EC2Client, config.regions.dr);
  const ids: string[] = [];
  for (const id of input.snapshots) {
    const out = await ec2.send(
      new CopySnapshotCommand({
        SourceRegion: config.regions.primary,
        SourceSnapshotId: id,
        Description: `data-platform migration: ${id}`,
        TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "Team", Value: "data-platform" }] }],
      }),
    );
    if (out.SnapshotId) ids.push(out.SnapshotId);
  }
  return ids;
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
  /** The copy path's outage (default COPY_OUTAGE; null: none). */
  copyOutage?: Span | null;
  /** How often the DR copy scheduler's queue is polled (default COPY_POLL_MINUTES; 10 = every tick). */
  copyPollMinutes?: number;
  /**
   * The weekly capacity report's schedule instead of the config's (capacity.report.schedule): the
   * e2e test's three days hold no Monday.
   */
  capacityReportSchedule?: string;
}): Promise<DrillReport> {
  const days = options.days ?? 21;
  const loaded = (await loadConfig(options.config)).config;
  const config: Config = options.capacityReportSchedule
    ? { ...loaded, capacity: { ...loaded.capacity, report: { schedule: options.capacityReportSchedule } } }
    : loaded;
  const region = config.regions.primary;
  const started = Date.now();
  // EC2 lists a new snapshot a few seconds after creating it, as in AWS (the workers confirm before acknowledging).
  const sandbox = await startSandbox({
    startTime: DRILL_START,
    snapshotCompletionMs: 10 * 60_000,
    copyCompletionMs: COPY_COMPLETION_MS,
    describeVisibilityDelayMs: 2_000,
    route53PropagationMs: ROUTE53_PROPAGATION_MS,
  });
  try {
    const access = {
      endpoint: sandbox.endpoint,
      credentials: { accessKeyId: "drill", secretAccessKey: "drill" },
    };
    const clients = drillClients(access);
    const drill = drillEstate(config, DRILL_START);
    sandbox.seed(drill.estate);
    const end = new Date(DRILL_START.getTime() + days * 86_400_000);
    const copying = config.policies.some((p) => p.copy);
    const requested = options.copyOutage === undefined ? COPY_OUTAGE : options.copyOutage;
    // Only an outage that ends inside the span: its backlog must have time to drain.
    const outage =
      copying && requested && requested.toMs < end.getTime() - DRILL_START.getTime() ? requested : undefined;
    // The failover phase, once the config has `failover` (failover.ts): its script plays around the
    // copy outage (failover-script.ts). Its ConnectedStatus and the capacity phase's metrics are
    // written before the deployments: the stack's capacity alarms are evaluated as they are created.
    const failover =
      drill.failover && config.regions.dr
        ? new FailoverPhase(
            sandbox,
            config,
            drill.failover,
            failoverScript({ start: DRILL_START, end, ...(outage ? { copyOutage: outage } : {}) }),
            access,
          )
        : undefined;
    await failover?.prepare({ clients, start: DRILL_START, end });
    // The capacity phase, once the config has Outposts (the capacity job runs only then).
    const local = localOutpost(config);
    const capacity =
      local && jobsIn(region, config).includes("capacity")
        ? new CapacityPhase(
            sandbox,
            config,
            capacityScript({
              start: DRILL_START,
              end,
              outpost: local,
              thresholds: config.capacity.thresholds.instanceType,
              placesLocally: config.policies.some((p) => placesOn(p, local.name)),
              reportCron: parseScheduleExpression(config.capacity.report.schedule).cron,
            }),
            access,
          )
        : undefined;
    capacity?.prepare({
      start: DRILL_START,
      end,
      estate: drill.estate,
      connectedElsewhere: new Set(drill.failover?.alarms.map((a) => a.outpostId) ?? []),
    });
    // Every deployment, as `sst deploy` makes them: the primary Region, the DR Region, and any
    // copy.alsoTo Region (the drill's report and invariants follow regions.dr's copies).
    const deployments: RegionDeployment[] = [];
    for (const where of deploymentRegions(config)) {
      const infra = await createInfrastructure(clients, where, jobsIn(where, config), config);
      deployments.push({
        infra,
        handlers: drillHandlers(config, clients, infra, sandboxClock(sandbox)),
        rules: rulesIn(where, config),
        eventRules: eventRulesIn(where, config),
        forwarding: forwardingFrom(where, config),
      });
    }
    const [primary] = deployments as [RegionDeployment, ...RegionDeployment[]];
    const watch = copying ? new CopyWatch(sandbox, config.regions.dr, COPY_COMPLETION_MS) : undefined;
    const drDeployment = deployments.find((d) => d.infra.region === config.regions.dr);
    if (failover && drDeployment) failover.wire(drDeployment, clients);
    capacity?.wire(primary);
    let lastDay = -1;
    let incident: IncidentPhase = "before";
    let outageOver = false;
    const pollMs = (options.copyPollMinutes ?? COPY_POLL_MINUTES) * 60_000;
    if (!Number.isInteger(pollMs / 60_000) || pollMs < 60_000)
      throw new OutpostOpsError(
        `copyPollMinutes must be a whole number of minutes, at least 1 (got ${pollMs / 60_000}).`,
      );
    const log = await simulate({
      sandbox,
      config,
      clients,
      deployments,
      start: DRILL_START,
      end,
      onStep: async (at) => {
        const elapsed = at.getTime() - DRILL_START.getTime();
        const phase = incidentPhase(elapsed);
        if (phase !== incident) setIncident(sandbox, phase);
        incident = phase;
        if (watch && outage && !outageOver && elapsed >= outage.toMs) {
          outageOver = true;
          const started = await otherTeamCopies({ clients, config, snapshots: drill.migrationSnapshots });
          for (const id of started) drill.drUntouchable.set(id, "another team's copy");
          await watch.startBacklog({ clients, config, at });
        }
        await failover?.onStep(at);
        capacity?.onStep(at);
        const day = Math.floor(elapsed / 86_400_000);
        if (!options.quiet && day !== lastDay && process.stderr.isTTY)
          process.stderr.write(`\rsimulating day ${day + 1}/${days}`);
        lastDay = day;
      },
      onDrained: (_at, ran) => {
        if (ran.has("copySchedule")) watch?.sample();
      },
      polls: (where, name, at) => {
        if (where !== config.regions.dr || name !== COPY_QUEUE) return true;
        const elapsed = at.getTime() - DRILL_START.getTime();
        if (elapsed % pollMs !== 0) return false;
        return !outage || elapsed < outage.fromMs || elapsed >= outage.toMs;
      },
      extraSteps: [...(failover?.steps() ?? []), ...(capacity?.steps() ?? [])],
      // The capacity monitor every MONITOR_EVERY_MINUTES (capacity.ts says why), at the first step too.
      fires: (_where, target, at) =>
        target !== "capacityMonitor" ||
        (at.getTime() - DRILL_START.getTime()) % (MONITOR_EVERY_MINUTES * 60_000) === 0,
      lateTargets: ["failoverReadiness"],
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
    const at = (ms: number) => new Date(DRILL_START.getTime() + ms).toISOString().slice(0, 16);
    const dr = drDeployment;
    const copyAlarms = new Set(dr?.infra.alarms ?? []);
    const copy = watch
      ? await watch.report({
          clients,
          config,
          end,
          copyCompletionMs: COPY_COMPLETION_MS,
          ...(outage
            ? {
                outage: {
                  from: at(outage.fromMs),
                  to: at(outage.toMs),
                  how: `the DR copy scheduler's queue (${COPY_QUEUE}) is not polled: events and ticks wait in it, no copy starts`,
                },
              }
            : {}),
          expected: config.policies
            .filter((p) => p.copy)
            .flatMap((p) => (drill.protectedSources.get(p.name) ?? []).map((id) => `${p.name}/${id}`)),
          drUntouchable: drill.drUntouchable,
          alarms: dr?.infra.alarms ?? [],
          // The copy job's own; the user's trigger alarm is the failover section's.
          alarmChanges: log.eventBridge.alarmChanges.filter((c) => copyAlarms.has(c.alarm)),
        })
      : undefined;
    const failoverSection =
      failover && drill.failover
        ? failoverReport({
            phase: failover,
            alarmChanges: log.eventBridge.alarmChanges,
            forwarded: log.eventBridge.forwarded.ForwardFailoverAlarms ?? 0,
            delivered: log.eventBridge.deliveries[`${config.regions.dr}/FailoverPrimaryAlarmsRule`] ?? 0,
            drMessages: sandbox.state.snsMessages(config.regions.dr),
            changes: sandbox.state.route53Changes(drill.failover.zone.id),
            recordLabels: (config.failover?.records ?? []).map(
              (r) => `${r.name} ${r.type} (${r.routing === "failover" ? "failover pair" : "simple"})`,
            ),
          })
        : undefined;
    capacity?.sample();
    const capacitySection = capacity
      ? capacityReport({
          phase: capacity,
          alarmChanges: log.eventBridge.alarmChanges,
          messages: sandbox.state.snsMessages(region),
          alarmPrefix: capacityAlarmPrefix(DRILL_PREFIX),
          deployedSchedule: config.capacity.schedule,
          monitorEveryMinutes: MONITOR_EVERY_MINUTES,
          floorPercent: config.capacity.localSnapshots.minFreePercent,
          linkOutages: linkOutages(failover),
          reportsAt: capacity.script.reports,
          readinessAt: (at) => failover?.readiness.filter((r) => r.at < at).at(-1)?.ready,
          outposts: (drill.estate.outposts ?? []).map((o) => ({
            name: o.name,
            id: o.id,
            storageTiB: capacity.storageTiB,
            instanceTypes: o.instanceTypes ?? [],
            volumeTypes: [
              ...new Set(
                (drill.estate.volumes ?? []).filter((v) => v.outpostArn === o.arn).map((v) => v.type),
              ),
            ].sort(),
          })),
          storageSeries: (id) => capacity.storageSeries(id),
          planNotes: capacity.planNotes(log.planSummaries),
        })
      : undefined;
    const invariants = checkInvariants({ sandbox, config, drill, region, end });
    invariants.push(capCheck, checkEventStream({ sandbox, drill, region }));
    if (copy) invariants.push(...checkCopyInvariants(copy));
    if (failoverSection) invariants.push(...checkFailoverInvariants(failoverSection));
    if (capacitySection) invariants.push(...checkCapacityInvariants(capacitySection));
    if (log.deadLetters > 0)
      invariants.push({
        name: "no work item dead-lettered",
        ok: false,
        detail: `${log.deadLetters} in a dead-letter queue`,
      });
    else
      invariants.push({ name: "no work item dead-lettered", ok: true, detail: "dead-letter queues empty" });
    // What plays throughout first, then the scenarios in the order they begin.
    const throughout = [
      "every EventBridge rule of the config fires on its schedule; every 7th snapshot event is delivered twice, concurrently",
      ...(copying
        ? [
            `the primary forwards its snapshot events to ${config.regions.dr}, whose rules send them and the copy schedule's ticks to the copy scheduler's FIFO queue (every 7th twice: de-duplicated on content); that queue is polled every ${pollMs / 60_000} simulated minutes, and a DR copy takes ${COPY_COMPLETION_MS / 60_000} minutes`,
          ]
        : []),
      ...(capacity ? [capacityThroughout(capacity, config)] : []),
    ];
    const timed: [number, string][] = [
      ...(end.getTime() > DRILL_START.getTime() + INCIDENT.fromMs
        ? [
            [
              DRILL_START.getTime() + INCIDENT.fromMs,
              `AWS incident ${at(INCIDENT.fromMs)} to ${at(INCIDENT.toMs)} UTC: EC2 and RDS throttling, 5xx and slow calls; every CreateSnapshot refused with a quota error for the first 30 minutes`,
            ] as [number, string],
          ]
        : []),
      ...(copy?.outage && outage
        ? [
            [
              DRILL_START.getTime() + outage.fromMs,
              `DR copy outage ${copy.outage.from} to ${copy.outage.to} UTC: ${copy.outage.how}; as it ends another team starts ${drill.migrationSnapshots.length} copies of its own into ${config.regions.dr}, so the backlog drains through what is left of AWS's ${COPY_LIMITS.ebs} EBS copies in flight`,
            ] as [number, string],
          ]
        : []),
      ...failoverScenarios(failover),
      ...capacityScenarios(capacity, config),
    ];
    const scenarios = [
      ...throughout,
      ...timed.sort((a, b) => a[0] - b[0]).map(([, text]) => text),
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
      ...(copy ? { copy } : {}),
      ...(failoverSection ? { failover: failoverSection } : {}),
      ...(capacitySection ? { capacity: capacitySection } : {}),
      invariants,
    };
  } finally {
    await sandbox.close();
  }
}

/** What the capacity phase plays throughout. */
function capacityThroughout(phase: CapacityPhase, config: Config): string {
  return `capacity: the Outposts report AWS/Outposts utilization every 5 minutes (from ${HISTORY_DAYS} days before), ConnectedStatus every minute, their instances' CPU, and ${phase.storageTiB} TiB of S3 on Outposts each; the capacity monitor runs every ${MONITOR_EVERY_MINUTES} simulated minutes (deployed: ${config.capacity.schedule}) and the sandbox evaluates its alarms; the weekly report runs on its schedule (${config.capacity.report.schedule})`;
}

/** The capacity phase's scenarios, each with when it begins. */
function capacityScenarios(phase: CapacityPhase | undefined, config: Config): [number, string][] {
  if (!phase) return [];
  const { squeeze, fill } = phase.script;
  return [
    ...(squeeze ? [[squeeze.crosses.warning.getTime(), describeSqueeze(squeeze)] as [number, string]] : []),
    ...(fill
      ? [
          [fill.from.getTime(), describeFill(fill, config.capacity.localSnapshots.minFreePercent)] as [
            number,
            string,
          ],
        ]
      : []),
  ];
}

/**
 * When the failover phase's script has the service link down (the capacity connected alarm fires
 * then too), oldest first, and the DR readiness its link-down alert must report: NOT ready in the
 * stale-data outage (the DR copies past their RPO), ready in the other. Each is one alarm: 3 down
 * minutes of the last 15, so a flapping link stays in ALARM and goes OK 13 minutes after it holds;
 * its "restored" is the outage's until 20 minutes after the link is back.
 */
function linkOutages(phase: FailoverPhase | undefined): { from: Date; to: Date; drReady: boolean }[] {
  if (!phase) return [];
  const settle = 20 * 60_000;
  const { stale, ready } = phase.script;
  return [
    ...(stale ? [{ o: stale, drReady: false }] : []),
    ...(ready ? [{ o: ready, drReady: true }] : []),
  ].map(({ o, drReady }) => ({ from: o.dropAt, to: new Date(o.restoredAt.getTime() + settle), drReady }));
}

/** The failover phase's scenarios, each with when it begins. */
function failoverScenarios(phase: FailoverPhase | undefined): [number, string][] {
  if (!phase) return [];
  const { ready, stale } = phase.script;
  const alarm = phase.estate.alarms.map((a) => a.name).join(", ") || "(none in the primary Region)";
  return [
    ...(stale
      ? [
          [
            stale.dropAt.getTime(),
            `DNS failover, scenario 2 (DR data stale): ${describeOutage(stale)}; the trigger alarm ${alarm} goes to ALARM, is forwarded to the DR Region, and the failover function must refuse (DR copies past their RPO) and change nothing`,
          ] as [number, string],
        ]
      : []),
    ...(ready
      ? [
          [
            ready.dropAt.getTime(),
            `DNS failover, scenario 1 (DR ready): ${describeOutage(ready)}; DNS must fail over exactly once`,
          ] as [number, string],
          [
            ready.failbackAt.getTime(),
            `at ${ready.failbackAt.toISOString().slice(0, 16)} an operator fails back by command (npx outpost-ops failback --stage drill --yes: the manual event, Lambda Invoke of ${DRILL_FAILOVER_FUNCTION})`,
          ] as [number, string],
        ]
      : []),
  ];
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
