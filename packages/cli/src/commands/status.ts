/**
 * `status`: every protected resource of every policy copying to one destination (regions.dr, or the
 * `copy.alsoTo` Region `--destination` names), its newest recovery point on the Outpost, in the
 * primary Region and in that destination, whether the latter is within the policy's RPO, and if not,
 * why. Read-only: the same state read and recovery points as the copy scheduler
 * (core/jobs/copy.ts readCopyState, recoveryOf), but it never starts, tags or deletes anything.
 * With a failover section it adds the failover preflight towards DR (status-failover.ts).
 */
import { type Config, copyRegions, type ResourceKind } from "@outpost-ops/core/config";
import { copyView } from "@outpost-ops/core/copy/destinations";
import { COPY_LIMITS, type CopyService, MAX_COPY_ATTEMPTS, serviceOf } from "@outpost-ops/core/copy/plan";
import { formatAge, type RecoveryPoint, type ResourceRecovery } from "@outpost-ops/core/copy/recovery";
import { type CopyState, readCopyState, recoveryOf } from "@outpost-ops/core/jobs/copy";
import type { ReasonCode } from "@outpost-ops/core/reasons";
import { noPaint, type Paint, paintFor } from "../colour.ts";
import type { CommandContext } from "../context.ts";
import { ExitCode, readOnlyAwsProblem } from "../failure.ts";
import { table, toJson } from "../format.ts";
import { counter, silentCounter } from "../progress.ts";
import { readFailoverStatus, renderFailoverStatus, type StatusFailover } from "./status-failover.ts";

/**
 * `status`'s exit codes: 0 every resource within its RPO and every destination key usable; 4 needs
 * attention (a resource behind its RPO or without any DR copy, a destination KMS key unusable, or a
 * failover that would be refused);
 * 1 AWS refused a call or no credentials; 2 usage; 3 config. 4 is status's own, so that a script can
 * tell "DR is behind" from "status could not find out" (1).
 */
export const StatusExit = { ok: ExitCode.done, needsAttention: 4 } as const;

export interface StatusPoint {
  snapshotId: string;
  at: Date;
  /** Age at the evaluation time (`--at`, default now); 0 for a point taken after it. */
  ageMs: number;
}

export interface StatusResource {
  policy: string;
  resource: string;
  rpo: string;
  rpoMs: number;
  local?: StatusPoint;
  regional?: StatusPoint;
  dr?: StatusPoint;
  withinRpo: boolean;
  code: ReasonCode;
  reason: string;
}

export interface StatusReport {
  at: Date;
  sourceRegion: string;
  destination: string;
  /** Every Region copies go to (regions.dr first): `--destination` reports on another. */
  destinations: string[];
  /** Every resource of every policy copying here has a copy here younger than its RPO. */
  withinRpo: boolean;
  /** withinRpo is false, a destination key is unusable, or a failover would be refused: exit code 4. */
  needsAttention: boolean;
  /** Per service: our copies in flight into the destination, and what waits. */
  copies: Record<
    CopyService,
    {
      limit: number;
      inFlight: number;
      /** Have a free slot: the copy scheduler starts them on its next run (status starts none). */
      ready: number;
      queued: number;
      blocked: number;
      exhausted: number;
    }
  >;
  /** Completed snapshots never copied because a newer one of the same resource and schedule is. */
  superseded: number;
  keys: { arn: string; usable: boolean; unknown?: true; problem?: string; policies: string[] }[];
  policies: {
    name: string;
    resource: ResourceKind;
    rpo: string;
    /** The schedules whose snapshots are copied. */
    schedules: string[];
    resources: number;
    behind: number;
  }[];
  resources: StatusResource[];
  /** With a failover section: the failover preflight towards DR (status-failover.ts). */
  failover?: StatusFailover;
}

function point(p: RecoveryPoint | undefined, at: Date): StatusPoint | undefined {
  if (!p) return undefined;
  return { snapshotId: p.snapshotId, at: p.at, ageMs: Math.max(0, at.getTime() - p.at.getTime()) };
}

/**
 * The report `status` prints, from a state read and its recovery points. Pure.
 * @example statusReport(config, state, recoveryOf(state, config)).needsAttention
 */
export function statusReport(
  config: Config,
  state: CopyState,
  recovery: readonly ResourceRecovery[],
): StatusReport {
  const { plan } = state;
  // The policies copying to this destination, each with its key here.
  const copying = copyView(config, state.destination).policies.filter((p) => p.copy);
  const resources: StatusResource[] = recovery.map((r) => {
    const rpo = copying.find((p) => p.name === r.policy)?.copy?.rpo ?? formatAge(r.rpoMs);
    const local = point(r.local, state.at);
    const regional = point(r.regional, state.at);
    const dr = point(r.dr, state.at);
    return {
      policy: r.policy,
      resource: r.resource,
      rpo,
      rpoMs: r.rpoMs,
      ...(local ? { local } : {}),
      ...(regional ? { regional } : {}),
      ...(dr ? { dr } : {}),
      withinRpo: r.withinRpo,
      code: r.code,
      reason: r.reason,
    };
  });
  const service = (s: CopyService) => ({
    limit: COPY_LIMITS[s],
    inFlight: plan.inFlight[s].length,
    ready: plan.start.filter((r) => serviceOf(r.kind) === s).length,
    queued: plan.queued.filter((r) => serviceOf(r.kind) === s).length,
    blocked: plan.blocked.filter((b) => serviceOf(b.request.kind) === s).length,
    exhausted: plan.exhausted.filter((e) => serviceOf(e.request.kind) === s).length,
  });
  const keys = [...state.keys.values()].map((k) => ({
    arn: k.arn,
    usable: k.usable,
    ...(k.unknown ? { unknown: true as const } : {}),
    ...(k.problem ? { problem: k.problem } : {}),
    policies: copying.filter((p) => p.copy?.kmsKeyArn === k.arn).map((p) => p.name),
  }));
  const withinRpo = resources.every((r) => r.withinRpo);
  return {
    at: state.at,
    sourceRegion: state.sourceRegion,
    destination: state.destination,
    destinations: copyRegions(config),
    withinRpo,
    needsAttention: !withinRpo || keys.some((k) => !k.usable),
    copies: { ebs: service("ebs"), rds: service("rds") },
    superseded: plan.superseded,
    keys,
    policies: copying.map((p) => {
      const mine = resources.filter((r) => r.policy === p.name);
      return {
        name: p.name,
        resource: p.resource,
        rpo: p.copy?.rpo ?? "",
        schedules: p.copy?.schedules ?? p.schedules.map((s) => s.name),
        resources: mine.length,
        behind: mine.filter((r) => !r.withinRpo).length,
      };
    }),
    resources,
  };
}

function pointCell(p: StatusPoint | undefined): string {
  if (!p) return "-";
  return `${p.snapshotId} ${p.at.toISOString().slice(0, 16)}Z (${formatAge(p.ageMs)})`;
}

function copiesLine(name: string, c: StatusReport["copies"][CopyService]): string {
  const extra = [
    c.blocked ? `${c.blocked} blocked by a KMS key` : "",
    c.exhausted ? `${c.exhausted} failed ${MAX_COPY_ATTEMPTS} times (not retried)` : "",
  ].filter(Boolean);
  return `  ${name}: ${c.inFlight}/${c.limit} in flight, ${c.ready} ready to start, ${c.queued} queued${extra.length ? `, ${extra.join(", ")}` : ""}`;
}

/** The report for a person: a header (copies, keys, totals), then one table per policy. */
export function renderStatus(report: StatusReport, paint: Paint = noPaint): string {
  const behind = report.resources.filter((r) => !r.withinRpo).length;
  const within = report.resources.length - behind;
  const lines = [
    `DR recovery points as of ${report.at.toISOString()}: ${report.sourceRegion} -> ${report.destination}`,
    `Copies into ${report.destination}:`,
    copiesLine("EBS", report.copies.ebs),
    copiesLine("RDS/Aurora", report.copies.rds),
  ];
  if (report.superseded > 0)
    lines.push(`  ${report.superseded} older snapshot(s) superseded by a newer one of the same resource`);
  lines.push(`KMS keys in ${report.destination}:`);
  for (const k of report.keys)
    lines.push(
      k.unknown
        ? `  ${paint.yellow("unknown")}   ${k.arn} (${k.policies.join(", ")}): ${k.problem ?? "not checked"}`
        : k.usable
          ? `  ${paint.green("usable")}    ${k.arn} (${k.policies.join(", ")})`
          : // The problem names the key first; once is enough on this line.
            `  ${paint.red("UNUSABLE")}  ${k.arn} (${k.policies.join(", ")}): ${(k.problem ?? "cannot be used").replace(`KMS key ${k.arn} `, "")}`,
    );
  const total = `${report.resources.length} resource(s) in ${report.policies.length} copy polic${report.policies.length === 1 ? "y" : "ies"}: ${within} within RPO, ${behind} behind.`;
  lines.push(behind > 0 ? paint.yellow(total) : paint.green(total));
  const others = report.destinations.filter((d) => d !== report.destination);
  if (others.length > 0)
    lines.push(
      `Also copied to ${others.join(", ")}: ${others.map((d) => `npx outpost-ops status --destination ${d}`).join("; ")}`,
    );
  for (const p of report.policies) {
    lines.push(
      "",
      `Policy ${p.name} (${p.resource}, RPO ${p.rpo}, copies ${p.schedules.join(", ")}): ${p.resources} resource(s), ${p.behind} behind`,
    );
    const rows = report.resources
      .filter((r) => r.policy === p.name)
      .map((r) => [
        r.resource,
        pointCell(r.local),
        pointCell(r.regional),
        pointCell(r.dr),
        r.withinRpo ? paint.green("ok") : paint.red("BEHIND"),
        r.code,
        r.reason,
      ]);
    if (rows.length > 0)
      lines.push(table(["resource", "local (Outpost)", "regional", "DR", "state", "code", "reason"], rows));
    else lines.push("  no protected resources yet (the policy selects nothing, and nothing was copied)");
  }
  if (report.failover) lines.push("", renderFailoverStatus(report.failover, paint));
  return lines.join("\n");
}

/** The permissions `status` needs: the read-only part of the copy scheduler's (README, IAM). */
const READS =
  "ec2:DescribeSnapshots and rds:DescribeDBSnapshots/DescribeDBClusterSnapshots in the primary Region and the destination; ec2:DescribeVolumes/DescribeInstances and rds:DescribeDBInstances/DescribeDBClusters in the primary Region; kms:DescribeKey on the copy keys";

/** An AWS or credentials error as `status` says it (it only reads: nothing to undo, no --dry-run). */
export function statusAwsProblem(error: unknown): string | undefined {
  return readOnlyAwsProblem(error, "status", READS);
}

const NO_COPY_POLICIES =
  "No policy in the config copies to the DR Region (none has a `copy` rule), so there are no DR recovery points to report. Add `copy: { rpo, kmsKeyArn }` to a policy (README, Config reference).";

export async function status(ctx: CommandContext, destination?: string): Promise<number> {
  const { config } = ctx;
  const destinations = copyRegions(config);
  if (destination !== undefined && !destinations.includes(destination)) {
    ctx.io.stderr.write(
      `--destination ${destination} is not a Region the config copies to (${destinations.join(", ") || "none"}): name regions.dr or a copy.alsoTo Region.\n`,
    );
    return ExitCode.refused;
  }
  const failover = () =>
    readFailoverStatus({ clients: ctx.clients, config, now: ctx.now, problemOf: statusAwsProblem });
  if (destinations.length === 0) {
    // Failover may still be configured (records, health checks): its readiness is worth a look.
    const f = await failover();
    ctx.out(
      ctx.json
        ? toJson({
            at: ctx.now,
            sourceRegion: config.regions.primary,
            destination: config.regions.dr,
            destinations,
            withinRpo: true,
            needsAttention: f?.state === "refused",
            message: NO_COPY_POLICIES,
            policies: [],
            resources: [],
            ...(f ? { failover: f } : {}),
          })
        : [NO_COPY_POLICIES, ...(f ? ["", renderFailoverStatus(f, ctx.paint)] : [])].join("\n"),
    );
    return exitWith(false, f);
  }
  const progress = ctx.json ? silentCounter : counter("reading", ctx.io.stderr);
  let state: CopyState;
  // Read alongside the copies: a few Route 53 and CloudWatch calls, independent of them.
  const readingFailover = failover();
  try {
    state = await readCopyState({
      clients: ctx.clients,
      config,
      now: ctx.now,
      destination: destination ?? config.regions.dr,
      withResources: true,
      // The operator may not be allowed to describe the keys: that says nothing about the key.
      keyDenied: "unknown",
      onProgress: (what, count) => progress.update(what, count),
    });
  } catch (error) {
    progress.end();
    // Its answer no longer matters, but a rejection left unawaited would end the process.
    await readingFailover.catch(() => undefined);
    const problem = statusAwsProblem(error);
    if (!problem) throw error;
    ctx.io.stderr.write(`${paintFor(ctx.io.stderr, ctx.io.env).red(problem)}\n`);
    return ExitCode.failed;
  }
  progress.end();
  const report = statusReport(config, state, recoveryOf(state, config));
  const f = await readingFailover;
  if (f) {
    report.failover = f;
    if (f.state === "refused") report.needsAttention = true;
  }
  ctx.out(ctx.json ? toJson(report) : renderStatus(report, ctx.paint));
  return exitWith(report.needsAttention, f);
}

/**
 * 4 when something needs attention (now also: a failover would be refused); 1 when the failover
 * preflight could not be read and nothing else needs attention (status could not find out).
 */
function exitWith(needsAttention: boolean, failover: StatusFailover | undefined): number {
  if (needsAttention || failover?.state === "refused") return StatusExit.needsAttention;
  return failover?.state === "unknown" ? ExitCode.failed : StatusExit.ok;
}
