/**
 * The scheduled readiness check: the failover preflight as a dry run towards the DR site, compared
 * with the last FailoverReady gauge, so people hear when failover would start being refused (stale
 * DR copies, a record that drifted, a failing health check) and when it is ready again, and not on
 * every run in between. While DNS is already on the DR site there is nothing to be ready for: it
 * counts as ready and changes nothing.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { AwsClients } from "../aws/clients.ts";
import { lastReadiness } from "../aws/readiness-gauge.ts";
import type { Config } from "../config/index.ts";
import type { Trigger } from "../failover/plan.ts";
import type { Datapoint } from "../failover/readiness.ts";
import type { Sleeper } from "../pacing.ts";
import { type FailoverRun, runFailover } from "./failover.ts";

/** What the readiness check's dry runs say started them (never written: a dry run changes nothing). */
export const READINESS_TRIGGER: Trigger = { kind: "manual", by: "readiness-check" };

/** `lost`: was ready (or unknown), is not; `regained`: was not ready, is. */
export type ReadinessChange = "lost" | "regained";

/**
 * No earlier point counts as "was ready": a first check (or one after two hours of silence) that
 * finds failover not ready says so once, and one that finds it ready stays quiet.
 * @example readinessChange(1, false) // "lost"
 */
export function readinessChange(previous: number | undefined, ready: boolean): ReadinessChange | undefined {
  const wasReady = previous === undefined || previous >= 1;
  if (wasReady && !ready) return "lost";
  if (!wasReady && ready) return "regained";
  return undefined;
}

export interface ReadinessCheck {
  run: FailoverRun;
  /** The preflight passed, or DNS is already on the DR site. */
  ready: boolean;
  /** DNS already points at the DR site. */
  onDr: boolean;
  previous?: Datapoint;
  change?: ReadinessChange;
}

/**
 * @example const check = await checkReadiness({ clients, config, clock }); if (check.change === "lost") alert(…)
 */
export async function checkReadiness(input: {
  clients: AwsClients;
  config: Config;
  clock: Sleeper;
}): Promise<ReadinessCheck> {
  const { clients, config, clock } = input;
  const [previous, run] = await Promise.all([
    lastReadiness(clients.get(CloudWatchClient, config.regions.dr), new Date(clock.now())),
    runFailover({
      clients,
      config,
      clock,
      target: "dr",
      dryRun: true,
      trigger: READINESS_TRIGGER,
      reason: "scheduled readiness check",
    }),
  ]);
  const onDr = run.outcome === "nothing-to-do";
  const ready = onDr || run.outcome === "dry-run";
  const change = onDr ? undefined : readinessChange(previous?.value, ready);
  return { run, ready, onDr, ...(previous ? { previous } : {}), ...(change ? { change } : {}) };
}
