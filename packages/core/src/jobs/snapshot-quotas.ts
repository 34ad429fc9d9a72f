/**
 * The account quotas that bound how many snapshots may exist, as Service Quotas names them, so an
 * alert can say which one is full and how to raise it. Only a person can raise them (or free room
 * by keeping fewer snapshots); waiting does not.
 */
import type { ResourceKind } from "../config/schema.ts";

export interface SnapshotQuota {
  id: "ebs-snapshots" | "rds-manual-snapshots" | "rds-manual-cluster-snapshots";
  /** The quota's name in the Service Quotas console. */
  name: string;
  serviceCode: "ebs" | "rds";
  quotaCode: string;
  /** AWS's default value, quoted when the account's current value is not known. */
  defaultValue: number;
}

export const SnapshotQuotas = {
  ebs: {
    id: "ebs-snapshots",
    name: "EBS snapshots per Region",
    serviceCode: "ebs",
    quotaCode: "L-309BACF6",
    defaultValue: 100_000,
  },
  rdsInstance: {
    id: "rds-manual-snapshots",
    name: "Manual DB instance snapshots",
    serviceCode: "rds",
    quotaCode: "L-272F1212",
    defaultValue: 100,
  },
  rdsCluster: {
    id: "rds-manual-cluster-snapshots",
    name: "Manual DB cluster snapshots",
    serviceCode: "rds",
    quotaCode: "L-9B510759",
    defaultValue: 100,
  },
} as const satisfies Record<string, SnapshotQuota>;

/**
 * The quota a snapshot of this resource kind counts against (instance sets are EBS snapshots).
 * @example snapshotQuotaOf("aurora-cluster").quotaCode // "L-9B510759"
 */
export function snapshotQuotaOf(kind: ResourceKind): SnapshotQuota {
  switch (kind) {
    case "ebs-volume":
    case "ec2-instance":
      return SnapshotQuotas.ebs;
    case "rds-instance":
      return SnapshotQuotas.rdsInstance;
    case "aurora-cluster":
      return SnapshotQuotas.rdsCluster;
  }
}

/**
 * The Service Quotas console page where the quota is raised.
 * @example quotaConsoleLink(SnapshotQuotas.rdsInstance, "us-west-2").url
 */
export function quotaConsoleLink(quota: SnapshotQuota, region: string): { label: string; url: string } {
  return {
    label: `Service Quotas: ${quota.name}`,
    url: `https://${region}.console.aws.amazon.com/servicequotas/home/services/${quota.serviceCode}/quotas/${quota.quotaCode}?region=${region}`,
  };
}

/**
 * The AWS CLI command that asks for a higher value (`<new value>` when no value is suggested).
 * @example quotaIncreaseCommand(SnapshotQuotas.rdsInstance, "us-west-2", 200)
 * // "aws service-quotas request-service-quota-increase --service-code rds --quota-code L-272F1212 --desired-value 200 --region us-west-2"
 */
export function quotaIncreaseCommand(quota: SnapshotQuota, region: string, desired?: number): string {
  return [
    "aws service-quotas request-service-quota-increase",
    `--service-code ${quota.serviceCode}`,
    `--quota-code ${quota.quotaCode}`,
    `--desired-value ${desired ?? "<new value>"}`,
    `--region ${region}`,
  ].join(" ");
}
