/**
 * Snapshot placement that reacts to capacity (design rule 9): local snapshots on an Outpost whose
 * S3 on Outposts storage is below `capacity.localSnapshots.minFreePercent` would fail (the known
 * complaint about Data Lifecycle Manager), so `residency: "flexible"` policies take that window's
 * snapshots in the Region instead, and `strict` ones stay local, with a note. Each window decides
 * anew, so local placement resumes by itself once storage is above the floor again.
 */
import type { Config, Policy } from "../config/schema.ts";

/** S3 on Outposts storage of one Outpost (OutpostFreeBytes and OutpostTotalBytes, latest). */
export interface LocalStorage {
  freeBytes: number;
  totalBytes: number;
}

export type LocalStorageDecision =
  | { local: true; note?: { code: "local-storage-low-strict"; reason: string } }
  | { local: false; note: { code: "local-storage-low"; reason: string } };

/**
 * Whether a policy placed on an Outpost still snapshots there this window. Unknown storage (no
 * metric, no total) keeps the configured placement: a missing number is no reason to move data.
 * @example localStorageFloor(config, policy, { outpost: "factory", freeBytes: 4e12, totalBytes: 1e14 })
 * // { local: false, note: { code: "local-storage-low", reason: "regional snapshot instead: Outpost factory's local snapshot storage is 4 % free, below the 10 % floor" } }
 */
export function localStorageFloor(
  config: Pick<Config, "capacity">,
  policy: Pick<Policy, "placement" | "residency">,
  storage: (LocalStorage & { outpost: string }) | undefined,
): LocalStorageDecision {
  if (policy.placement !== "outpost" || storage === undefined || !(storage.totalBytes > 0))
    return { local: true };
  const floor = config.capacity.localSnapshots.minFreePercent;
  const freePercent = (storage.freeBytes / storage.totalBytes) * 100;
  if (freePercent >= floor) return { local: true };
  // Rounded down: "10 % free, below the 10 % floor" would read as a contradiction.
  const state = `Outpost ${storage.outpost}'s local snapshot storage is ${Math.max(0, Math.floor(freePercent))} % free, below the ${floor} % floor`;
  if (policy.residency === "strict")
    return {
      local: true,
      note: {
        code: "local-storage-low-strict",
        reason: `local snapshot kept (residency strict): ${state}; it may fail`,
      },
    };
  return { local: false, note: { code: "local-storage-low", reason: `regional snapshot instead: ${state}` } };
}

/**
 * The Outposts whose storage the snapshot job must read before planning `policies` (the due ones):
 * those a policy placed on an Outpost selects (every configured Outpost when it selects none).
 * @example outpostsNeedingStorage(config, duePolicies) // ["arn:aws:outposts:us-west-2:123456789012:outpost/op-0a1b2c3d4e5f60718"]
 */
export function outpostsNeedingStorage(
  config: Pick<Config, "outposts">,
  policies: Pick<Policy, "placement" | "selector">[],
): string[] {
  const arns = new Set<string>();
  for (const policy of policies) {
    if (policy.placement !== "outpost") continue;
    const names = policy.selector.outposts;
    for (const o of config.outposts) if (!names || names.includes(o.name)) arns.add(o.arn);
  }
  return config.outposts.map((o) => o.arn).filter((arn) => arns.has(arn));
}
