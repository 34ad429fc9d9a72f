import { isIPv4, isIPv6 } from "node:net";
import { AwsError } from "../errors.ts";
import type { RecordView } from "../types.ts";
import { leaf, list, node } from "../xml.ts";

/**
 * Route 53 record sets and change batches (ChangeResourceRecordSets): parsing, AWS's validation, and the
 * all-or-nothing application of a batch.
 */
export type RecordSet = RecordView;

export interface Change {
  action: string;
  /** The Name as the caller wrote it (InvalidInput messages echo it). */
  rawName: string;
  rrset: RecordSet;
  /** Which of the mutually exclusive members the caller sent. */
  has: { alias: boolean; ttl: boolean; records: boolean };
}

/** Route 53 names are absolute: always end with a dot, compared case-insensitively. */
export const fqdn = (name: string) => (name.endsWith(".") ? name : `${name}.`).toLowerCase();

/** AWS lists record sets by name with labels reversed (com.example.www), then type, then set id. */
export function sortKey(r: { name: string; type: string; setIdentifier?: string }): string {
  return `${fqdn(r.name).split(".").reverse().join(".")}\u0000${r.type}\u0000${r.setIdentifier ?? ""}`;
}

export function sortRecords(records: RecordSet[]): RecordSet[] {
  return records.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
}

const rrsetLabel = (r: RecordSet) =>
  `[name='${r.name}', type='${r.type}'${r.setIdentifier ? `, set-identifier='${r.setIdentifier}'` : ""}]`;

export function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

const optNum = (v: unknown) => (v === undefined ? undefined : Number(v));
const optStr = (v: unknown) => (v === undefined ? undefined : String(v));

export function parseChange(c: Record<string, unknown>): Change {
  const raw = c.ResourceRecordSet as Record<string, unknown> | undefined;
  if (!raw || typeof raw !== "object")
    throw new AwsError("InvalidInput", "Invalid request: Missing field 'ResourceRecordSet'");
  const rr = raw.ResourceRecords as { ResourceRecord?: { Value?: string }[] } | undefined;
  const alias = raw.AliasTarget as Record<string, string> | undefined;
  const values = asArray(rr?.ResourceRecord).map((r) => String(r.Value ?? ""));
  const rrset: RecordSet = {
    name: fqdn(String(raw.Name ?? "")),
    type: String(raw.Type ?? ""),
    ttl: optNum(raw.TTL),
    values,
    setIdentifier: optStr(raw.SetIdentifier),
    weight: optNum(raw.Weight),
    failover: optStr(raw.Failover),
    healthCheckId: optStr(raw.HealthCheckId),
    aliasTarget:
      alias && typeof alias === "object"
        ? {
            hostedZoneId: String(alias.HostedZoneId ?? ""),
            // Route 53 stores alias targets as absolute names (it lists them with the trailing dot).
            dnsName: fqdn(String(alias.DNSName ?? "")),
            evaluateTargetHealth: String(alias.EvaluateTargetHealth) === "true",
          }
        : undefined,
  };
  return {
    action: String(c.Action ?? ""),
    rawName: String(raw.Name ?? ""),
    rrset,
    has: { alias: rrset.aliasTarget !== undefined, ttl: rrset.ttl !== undefined, records: values.length > 0 },
  };
}

const changeLabel = (c: Change) =>
  `[Action=${c.action}, Name=${c.rawName}, Type=${c.rrset.type}, SetIdentifier=${c.rrset.setIdentifier ?? "null"}]`;

/** Structural checks Route 53 answers with InvalidInput (before looking at the zone). */
export function validateInput(changes: Change[]): void {
  changes.forEach((c, i) => {
    const at = `changeBatch.changes.${i + 1}.member`;
    if (!["CREATE", "DELETE", "UPSERT"].includes(c.action)) {
      throw new AwsError(
        "InvalidInput",
        `1 validation error detected: Value '${c.action}' at '${at}.action' failed to satisfy constraint: Member must satisfy enum value set: [UPSERT, DELETE, CREATE]`,
      );
    }
    const { alias, ttl, records } = c.has;
    const found = alias ? (ttl || records ? "more than one" : "") : ttl && records ? "" : "none";
    if (found) {
      throw new AwsError(
        "InvalidInput",
        `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found ${found} in Change with ${changeLabel(c)}`,
      );
    }
    const f = c.rrset.failover;
    if (f !== undefined && f !== "PRIMARY" && f !== "SECONDARY") {
      throw new AwsError(
        "InvalidInput",
        `1 validation error detected: Value '${f}' at '${at}.resourceRecordSet.failover' failed to satisfy constraint: Member must satisfy enum value set: [SECONDARY, PRIMARY]`,
      );
    }
    if (f !== undefined && c.rrset.setIdentifier === undefined) {
      throw new AwsError(
        "InvalidInput",
        `Invalid request: Missing field 'SetIdentifier' in Change with ${changeLabel(c)}`,
      );
    }
  });
}

/** The character-strings of a TXT/SPF value: `"a b" "c"` → [`a b`, `c`] (\" and \DDD escapes decoded). */
export function characterStrings(value: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < value.length) {
    if (value[i] === " " || value[i] === "\t") {
      i++;
      continue;
    }
    let s = "";
    const quoted = value[i] === '"';
    if (quoted) i++;
    while (i < value.length && (quoted ? value[i] !== '"' : value[i] !== " " && value[i] !== "\t")) {
      if (value[i] === "\\" && i + 1 < value.length) {
        const ddd = /^\d{3}/.exec(value.slice(i + 1, i + 4));
        s += ddd ? String.fromCharCode(Number(ddd[0])) : value[i + 1];
        i += ddd ? 4 : 2;
      } else s += value[i++];
    }
    if (quoted) i++;
    out.push(s);
  }
  return out;
}

/** Route 53's RDATA checks, in its "Invalid Resource Record: 'FATAL problem: ...'" form. */
function rdataProblem(r: RecordSet): string | undefined {
  const fatal = (problem: string, v: string) =>
    `Invalid Resource Record: 'FATAL problem: ${problem} encountered with '${v}''`;
  for (const v of r.values) {
    if (r.type === "A" && !isIPv4(v))
      return fatal("ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address)", v);
    if (r.type === "AAAA" && !isIPv6(v))
      return fatal("AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address)", v);
    if ((r.type === "TXT" || r.type === "SPF") && characterStrings(v).some((s) => Buffer.byteLength(s) > 255))
      return fatal("CharacterStringTooLong (Value is too long)", v);
  }
  return undefined;
}

function sameValues(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}

/** DELETE must name the record set exactly as it is: "you must specify all the same values". */
export function sameRecordSet(a: RecordSet, b: RecordSet): boolean {
  const aa = a.aliasTarget;
  const ba = b.aliasTarget;
  const sameAlias =
    aa === undefined || ba === undefined
      ? aa === ba
      : aa.hostedZoneId === ba.hostedZoneId &&
        aa.dnsName === ba.dnsName &&
        aa.evaluateTargetHealth === ba.evaluateTargetHealth;
  return (
    sameAlias &&
    a.ttl === b.ttl &&
    sameValues(a.values, b.values) &&
    a.weight === b.weight &&
    a.failover === b.failover &&
    a.healthCheckId === b.healthCheckId
  );
}

const policyOf = (r: RecordSet) =>
  r.failover !== undefined
    ? "failover"
    : r.weight !== undefined
      ? "weighted"
      : r.setIdentifier !== undefined
        ? "other"
        : "simple";

/**
 * Validate a batch against the zone's records and return the records after it, or throw
 * InvalidChangeBatch with every problem found (Route 53 lists them all, comma-separated in brackets).
 * Changes apply in order to a working copy, so DELETE then CREATE of one record set is a replacement;
 * conflicts (CNAME, routing policies) are judged on the result, so one batch can swap them.
 */
export function applyBatch(zoneName: string, current: RecordSet[], changes: Change[]): RecordSet[] {
  const records = [...current];
  const errors: string[] = [];
  const actions = new Map<string, string[]>();
  for (const c of changes) {
    const key = sortKey(c.rrset);
    actions.set(key, [...(actions.get(key) ?? []), c.action]);
  }
  for (const [key, seq] of actions) {
    if (seq.length > 1 && !(seq.length === 2 && seq[0] === "DELETE" && seq[1] === "CREATE")) {
      const r = changes.find((c) => sortKey(c.rrset) === key)?.rrset as RecordSet;
      errors.push(
        `The request contains an invalid set of changes for a resource record set '${r.type} ${r.name}'`,
      );
    }
  }
  const written: RecordSet[] = [];
  for (const { action, rrset } of changes) {
    if (rrset.name !== zoneName && !rrset.name.endsWith(`.${zoneName}`)) {
      errors.push(`RRSet with DNS name ${rrset.name} is not permitted in zone ${zoneName}`);
      continue;
    }
    const problem = rrset.aliasTarget ? undefined : rdataProblem(rrset);
    if (problem) {
      errors.push(problem);
      continue;
    }
    if (action !== "DELETE" && rrset.type === "CNAME" && rrset.name === zoneName) {
      errors.push(
        `RRSet of type CNAME with DNS name ${rrset.name} is not permitted at apex in zone ${zoneName}`,
      );
      continue;
    }
    if (action !== "DELETE" && rrset.failover === "PRIMARY" && !rrset.aliasTarget && !rrset.healthCheckId)
      errors.push(
        "A non-alias primary ResourceRecordSet must have an associated health check. No changes made.",
      );
    const key = sortKey(rrset);
    const at = records.findIndex((r) => sortKey(r) === key);
    const existing = records[at];
    if (action === "DELETE") {
      if (!existing)
        errors.push(`Tried to delete resource record set ${rrsetLabel(rrset)} but it was not found`);
      else if (!sameRecordSet(existing, rrset))
        errors.push(
          `Tried to delete resource record set ${rrsetLabel(rrset)} but the values provided do not match the current values`,
        );
      else records.splice(at, 1);
    } else if (action === "CREATE" && existing) {
      errors.push(`Tried to create resource record set ${rrsetLabel(rrset)} but it already exists`);
    } else {
      if (existing) records[at] = rrset;
      else records.push(rrset);
      written.push(rrset);
    }
  }
  for (const w of written) if (records.includes(w)) errors.push(...conflicts(zoneName, records, w));
  if (errors.length > 0) throw new AwsError("InvalidChangeBatch", `[${[...new Set(errors)].join(", ")}]`);
  return sortRecords(records);
}

/** What the batch's result breaks for a record set it wrote: CNAME exclusivity, one routing policy per set. */
function conflicts(zoneName: string, records: RecordSet[], w: RecordSet): string[] {
  const out: string[] = [];
  const atName = records.filter((r) => r.name === w.name);
  if (w.type === "CNAME" && atName.some((r) => r.type !== "CNAME"))
    out.push(
      `RRSet of type CNAME with DNS name ${w.name} is not permitted as it conflicts with other records with the same DNS name in zone ${zoneName}`,
    );
  if (w.type !== "CNAME" && atName.some((r) => r.type === "CNAME"))
    out.push(
      `RRSet of type ${w.type} with DNS name ${w.name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zoneName}`,
    );
  const group = atName.filter((r) => r.type === w.type);
  const label = `RRSet with DNS name ${w.name}, type ${w.type}${w.setIdentifier ? `, SetIdentifier ${w.setIdentifier}` : ""}`;
  if (group.some((r) => policyOf(r) !== policyOf(w)))
    out.push(
      `${label} is not permitted because an RRSet with the same name and type and a different routing policy exists in zone ${zoneName}`,
    );
  if (w.failover && group.some((r) => r !== w && r.failover === w.failover))
    out.push(
      `${label} is not permitted because a failover RRSet with the same name and type and Failover ${w.failover} already exists in zone ${zoneName}`,
    );
  return out;
}

/** The number of records a batch counts against its 1,000 limit (UPSERTs count twice, as AWS says). */
export function recordCount(changes: Change[]): number {
  return changes.reduce(
    (n, c) => n + Math.max(1, c.rrset.values.length) * (c.action === "UPSERT" ? 2 : 1),
    0,
  );
}

export function recordXml(r: RecordSet): string {
  return (
    leaf("Name", r.name) +
    leaf("Type", r.type) +
    leaf("SetIdentifier", r.setIdentifier) +
    leaf("Weight", r.weight) +
    leaf("Failover", r.failover) +
    leaf("TTL", r.aliasTarget ? undefined : r.ttl) +
    (r.aliasTarget
      ? node(
          "AliasTarget",
          leaf("HostedZoneId", r.aliasTarget.hostedZoneId) +
            leaf("DNSName", r.aliasTarget.dnsName) +
            leaf("EvaluateTargetHealth", r.aliasTarget.evaluateTargetHealth),
        )
      : list("ResourceRecords", "ResourceRecord", r.values, (v) => leaf("Value", v))) +
    leaf("HealthCheckId", r.healthCheckId)
  );
}
