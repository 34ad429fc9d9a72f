/**
 * The Regions a config deploys to and copies into. The primary Region holds the estate; regions.dr
 * receives every policy's copies (and, later, failover); `copy.alsoTo` adds more copy destinations,
 * each a deployment of its own (`npx sst deploy --region REGION`) that runs the copy job and the
 * retention of its copies, so no destination depends on another being up.
 */
import type { Config, Policy } from "./schema.ts";

/** A Region copies go to, and the key they are encrypted with there. */
export interface CopyDestination {
  region: string;
  kmsKeyArn: string;
}

/**
 * Where a policy's snapshots are copied: regions.dr first, then `copy.alsoTo`; none without `copy`.
 * @example destinationsOf(policy, config) // [{ region: "us-east-1", kmsKeyArn: "arn:aws:kms:us-east-1:…" }]
 */
export function destinationsOf(policy: Policy, config: Config): CopyDestination[] {
  const copy = policy.copy;
  if (!copy) return [];
  return [{ region: config.regions.dr, kmsKeyArn: copy.kmsKeyArn }, ...(copy.alsoTo ?? [])];
}

/**
 * Every Region some policy copies to, each once: regions.dr first, then the `alsoTo` Regions in
 * config order; none when no policy copies.
 * @example copyRegions(config) // ["us-east-1", "eu-west-1"]
 */
export function copyRegions(config: Config): string[] {
  return [...new Set(config.policies.flatMap((p) => destinationsOf(p, config).map((d) => d.region)))];
}

/**
 * Every Region the app is deployed to, in deploy order: primary, regions.dr, then the Regions only
 * `alsoTo` copies go to.
 * @example deploymentRegions(config) // ["us-west-2", "us-east-1", "eu-west-1"]
 */
export function deploymentRegions(config: Config): string[] {
  return [...new Set([config.regions.primary, config.regions.dr, ...copyRegions(config)])];
}
