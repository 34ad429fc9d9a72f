// The placeholders ${partition}, ${region}, ${account}, ${primaryRegion}, ${drRegion}, ${kmsKey:NAME},
// ${kmsKeys:GROUP}, ${failoverZone}, ${failoverRecordNames}, ${failoverRecordTypes} and
// ${capacityAlarmPrefix} (aws/alarms.ts) are filled in by stacks/iam.ts, not by JavaScript.
/**
 * IAM permissions, declared next to the AWS calls that need them (each adapter exports its own) and
 * gathered per function here. stacks/ turns these into IAM statements, so a new call without its
 * permission shows up in review, and no statement ever grants `*` actions.
 * test/infra/permissions.test.ts runs every handler against the sandbox and fails when a function
 * sends a command its policy does not grant, or is granted one it never sends.
 *
 * Placeholders are filled in by the stack (stacks/iam.ts): `${partition}`, `${region}` and
 * `${account}` of the stack; `${primaryRegion}`/`${drRegion}` from the config's `regions`, so a
 * function in one Region can be granted exactly what it needs in the other; `${kmsKey:NAME}` for a
 * KMS key ARN the config names; `${kmsKeys:GROUP}` for every key ARN of a group (`copy`: the
 * policies' copy.kmsKeyArn), one resource each (a statement whose group is empty is left out);
 * `${failoverZone}` for the failover hosted zone's id (`*` when the config names it by name), and
 * `${failoverRecordNames}`/`${failoverRecordTypes}`, whole entries of a condition's list, for the
 * names and types a failover batch may change (failover/change-scope.ts); `${capacityAlarmPrefix}` for
 * the capacity alarms' name prefix, `outpost-ops-<stage>-capacity-` (capacityAlarmPrefix). Creates, tags and deletes are conditioned on our managed tag, and on
 * RDS also limited to the identifiers outpost-ops generates, so the functions cannot touch what
 * outpost-ops did not create.
 *
 * Resource types and condition keys per action: "Actions, resources, and condition keys for Amazon
 * EC2" and "... for Amazon RDS" in the Service Authorization Reference,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html and
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
 */
import { RDS_SNAPSHOT_ID_PREFIX } from "../snapshot/names.ts";
import { MANAGED_VALUE, Tag } from "../tags.ts";
import { AlarmPermissions } from "./alarms.ts";
import { CapacityMetricsPermissions } from "./capacity-metrics.ts";
import { ConsumersPermissions } from "./consumers.ts";
import { OutpostsPermissions } from "./outposts.ts";

export interface PermissionStatement {
  /** Why the function needs it, for reviewers and the README's IAM summary. */
  why: string;
  /**
   * Actions AWS performs with the caller's identity on its behalf (EC2 and RDS using a KMS key for
   * a copy), which our code never sends: the permission test does not expect to record them.
   */
  onBehalf?: true;
  actions: string[];
  /** ARN patterns; `*` only for actions that support no resource-level permissions (Describe*). */
  resources: string[];
  conditions?: Record<string, Record<string, string | string[]>>;
}

const requestTagged = { StringEquals: { [`aws:RequestTag/${Tag.managed}`]: MANAGED_VALUE } };
const resourceTagged = { StringEquals: { [`aws:ResourceTag/${Tag.managed}`]: MANAGED_VALUE } };

/** DB and DB cluster snapshots outpost-ops named (rdsSnapshotId), and nothing else. */
const OUR_DB_SNAPSHOTS = [
  `arn:\${partition}:rds:\${region}:\${account}:snapshot:${RDS_SNAPSHOT_ID_PREFIX}*`,
  `arn:\${partition}:rds:\${region}:\${account}:cluster-snapshot:${RDS_SNAPSHOT_ID_PREFIX}*`,
];

/** Describe* supports no resource-level permissions: `*` is the only resource AWS accepts. */
function describe(why: string, actions: string[]): PermissionStatement {
  return { why, actions, resources: ["*"] };
}

export const Ec2Permissions = {
  describeVolumes: describe("list volumes by tag and Outpost, and check which sources still exist", [
    "ec2:DescribeVolumes",
  ]),
  describeInstances: describe("list instances by tag and Outpost", ["ec2:DescribeInstances"]),
  describeSnapshots: describe("list our snapshots (server-side filter on the managed tag)", [
    "ec2:DescribeSnapshots",
  ]),
  describeImages: describe("find the snapshots our AMIs use (those cannot be deleted)", [
    "ec2:DescribeImages",
  ]),
  createSnapshotFromSource: {
    why: "snapshot the selected volumes and instances (their own tags are not touched)",
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

// RDS Describe responses carry TagList, so no rds:ListTagsForResource is needed anywhere.
export const RdsPermissions = {
  describeDbInstances: describe("list DB instances (with their tags)", ["rds:DescribeDBInstances"]),
  describeDbClusters: describe("list Aurora clusters (with their tags)", ["rds:DescribeDBClusters"]),
  describeDbSnapshots: describe("list manual DB and cluster snapshots (with their tags)", [
    "rds:DescribeDBSnapshots",
    "rds:DescribeDBClusterSnapshots",
  ]),
  describeAccountQuotas: describe(
    "read the manual DB (cluster) snapshot quotas' usage and maximum (to plan within them, and for the quota alert)",
    ["rds:DescribeAccountAttributes"],
  ),
  createFromSource: {
    why: "snapshot the selected DB instances and Aurora clusters (their own tags are not touched)",
    actions: ["rds:CreateDBSnapshot", "rds:CreateDBClusterSnapshot"],
    resources: [
      "arn:${partition}:rds:${region}:${account}:db:*",
      "arn:${partition}:rds:${region}:${account}:cluster:*",
    ],
  },
  /*
   * CreateDBSnapshot/CreateDBClusterSnapshot with Tags are also authorized as rds:AddTagsToResource
   * on the new snapshot's ARN ("Grant permission to tag Amazon RDS resources during creation",
   * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/security_iam_id-based-policy-examples-grant-permissions-tags-on-create.html;
   * the Service Authorization Reference lists it as their dependent action, and aws:RequestTag as a
   * condition key of all three). rds:AddTagsToResource is an action of its own, though: granted on
   * `snapshot:*` it would let the worker stamp outpost-ops:managed=true on any existing snapshot,
   * which retention could then delete. So it is granted only on the identifiers we generate.
   */
  createManagedSnapshot: {
    why: "create (and tag at creation) only DB snapshots named oo-* and tagged outpost-ops:managed=true",
    actions: ["rds:CreateDBSnapshot", "rds:CreateDBClusterSnapshot", "rds:AddTagsToResource"],
    resources: OUR_DB_SNAPSHOTS,
    conditions: requestTagged,
  },
  deleteManagedSnapshot: {
    why: "delete only DB snapshots named oo-* and tagged outpost-ops:managed=true",
    actions: ["rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot"],
    resources: OUR_DB_SNAPSHOTS,
    conditions: resourceTagged,
  },
} satisfies Record<string, PermissionStatement>;

/** DB and DB cluster snapshots outpost-ops named, in the primary Region: the sources of DR copies. */
const OUR_PRIMARY_DB_SNAPSHOTS = OUR_DB_SNAPSHOTS.map((arn) => arn.replace("${region}", "${primaryRegion}"));

/** EC2 and RDS in this Region: the services that use the copy keys on the caller's behalf. */
const VIA_COPY_SERVICES = ["ec2.${region}.amazonaws.com", "rds.${region}.amazonaws.com"];

/**
 * The copy job's calls, made in the destination Region (`${region}` of the DR deployment). Sources
 * are ours by their managed tag (EBS) or identifier (RDS); copies are created tagged as ours.
 */
export const CopyPermissions = {
  copyOurEbsSnapshots: {
    why: "copy only snapshots outpost-ops created in the primary Region",
    actions: ["ec2:CopySnapshot"],
    resources: ["arn:${partition}:ec2:${primaryRegion}::snapshot/*"],
    conditions: resourceTagged,
  },
  createManagedCopy: {
    why: "create only copies tagged outpost-ops:managed=true at creation, in this Region",
    actions: ["ec2:CopySnapshot"],
    resources: ["arn:${partition}:ec2:${region}::snapshot/*"],
    conditions: requestTagged,
  },
  tagCopyOnCreate: {
    why: "write the copy's tags in the CopySnapshot call itself (never tag anything else)",
    actions: ["ec2:CreateTags"],
    resources: ["arn:${partition}:ec2:${region}::snapshot/*"],
    conditions: { StringEquals: { "ec2:CreateAction": "CopySnapshot" } },
  },
  markEbsCopyAlerted: {
    why: "mark a failed copy of ours as alerted (only that tag, only on our snapshots)",
    actions: ["ec2:CreateTags"],
    resources: ["arn:${partition}:ec2:${region}::snapshot/*"],
    conditions: {
      ...resourceTagged,
      "ForAllValues:StringEquals": { "aws:TagKeys": [Tag.failureAlerted] },
    },
  },
  copyOurDbSnapshots: {
    why: "copy only DB snapshots named oo-* from the primary Region, into copies named oo-* tagged as ours",
    actions: ["rds:CopyDBSnapshot", "rds:CopyDBClusterSnapshot"],
    resources: [...OUR_PRIMARY_DB_SNAPSHOTS, ...OUR_DB_SNAPSHOTS],
  },
  tagDbCopyOnCreate: {
    why: "tag DB snapshot copies at creation, only with outpost-ops:managed=true, only oo-* identifiers",
    actions: ["rds:AddTagsToResource"],
    resources: OUR_DB_SNAPSHOTS,
    conditions: requestTagged,
  },
  markDbCopyAlerted: {
    why: "mark a failed DB snapshot copy of ours as alerted (only that tag)",
    actions: ["rds:AddTagsToResource"],
    resources: OUR_DB_SNAPSHOTS,
    conditions: {
      ...resourceTagged,
      "ForAllValues:StringEquals": { "aws:TagKeys": [Tag.failureAlerted] },
    },
  },
  describeCopyKeys: {
    why: "check the destination KMS keys before copying with them",
    actions: ["kms:DescribeKey"],
    resources: ["${kmsKeys:copy}"],
  },
  // The keys are used by EC2 and RDS during the copy, never by our code: only through those services,
  // in this Region ("kms:ViaService", AWS KMS Developer Guide, condition keys).
  useCopyKeys: {
    why: "let EC2 and RDS encrypt the copies with the configured destination keys (and nothing else)",
    onBehalf: true,
    actions: ["kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"],
    resources: ["${kmsKeys:copy}"],
    conditions: { StringEquals: { "kms:ViaService": VIA_COPY_SERVICES } },
  },
  grantCopyKeys: {
    why: "let EC2 and RDS hold a grant on the destination keys for the copy they run (only for AWS resources)",
    onBehalf: true,
    actions: ["kms:CreateGrant"],
    resources: ["${kmsKeys:copy}"],
    conditions: {
      StringEquals: { "kms:ViaService": VIA_COPY_SERVICES },
      Bool: { "kms:GrantIsForAWSResource": "true" },
    },
  },
  putCopyMetrics: {
    why: "publish recovery point ages and copy gauges (the RPO and KMS alarms read them)",
    actions: ["cloudwatch:PutMetricData"],
    resources: ["*"],
    conditions: { StringEquals: { "cloudwatch:namespace": "OutpostOps" } },
  },
} satisfies Record<string, PermissionStatement>;

/** The failover hosted zone (`hostedzone/*` when the config names it by name). */
const FAILOVER_ZONE = "arn:${partition}:route53:::hostedzone/${failoverZone}";
/** Only the configured records and the state record, of the configured types (and TXT). */
const FAILOVER_RECORDS = {
  "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["${failoverRecordNames}"],
  "route53:ChangeResourceRecordSetsRecordTypes": ["${failoverRecordTypes}"],
};

/**
 * The failover job's calls (aws/route53.ts, aws/recovery-gauges.ts): Route 53 is global, so its
 * ARNs have no Region or account. Resource types and condition keys: "Actions, resources, and
 * condition keys for Amazon Route 53", Service Authorization Reference.
 */
export const FailoverPermissions = {
  getZone: {
    why: "resolve the hosted zone the config names by id",
    actions: ["route53:GetHostedZone"],
    resources: [FAILOVER_ZONE],
  },
  findZone: describe(
    "resolve the hosted zone the config names by name (ListHostedZonesByName has no resource)",
    ["route53:ListHostedZonesByName"],
  ),
  readRecords: {
    why: "read the configured records and the state record",
    actions: ["route53:ListResourceRecordSets"],
    resources: [FAILOVER_ZONE],
  },
  changeRecords: {
    why: "replace the configured records and the state record in one batch (DELETE the exact current value, CREATE the new one), and nothing else in the zone",
    actions: ["route53:ChangeResourceRecordSets"],
    resources: [FAILOVER_ZONE],
    conditions: {
      "ForAllValues:StringEquals": {
        ...FAILOVER_RECORDS,
        "route53:ChangeResourceRecordSetsActions": ["CREATE", "DELETE"],
      },
    },
  },
  /*
   * The readiness check sends the same permission probe as a failover (a DELETE of a value that
   * cannot exist, refused after authorization), so it needs the change permission to report on it;
   * DELETE alone is enough for the probe, and it can never point a record anywhere.
   */
  probeChange: {
    why: "the permission probe: a batch that deletes a value that cannot exist (never applied)",
    actions: ["route53:ChangeResourceRecordSets"],
    resources: [FAILOVER_ZONE],
    conditions: {
      "ForAllValues:StringEquals": {
        ...FAILOVER_RECORDS,
        "route53:ChangeResourceRecordSetsActions": ["DELETE"],
      },
    },
  },
  followChange: {
    why: "follow the change to INSYNC",
    actions: ["route53:GetChange"],
    resources: ["arn:${partition}:route53:::change/*"],
  },
  readHealthChecks: {
    why: "read the target site's health checks (their ids come from the config)",
    actions: ["route53:GetHealthCheckStatus"],
    resources: ["arn:${partition}:route53:::healthcheck/*"],
  },
  readGauges: describe(
    "read the DR copy scheduler's recovery point gauges, and the last FailoverReady (GetMetricData has no resource)",
    ["cloudwatch:GetMetricData"],
  ),
  putReadiness: {
    why: "publish the FailoverReady gauge",
    actions: ["cloudwatch:PutMetricData"],
    resources: ["*"],
    conditions: { StringEquals: { "cloudwatch:namespace": "OutpostOps" } },
  },
} satisfies Record<string, PermissionStatement>;

export const EventPermissions = {
  putEvents: {
    why: "publish the event stream (source outpost-ops) to the Region's default event bus",
    actions: ["events:PutEvents"],
    resources: ["arn:${partition}:events:${region}:${account}:event-bus/default"],
  },
} satisfies Record<string, PermissionStatement>;

/**
 * What each function may do in AWS, beyond the queue and topic grants the stacks add. Each entry is
 * exactly what the function's code sends: test/infra/permissions.test.ts records the commands and
 * fails on a missing or an unused grant.
 * @example FunctionPermissions.retentionWorker.map((s) => s.actions)
 */
export const FunctionPermissions = {
  /**
   * collectResources: volumes, instances (and their volumes), DB instances, clusters; the DB
   * snapshot quotas' room (createSnapshotQuotaBudget).
   */
  snapshotPlanner: [
    Ec2Permissions.describeVolumes,
    Ec2Permissions.describeInstances,
    RdsPermissions.describeDbInstances,
    RdsPermissions.describeDbClusters,
    RdsPermissions.describeAccountQuotas,
    // When a quota has no room: which of the window's DB snapshots a first run already took.
    RdsPermissions.describeDbSnapshots,
    // When a due policy places snapshots on an Outpost: its free local snapshot storage (readLocalStorage).
    CapacityMetricsPermissions.getMetricData,
    EventPermissions.putEvents,
  ],
  /**
   * applySnapshotItem: findWindowSnapshots (DescribeSnapshots), then the create; a full DB
   * snapshot quota's figure for its alert (readQuotaUsage).
   */
  snapshotWorker: [
    Ec2Permissions.describeSnapshots,
    Ec2Permissions.createSnapshotFromSource,
    Ec2Permissions.createManagedSnapshot,
    Ec2Permissions.tagOnCreate,
    RdsPermissions.createFromSource,
    RdsPermissions.createManagedSnapshot,
    RdsPermissions.describeAccountQuotas,
    EventPermissions.putEvents,
  ],
  /** collectRetentionInventory: our snapshots, which sources still exist, which snapshots AMIs use. */
  retentionPlanner: [
    Ec2Permissions.describeSnapshots,
    Ec2Permissions.describeVolumes,
    Ec2Permissions.describeImages,
    RdsPermissions.describeDbSnapshots,
    RdsPermissions.describeDbInstances,
    RdsPermissions.describeDbClusters,
    EventPermissions.putEvents,
  ],
  retentionWorker: [
    Ec2Permissions.deleteManagedSnapshot,
    RdsPermissions.deleteManagedSnapshot,
    EventPermissions.putEvents,
  ],
  /**
   * runCopyScheduler: the primary Region's snapshots and selected resources, the destination's
   * copies, its keys; the copies; the alerted mark; the gauges.
   */
  copyScheduler: [
    Ec2Permissions.describeSnapshots,
    Ec2Permissions.describeVolumes,
    Ec2Permissions.describeInstances,
    RdsPermissions.describeDbSnapshots,
    RdsPermissions.describeDbInstances,
    RdsPermissions.describeDbClusters,
    CopyPermissions.copyOurEbsSnapshots,
    CopyPermissions.createManagedCopy,
    CopyPermissions.tagCopyOnCreate,
    CopyPermissions.markEbsCopyAlerted,
    CopyPermissions.copyOurDbSnapshots,
    CopyPermissions.tagDbCopyOnCreate,
    CopyPermissions.markDbCopyAlerted,
    CopyPermissions.describeCopyKeys,
    CopyPermissions.useCopyKeys,
    CopyPermissions.grantCopyKeys,
    CopyPermissions.putCopyMetrics,
    EventPermissions.putEvents,
  ],
  alarmHandler: [] as PermissionStatement[],
  /** runFailover: the zone, its records, DR readiness, health checks, the probe, the change and INSYNC. */
  failover: [
    FailoverPermissions.getZone,
    FailoverPermissions.findZone,
    FailoverPermissions.readRecords,
    FailoverPermissions.changeRecords,
    FailoverPermissions.followChange,
    FailoverPermissions.readHealthChecks,
    FailoverPermissions.readGauges,
    EventPermissions.putEvents,
  ],
  /** The same preflight as a dry run (never a change), the last FailoverReady and the new one. */
  failoverReadiness: [
    FailoverPermissions.getZone,
    FailoverPermissions.findZone,
    FailoverPermissions.readRecords,
    FailoverPermissions.probeChange,
    FailoverPermissions.readHealthChecks,
    FailoverPermissions.readGauges,
    FailoverPermissions.putReadiness,
    EventPermissions.putEvents,
  ],
  /**
   * runCapacityMonitor: discovery (GetOutpostInstanceTypes, ListMetrics, GetMetricData), the alarms
   * under the capacity prefix, their writes, and the cpu gauge (DescribeInstances, GetMetricData,
   * PutMetricData).
   */
  capacityMonitor: [
    OutpostsPermissions.getInstanceTypes,
    CapacityMetricsPermissions.listMetrics,
    CapacityMetricsPermissions.getMetricData,
    CapacityMetricsPermissions.putCpuGauge,
    AlarmPermissions.describeAlarms,
    AlarmPermissions.putCapacityAlarm,
    AlarmPermissions.tagCapacityAlarm,
    AlarmPermissions.deleteCapacityAlarms,
    ConsumersPermissions.describeInstances,
  ],
  /**
   * handleCapacityAlarm: the sibling band alarms' states, the condition's metrics (and FailoverReady
   * in regions.dr for connected), its top consumers; the event.
   */
  capacityAlarm: [
    AlarmPermissions.describeAlarms,
    CapacityMetricsPermissions.getMetricData,
    ConsumersPermissions.describeInstances,
    ConsumersPermissions.describeVolumes,
    ConsumersPermissions.describeSnapshots,
    EventPermissions.putEvents,
  ],
  /** runCapacityReport (readCapacityView): discovery, every condition's metrics and consumers; the events. */
  capacityReport: [
    OutpostsPermissions.getInstanceTypes,
    CapacityMetricsPermissions.listMetrics,
    CapacityMetricsPermissions.getMetricData,
    ConsumersPermissions.describeInstances,
    ConsumersPermissions.describeVolumes,
    ConsumersPermissions.describeSnapshots,
    EventPermissions.putEvents,
  ],
} satisfies Record<string, PermissionStatement[]>;

export type FunctionRole = keyof typeof FunctionPermissions;
