/**
 * Where a `failover`/`failback` runs: by default the deployed failover function in the DR Region
 * (invoke.ts), which has its own role, works when the primary Region is down and is what operators
 * are allowed to call; with `--local`, the same core code in this process with the operator's own
 * credentials. Both answer a FailoverResult (core/failover/result.ts), so everything after the run
 * (rendering, exit codes, --json) does not know which one ran.
 */
import type { AwsClients } from "@outpost-ops/core/aws/clients";
import type { Config } from "@outpost-ops/core/config";
import type { ManualEvent } from "@outpost-ops/core/failover/manual-event";
import type { Site } from "@outpost-ops/core/failover/records";
import { type FailoverResult, toFailoverResult } from "@outpost-ops/core/failover/result";
import { runFailover } from "@outpost-ops/core/jobs/failover";
import type { Sleeper } from "@outpost-ops/core/pacing";

/** What the run reports as it goes, for the progress lines on stderr. */
export type FailoverStep = "preflight" | "change" | "sync" | "invoke";

export interface FailoverRunner {
  /** Where it runs, for the progress line: "outpost-ops-prod-failover in us-east-1" or "locally". */
  where: string;
  /** Runs once with this event (its dryRun decides whether anything changes). */
  run(event: ManualEvent, onStep: (step: FailoverStep) => void): Promise<FailoverResult>;
}

/** The site an event points DNS at: `failover` to DR, `failback` to the primary. */
export const targetOf = (event: Pick<ManualEvent, "outpost-ops">): Site =>
  event["outpost-ops"] === "failover" ? "dr" : "primary";

/**
 * `--local`: runFailover in this process, over the operator's clients and the wall clock, triggered
 * as `manual:<caller ARN>` exactly as the function records an invocation.
 */
export function localRunner(input: {
  clients: AwsClients;
  config: Config;
  clock: Sleeper;
  /** How long to follow the change to INSYNC (default: runFailover's 5 minutes). */
  syncTimeoutMs?: number;
}): FailoverRunner {
  return {
    where: "locally, with your credentials",
    async run(event, onStep) {
      const target = targetOf(event);
      const run = await runFailover({
        clients: input.clients,
        config: input.config,
        target,
        trigger: { kind: "manual", by: event.requestedBy },
        reason: event.reason,
        force: event.force,
        dryRun: event.dryRun,
        clock: input.clock,
        ...(input.syncTimeoutMs !== undefined ? { syncTimeoutMs: input.syncTimeoutMs } : {}),
        onStep: (step) => onStep(step === "change" || step === "sync" ? step : "preflight"),
      });
      return toFailoverResult(run, target);
    },
  };
}
