/**
 * `outpost-ops drill` (also `npm start`): the offline DR drill. Starts the sandbox, seeds an estate
 * from the config, runs the real handlers on their schedules over simulated weeks and checks the
 * invariants users rely on. Exits 1 when one breaks.
 */
import { createClients } from "@outpost-ops/core/aws/clients";
import { planRetentionRun } from "@outpost-ops/core/jobs/retention";
import { OutpostOpsError } from "@outpost-ops/core/errors";
import { emptySummary, mergeSummaries } from "@outpost-ops/core/summary";
import { startSandbox } from "@outpost-ops/sandbox";
import { drillEstate } from "../drill/estate.ts";
import { checkInvariants } from "../drill/invariants.ts";
import { alertsOf, countSkips, type DrillReport, keptByGroup, renderReport } from "../drill/report.ts";
import { createInfrastructure, simulate } from "../drill/simulate.ts";
import { toJson } from "../format.ts";
import { loadConfig } from "../load-config.ts";

export const DRILL_START = new Date("2024-05-01T00:00:00Z");

export async function runDrill(options: { days?: number; config?: string; quiet?: boolean }): Promise<DrillReport> {
  const days = options.days ?? 21;
  const { config } = await loadConfig(options.config);
  const region = config.regions.primary;
  const started = Date.now();
  // Handlers log as in Lambda; keep the drill's terminal readable.
  process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  const sandbox = await startSandbox({ startTime: DRILL_START, snapshotCompletionMs: 10 * 60_000 });
  try {
    const clients = createClients({ endpoint: sandbox.endpoint, credentials: { accessKeyId: "drill", secretAccessKey: "drill" }, maxAttempts: 8 });
    const drill = drillEstate(config, DRILL_START);
    sandbox.seed(drill.estate);
    const infra = await createInfrastructure(clients, region);
    const end = new Date(DRILL_START.getTime() + days * 86_400_000);
    let lastDay = -1;
    const log = await simulate({
      sandbox, config, clients, region, infra, start: DRILL_START, end,
      onStep: (at) => {
        const day = Math.floor((at.getTime() - DRILL_START.getTime()) / 86_400_000);
        if (!options.quiet && day !== lastDay && process.stderr.isTTY) process.stderr.write(`\rsimulating day ${day + 1}/${days}`);
        lastDay = day;
      },
    });
    if (!options.quiet && process.stderr.isTTY) process.stderr.write("\n");
    sandbox.clock.set(end);
    const finalPlan = await planRetentionRun({ clients, config, region, now: end });
    const totals = log.planSummaries.reduce(mergeSummaries, emptySummary("snapshot", "plan", end));
    const snapshots = sandbox.state.snapshots(region).length + sandbox.state.dbSnapshots(region).length + sandbox.state.dbClusterSnapshots(region).length;
    const deleted = sandbox.state.deleted(region).length;
    const invariants = checkInvariants({ sandbox, config, drill, region, end });
    if (log.deadLetters > 0) invariants.push({ name: "no work item dead-lettered", ok: false, detail: `${log.deadLetters} in a dead-letter queue` });
    else invariants.push({ name: "no work item dead-lettered", ok: true, detail: "dead-letter queues empty" });
    return {
      ok: invariants.every((i) => i.ok),
      region,
      from: DRILL_START.toISOString(),
      to: end.toISOString(),
      elapsedMs: Date.now() - started,
      log,
      requests: sandbox.requests.count(),
      totals: { created: snapshots + deleted - drill.untouchable.size, deleted, skipped: totals.skipped, retried: log.workerRetries, failed: totals.failed },
      kept: keptByGroup(finalPlan),
      retention: { deleted, skipped: countSkips(finalPlan) },
      alerts: alertsOf(sandbox.state.snsMessages(region)),
      invariants,
    };
  } finally {
    await sandbox.close();
  }
}

export async function drill(options: { json: boolean; days?: string; config?: string }): Promise<number> {
  const days = options.days === undefined ? 21 : Number(options.days);
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new OutpostOpsError(`--days must be a whole number of days from 1 to 366 (got "${options.days}").`);
  const report = await runDrill({ days, ...(options.config ? { config: options.config } : {}), quiet: options.json });
  process.stdout.write(`${options.json ? toJson(report) : renderReport(report)}\n`);
  return report.ok ? 0 : 1;
}
