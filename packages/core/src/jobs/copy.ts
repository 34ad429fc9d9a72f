/**
 * The copy job, end to end, for one destination Region: read what AWS holds (the primary Region's
 * managed snapshots, the destination's copies, the destination keys), plan with the pure planner
 * (copy/plan.ts), start the copies that fit, and work out every protected resource's recovery points.
 *
 * It runs as a single writer per destination (the deployed scheduler reads one FIFO message group,
 * see packages/functions/src/jobs.ts): two runs never start copies at once, so the free slots a run
 * derives from the destination's pending copies are its own to fill. Nothing is kept between runs.
 *
 * AWS's limits are waits: ResourceLimitExceeded (20 EBS copies in flight), RDS's copy limit and
 * throttling stop further starts of that service for this run, and the next run (the next copy that
 * completes, or the schedule) tries again. A KMS refusal blocks the key for the rest of the run.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { KMSClient } from "@aws-sdk/client-kms";
import { RDSClient } from "@aws-sdk/client-rds";
import type { Alert } from "../alerts/alert.ts";
import type { AwsClients } from "../aws/clients.ts";
import {
  listedSnapshotIds,
  markFailureAlerted,
  startDbCopy,
  startEbsCopy,
  streamCopies,
} from "../aws/copy.ts";
import { streamManagedSnapshots } from "../aws/ec2.ts";
import { classifyAwsError, errorCode, errorMessage, failureCode } from "../aws/errors.ts";
import { isDestinationKeyProblem, keyHealth, keyRefused } from "../aws/kms.ts";
import { streamManagedDbSnapshots } from "../aws/rds.ts";
import type { Config, Policy } from "../config/schema.ts";
import { copyView } from "../copy/destinations.ts";
import {
  type CopyPlan,
  type CopyRequest,
  type CopyService,
  type KeyHealth,
  planCopies,
  serviceOf,
} from "../copy/plan.ts";
import { type ResourceRecovery, recoveryPoints } from "../copy/recovery.ts";
import { type Deadline, withinDeadline } from "../deadline.ts";
import type { SnapshotRecord } from "../inventory.ts";
import type { Sleeper } from "../pacing.ts";
import { compileSelector, resourceId } from "../snapshot/select.ts";
import { copyExhaustedAlert } from "./copy-alerts.ts";
import type { ItemOutcome } from "./outcome.ts";
import { collectResources } from "./snapshot.ts";

/** Everything the scheduler and `status` know about one destination, read from AWS. */
export interface CopyState {
  at: Date;
  sourceRegion: string;
  destination: string;
  sources: SnapshotRecord[];
  copies: SnapshotRecord[];
  keys: Map<string, KeyHealth>;
  plan: CopyPlan;
  /** What each copy policy selects in the primary Region now (status; undefined when not read). */
  protectedResources?: { policy: string; resource: string }[];
}

export interface CopyStateInput {
  clients: AwsClients;
  config: Config;
  now: Date;
  /** Default: config.regions.dr; any of copyRegions(config). */
  destination?: string;
  deadline?: Deadline;
  /** Also list the resources the copy policies select (a resource with no snapshot yet shows up). */
  withResources?: boolean;
  /** What DescribeKey's AccessDenied means: `unknown` for an operator's read-only look (status). */
  keyDenied?: "unusable" | "unknown";
  /** Called as pages arrive (the CLI's progress line). */
  onProgress?: (what: string, count: number) => void;
  /** Waits while EC2 lists the new copies (the drill's and tests' clock is the sandbox's). */
  clock?: Sleeper;
}

function copyPoliciesOf(config: Config): Policy[] {
  return config.policies.filter((p) => p.copy);
}

async function collect<T>(
  pages: AsyncIterable<T[]>,
  deadline: Deadline | undefined,
  what: string,
  onProgress?: (what: string, count: number) => void,
): Promise<T[]> {
  const out: T[] = [];
  for await (const page of withinDeadline(pages, deadline, what)) {
    out.push(...page);
    onProgress?.(what, out.length);
  }
  return out;
}

/**
 * @example const state = await readCopyState({ clients, config, now: new Date() })
 */
export async function readCopyState(input: CopyStateInput): Promise<CopyState> {
  const { clients, now, deadline } = input;
  const destination = input.destination ?? input.config.regions.dr;
  // Only the policies that copy here, each with this Region's key (regions.dr's or an alsoTo one's).
  const config = copyView(input.config, destination);
  const sourceRegion = config.regions.primary;
  const policies = copyPoliciesOf(config);
  const primaryEc2 = clients.get(EC2Client, sourceRegion);
  const primaryRds = clients.get(RDSClient, sourceRegion);
  const kinds = new Set(policies.map((p) => p.resource));
  const ebs = kinds.has("ebs-volume") || kinds.has("ec2-instance");
  const db = kinds.has("rds-instance") || kinds.has("aurora-cluster");

  // Local snapshots of other policies count for status (the Outpost point), so every managed one.
  const sources = [
    ...(ebs
      ? await collect(streamManagedSnapshots(primaryEc2), deadline, "source snapshots", input.onProgress)
      : []),
    ...(db
      ? await collect(streamManagedDbSnapshots(primaryRds), deadline, "source DB snapshots", input.onProgress)
      : []),
  ];
  const copies = policies.length
    ? await collect(
        streamCopies(clients.get(EC2Client, destination), clients.get(RDSClient, destination)),
        deadline,
        `copies in ${destination}`,
        input.onProgress,
      )
    : [];
  const keys = new Map<string, KeyHealth>();
  const kms = clients.get(KMSClient, destination);
  for (const arn of new Set(policies.map((p) => p.copy?.kmsKeyArn ?? ""))) {
    if (arn) keys.set(arn, await keyHealth(kms, arn, destination, input.keyDenied));
  }
  const protectedResources = input.withResources ? await readProtectedResources(input) : undefined;
  const plan = planCopies({
    sources,
    copies,
    policies: config.policies,
    sourceRegion,
    destination,
    keys,
    now,
  });
  return {
    at: now,
    sourceRegion,
    destination,
    sources,
    copies,
    keys,
    plan,
    ...(protectedResources ? { protectedResources } : {}),
  };
}

/**
 * What each copy policy (of the destination's view) selects in the primary Region now, so a resource
 * with no snapshot yet shows up in the recovery points. Not an input of the plan.
 */
async function readProtectedResources(
  input: CopyStateInput,
): Promise<{ policy: string; resource: string }[]> {
  const config = copyView(input.config, input.destination ?? input.config.regions.dr);
  const protectedResources: { policy: string; resource: string }[] = [];
  for (const policy of copyPoliciesOf(config)) {
    // The snapshot planner's own selection (RDS has no server-side tag filter), so a database
    // tagged out of the policy is not reported as protected and never snapshotted.
    const unselected = compileSelector(config, policy);
    for (const r of await collectResources(
      input.clients,
      config,
      policy,
      config.regions.primary,
      input.deadline,
    )) {
      if (unselected(r)) continue;
      // Aurora members are snapshotted through their cluster: not protected resources of their own.
      if (r.kind === "rds-instance" && r.db.clusterId) continue;
      protectedResources.push({ policy: policy.name, resource: resourceId(r) });
    }
    input.onProgress?.(`resources of ${policy.name}`, protectedResources.length);
  }
  return protectedResources;
}

/** Recovery points of every protected resource, from a state read (of its destination). */
export function recoveryOf(state: CopyState, config: Config): ResourceRecovery[] {
  return recoveryPoints({
    policies: copyView(config, state.destination).policies,
    sources: state.sources,
    copies: state.copies,
    plan: state.plan,
    ...(state.protectedResources ? { protectedResources: state.protectedResources } : {}),
    now: state.at,
  });
}

export interface CopyRun {
  state: CopyState;
  /** One per copy the plan started (or tried to), in order. */
  outcomes: ItemOutcome[];
  /** Keys as the run left them: a key a copy call refused is unusable here even if DescribeKey said it was fine. */
  keys: Map<string, KeyHealth>;
  /** Copies whose retries are spent and were not alerted before (the caller publishes these). */
  alerts: Omit<Alert, "stage">[];
  /**
   * The last failed copy of each source in `alerts`: mark them (markAlerted) once the alert is out,
   * not before, so a lost publish means a repeated alert rather than none.
   */
  toMarkAlerted: SnapshotRecord[];
  /**
   * EBS copies started but not yet listed by DescribeSnapshots when the run ended. The next run must
   * not start before they are, or it would copy their sources again: the handler hands its batch back.
   */
  unlisted: string[];
  recovery: ResourceRecovery[];
  /**
   * Why the protected resources could not be listed (after the copies were started), when they could
   * not: the recovery points then cover only the resources that have snapshots.
   */
  resourcesUnread?: string;
}

function outcome(
  request: CopyRequest,
  status: ItemOutcome["status"],
  code: ItemOutcome["code"],
  detail: string,
  snapshotIds: string[] = [],
): ItemOutcome {
  return { key: request.key, status, code, snapshotIds, detail };
}

/**
 * One scheduler run: read, plan, start what fits, and say which copies failed on every attempt and
 * were not alerted yet (the caller publishes, then markAlerted). `dryRun` reads and plans only.
 * @example const run = await runCopyScheduler({ clients, config, now: new Date(event.time) })
 */
export async function runCopyScheduler(input: CopyStateInput & { dryRun?: boolean }): Promise<CopyRun> {
  // The plan needs the snapshots, the copies and the keys; the resources the policies select only
  // add rows to the recovery points. So they are listed after the copies are started: a slot freed
  // by a completion is filled without waiting for a listing of every protected resource.
  const { withResources, ...planInput } = input;
  const planned = await readCopyState(planInput);
  const { clients } = input;
  const destination = planned.destination;
  const ec2 = clients.get(EC2Client, destination);
  const rds = clients.get(RDSClient, destination);
  const keys = new Map(planned.keys);
  const waiting = new Set<CopyService>();
  const outcomes: ItemOutcome[] = [];
  // The plan's free slots per service. A copy AWS refuses (no permission, a name taken, a source gone)
  // starts nothing, so its slot goes to the next queued copy of that service instead of waiting for
  // the next run: a refused copy at the head of the backlog cannot hold everything behind it.
  const free: Record<CopyService, number> = { ebs: 0, rds: 0 };
  for (const r of planned.plan.start) free[serviceOf(r.kind)] += 1;

  for (const request of input.dryRun ? [] : [...planned.plan.start, ...planned.plan.queued]) {
    const service = serviceOf(request.kind);
    if (free[service] === 0) continue;
    const key = keys.get(request.kmsKeyArn);
    if (key && !key.usable) {
      outcomes.push(outcome(request, "skipped", "kms-key-unusable", key.problem ?? "KMS key unusable"));
      continue;
    }
    if (waiting.has(service)) {
      outcomes.push(outcome(request, "retry", "copy-waiting", `${service} copies paused for this run`));
      continue;
    }
    try {
      const id = request.kind === "ebs" ? await startEbsCopy(ec2, request) : await startDbCopy(rds, request);
      free[service] -= 1;
      outcomes.push(
        outcome(
          request,
          "created",
          "copy-started",
          `copy ${id} of ${request.source.id} started (attempt ${request.attempt})`,
          [id],
        ),
      );
    } catch (error) {
      const text = errorMessage(error);
      const cls = classifyAwsError(error);
      if (cls === "fatal" && isDestinationKeyProblem(errorCode(error), text, request.kmsKeyArn)) {
        const refused = keyRefused(request.kmsKeyArn, destination, text);
        keys.set(request.kmsKeyArn, refused);
        outcomes.push(outcome(request, "skipped", "kms-key-unusable", refused.problem ?? text));
      } else if (cls === "quota" && errorCode(error) === "SnapshotLimitExceeded") {
        // EBS snapshots per Region, in the DR Region: only a person can raise it (errors.ts).
        outcomes.push(outcome(request, "failed", "quota-exceeded", text));
      } else if (cls === "retry-later" || cls === "quota") {
        // ResourceLimitExceeded, RDS's copy limit (SnapshotQuotaExceeded, which RDS also answers for
        // a full manual snapshot quota: the RPO alarm tells those apart), throttling: a wait.
        waiting.add(service);
        outcomes.push(outcome(request, "retry", "copy-waiting", text));
      } else if (cls === "exists") {
        outcomes.push(
          outcome(
            request,
            "exists",
            "already-copied",
            `${request.targetId} already exists in ${destination}`,
          ),
        );
      } else if (cls === "gone") {
        outcomes.push(outcome(request, "skipped", "source-not-found", text));
      } else {
        outcomes.push(outcome(request, "failed", failureCode(error), text));
      }
    }
  }

  const started = outcomes.filter((o) => o.code === "copy-started" && o.key.startsWith("ebs:"));
  const unlisted = await confirmListed(
    ec2,
    started.flatMap((o) => o.snapshotIds),
    input.clock ?? systemSleeper,
    input.deadline,
  );
  // The copies stand whatever happens here: a failed listing (the deadline, say) must not lose the
  // run's outcomes and events, so the recovery points then cover the resources that have snapshots.
  let state: CopyState = planned;
  let resourcesUnread: string | undefined;
  if (withResources) {
    try {
      state = { ...planned, protectedResources: await readProtectedResources(input) };
    } catch (error) {
      resourcesUnread = errorMessage(error);
    }
  }

  const fresh = input.dryRun ? [] : state.plan.exhausted.filter((e) => !e.alerted);
  const alert = copyExhaustedAlert(fresh, { region: destination, at: state.at });
  return {
    state,
    outcomes,
    keys,
    alerts: alert ? [alert] : [],
    toMarkAlerted: fresh.flatMap((e) => (e.failures[0] ? [e.failures[0]] : [])),
    unlisted,
    recovery: recoveryOf({ ...state, keys }, input.config),
    ...(resourcesUnread ? { resourcesUnread } : {}),
  };
}

/**
 * Tags the failed copies whose alert was published, so later runs do not alert them again. A copy
 * that cannot be tagged (deleted meanwhile, say) is reported, not thrown: its alert simply repeats.
 * @example const unmarked = await markAlerted(clients, "us-east-1", run.toMarkAlerted, now)
 */
export async function markAlerted(
  clients: AwsClients,
  destination: string,
  copies: readonly SnapshotRecord[],
  at: Date,
): Promise<{ copy: string; error: string }[]> {
  const targets = { ec2: clients.get(EC2Client, destination), rds: clients.get(RDSClient, destination) };
  const unmarked: { copy: string; error: string }[] = [];
  for (const copy of copies) {
    try {
      await markFailureAlerted(targets, copy, at);
    } catch (error) {
      unmarked.push({ copy: copy.id, error: errorMessage(error) });
    }
  }
  return unmarked;
}

const systemSleeper: Sleeper = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Backoff 1, 2, 4, 8 s, then what is left of 30 s: AWS usually lists a new snapshot within seconds. */
const CONFIRM_FIRST_WAIT_MS = 1_000;
const CONFIRM_MAX_WAIT_MS = 30_000;

/**
 * EC2's listings are eventually consistent and CopySnapshot takes no client token: a run that
 * started copies and a next run that cannot list them yet would copy the same sources again. So the
 * run waits (backing off) until DescribeSnapshots lists what it started; the single writer then
 * guarantees the next run sees them. Returns the ids still unlisted when the wait or the deadline
 * runs out (the handler then delays the next run, see copy-schedule.ts).
 */
async function confirmListed(
  ec2: EC2Client,
  ids: string[],
  clock: Sleeper,
  deadline: Deadline | undefined,
): Promise<string[]> {
  let pending = new Set(ids);
  let waited = 0;
  let wait = CONFIRM_FIRST_WAIT_MS;
  const hasTime = (ms: number) => deadline === undefined || deadline.remainingMs() > ms;
  while (pending.size > 0) {
    try {
      const listed = await listedSnapshotIds(ec2, [...pending]);
      pending = new Set([...pending].filter((id) => !listed.has(id)));
    } catch {
      // A failed listing confirms nothing this round.
    }
    const next = Math.min(wait, CONFIRM_MAX_WAIT_MS - waited);
    if (pending.size === 0 || next <= 0 || !hasTime(next)) break;
    await clock.sleep(next);
    waited += next;
    wait *= 2;
  }
  return [...pending];
}
