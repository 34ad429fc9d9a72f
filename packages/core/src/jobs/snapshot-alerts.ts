/**
 * The alerts the snapshot job sends about quotas: the worker's when AWS refused snapshots because a
 * quota is full, and the planner's when it left databases unplanned for lack of room. Both name the
 * quota, its value when known, and how to raise it; handlers only publish them.
 */
import { RDSClient } from "@aws-sdk/client-rds";
import type { Alert } from "../alerts/alert.ts";
import type { AwsClients } from "../aws/clients.ts";
import { manualSnapshotQuotas, type QuotaUsage } from "../aws/rds.ts";
import { type QuotaHit, quotaKey } from "./snapshot-batch.ts";
import type { QuotaShortfall } from "./snapshot-quota-budget.ts";
import {
  quotaConsoleLink,
  quotaIncreaseCommand,
  type SnapshotQuota,
  SnapshotQuotas,
} from "./snapshot-quotas.ts";

type QuotaAlert = Omit<Alert, "stage">;

/**
 * The current usage of the RDS quotas among `hits`, by quota id (one DescribeAccountAttributes per
 * Region, best effort: an alert without the figure beats no alert). EBS's is not read: only
 * Service Quotas knows the account's value, and counting its snapshots would take a full listing.
 * @example const usage = await readQuotaUsage(clients, [...batch.quotaReached.values()])
 */
export async function readQuotaUsage(
  clients: AwsClients,
  hits: QuotaHit[],
): Promise<Map<string, QuotaUsage>> {
  const usage = new Map<string, QuotaUsage>();
  for (const region of new Set(hits.filter((h) => h.quota.serviceCode === "rds").map((h) => h.region))) {
    try {
      const quotas = await manualSnapshotQuotas(clients.get(RDSClient, region));
      if (quotas.instance) usage.set(quotaKey(SnapshotQuotas.rdsInstance, region), quotas.instance);
      if (quotas.cluster) usage.set(quotaKey(SnapshotQuotas.rdsCluster, region), quotas.cluster);
    } catch {
      // Best effort, as above.
    }
  }
  return usage;
}

/** What to do about a full quota, in the same words for the worker's and the planner's alert. */
function howToRaise(
  quota: SnapshotQuota,
  region: string,
  usage: QuotaUsage | undefined,
  needed: number,
): string[] {
  const value = usage
    ? `${usage.used} of ${usage.max} used`
    : `current value not known here (AWS's default is ${quota.defaultValue.toLocaleString("en-US")})`;
  const desired = usage ? Math.max(usage.max * 2, usage.used + needed) : undefined;
  return [
    `Quota: ${quota.name} (Service Quotas: service ${quota.serviceCode}, quota ${quota.quotaCode}) in ${region}: ${value}.`,
    `Raise it in the Service Quotas console (${quotaConsoleLink(quota, region).url}) or with:`,
    `  ${quotaIncreaseCommand(quota, region, desired)}`,
    "Or make room: keep fewer snapshots (keepLast / tiers in outpost-ops.config.ts), or delete snapshots outpost-ops does not manage.",
  ];
}

/**
 * One alert for the quotas a worker batch ran into (none when it ran into none).
 * @example const alert = quotaReachedAlert([...batch.quotaReached.values()], usage, "us-west-2", at)
 */
export function quotaReachedAlert(
  hits: QuotaHit[],
  usage: Map<string, QuotaUsage>,
  region: string,
  at: Date,
): QuotaAlert | undefined {
  const [first] = hits;
  if (first === undefined) return undefined;
  const failed = hits.reduce((n, h) => n + h.keys.length, 0);
  const more = hits.length > 1 ? ` (and ${hits.length - 1} more quota)` : "";
  const body = hits.flatMap((hit) => [
    `${hit.keys.length} snapshot(s) failed: AWS refused with ${hit.error}`,
    ...howToRaise(hit.quota, hit.region, usage.get(quotaKey(hit.quota, hit.region)), hit.keys.length),
    `Once there is room, take the missed snapshots: ${hit.windows.map((w) => `\`npx outpost-ops run snapshot --at ${w}\``).join(", ")}.`,
    "",
  ]);
  return {
    severity: "critical",
    job: "snapshot",
    title: `${failed} snapshot(s) failed: the ${first.quota.name} quota is full in ${first.region}${more}`,
    body: [
      ...body,
      "Waiting does not free a quota, so these items were not retried; the next windows fail the same way",
      "until the quota is raised or room is made.",
    ].join("\n"),
    region,
    at,
    resourceIds: hits.flatMap((h) => h.keys),
    links: hits.map((h) => quotaConsoleLink(h.quota, h.region)),
  };
}

/**
 * One alert for the databases a planner run left unplanned because their quota had no room.
 * @example const alert = quotaExhaustedAlert(budget.shortfalls(), "us-west-2", now)
 */
export function quotaExhaustedAlert(
  shortfalls: QuotaShortfall[],
  region: string,
  at: Date,
): QuotaAlert | undefined {
  const [first] = shortfalls;
  if (first === undefined) return undefined;
  const skipped = shortfalls.reduce((n, s) => n + s.skipped.length, 0);
  return {
    severity: "critical",
    job: "snapshot",
    title: `${skipped} database snapshot(s) not planned: the ${first.quota.name} quota is full in ${first.region}`,
    body: [
      ...shortfalls.flatMap((s) => [
        `${s.skipped.length} snapshot(s) did not fit and were not planned (code quota-exhausted): ${s.skipped.join(", ")}`,
        ...howToRaise(s.quota, s.region, s.usage, s.skipped.length),
        "",
      ]),
      `Once there is room, take the missed snapshots with \`npx outpost-ops run snapshot --at ${at.toISOString()}\`.`,
    ].join("\n"),
    region,
    at,
    resourceIds: shortfalls.flatMap((s) => s.skipped),
    links: shortfalls.map((s) => quotaConsoleLink(s.quota, s.region)),
  };
}

/**
 * Rules fire only when a schedule is due, so an invocation with nothing due means the event came
 * later than the 5-minute lookback (or a rule no longer matches the config): a window was missed.
 * @example missedWindowAlert({ rules: [event.resources[0]], eventTime: event.time, region })
 */
export function missedWindowAlert(input: {
  /** The ARNs of the rules that fired (the event's `resources`). */
  rules: string[];
  eventTime: string;
  region: string;
}): Omit<Alert, "stage"> {
  return {
    severity: "warning",
    job: "snapshot",
    title: "A snapshot window was missed",
    body: [
      `The schedule rule ${input.rules[0] ?? "(unknown rule)"} fired at ${input.eventTime}, but no policy schedule is due`,
      "at that time or in the 5 minutes before it, so no snapshot was taken for this event. Either the event",
      "arrived late, or the deployed rules no longer match outpost-ops.config.ts: redeploy with `npx sst deploy`.",
      "The next scheduled window will run as usual; take a snapshot now with `npx outpost-ops run snapshot --at <window time>`.",
    ].join("\n"),
    region: input.region,
    at: new Date(input.eventTime),
    resourceIds: input.rules,
    links: [],
  };
}
