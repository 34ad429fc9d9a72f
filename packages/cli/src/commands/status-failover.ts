/**
 * `status`'s "Failover readiness" section: the failover preflight as a dry run towards the DR site
 * (core readPreflight + planFailover, the same the failover function and its readiness schedule
 * run), so that a refusal (stale DR copies, a drifted record, a failing health check) shows here,
 * and exits 4, before anyone needs the failover. When DNS already points at DR it says since when.
 *
 * It runs with the operator's credentials, which are not the failover function's role: a permission
 * probe refused for the operator says nothing about the function, so it is shown but does not count
 * as "would be refused". (The probe is a change batch that cannot apply: nothing is changed.)
 */

import type { AwsClients } from "@outpost-ops/core/aws/clients";
import type { Config } from "@outpost-ops/core/config";
import { type FailoverPlan, type PreflightItem, planFailover } from "@outpost-ops/core/failover/plan";
import { describeTarget } from "@outpost-ops/core/failover/records";
import { readPreflight } from "@outpost-ops/core/jobs/failover";
import type { ReasonCode } from "@outpost-ops/core/reasons";
import { noPaint, type Paint } from "../colour.ts";

export interface StatusFailover {
  /**
   * `ready`: a failover now would go ahead; `on-dr`: DNS already points at the DR site; `refused`: a
   * failover now would be refused (needs attention); `unknown`: the preflight could not be read.
   */
  state: "ready" | "on-dr" | "refused" | "unknown";
  /** Where the failover function runs (regions.dr). */
  region: string;
  /** `failover-ready`, `already-on-site`, the first blocking check's code, or `permission-denied` (unknown). */
  code: ReasonCode;
  /** One sentence for the state. */
  detail: string;
  /** On DR: the state record's last change. */
  since?: Date;
  by?: string;
  reason?: string;
  forced?: boolean;
  /** The preflight, item by item (absent when unknown). */
  items: PreflightItem[];
  /** Each configured record and where it points now. */
  records: { record: string; site: string; current: string }[];
}

/** The operator's permission probe: not the function's (see the module comment). */
const OPERATOR_ONLY = new Set<PreflightItem["check"]>(["permissions"]);

/**
 * The section from a failover plan towards DR. Pure.
 * @example failoverStatus(planFailover(await readPreflight(input)), "us-east-1").state // "ready"
 */
export function failoverStatus(plan: FailoverPlan, region: string): StatusFailover {
  const records = plan.moves.map((m) => ({
    record: m.label,
    site: m.site,
    current: describeTarget(m.current),
  }));
  const base = { region, items: plan.items, records };
  if (plan.decision === "nothing-to-do") {
    const s = plan.state?.site === "dr" ? plan.state : undefined;
    return {
      ...base,
      state: "on-dr",
      code: plan.code,
      detail: s
        ? `DNS points at the DR site since ${s.at.toISOString()} (by ${s.by}: ${s.reason}${s.forced ? "; forced" : ""}); fail back with npx outpost-ops failback --stage NAME`
        : "DNS points at the DR site (no state record says since when); fail back with npx outpost-ops failback --stage NAME",
      ...(s ? { since: s.at, by: s.by, reason: s.reason, forced: s.forced } : {}),
    };
  }
  const blocking = plan.items.filter((i) => !i.ok && !OPERATOR_ONLY.has(i.check));
  const first = blocking[0];
  if (first)
    return {
      ...base,
      state: "refused",
      code: first.code,
      detail: `a failover now would be refused: ${blocking.map((i) => i.detail).join("; ")}`,
    };
  const operator = plan.items.find((i) => !i.ok && OPERATOR_ONLY.has(i.check));
  return {
    ...base,
    state: "ready",
    code: "failover-ready",
    detail: `a failover now would go ahead${operator ? " (your own credentials may not change the records: the deployed function uses its own role; --local would be refused)" : ""}`,
  };
}

/** Reads the preflight; an AWS refusal becomes `unknown` with `problem` (status still reports the rest). */
export async function readFailoverStatus(input: {
  clients: AwsClients;
  config: Config;
  now: Date;
  /** Says an AWS error for a person; undefined for an error that is a bug (rethrown). */
  problemOf: (error: unknown) => string | undefined;
}): Promise<StatusFailover | undefined> {
  const { config } = input;
  if (!config.failover) return undefined;
  try {
    const preflight = await readPreflight({
      clients: input.clients,
      config,
      target: "dr",
      trigger: { kind: "manual", by: "status" },
      reason: "status: failover readiness",
      force: false,
      now: input.now,
    });
    return failoverStatus(planFailover(preflight), config.regions.dr);
  } catch (error) {
    const problem = input.problemOf(error);
    if (!problem) throw error;
    return {
      state: "unknown",
      region: config.regions.dr,
      code: "permission-denied",
      detail: `the failover preflight could not be read: ${problem.replaceAll("\n", " ")}`,
      items: [],
      records: [],
    };
  }
}

/** The section for a person, after the copy tables. */
export function renderFailoverStatus(f: StatusFailover, paint: Paint = noPaint): string {
  const head =
    f.state === "ready"
      ? paint.green("READY")
      : f.state === "on-dr"
        ? paint.yellow("ON DR")
        : f.state === "refused"
          ? paint.red(`WOULD BE REFUSED (${f.code})`)
          : paint.yellow("UNKNOWN");
  const lines = [
    `Failover readiness (DNS to the DR site; the function runs in ${f.region}): ${head}: ${f.detail}`,
  ];
  const width = Math.max(0, ...f.items.map((i) => i.check.length));
  for (const i of f.items) {
    const mark = i.ok ? paint.green("✓") : OPERATOR_ONLY.has(i.check) ? paint.yellow("!") : paint.red("✗");
    lines.push(`  ${mark} ${i.check.padEnd(width)}  ${i.detail}`);
  }
  for (const r of f.records) lines.push(`  ${r.record}: ${r.site}, ${r.current}`);
  return lines.join("\n");
}
