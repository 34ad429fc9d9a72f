/**
 * Capacity alarm names: `<prefix>-capacity-<outpost>-<kindSlug>[-<subject>][-<band>]`. The name is
 * the only thing an alarm state change carries that says what it watches, so it is built and parsed
 * here alone. Outpost names contain dashes, so parsing needs the config's Outpost names.
 */
import type { Config } from "../config/schema.ts";
import { CapacityAlarmError } from "../errors.ts";
import { BANDS, type Band, type CapacityKind, type Condition } from "./model.ts";

export const KIND_SLUG: Record<CapacityKind, string> = {
  "instance-type": "instance",
  "volume-type": "volume",
  "capacity-exceptions": "exceptions",
  connected: "connected",
  "snapshot-storage": "storage",
  "local-snapshots": "local-snapshots",
  cpu: "cpu",
};

/** Kinds with a warning and a critical alarm; the others have one alarm. */
export const BANDED_KINDS: ReadonlySet<CapacityKind> = new Set([
  "instance-type",
  "volume-type",
  "snapshot-storage",
  "cpu",
]);

/** Kinds watched per instance or volume type: the type is the name's subject. */
export const TYPED_KINDS: ReadonlySet<CapacityKind> = new Set([
  "instance-type",
  "volume-type",
  "capacity-exceptions",
]);

/** Longest slug first: none is a prefix of another today, and this keeps it so if one ever is. */
const SLUGS = (Object.entries(KIND_SLUG) as [CapacityKind, string][]).sort(
  (a, b) => b[1].length - a[1].length,
);

/**
 * The name prefix every capacity alarm shares (the alarm rule and the relay's skip match on it).
 * @example capacityAlarmPrefix("outpost-ops-prod") // "outpost-ops-prod-capacity-"
 */
export function capacityAlarmPrefix(prefix: string): string {
  return `${prefix}-capacity-`;
}

/**
 * The Outpost id (op-…) at the end of an Outpost ARN.
 * @example outpostIdOf("arn:aws:outposts:us-west-2:123456789012:outpost/op-0a1b2c3d4e5f60718") // "op-0a1b2c3d4e5f60718"
 */
export function outpostIdOf(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

/**
 * @example capacityAlarmName("outpost-ops-prod", { outpost: "factory", kind: "instance-type", subject: "m5.large" }, "warning")
 * // "outpost-ops-prod-capacity-factory-instance-m5.large-warning"
 */
export function capacityAlarmName(
  prefix: string,
  condition: Pick<Condition, "outpost" | "kind" | "subject">,
  band?: Band,
): string {
  const parts = [condition.outpost, KIND_SLUG[condition.kind]];
  if (condition.subject !== undefined) parts.push(condition.subject);
  if (band !== undefined) parts.push(band);
  return `${capacityAlarmPrefix(prefix)}${parts.join("-")}`;
}

/** The kind, subject and band of what follows `<outpost>-`, or why it is none of ours. */
function parseRest(rest: string): { kind: CapacityKind; subject?: string; band?: Band } | string {
  const found = SLUGS.find(([, slug]) => rest === slug || rest.startsWith(`${slug}-`));
  if (!found) return `"${rest}" starts with no capacity kind (${Object.values(KIND_SLUG).join(", ")})`;
  const [kind, slug] = found;
  let tail = rest.slice(slug.length + 1);
  let band: Band | undefined;
  if (BANDED_KINDS.has(kind)) {
    band = BANDS.find((b) => tail === b || tail.endsWith(`-${b}`));
    if (band === undefined) return `a ${kind} alarm ends in a band (${BANDS.join(", ")})`;
    tail = tail.slice(0, Math.max(0, tail.length - band.length - 1));
  }
  if (TYPED_KINDS.has(kind)) {
    if (tail === "") return `a ${kind} alarm names its type`;
    return band === undefined ? { kind, subject: tail } : { kind, subject: tail, band };
  }
  if (tail !== "") return `a ${kind} alarm has nothing after its kind${band ? " but its band" : ""}`;
  return band === undefined ? { kind } : { kind, band };
}

/**
 * What a capacity alarm watches, from its name. Of the configured Outposts whose name the alarm's
 * starts with, the longest whose remainder parses wins (`factory-2-cpu-warning` is factory-2's).
 * Throws CapacityAlarmError, naming the alarm and why, for a name that is not ours.
 * @example parseCapacityAlarmName(config, "outpost-ops-prod", "outpost-ops-prod-capacity-factory-connected")
 * // { condition: { outpost: "factory", outpostId: "op-0a1b2c3d4e5f60718", kind: "connected" } }
 */
export function parseCapacityAlarmName(
  config: Pick<Config, "outposts">,
  prefix: string,
  name: string,
): { condition: Condition; band?: Band } {
  const start = capacityAlarmPrefix(prefix);
  if (!name.startsWith(start)) throw new CapacityAlarmError(name, `the name does not start with ${start}`);
  const rest = name.slice(start.length);
  const candidates = config.outposts
    .filter((o) => rest.startsWith(`${o.name}-`))
    .sort((a, b) => b.name.length - a.name.length);
  if (candidates.length === 0)
    throw new CapacityAlarmError(
      name,
      `no Outpost in the config matches (known: ${config.outposts.map((o) => o.name).join(", ") || "none"})`,
    );
  let why = "";
  for (const outpost of candidates) {
    const parsed = parseRest(rest.slice(outpost.name.length + 1));
    if (typeof parsed === "string") {
      why ||= parsed;
      continue;
    }
    const condition: Condition = {
      outpost: outpost.name,
      outpostId: outpostIdOf(outpost.arn),
      kind: parsed.kind,
    };
    if (parsed.subject !== undefined) condition.subject = parsed.subject;
    return parsed.band === undefined ? { condition } : { condition, band: parsed.band };
  }
  throw new CapacityAlarmError(name, why);
}
