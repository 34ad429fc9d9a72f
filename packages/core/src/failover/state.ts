/**
 * Failover's state lives in the hosted zone itself, as one TXT record: which site is active, when it
 * last changed (the cooldown), what changed it and why (the audit of the last change). It is written
 * in the same change batch as the records it describes, and Route 53 applies a batch atomically, so
 * the two cannot disagree. And it survives what failover protects against: Route 53 is a global
 * service, not in the primary Region, and a DynamoDB table in the DR Region would be one more thing
 * to keep in step. The full history is the event stream (archived in the DR Region) and the logs.
 */
import { absolute } from "../config/index.ts";
import type { RecordSet, Site } from "./records.ts";

/** The state record's name in a zone. */
export const stateRecordName = (zoneName: string) => `_outpost-ops-failover.${absolute(zoneName)}`;

export interface FailoverState {
  site: Site;
  /** When the last change was made. */
  at: Date;
  /** `alarm:NAME`, `manual:PRINCIPAL`, `classic:PRINCIPAL` (README, Failover). */
  by: string;
  reason: string;
  /** The preflight failed and the change was forced (`--force`). */
  forced: boolean;
  /** The id of the run that wrote it. */
  run?: string;
}

/** TXT strings are at most 255 characters; keep quotes and backslashes out of ours. */
function clean(text: string, max: number): string {
  return text
    .replace(/[\\"]/g, "'")
    .replace(/[^\x20-\x7e]/g, " ")
    .slice(0, max);
}

/**
 * The TXT record holding `state` (TTL 60: the CLI and people read it with dig too).
 * @example stateRecord("example.com", { site: "dr", at, by: "alarm:factory-link", reason: "…", forced: false })
 */
export function stateRecord(zoneName: string, state: FailoverState): RecordSet {
  const parts = [
    `site=${state.site}`,
    `at=${state.at.toISOString()}`,
    `by=${clean(state.by, 240)}`,
    `reason=${clean(state.reason, 240)}`,
    `forced=${state.forced ? "yes" : "no"}`,
    ...(state.run ? [`run=${clean(state.run, 64)}`] : []),
  ];
  return {
    name: stateRecordName(zoneName),
    type: "TXT",
    ttl: 60,
    values: [parts.map((p) => `"${p}"`).join(" ")],
  };
}

/**
 * The state a TXT record holds, or undefined for a record that is not ours (then the records alone
 * say where DNS points, and the change replaces it).
 */
export function parseState(record: RecordSet | undefined): FailoverState | undefined {
  const value = record?.values?.[0];
  if (!value) return undefined;
  const fields = new Map<string, string>();
  for (const m of value.matchAll(/"([^"]*)"/g)) {
    const text = m[1] ?? "";
    const eq = text.indexOf("=");
    if (eq > 0) fields.set(text.slice(0, eq), text.slice(eq + 1));
  }
  const site = fields.get("site");
  const at = new Date(fields.get("at") ?? "");
  if ((site !== "primary" && site !== "dr") || Number.isNaN(at.getTime())) return undefined;
  return {
    site,
    at,
    by: fields.get("by") ?? "",
    reason: fields.get("reason") ?? "",
    forced: fields.get("forced") === "yes",
    ...(fields.get("run") ? { run: fields.get("run") as string } : {}),
  };
}
