/**
 * One failover (or failback) run, end to end: read what Route 53 and the DR gauges say (preflight),
 * plan with the pure planner (failover/plan.ts), and unless it is a dry run or refused, submit the one
 * change batch and follow it to INSYNC, timing each step. The same code runs in the deployed
 * function (alarm or manual event), from `outpost-ops failover --local`, and in the readiness check
 * (always a dry run). Nothing is kept between runs: where DNS points and the last change are in the
 * zone itself (failover/state.ts).
 */
import { randomUUID } from "node:crypto";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { Route53Client } from "@aws-sdk/client-route-53";
import type { AwsClients } from "../aws/clients.ts";
import { errorCode, errorMessage } from "../aws/errors.ts";
import { recoveryGauges } from "../aws/recovery-gauges.ts";
import {
  changeRecords,
  healthCheckStatus,
  probeChangePermission,
  readRecordSets,
  resolveZone,
  waitInSync,
} from "../aws/route53.ts";
import type { Config, FailoverConfig } from "../config/index.ts";
import { OutpostOpsError } from "../errors.ts";
import { type FailoverInput, type FailoverPlan, planFailover, type Trigger } from "../failover/plan.ts";
import { type PolicyReadiness, policyReadiness } from "../failover/readiness.ts";
import type { Site } from "../failover/records.ts";
import { stateRecordName } from "../failover/state.ts";
import type { Sleeper } from "../pacing.ts";
import { parseDuration } from "../time.ts";

/**
 * How long a change waits for another PENDING change of the zone (Route 53 propagates within a
 * minute). With the deployed function's INSYNC wait (3 minutes) and its reporting margin, the run
 * fits in its 5-minute timeout.
 */
const BUSY_WAIT_MS = 60_000;
const BUSY_POLL_MS = 2_000;

/** When each step happened (wall-clock of the run; `alarmAt` is CloudWatch's). */
export interface Timeline {
  /** The trigger alarm's state change (automatic runs). */
  alarmAt?: Date;
  /** The run started (the event was received). */
  receivedAt: Date;
  /** The preflight finished and the decision was made. */
  decidedAt: Date;
  /** Route 53 accepted the change batch. */
  submittedAt?: Date;
  /** GetChange reported INSYNC: every Route 53 name server answers with the new records. */
  inSyncAt?: Date;
}

export type FailoverOutcome =
  /** The change is INSYNC (or submitted and still PENDING when `waitForSync` ran out). */
  | "changed"
  | "dry-run"
  | "nothing-to-do"
  | "refused"
  /** A concurrent run made the change first: this one changed nothing. */
  | "raced"
  /** Mode alert-only: the alarm's run only reports what it would do. */
  | "alert-only"
  | "failed";

export interface FailoverRun {
  plan: FailoverPlan;
  outcome: FailoverOutcome;
  changeId?: string;
  /** The change was submitted but not INSYNC within the wait. */
  pending?: true;
  error?: string;
  timeline: Timeline;
  /** The hosted zone as resolved (absent when it could not be): for audit events and console links. */
  zone?: { id: string; name: string };
}

export interface FailoverRunInput {
  clients: AwsClients;
  config: Config;
  /** `dr`: fail over; `primary`: fail back. */
  target: Site;
  trigger: Trigger;
  reason: string;
  force?: boolean;
  dryRun?: boolean;
  /** Wall clock of the run (the sandbox's in the drill and tests). */
  clock: Sleeper;
  /** How long to follow the change to INSYNC (default 5 minutes; 0: submit only). */
  syncTimeoutMs?: number;
  pollMs?: number;
  /**
   * Called as the run reaches each step (the CLI's progress line); from "change" on with the plan,
   * so the deployed function can announce the change while it is being made, not before.
   */
  onStep?: (step: string, plan?: FailoverPlan) => void;
}

/** The failover config, or the error a command on a config without one gets. */
export function failoverOf(config: Config): FailoverConfig {
  if (!config.failover)
    throw new OutpostOpsError(
      "The config has no `failover` section: there are no records to fail over. Add one (README, Failover) and redeploy.",
    );
  return config.failover;
}

/** The copy policies whose DR copies gate failover, each with the RPO they must meet at failover. */
export function policiesInScope(config: Config): { policy: string; rpoMs: number }[] {
  const failover = failoverOf(config);
  return config.policies
    .filter((p) => p.copy && (!failover.policies || failover.policies.includes(p.name)))
    .map((p) => ({ policy: p.name, rpoMs: parseDuration(failover.rpo ?? p.copy?.rpo ?? "0m") }));
}

/**
 * The permission item of a run that submits its change without a probe first: Route 53 authorizes
 * a change batch whole before applying any of it, so the change itself is the check, and a refusal
 * of it (AccessDenied) refuses the run as the probe would have.
 */
export const PERMISSION_AT_SUBMIT = {
  ok: true,
  detail: "checked by the change itself: Route 53 authorizes the whole batch before applying any of it",
};

/** Reads what the planner needs; `now` is the evaluation time. */
export async function readPreflight(
  input: Pick<FailoverRunInput, "clients" | "config" | "target" | "trigger" | "reason" | "force"> & {
    now: Date;
    runId?: string;
    /**
     * Send the permission probe (default). A run about to submit its change skips it: the change
     * is checked as the probe would be, and the probe would be one more of Route 53's 5 requests a
     * second spent before the change (P4 in BENCHMARKS.md).
     */
    probe?: boolean;
  },
): Promise<FailoverInput> {
  const { clients, config, target, now } = input;
  const failover = failoverOf(config);
  const route53 = clients.get(Route53Client, config.regions.dr);
  const base = {
    failover,
    target,
    trigger: input.trigger,
    reason: input.reason,
    force: input.force === true,
    now,
    ...(input.runId ? { runId: input.runId } : {}),
  };
  const zone = await resolveZone(route53, failover.hostedZone);
  if (!("id" in zone))
    return {
      ...base,
      zone,
      current: [],
      readiness: [],
      health: [],
      permission: { ok: false, detail: "not checked" },
    };
  const stateName = stateRecordName(zone.name);
  // Every set of each name and type: a failover pair's SECONDARY comes with its PRIMARY.
  const wanted = [
    ...failover.records.map((r) => ({ name: r.name, type: r.type })),
    { name: stateName, type: "TXT" },
  ];
  const [current, readiness, health, permission] = await Promise.all([
    readRecordSets(route53, zone.id, wanted),
    target === "dr" ? readReadiness(clients, config, now) : Promise.resolve([]),
    Promise.all(
      failover.records
        .map((r) => (target === "dr" ? r.drHealthCheckId : r.primaryHealthCheckId))
        .filter((id): id is string => id !== undefined)
        .filter((id, i, all) => all.indexOf(id) === i)
        .map((id) => healthCheckStatus(route53, id)),
    ),
    input.probe === false
      ? Promise.resolve(PERMISSION_AT_SUBMIT)
      : probeChangePermission(route53, zone.id, wanted, randomUUID().replaceAll("-", "")),
  ]);
  return { ...base, zone, current, readiness, health, permission };
}

async function readReadiness(clients: AwsClients, config: Config, now: Date): Promise<PolicyReadiness[]> {
  const scope = policiesInScope(config);
  const gauges = await recoveryGauges(
    clients.get(CloudWatchClient, config.regions.dr),
    scope.map((s) => s.policy),
    now,
  );
  return scope.map((s) => policyReadiness({ ...s, ...gauges.get(s.policy) }, now));
}

/**
 * @example const run = await runFailover({ clients, config, target: "dr", trigger, reason: "service link down", clock })
 */
export async function runFailover(input: FailoverRunInput): Promise<FailoverRun> {
  const { clients, config, clock } = input;
  const receivedAt = new Date(clock.now());
  const alarmAt = input.trigger.kind === "alarm" ? { alarmAt: input.trigger.alarmAt } : {};
  input.onStep?.("preflight");
  const runId = randomUUID();
  // A run that will submit (not a dry run, not an alarm's in alert-only mode) lets the change be its
  // own permission check; the others probe, to report it.
  const probe =
    input.dryRun === true || (input.trigger.kind === "alarm" && failoverOf(config).mode === "alert-only");
  let preflight = await readPreflight({ ...input, now: receivedAt, runId, probe });
  let plan = planFailover(preflight);
  if (!probe && plan.decision === "refused") {
    // A refusal reports every item, the permission too, so that fixing the others is not followed by
    // another refusal for it: read again with the probe (the fast path, a change, never gets here).
    preflight = await readPreflight({ ...input, now: receivedAt, runId, probe: true });
    plan = planFailover(preflight);
  }
  const timeline: Timeline = { ...alarmAt, receivedAt, decidedAt: new Date(clock.now()) };
  const zone = "id" in preflight.zone ? { zone: preflight.zone } : {};
  const done = (outcome: FailoverOutcome, extra: Partial<FailoverRun> = {}): FailoverRun => ({
    plan,
    outcome,
    timeline,
    ...zone,
    ...extra,
  });
  if (plan.decision === "nothing-to-do") return done("nothing-to-do");
  if (plan.decision === "refused") return done("refused");
  if (input.trigger.kind === "alarm" && failoverOf(config).mode === "alert-only") return done("alert-only");
  if (input.dryRun) return done("dry-run");

  const route53 = clients.get(Route53Client, config.regions.dr);
  const zoneId = "id" in preflight.zone ? preflight.zone.id : "";
  const comment = `outpost-ops ${input.target === "dr" ? "failover" : "failback"} (${plan.next.by})`;
  input.onStep?.("change", plan);
  let changeId: string | undefined;
  let batch = plan.changes;
  const busyUntil = clock.now() + BUSY_WAIT_MS;
  while (changeId === undefined) {
    try {
      ({ changeId } = await changeRecords(route53, zoneId, batch, comment));
    } catch (error) {
      const code = errorCode(error);
      // Not allowed to change the records: nothing was applied; refused as the probe refuses.
      if (/AccessDenied/.test(code)) {
        preflight = {
          ...preflight,
          permission: {
            ok: false,
            detail: `may not change the records in zone ${zoneId}: ${errorMessage(error)}`,
          },
        };
        plan = planFailover(preflight);
        return plan.decision === "refused" ? done("refused") : done("failed", { error: errorMessage(error) });
      }
      // Another change to the zone is still PENDING (the SDK's own retries ran out): wait for it.
      const busy = code === "PriorRequestNotComplete" && clock.now() < busyUntil;
      if (code !== "InvalidChangeBatch" && !busy) return done("failed", { error: errorMessage(error) });
      if (busy) await clock.sleep(BUSY_POLL_MS);
      // Either way the zone may have changed under us: plan again from what it holds now. The values
      // an InvalidChangeBatch deleted are gone because another run changed them first.
      preflight = await readPreflight({ ...input, now: new Date(clock.now()), runId, probe });
      const again = planFailover(preflight);
      if (again.decision === "nothing-to-do") {
        // Our own batch, applied once already: Route 53 accepted it but its answer was lost, and the
        // SDK's retry of the same batch found the values gone. The state record then carries this
        // run's id: report the change (without its id, so it cannot be followed to INSYNC).
        const ours = again.state?.run !== undefined && again.state.run === runId;
        return ours ? done("changed", { pending: true }) : done("raced");
      }
      if (!busy || again.decision !== "change") return done("failed", { error: errorMessage(error) });
      plan = again;
      batch = again.changes;
    }
  }
  timeline.submittedAt = new Date(clock.now());
  const syncTimeoutMs = input.syncTimeoutMs ?? 5 * 60_000;
  if (syncTimeoutMs <= 0) return done("changed", { changeId, pending: true });
  input.onStep?.("sync", plan);
  const inSyncAt = await waitInSync(route53, changeId, clock, {
    timeoutMs: syncTimeoutMs,
    ...(input.pollMs !== undefined ? { pollMs: input.pollMs } : {}),
  });
  if (inSyncAt) timeline.inSyncAt = inSyncAt;
  return done("changed", { changeId, ...(inSyncAt ? {} : { pending: true as const }) });
}
