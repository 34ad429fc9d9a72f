/**
 * What a failover change batch may touch, in the form IAM compares it with: the hosted zone, the
 * record names (the configured records and the state record) and their types. The stacks turn it
 * into the conditions on route53:ChangeResourceRecordSets, so the failover role can change the
 * records the config names and nothing else in the zone, even if its code were wrong.
 *
 * Route 53 normalizes the names it puts in `route53:ChangeResourceRecordSetsNormalizedRecordNames`:
 * lower case, no final dot, and every character other than a-z, 0-9, `-`, `_` and `.` as a
 * backslash and three octal digits (`*` is `\052`). ("Using IAM policy conditions for fine-grained
 * access control", Amazon Route 53 Developer Guide.)
 */
import { absolute, type FailoverConfig } from "../config/index.ts";
import { stateRecordName } from "./state.ts";

export interface ChangeScope {
  /** The zone id, or `*` when the config names the zone by name (its id is known only at run time). */
  zone: string;
  /** Every name a batch may change, normalized, sorted. */
  recordNames: string[];
  /** Every record type a batch may change (the configured ones and the state record's TXT), sorted. */
  recordTypes: string[];
}

/**
 * A DNS name as Route 53 normalizes it for IAM.
 * @example normalizedRecordName("*.App.Example.com.") // "\\052.app.example.com"
 */
export function normalizedRecordName(name: string): string {
  return absolute(name)
    .slice(0, -1)
    .replace(/[^a-z0-9_.-]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`);
}

/**
 * The zones the records can be in when the config gives only the zone's id: every name that ends
 * every record name at a label boundary (the zone is one of them), longest first.
 */
function possibleZones(recordNames: readonly string[]): string[] {
  const labels = recordNames.map((n) => absolute(n).slice(0, -1).split(".").reverse());
  const first = labels[0] ?? [];
  let common = 0;
  while (common < first.length && labels.every((l) => l[common] === first[common])) common++;
  const zones: string[] = [];
  for (let n = common; n >= 1; n--) zones.push(first.slice(0, n).reverse().join("."));
  return zones;
}

/**
 * With the zone named, the state record's name is exact. With only its id, the zone's name is not
 * known when the stack is built, but it must end every configured record name, so the state record
 * is one of `_outpost-ops-failover.<suffix>` for the few suffixes they share: still exact names, no
 * wildcard (the resource itself is the one zone).
 * @example changeScope(failover) // { zone: "Z0123…", recordNames: ["_outpost-ops-failover.example.com", "app.example.com"], recordTypes: ["A", "TXT"] }
 */
export function changeScope(failover: FailoverConfig): ChangeScope {
  const records = failover.records.map((r) => r.name);
  const zones = failover.hostedZone.name ? [failover.hostedZone.name] : possibleZones(records);
  const names = [...records, ...zones.map(stateRecordName)].map(normalizedRecordName);
  return {
    zone: failover.hostedZone.id ?? "*",
    recordNames: [...new Set(names)].sort(),
    recordTypes: [...new Set([...failover.records.map((r) => r.type), "TXT"])].sort(),
  };
}
