// The placeholders ${partition}, ${region} and ${account} below are filled in by stacks/iam.ts, not by JavaScript.
/**
 * IAM permissions, declared next to the AWS calls that need them (each adapter exports its own) and
 * gathered per function here. stacks/ turns these into IAM statements, so a new call without its
 * permission shows up in review, and no statement ever grants `*` actions.
 *
 * `${region}`/`${account}` placeholders are filled in by the stack; deletes and creates are
 * conditioned on our managed tag so the functions cannot touch what outpost-ops did not create.
 */
import { MANAGED_VALUE, Tag } from "../tags.ts";

export interface PermissionStatement {
  /** Why the function needs it, for reviewers and the README's IAM summary. */
  why: string;
  actions: string[];
  /** ARN patterns; `*` only for actions that support no resource-level permissions (Describe*). */
  resources: string[];
  conditions?: Record<string, Record<string, string | string[]>>;
}

const requestTagged = { StringEquals: { [`aws:RequestTag/${Tag.managed}`]: MANAGED_VALUE } };
const resourceTagged = { StringEquals: { [`aws:ResourceTag/${Tag.managed}`]: MANAGED_VALUE } };

export const Ec2Permissions = {
  describeInventory: {
    why: "list volumes, instances, snapshots and AMIs (Describe* supports no resource-level permissions)",
    actions: ["ec2:DescribeVolumes", "ec2:DescribeInstances", "ec2:DescribeSnapshots", "ec2:DescribeImages"],
    resources: ["*"],
  },
  createSnapshotFromSource: {
    why: "snapshot the selected volumes and instances",
    actions: ["ec2:CreateSnapshot", "ec2:CreateSnapshots"],
    resources: [
      "arn:${partition}:ec2:${region}:${account}:volume/*",
      "arn:${partition}:ec2:${region}:${account}:instance/*",
      "arn:${partition}:outposts:${region}:${account}:outpost/*",
    ],
  },
  createManagedSnapshot: {
    why: "create only snapshots tagged outpost-ops:managed=true at creation",
    actions: ["ec2:CreateSnapshot", "ec2:CreateSnapshots"],
    resources: ["arn:${partition}:ec2:${region}::snapshot/*"],
    conditions: requestTagged,
  },
  tagOnCreate: {
    why: "write tags in the same call that creates the snapshot (never tag anything else)",
    actions: ["ec2:CreateTags"],
    resources: ["arn:${partition}:ec2:${region}::snapshot/*"],
    conditions: { StringEquals: { "ec2:CreateAction": ["CreateSnapshot", "CreateSnapshots"] } },
  },
  deleteManagedSnapshot: {
    why: "delete only snapshots outpost-ops created",
    actions: ["ec2:DeleteSnapshot"],
    resources: ["arn:${partition}:ec2:${region}::snapshot/*"],
    conditions: resourceTagged,
  },
} satisfies Record<string, PermissionStatement>;

export const RdsPermissions = {
  describeInventory: {
    why: "list DB instances, clusters and their snapshots (with tags)",
    actions: [
      "rds:DescribeDBInstances",
      "rds:DescribeDBClusters",
      "rds:DescribeDBSnapshots",
      "rds:DescribeDBClusterSnapshots",
      "rds:ListTagsForResource",
    ],
    resources: ["*"],
  },
  createFromSource: {
    why: "snapshot the selected DB instances and Aurora clusters",
    actions: ["rds:CreateDBSnapshot", "rds:CreateDBClusterSnapshot"],
    resources: [
      "arn:${partition}:rds:${region}:${account}:db:*",
      "arn:${partition}:rds:${region}:${account}:cluster:*",
    ],
  },
  createManagedSnapshot: {
    why: "create only DB snapshots tagged outpost-ops:managed=true at creation",
    actions: ["rds:CreateDBSnapshot", "rds:CreateDBClusterSnapshot", "rds:AddTagsToResource"],
    resources: [
      "arn:${partition}:rds:${region}:${account}:snapshot:*",
      "arn:${partition}:rds:${region}:${account}:cluster-snapshot:*",
    ],
    conditions: requestTagged,
  },
  deleteManagedSnapshot: {
    why: "delete only DB snapshots outpost-ops created",
    actions: ["rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot"],
    resources: [
      "arn:${partition}:rds:${region}:${account}:snapshot:*",
      "arn:${partition}:rds:${region}:${account}:cluster-snapshot:*",
    ],
    conditions: resourceTagged,
  },
} satisfies Record<string, PermissionStatement>;

/**
 * What each function may do in AWS, beyond the queue and topic grants the stacks add.
 * @example FunctionPermissions.retentionWorker.map((s) => s.actions)
 */
export const FunctionPermissions = {
  snapshotPlanner: [Ec2Permissions.describeInventory, RdsPermissions.describeInventory],
  snapshotWorker: [
    Ec2Permissions.describeInventory,
    Ec2Permissions.createSnapshotFromSource,
    Ec2Permissions.createManagedSnapshot,
    Ec2Permissions.tagOnCreate,
    RdsPermissions.describeInventory,
    RdsPermissions.createFromSource,
    RdsPermissions.createManagedSnapshot,
  ],
  retentionPlanner: [Ec2Permissions.describeInventory, RdsPermissions.describeInventory],
  retentionWorker: [Ec2Permissions.deleteManagedSnapshot, RdsPermissions.deleteManagedSnapshot],
  alarmHandler: [] as PermissionStatement[],
} satisfies Record<string, PermissionStatement[]>;

export type FunctionRole = keyof typeof FunctionPermissions;
