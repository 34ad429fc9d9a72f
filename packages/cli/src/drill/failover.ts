/**
 * The drill's failover phase, modelled on the copy phase's watch (copies.ts): it plays the factory's
 * service link (failover-script.ts) on the user's trigger alarm in the primary Region, lets the
 * deployments' rules carry the alarm's state changes (forwarded to the DR Region, to the failover
 * function), and records, around the DR deployment's real handlers, what each run answered and how
 * long it took on the wall clock. An operator fails back by command through the CLI's own code (the
 * manual event, Lambda Invoke of `outpost-ops-drill-failover`). What happened to DNS is read from
 * the sandbox's Route 53 (its accepted changes, the records), not from what the function says.
 */
import { performance } from "node:perf_hooks";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { Route53Client } from "@aws-sdk/client-route-53";
import type { AwsClients } from "@outpost-ops/core/aws/clients";
import type { Config } from "@outpost-ops/core/config";
import { formatAge } from "@outpost-ops/core/copy/recovery";
import { type FailoverResult, parseFailoverResult } from "@outpost-ops/core/failover/result";
import { readCopyState, recoveryOf } from "@outpost-ops/core/jobs/copy";
import { policiesInScope } from "@outpost-ops/core/jobs/failover";
import type { Sandbox } from "@outpost-ops/sandbox";
import { failoverFunctionName } from "../failover/invoke.ts";
import { drillClients } from "./clients.ts";
import { type CommandRun, failBackByCommand } from "./failover-command.ts";
import { type DnsView, differencesFromPrimary, dnsView } from "./failover-dns.ts";
import { type FailoverEstate, triggerAlarmCommand } from "./failover-estate.ts";
import {
  CONNECTED_HISTORY_MS,
  connectedStatus,
  type FailoverScript,
  scriptSteps,
} from "./failover-script.ts";
import { type Handler, lambdaContext } from "./lambda.ts";
import type { RegionDeployment } from "./simulate.ts";
import { drillHandlers, sandboxClock } from "./wiring.ts";

/** The deployed failover function's name in stage "drill": what `outpost-ops failback --stage drill` invokes. */
export const DRILL_FAILOVER_FUNCTION = failoverFunctionName("drill");

/** A copy policy's DR recovery points when a run started. */
export interface PolicyRecovery {
  policy: string;
  rpo: string;
  /** Age of its oldest resource's newest DR point ("never": a resource without one). */
  oldestDrAge: string;
  oldestDrAgeMs: number;
  withinRpo: boolean;
}

/** One invocation of the failover function, as it answered and as measured around it. */
export interface FailoverRunRecord {
  /** Sandbox time it was invoked. */
  at: string;
  by: "alarm" | "command" | "other";
  /** The run's outcome, `ignored` (not a trigger), or `error` (it threw). */
  outcome: string;
  code?: string;
  /** The failed preflight checks, as reported. */
  failed: string[];
  timeline?: FailoverResult["timeline"];
  /** Wall-clock ms from the invocation to Route 53 accepting the change (absent: none submitted). */
  toolWallMs?: number;
  /** Wall-clock ms of the whole invocation (its wait for INSYNC is sandbox time: no wall time). */
  wallMs: number;
  /** Change batches Route 53 accepted for the zone during the invocation. */
  changes: number;
  /** Runs that found DNS on the primary site: each copy policy's DR recovery points then. */
  recovery?: PolicyRecovery[];
}

/** One readiness check, as it answered. */
export interface ReadinessRecord {
  at: string;
  ready: boolean;
  change?: string;
  code?: string;
}

/** The operator's failback, through the CLI's invoke path. */
export interface FailbackRecord extends CommandRun {
  at: string;
  dnsBefore: DnsView;
  dnsAfter: DnsView;
  /** Differences from the records as seeded (empty: exactly the configured primary ones). */
  differences: string[];
  changes: number;
}

export class FailoverPhase {
  readonly runs: FailoverRunRecord[] = [];
  readonly readiness: ReadinessRecord[] = [];
  /** Where DNS pointed at each moment the script names (the drop and end of each scenario). */
  readonly dns = new Map<number, DnsView>();
  failback?: FailbackRecord;
  /** Wall-clock time Route 53 last accepted a change of the failover function (its own clients). */
  private acceptedAt?: number;

  constructor(
    private readonly sandbox: Sandbox,
    private readonly config: Config,
    readonly estate: FailoverEstate,
    readonly script: FailoverScript,
    private readonly access: {
      endpoint: string;
      credentials: { accessKeyId: string; secretAccessKey: string };
    },
  ) {}

  /** The minutes the simulation must step at for the script. */
  steps(): Date[] {
    return scriptSteps(this.script);
  }

  /**
   * The Outposts side and the user's side: every minute's ConnectedStatus of each watched Outpost
   * over the span (AWS/Outposts cannot be written with PutMetricData, so through the sandbox's
   * seed), then the trigger alarms on it, created as the user would (PutMetricAlarm).
   */
  async prepare(input: { clients: AwsClients; start: Date; end: Date }): Promise<void> {
    const from = new Date(input.start.getTime() - CONNECTED_HISTORY_MS);
    const points = connectedStatus(this.script, from, input.end);
    const outposts = [...new Set(this.estate.alarms.map((a) => a.outpostId))];
    this.sandbox.seed({
      metrics: outposts.map((id) => ({
        region: this.config.regions.primary,
        namespace: "AWS/Outposts",
        name: "ConnectedStatus",
        dimensions: { OutpostId: id },
        points,
      })),
    });
    for (const alarm of this.estate.alarms)
      await input.clients.get(CloudWatchClient, alarm.region).send(triggerAlarmCommand(alarm));
  }

  /**
   * Puts the recorders around the DR deployment's failover and readiness handlers (the rules and the
   * Lambda Invoke of the failback call these), and registers the failover function with the
   * sandbox's Lambda under its deployed name.
   */
  wire(dr: RegionDeployment, clients: AwsClients): void {
    const timed = this.timedClients();
    const own = drillHandlers(this.config, timed, dr.infra, sandboxClock(this.sandbox));
    const failover = this.record(own.failover, clients);
    dr.handlers.failover = failover;
    dr.handlers.failoverReadiness = this.recordReadiness(dr.handlers.failoverReadiness);
    this.sandbox.lambda.register(
      DRILL_FAILOVER_FUNCTION,
      (event, context) => failover(event, lambdaContext(context.functionName)),
      { region: this.config.regions.dr, timeoutMs: 60_000 },
    );
  }

  /** At the script's moments: note where DNS points, and fail back when it is time. */
  async onStep(at: Date): Promise<void> {
    const t = at.getTime();
    const { ready, stale } = this.script;
    for (const o of [stale, ready])
      if (o && (t === o.dropAt.getTime() || t === o.restoredAt.getTime())) this.noteDns(at);
    if (ready && t === ready.failbackAt.getTime()) await this.runFailback(at);
  }

  changeCount(): number {
    return this.sandbox.state.route53Changes(this.estate.zone.id).length;
  }

  private noteDns(at: Date): void {
    this.dns.set(at.getTime(), dnsView(this.sandbox, this.config, this.estate));
  }

  /**
   * The failover function's clients: the drill's, its own instances, with Route 53's acceptance of a
   * change timed on the wall clock (the sandbox clock stands still while a handler computes, so the
   * run's own timeline cannot show the tool's time).
   */
  private timedClients(): AwsClients {
    const inner = drillClients(this.access);
    const timed = new WeakSet<object>();
    return {
      get: (Class, where) => {
        const client = inner.get(Class, where);
        if (client instanceof Route53Client && !timed.has(client)) {
          timed.add(client);
          client.middlewareStack.add(
            (next, context) => async (args) => {
              const out = await next(args);
              if (context.commandName === "ChangeResourceRecordSetsCommand")
                this.acceptedAt = performance.now();
              return out;
            },
            { step: "initialize", name: "drillTimeAcceptedChange" },
          );
        }
        return client;
      },
    };
  }

  /**
   * The handler, recording each invocation: what it answered, its wall-clock time, and the changes
   * Route 53 accepted meanwhile (so a function that changed DNS twice in one run is seen to).
   */
  record(handler: Handler, clients: AwsClients): Handler {
    return async (event, context) => {
      const by = kindOf(event);
      const at = this.sandbox.clock.now();
      const onPrimary = dnsView(this.sandbox, this.config, this.estate).site === "primary";
      const recovery = by === "alarm" && onPrimary ? await this.recoveryAt(clients, at) : undefined;
      const before = this.changeCount();
      this.acceptedAt = undefined;
      const started = performance.now();
      let answer: unknown;
      let thrown: unknown;
      try {
        answer = await handler(event, context);
      } catch (error) {
        thrown = error;
      }
      const wallMs = performance.now() - started;
      const accepted = this.acceptedAt;
      const result = resultOf(answer);
      this.runs.push({
        at: at.toISOString(),
        by,
        outcome: thrown ? "error" : (result?.outcome ?? "ignored"),
        ...(result ? { code: result.code, timeline: result.timeline } : {}),
        failed: result?.items.filter((i) => !i.ok).map((i) => `${i.code}: ${i.detail}`) ?? [],
        ...(accepted !== undefined ? { toolWallMs: accepted - started } : {}),
        wallMs,
        changes: this.changeCount() - before,
        ...(recovery ? { recovery } : {}),
      });
      if (thrown) throw thrown;
      return answer;
    };
  }

  private recordReadiness(handler: Handler): Handler {
    return async (event, context) => {
      const at = this.sandbox.clock.now().toISOString();
      const answer = (await handler(event, context)) as { ready: boolean; change?: string; code?: string };
      this.readiness.push({
        at,
        ready: answer.ready,
        ...(answer.change ? { change: answer.change } : {}),
        ...(answer.code ? { code: answer.code } : {}),
      });
      return answer;
    };
  }

  /** Each copy policy in failover's scope: its oldest DR point, read as `outpost-ops status` reads it. */
  private async recoveryAt(clients: AwsClients, now: Date): Promise<PolicyRecovery[]> {
    const scope = policiesInScope(this.config);
    if (scope.length === 0) return [];
    const state = await readCopyState({ clients, config: this.config, now, withResources: true });
    const rows = recoveryOf(state, this.config);
    return scope.map(({ policy, rpoMs }) => {
      const ages = rows.filter((r) => r.policy === policy).map((r) => r.drAgeMs ?? Number.POSITIVE_INFINITY);
      const oldest = ages.length ? Math.max(...ages) : Number.POSITIVE_INFINITY;
      return {
        policy,
        rpo: formatAge(rpoMs),
        oldestDrAge: formatAge(oldest),
        oldestDrAgeMs: oldest,
        withinRpo: oldest <= rpoMs,
      };
    });
  }

  /** The operator's failback (failover-command.ts), with where DNS pointed before and after. */
  private async runFailback(at: Date): Promise<void> {
    const dnsBefore = dnsView(this.sandbox, this.config, this.estate);
    const before = this.changeCount();
    const command = await failBackByCommand({
      sandbox: this.sandbox,
      config: this.config,
      endpoint: this.access.endpoint,
      at,
      functionName: DRILL_FAILOVER_FUNCTION,
    });
    this.failback = {
      at: at.toISOString(),
      ...command,
      dnsBefore,
      dnsAfter: dnsView(this.sandbox, this.config, this.estate),
      differences: differencesFromPrimary(this.sandbox, this.estate),
      changes: this.changeCount() - before,
    };
  }
}

/** What started an invocation: an EventBridge event (the trigger alarms' rules) or the manual event. */
function kindOf(event: unknown): FailoverRunRecord["by"] {
  if (event && typeof event === "object") {
    if ("source" in event) return "alarm";
    if ("outpost-ops" in event) return "command";
  }
  return "other";
}

/** The function's answer as a FailoverResult, or undefined for an ignored event. */
function resultOf(answer: unknown): FailoverResult | undefined {
  if (!answer || typeof answer !== "object" || "ignored" in answer) return undefined;
  return parseFailoverResult(answer);
}
