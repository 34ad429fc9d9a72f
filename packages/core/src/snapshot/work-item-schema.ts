/**
 * Work items arrive from a queue: validate before acting, so a corrupted or foreign message fails
 * loudly (and lands in the dead-letter queue) instead of creating or deleting the wrong thing.
 */
import * as z from "zod";
import { MANAGED_VALUE, Tag } from "../tags.ts";
import type { DeleteWorkItem, SnapshotWorkItem } from "./work-item.ts";
import { DELETE_BATCH_SIZE } from "./work-item.ts";

const tagPair = z.strictObject({ Key: z.string().min(1).max(128), Value: z.string().max(256) });
const base = {
  region: z.string().min(1),
  policy: z.string().min(1),
  schedule: z.string().min(1),
  window: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/),
  key: z.string().min(1),
  // Without our managed tag a snapshot would be invisible to the duplicate check and to retention.
  tags: z
    .array(tagPair)
    .max(50)
    .refine((tags) => tags.some((t) => t.Key === Tag.managed && t.Value === MANAGED_VALUE), {
      message: `must include ${Tag.managed}=${MANAGED_VALUE}`,
    }),
};

const SnapshotWorkItemSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    ...base,
    kind: z.literal("ebs-volume"),
    volumeId: z.string().regex(/^vol-[0-9a-f]+$/),
    description: z.string(),
    outpostArn: z.string().optional(),
  }),
  z.strictObject({
    ...base,
    kind: z.literal("ec2-instance"),
    instanceId: z.string().regex(/^i-[0-9a-f]+$/),
    description: z.string(),
    excludeBootVolume: z.boolean(),
    excludeDataVolumeIds: z.array(z.string()),
    copyTagsFromVolumes: z.boolean(),
    outpostArn: z.string().optional(),
  }),
  z.strictObject({
    ...base,
    kind: z.literal("rds-instance"),
    dbInstanceId: z.string().min(1),
    snapshotId: z.string().min(1),
  }),
  z.strictObject({
    ...base,
    kind: z.literal("aurora-cluster"),
    clusterId: z.string().min(1),
    snapshotId: z.string().min(1),
  }),
]);

const DeleteWorkItemSchema = z.strictObject({
  kind: z.literal("delete"),
  snapshotKind: z.enum(["ebs", "rds", "aurora"]),
  region: z.string().min(1),
  snapshotIds: z.array(z.string().min(1)).min(1).max(DELETE_BATCH_SIZE),
  lineage: z
    .record(
      z.string(),
      z.strictObject({
        policy: z.string().optional(),
        schedule: z.string().optional(),
        sourceId: z.string(),
      }),
    )
    .optional(),
});

export function parseSnapshotWorkItem(body: unknown): SnapshotWorkItem {
  return SnapshotWorkItemSchema.parse(body) as SnapshotWorkItem;
}

export function parseDeleteWorkItem(body: unknown): DeleteWorkItem {
  return DeleteWorkItemSchema.parse(body);
}
