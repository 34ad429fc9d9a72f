/**
 * The estate as the planners see it: plain, AWS-neutral records that the adapters in aws/ map from
 * API responses. Planners never see SDK types, so they stay pure and property-testable.
 */
import type { Tags } from "./tags.ts";

export type VolumeType = "gp2" | "gp3" | "io1" | "io2" | "st1" | "sc1" | "standard";

export interface Volume {
  id: string;
  type: VolumeType;
  tags: Tags;
  availabilityZone: string;
  outpostArn?: string;
  attachments: { instanceId: string; device: string }[];
}

export interface Instance {
  id: string;
  tags: Tags;
  state: string;
  outpostArn?: string;
  rootDeviceName?: string;
  /** The attached volumes (with their types and tags, for exclusions). */
  volumes: Volume[];
}

export interface DbInstance {
  id: string;
  arn: string;
  status: string;
  engine: string;
  tags: Tags;
  /** Set when the instance is an Aurora cluster member: it is snapshotted through its cluster. */
  clusterId?: string;
}

export interface DbCluster {
  id: string;
  arn: string;
  status: string;
  engine: string;
  tags: Tags;
}

/** What a policy can select, by resource kind. */
export type Resource =
  | { kind: "ebs-volume"; volume: Volume }
  | { kind: "ec2-instance"; instance: Instance }
  | { kind: "rds-instance"; db: DbInstance }
  | { kind: "aurora-cluster"; cluster: DbCluster };

export type SnapshotKind = "ebs" | "rds" | "aurora";
export type SnapshotState = "pending" | "completed" | "failed";

/** One snapshot of any kind, as retention sees it. */
export interface SnapshotRecord {
  kind: SnapshotKind;
  /** snap-… for EBS; the DB (cluster) snapshot identifier for RDS/Aurora. */
  id: string;
  /** The volume, DB instance or cluster it was taken of. */
  sourceId: string;
  createdAt: Date;
  state: SnapshotState;
  tags: Tags;
  /** AWS Backup owns it (cannot be deleted through EC2/RDS). */
  awsBackup: boolean;
  /** RDS/Aurora: the snapshot's ARN (cross-Region copies name their source by it). */
  arn?: string;
  /** EBS: set on a local snapshot, stored on this Outpost (it cannot be copied to a Region). */
  outpostArn?: string;
  /** RDS/Aurora: whether its storage is encrypted (a copy of an unencrypted cluster snapshot takes no key). */
  encrypted?: boolean;
  /** Why a snapshot or copy failed, where AWS says (EBS StateMessage). */
  stateMessage?: string;
}
