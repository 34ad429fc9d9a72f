import { describe, expect, it } from "vitest";
import {
  quotaConsoleLink,
  quotaIncreaseCommand,
  SnapshotQuotas,
  snapshotQuotaOf,
} from "../../src/jobs/snapshot-quotas.ts";

describe("Function: snapshotQuotaOf", () => {
  it.each([
    ["ebs-volume", "ebs", "L-309BACF6"],
    ["ec2-instance", "ebs", "L-309BACF6"],
    ["rds-instance", "rds", "L-272F1212"],
    ["aurora-cluster", "rds", "L-9B510759"],
  ] as const)("counts %s snapshots against %s %s", (kind, service, code) => {
    // Act
    const quota = snapshotQuotaOf(kind);

    // Assess
    expect([quota.serviceCode, quota.quotaCode]).toEqual([service, code]);
  });
});

describe("Function: quotaIncreaseCommand", () => {
  it("names the service, quota, value and Region", () => {
    // Act
    const command = quotaIncreaseCommand(SnapshotQuotas.rdsInstance, "us-west-2", 200);

    // Assess
    expect(command).toBe(
      "aws service-quotas request-service-quota-increase --service-code rds --quota-code L-272F1212 --desired-value 200 --region us-west-2",
    );
  });

  it("leaves the value to fill in when none is suggested", () => {
    // Act
    const command = quotaIncreaseCommand(SnapshotQuotas.ebs, "eu-west-1");

    // Assess
    expect(command).toContain("--service-code ebs --quota-code L-309BACF6 --desired-value <new value>");
  });
});

describe("Function: quotaConsoleLink", () => {
  it("links the quota's Service Quotas page in the Region", () => {
    // Act
    const link = quotaConsoleLink(SnapshotQuotas.rdsCluster, "us-west-2");

    // Assess
    expect(link.url).toBe(
      "https://us-west-2.console.aws.amazon.com/servicequotas/home/services/rds/quotas/L-9B510759?region=us-west-2",
    );
  });
});
