import { type Config, parseConfig } from "../../src/config/schema.ts";
import type { SnapshotKind, SnapshotRecord, SnapshotState } from "../../src/inventory.ts";
import { Tag } from "../../src/tags.ts";

export const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
export const NOW = new Date("2024-05-14T12:00:00Z");
export const HOUR = 3_600_000;

/** Two copy policies (EBS hourly, RDS every 6 h) and one that does not copy. */
export function copyConfig(): Config {
  const hourly = [{ name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 24 } }];
  return parseConfig({
    regions: { primary: "us-west-2", dr: "us-east-1" },
    alerts: { emails: [] },
    policies: [
      {
        name: "vols",
        resource: "ebs-volume",
        selector: { tags: { B: "1" } },
        schedules: hourly,
        copy: { rpo: "6h", kmsKeyArn: KEY },
      },
      {
        name: "db",
        resource: "rds-instance",
        selector: { tags: { B: "1" } },
        schedules: [{ name: "six", expression: "rate(6 hours)", retention: { keepLast: 4 } }],
        copy: { rpo: "8h", kmsKeyArn: KEY },
      },
      { name: "local", resource: "ebs-volume", selector: { tags: { B: "1" } }, schedules: hourly },
    ],
  });
}

let serial = 0;

/** A managed snapshot in the primary Region, `hoursAgo` before NOW. */
export function source(
  policy: string,
  sourceId: string,
  hoursAgo: number,
  options: {
    kind?: SnapshotKind;
    state?: SnapshotState;
    schedule?: string;
    outpostArn?: string;
    id?: string;
  } = {},
): SnapshotRecord {
  const kind = options.kind ?? "ebs";
  const id =
    options.id ??
    (kind === "ebs"
      ? `snap-${(++serial).toString(16).padStart(17, "0")}`
      : `oo-${policy}-${sourceId}-${++serial}`);
  const createdAt = new Date(NOW.getTime() - hoursAgo * HOUR);
  return {
    kind,
    id,
    sourceId,
    createdAt,
    state: options.state ?? "completed",
    tags: {
      [Tag.managed]: "true",
      [Tag.policy]: policy,
      [Tag.schedule]: options.schedule ?? (policy === "db" ? "six" : "hourly"),
      [Tag.source]: sourceId,
      [Tag.window]: `${createdAt.toISOString().slice(0, 16)}Z`,
    },
    awsBackup: false,
    ...(kind !== "ebs" ? { arn: `arn:aws:rds:us-west-2:123456789012:snapshot:${id}` } : {}),
    ...(options.outpostArn ? { outpostArn: options.outpostArn } : {}),
  };
}

/** A copy of `of` in the destination, started `hoursAgo` before NOW. */
export function copyOf(
  of: SnapshotRecord,
  state: SnapshotState,
  hoursAgo = 0,
  extraTags: Record<string, string> = {},
): SnapshotRecord {
  return {
    kind: of.kind,
    id: of.kind === "ebs" ? `snap-c${(++serial).toString(16).padStart(16, "0")}` : of.id,
    sourceId: of.sourceId,
    createdAt: new Date(NOW.getTime() - hoursAgo * HOUR),
    state,
    tags: {
      ...of.tags,
      [Tag.sourceSnapshot]: of.id,
      [Tag.sourceRegion]: "us-west-2",
      [Tag.sourceTime]: of.createdAt.toISOString(),
      ...extraTags,
    },
    awsBackup: false,
    ...(state === "failed" ? { stateMessage: "copy failed for a reason" } : {}),
  };
}
