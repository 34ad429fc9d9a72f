/**
 * Deterministic names for what the snapshot job creates. The same policy, source and window always give
 * the same name, so a duplicated run collides with the first one (DBSnapshotAlreadyExists, or the queue's
 * de-duplication on the key) instead of creating a second snapshot.
 */

/** `${policy}/${sourceId}/${window}`: same key, same snapshot. */
export function workItemKey(policy: string, sourceId: string, window: string): string {
  return `${policy}/${sourceId}/${window}`;
}

/**
 * Every RDS/Aurora snapshot identifier outpost-ops generates starts with this. IAM scopes the workers'
 * create, tag and delete rights to `snapshot:oo-*` / `cluster-snapshot:oo-*` by it
 * (packages/core/src/aws/permissions.ts), so changing it changes which snapshots they may touch.
 */
export const RDS_SNAPSHOT_ID_PREFIX = "oo-";

const MAX_RDS_ID = 255;
const HASH_SUFFIX_LENGTH = 10; // "-h" + 8 hex

/** FNV-1a, 32 bits, as 8 hex digits: a short, stable disambiguator (not a security measure). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/** Lowercase letters, digits and single hyphens, no hyphen at either end. */
function sanitize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** `2024-05-14T10:00Z` → `20240514t1000`. */
function compactWindow(window: string): string {
  return sanitize(window.replace(/[-:]/g, "").replace(/z$/i, "")) || "nowindow";
}

/**
 * The RDS/Aurora snapshot identifier for one policy, source and window, e.g.
 * `oo-daily-db-orders-20240514t1000`: 1-255 characters, lowercase letters, digits and single hyphens,
 * starting with a letter, not ending with a hyphen, as RDS requires (it stores identifiers lowercase).
 *
 * Read left to right it is ambiguous where the policy ends when the policy name has a hyphen
 * (policy `a-b` + DB `c` vs policy `a` + DB `b-c`), and sanitizing can merge names (`a--b`, `a-b`).
 * A collision would make one policy's snapshot look already taken by another's, so in those cases a
 * hash of the exact policy and source is appended (`…-20240514t1000-h1a2b3c4d`). Names without the
 * suffix decode unambiguously: the policy is the first segment after `oo-` and the window the last 13
 * characters; names with it end in `-h` + 8 hex digits, which no window ends in.
 *
 * @example rdsSnapshotId("daily", "db-orders", "2024-05-14T10:00Z") // "oo-daily-db-orders-20240514t1000"
 */
export function rdsSnapshotId(policy: string, sourceId: string, window: string): string {
  const p = sanitize(policy) || "policy";
  const s = sanitize(sourceId) || "source";
  const w = compactWindow(window);
  const plain = `${RDS_SNAPSHOT_ID_PREFIX}${p}-${s}-${w}`;
  const lossless = p === policy.toLowerCase() && s === sourceId.toLowerCase() && !p.includes("-");
  if (lossless && plain.length <= MAX_RDS_ID) return plain;
  const suffix = `-h${fnv1a(`${policy}\u0000${sourceId}`)}`;
  const room = MAX_RDS_ID - HASH_SUFFIX_LENGTH - `${RDS_SNAPSHOT_ID_PREFIX}${p}--${w}`.length;
  const source = s.length > room ? s.slice(0, Math.max(1, room)).replace(/-+$/, "") : s;
  return `${RDS_SNAPSHOT_ID_PREFIX}${p}-${source}-${w}${suffix}`.slice(0, MAX_RDS_ID);
}
