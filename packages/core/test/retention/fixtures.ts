import type { Policy, Retention } from "../../src/config/schema.ts";
import type { SnapshotKind, SnapshotRecord, SnapshotState } from "../../src/inventory.ts";
import type { RetentionInput } from "../../src/retention/plan.ts";
import { Tag, type Tags } from "../../src/tags.ts";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const NOW = new Date("2024-05-14T12:00:00Z");

/** `NOW` minus the given milliseconds. */
export const ago = (ms: number): Date => new Date(NOW.getTime() - ms);

export function managedTags(policy = "nightly", schedule = "daily", extra: Tags = {}): Tags {
  return { [Tag.managed]: "true", [Tag.policy]: policy, [Tag.schedule]: schedule, ...extra };
}

export function snap(
  id: string,
  createdAt: Date,
  options: {
    sourceId?: string;
    kind?: SnapshotKind;
    state?: SnapshotState;
    tags?: Tags;
    awsBackup?: boolean;
  } = {},
): SnapshotRecord {
  return {
    kind: options.kind ?? "ebs",
    id,
    sourceId: options.sourceId ?? "vol-1",
    createdAt,
    state: options.state ?? "completed",
    tags: options.tags ?? managedTags(),
    awsBackup: options.awsBackup ?? false,
  };
}

export function policy(
  name: string,
  schedules: Record<string, Retention>,
  options: { resource?: Policy["resource"]; orphanKeepLast?: number } = {},
): Policy {
  return {
    name,
    resource: options.resource ?? "ebs-volume",
    selector: { tags: { backup: "yes" } },
    placement: "region",
    residency: "flexible",
    copySourceTags: false,
    orphanKeepLast: options.orphanKeepLast ?? 1,
    schedules: Object.entries(schedules).map(([scheduleName, retention]) => ({
      name: scheduleName,
      expression: "cron(0 2 * * ? *)",
      retention,
    })),
  };
}

export function input(
  overrides: Partial<RetentionInput> & Pick<RetentionInput, "snapshots">,
): RetentionInput {
  return {
    liveSourceIds: new Set(["vol-1", "vol-2", "db-1"]),
    imageSnapshotIds: new Map(),
    policies: [policy("nightly", { daily: { keepLast: 3 } })],
    caps: { maxDeletesPerRun: 1000, maxDeletesPercent: 100 },
    now: NOW,
    ...overrides,
  };
}
