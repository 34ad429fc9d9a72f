/**
 * Where DNS points, read from the sandbox's Route 53 (AWS's truth), in the failover job's own terms:
 * each configured record is at the primary site, the DR site, or neither, as core/failover/records.ts
 * judges it. And whether the zone holds exactly the records the application team created.
 */
import type { Config } from "@outpost-ops/core/config";
import {
  changedSetOf,
  describeTarget,
  type RecordSet,
  recordLabel,
  sameRecord,
  siteOf,
} from "@outpost-ops/core/failover/records";
import type { RecordView, Sandbox } from "@outpost-ops/sandbox";
import type { FailoverEstate } from "./failover-estate.ts";

export interface DnsView {
  /** Every configured record on one site, or `mixed` (some elsewhere, drifted or missing). */
  site: "primary" | "dr" | "mixed";
  records: { label: string; site: string; target: string }[];
}

function fromView(r: RecordView): RecordSet {
  return {
    name: r.name,
    type: r.type,
    ...(r.aliasTarget
      ? {
          alias: {
            dnsName: r.aliasTarget.dnsName,
            hostedZoneId: r.aliasTarget.hostedZoneId,
            evaluateTargetHealth: r.aliasTarget.evaluateTargetHealth,
          },
        }
      : { ttl: r.ttl, values: [...r.values] }),
    ...(r.setIdentifier ? { setIdentifier: r.setIdentifier } : {}),
    ...(r.failover === "PRIMARY" || r.failover === "SECONDARY" ? { failover: r.failover } : {}),
    ...(r.healthCheckId ? { healthCheckId: r.healthCheckId } : {}),
  };
}

/** The zone's record sets of the configured names and types (state record and others left out). */
function configuredSets(sandbox: Pick<Sandbox, "state">, estate: FailoverEstate): RecordSet[] {
  const wanted = new Set(estate.primaryRecords.map((r) => `${r.name} ${r.type}`));
  return sandbox.state
    .records(estate.zone.id)
    .map(fromView)
    .filter((r) => wanted.has(`${r.name} ${r.type}`));
}

/**
 * @example dnsView(sandbox, config, estate).site // "primary"
 */
export function dnsView(sandbox: Pick<Sandbox, "state">, config: Config, estate: FailoverEstate): DnsView {
  const sets = configuredSets(sandbox, estate);
  const records = (config.failover?.records ?? []).map((r) => {
    const current = changedSetOf(r, sets);
    return {
      label: `${r.name} ${r.type}`,
      site: siteOf(r, current),
      target: describeTarget(current),
    };
  });
  const sites = new Set(records.map((r) => r.site));
  const [only] = sites;
  return {
    site: sites.size === 1 && (only === "primary" || only === "dr") ? only : "mixed",
    records,
  };
}

/**
 * What differs between the zone's record sets of the configured names and the ones seeded (the
 * primary site as the application team made it): empty when failback restored exactly those.
 */
export function differencesFromPrimary(sandbox: Pick<Sandbox, "state">, estate: FailoverEstate): string[] {
  const sets = configuredSets(sandbox, estate);
  const missing = estate.primaryRecords
    .filter((want) => !sets.some((s) => sameRecord(s, want)))
    .map((want) => `missing ${recordLabel(want)} → ${describeTarget(want)}`);
  const extra = sets
    .filter((s) => !estate.primaryRecords.some((want) => sameRecord(s, want)))
    .map((s) => `not as created: ${recordLabel(s)} → ${describeTarget(s)}`);
  return [...missing, ...extra];
}
