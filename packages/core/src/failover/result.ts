/**
 * What one failover run answers, as plain JSON: the failover function's response (what `aws lambda
 * invoke` prints and `outpost-ops failover` reads back), `outpost-ops failover --json`, and the
 * shape the CLI renders whether the run was invoked or `--local`. One definition of the contract:
 * the function serialises with `toFailoverResult`, the CLI validates with `FailoverResultSchema`.
 *
 * Flat: the plan's fields at the top level beside the run's (outcome, changeId, timeline), so a
 * script reads `.outcome`, `.decision`, `.items[]` without knowing how the core is split. Dates are
 * ISO-8601 strings, as JSON has no dates.
 *
 * Unknown keys in a response are dropped rather than refused: a function deployed from a newer
 * version may add fields, and an operator mid-incident must still see what an older CLI understands.
 * Every field this CLI reads is checked, though: a response without them is an error, not a guess.
 */
import * as z from "zod";
import { OutpostOpsError } from "../errors.ts";
import type { FailoverRun } from "../jobs/failover.ts";
import { type ReasonCode, Reasons } from "../reasons.ts";
import type { RecordSet, Site } from "./records.ts";
import type { FailoverState } from "./state.ts";

const iso = z.iso.datetime({ offset: true });
const site = z.enum(["primary", "dr"]);
const reasonCode = z.enum(Object.keys(Reasons) as [ReasonCode, ...ReasonCode[]]);

const RecordSetSchema = z.object({
  name: z.string(),
  type: z.string(),
  ttl: z.number().optional(),
  values: z.array(z.string()).optional(),
  alias: z
    .object({ dnsName: z.string(), hostedZoneId: z.string(), evaluateTargetHealth: z.boolean() })
    .optional(),
  setIdentifier: z.string().optional(),
  failover: z.enum(["PRIMARY", "SECONDARY"]).optional(),
  healthCheckId: z.string().optional(),
});

const StateSchema = z.object({
  site,
  at: iso,
  by: z.string(),
  reason: z.string(),
  forced: z.boolean(),
});

export const FailoverResultSchema = z.object({
  /** What the run did: changed, dry-run, nothing-to-do, refused, raced, alert-only, failed. */
  outcome: z.enum(["changed", "dry-run", "nothing-to-do", "refused", "raced", "alert-only", "failed"]),
  /** The site DNS is to point at: `dr` (failover) or `primary` (failback). */
  target: site,
  decision: z.enum(["change", "nothing-to-do", "refused"]),
  /** The decision's reason code (the first failed check, `already-on-site`, `change-submitted`). */
  code: reasonCode,
  /** The preflight, item by item. */
  items: z.array(
    z.object({
      check: z.enum(["zone", "state", "records", "recovery-points", "health", "permissions", "cooldown"]),
      ok: z.boolean(),
      code: reasonCode,
      detail: z.string(),
      /** `--force` may override this failed item. */
      forceable: z.literal(true).optional(),
    }),
  ),
  /** Each configured record: where it points now, and the record set at the target site. */
  moves: z.array(
    z.object({
      label: z.string(),
      site: z.enum(["primary", "dr", "drifted", "missing"]),
      current: RecordSetSchema.optional(),
      target: RecordSetSchema,
    }),
  ),
  /** The one change batch (empty unless the decision is `change`). */
  changes: z.array(z.object({ action: z.enum(["CREATE", "DELETE", "UPSERT"]), record: RecordSetSchema })),
  /** Route 53's change id, once submitted. */
  changeId: z.string().optional(),
  /** Submitted, but not INSYNC within the run's wait. */
  pending: z.literal(true).optional(),
  /** Why the change failed (outcome `failed`). */
  error: z.string().optional(),
  timeline: z.object({
    alarmAt: iso.optional(),
    receivedAt: iso,
    decidedAt: iso,
    submittedAt: iso.optional(),
    inSyncAt: iso.optional(),
  }),
  /** The preflight failed and `force` overrode it (recorded in the state record). */
  forced: z.boolean(),
  /** The state record before the run (absent: none, or not ours). */
  state: StateSchema.optional(),
  /** The state the change writes (or would write). */
  next: StateSchema,
});

export type FailoverResult = z.output<typeof FailoverResultSchema>;
export type FailoverResultItem = FailoverResult["items"][number];
export type FailoverResultMove = FailoverResult["moves"][number];
export type FailoverResultState = NonNullable<FailoverResult["state"]>;

/** A response that is not a FailoverResult: the issues name the fields. */
export class FailoverResultError extends OutpostOpsError {
  readonly issues: { path: string; message: string }[];
  constructor(issues: { path: string; message: string }[]) {
    super(
      `The failover function's answer is not a failover result: ${issues
        .slice(0, 5)
        .map((i) => `${i.path || "(root)"}: ${i.message}`)
        .join(
          "; ",
        )}. Is the function deployed from the same version as this CLI? Check \`outpost-ops status\` before trying again: the change may have been made.`,
    );
    this.name = "FailoverResultError";
    this.issues = issues;
  }
}

/** The state record as JSON (the result and the audit event alike). */
export const stateJson = (s: FailoverState) => ({
  site: s.site,
  at: s.at.toISOString(),
  by: s.by,
  reason: s.reason,
  forced: s.forced,
});

/** A record set without the keys the SDK left undefined (JSON has no undefined). */
function recordJson(r: RecordSet): FailoverResult["moves"][number]["target"] {
  return JSON.parse(JSON.stringify(r)) as FailoverResult["moves"][number]["target"];
}

/**
 * The run as plain JSON (dates as ISO strings; absent fields omitted, never `undefined`).
 * `target` is the site the run was asked to point DNS at (the plan's own by default).
 * @example JSON.stringify(toFailoverResult(await runFailover(input), "dr"))
 */
export function toFailoverResult(run: FailoverRun, target: Site = run.plan.target): FailoverResult {
  const { plan, timeline } = run;
  const at = (d: Date | undefined) => d?.toISOString();
  const optional = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
  return {
    outcome: run.outcome,
    target,
    decision: plan.decision,
    code: plan.code,
    items: plan.items.map((i) => ({
      check: i.check,
      ok: i.ok,
      code: i.code,
      detail: i.detail,
      ...optional("forceable", i.forceable),
    })),
    moves: plan.moves.map((m) => ({
      label: m.label,
      site: m.site,
      ...optional("current", m.current && recordJson(m.current)),
      target: recordJson(m.target),
    })),
    changes: plan.changes.map((c) => ({ action: c.action, record: recordJson(c.record) })),
    ...optional("changeId", run.changeId),
    ...optional("pending", run.pending),
    ...optional("error", run.error),
    timeline: {
      ...optional("alarmAt", at(timeline.alarmAt)),
      receivedAt: timeline.receivedAt.toISOString(),
      decidedAt: timeline.decidedAt.toISOString(),
      ...optional("submittedAt", at(timeline.submittedAt)),
      ...optional("inSyncAt", at(timeline.inSyncAt)),
    },
    forced: plan.forced,
    ...optional("state", plan.state && stateJson(plan.state)),
    next: stateJson(plan.next),
  };
}

/**
 * Validates what the failover function returned (the Lambda Payload, already JSON-parsed).
 * @example parseFailoverResult(JSON.parse(new TextDecoder().decode(out.Payload))).outcome
 */
export function parseFailoverResult(input: unknown): FailoverResult {
  const parsed = FailoverResultSchema.safeParse(input);
  if (!parsed.success)
    throw new FailoverResultError(
      parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    );
  return parsed.data;
}
