/**
 * DNS records as the failover job reads and writes them, and what a configured record looks like at
 * each site. Pure: the Route 53 adapter (aws/route53.ts) converts to and from the SDK's shapes.
 */
import { absolute, type FailoverRecord, type RecordTargetConfig } from "../config/index.ts";

export type Site = "primary" | "dr";

export const otherSite = (site: Site): Site => (site === "primary" ? "dr" : "primary");

/** One Route 53 resource record set, as ListResourceRecordSets returns it. */
export interface RecordSet {
  /** Absolute, lower case: `app.example.com.` */
  name: string;
  type: string;
  ttl?: number;
  /** Values in Route 53's text form (TXT values keep their quotes). */
  values?: string[];
  alias?: { dnsName: string; hostedZoneId: string; evaluateTargetHealth: boolean };
  setIdentifier?: string;
  failover?: "PRIMARY" | "SECONDARY";
  healthCheckId?: string;
}

/** A change in one batch (Route 53 applies a batch atomically, or not at all). */
export interface RecordChange {
  action: "CREATE" | "DELETE" | "UPSERT";
  record: RecordSet;
}

/** `app.example.com. A` or `app.example.com. A primary`: how records are named in plans and alerts. */
export function recordLabel(r: { name: string; type: string; setIdentifier?: string }): string {
  return `${absolute(r.name)} ${r.type}${r.setIdentifier ? ` (${r.setIdentifier})` : ""}`;
}

function target(t: RecordTargetConfig, ttl: number): Pick<RecordSet, "ttl" | "values" | "alias"> {
  if (t.alias)
    return {
      alias: {
        dnsName: absolute(t.alias.dnsName),
        hostedZoneId: t.alias.hostedZoneId,
        evaluateTargetHealth: t.alias.evaluateTargetHealth,
      },
    };
  return { ttl, values: [...(t.values ?? [])] };
}

/**
 * The record set that routes a configured record to `site`. Simple routing: the one record with that
 * site's target. Failover routing: the PRIMARY record with that site's target, always with the
 * primary's health check (Route 53 wants one on a PRIMARY). Pinned to DR, both of the pair's answers
 * are DR, whatever that health check says; the SECONDARY always points at DR and is not changed.
 * @example recordFor(record, "dr") // { name: "app.example.com.", type: "A", ttl: 60, values: ["10.1.0.10"] }
 */
export function recordFor(record: FailoverRecord, site: Site): RecordSet {
  const base = { name: absolute(record.name), type: record.type, ...target(record[site], record.ttl) };
  if (record.routing === "simple") return base;
  return {
    ...base,
    setIdentifier: record.setIdentifiers.primary,
    failover: "PRIMARY",
    ...(record.primaryHealthCheckId ? { healthCheckId: record.primaryHealthCheckId } : {}),
  };
}

/** Failover routing: the SECONDARY record the config expects (the DR target, its health check). */
export function secondaryFor(record: FailoverRecord): RecordSet | undefined {
  if (record.routing !== "failover") return undefined;
  return {
    name: absolute(record.name),
    type: record.type,
    ...target(record.dr, record.ttl),
    setIdentifier: record.setIdentifiers.dr,
    failover: "SECONDARY",
    ...(record.drHealthCheckId ? { healthCheckId: record.drHealthCheckId } : {}),
  };
}

/** The record set a configured record changes (simple: the record; failover: its PRIMARY). */
export function changedSetOf(record: FailoverRecord, sets: readonly RecordSet[]): RecordSet | undefined {
  const name = absolute(record.name);
  return sets.find(
    (s) =>
      s.name === name &&
      s.type === record.type &&
      (record.routing === "simple"
        ? s.setIdentifier === undefined
        : s.setIdentifier === record.setIdentifiers.primary),
  );
}

/** Whether two record sets route the same way (values compared as sets, as Route 53 does). */
export function sameRecord(a: RecordSet, b: RecordSet): boolean {
  const values = (r: RecordSet) => [...(r.values ?? [])].map((v) => v.toLowerCase()).sort();
  return (
    a.name === b.name &&
    a.type === b.type &&
    (a.alias ? undefined : a.ttl) === (b.alias ? undefined : b.ttl) &&
    JSON.stringify(values(a)) === JSON.stringify(values(b)) &&
    JSON.stringify(a.alias ?? null) === JSON.stringify(b.alias ?? null) &&
    a.setIdentifier === b.setIdentifier &&
    a.failover === b.failover &&
    a.healthCheckId === b.healthCheckId
  );
}

/** Where a record points now: a site, or `drifted` (neither, as configured), or `missing`. */
export function siteOf(record: FailoverRecord, current: RecordSet | undefined): Site | "drifted" | "missing" {
  if (!current) return "missing";
  if (sameRecord(current, recordFor(record, "primary"))) return "primary";
  if (sameRecord(current, recordFor(record, "dr"))) return "dr";
  return "drifted";
}

/** The target a record set points at, for a person: values or the alias. */
export function describeTarget(r: RecordSet | undefined): string {
  if (!r) return "(no record)";
  const to = r.alias ? `alias ${r.alias.dnsName}` : (r.values ?? []).join(", ");
  return `${to}${r.ttl !== undefined && !r.alias ? ` (TTL ${r.ttl})` : ""}${r.healthCheckId ? ` [health check ${r.healthCheckId}]` : ""}`;
}
