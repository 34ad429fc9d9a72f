import { DescribeAccountAttributesCommand, RDSClient } from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
// Types for the matchers test/setup.ts registers.
import type {} from "aws-sdk-client-mock-vitest/extend";
import { afterEach, describe, expect, it } from "vitest";
import { quotaExhaustedAlert, quotaReachedAlert, readQuotaUsage } from "../../src/jobs/snapshot-alerts.ts";
import type { QuotaHit } from "../../src/jobs/snapshot-batch.ts";
import { SnapshotQuotas } from "../../src/jobs/snapshot-quotas.ts";
import { awsError, clients, WINDOW } from "./snapshot-fixtures.ts";

const rdsMock = mockClient(RDSClient);
const AT = new Date("2024-05-14T00:03:00Z");

afterEach(() => {
  rdsMock.reset();
});

const ebsHit: QuotaHit = {
  quota: SnapshotQuotas.ebs,
  region: "us-west-2",
  error: "SnapshotLimitExceeded: The maximum number of snapshots has been reached.",
  keys: [`line/vol-a/${WINDOW}`, `line/vol-b/${WINDOW}`],
  windows: [WINDOW],
};
const rdsHit: QuotaHit = {
  quota: SnapshotQuotas.rdsInstance,
  region: "us-west-2",
  error: "SnapshotQuotaExceeded: Cannot create the snapshot",
  keys: [`orders/orders-db/${WINDOW}`],
  windows: [WINDOW],
};

describe("Function: quotaReachedAlert", () => {
  it("names the quota, says its value is unknown, and how to raise it", () => {
    // Act
    const alert = quotaReachedAlert([ebsHit], new Map(), "us-west-2", AT);

    // Assess
    expect(alert).toMatchObject({
      severity: "critical",
      job: "snapshot",
      title: "2 snapshot(s) failed: the EBS snapshots per Region quota is full in us-west-2",
      region: "us-west-2",
      at: AT,
      resourceIds: ebsHit.keys,
      links: [{ label: "Service Quotas: EBS snapshots per Region" }],
    });
    expect(alert?.body).toContain("current value not known here (AWS's default is 100,000)");
    expect(alert?.body).toContain(
      "aws service-quotas request-service-quota-increase --service-code ebs --quota-code L-309BACF6 --desired-value <new value> --region us-west-2",
    );
    expect(alert?.body).toContain(`npx outpost-ops run snapshot --at ${WINDOW}`);
    expect(alert?.body).toContain("were not retried");
  });

  it("quotes the current value when known and suggests a higher one", () => {
    // Act
    const alert = quotaReachedAlert(
      [rdsHit],
      new Map([["rds-manual-snapshots:us-west-2", { used: 100, max: 100 }]]),
      "us-west-2",
      AT,
    );

    // Assess
    expect(alert?.body).toContain(
      "Manual DB instance snapshots (Service Quotas: service rds, quota L-272F1212)",
    );
    expect(alert?.body).toContain("100 of 100 used");
    expect(alert?.body).toContain("--quota-code L-272F1212 --desired-value 200 --region us-west-2");
  });

  it("sends nothing when no quota was reached", () => {
    // Act
    const alert = quotaReachedAlert([], new Map(), "us-west-2", AT);

    // Assess
    expect(alert).toBeUndefined();
  });
});

describe("Function: readQuotaUsage", () => {
  it("reads RDS usage once per Region and nothing for EBS", async () => {
    // Prepare
    rdsMock.on(DescribeAccountAttributesCommand).resolves({
      AccountQuotas: [{ AccountQuotaName: "ManualSnapshots", Used: 100, Max: 100 }],
    });

    // Act
    const usage = await readQuotaUsage(clients(), [ebsHit, rdsHit, rdsHit]);

    // Assess
    expect([...usage]).toEqual([["rds-manual-snapshots:us-west-2", { used: 100, max: 100 }]]);
    expect(rdsMock).toHaveReceivedCommandTimes(DescribeAccountAttributesCommand, 1);
  });

  it("does without the figure when RDS refuses to tell", async () => {
    // Prepare
    rdsMock.on(DescribeAccountAttributesCommand).rejects(awsError("AccessDenied", 403));

    // Act
    const usage = await readQuotaUsage(clients(), [rdsHit]);

    // Assess
    expect(usage.size).toBe(0);
  });
});

describe("Function: quotaExhaustedAlert", () => {
  it("lists the databases left unplanned and how to raise the quota", () => {
    // Act
    const alert = quotaExhaustedAlert(
      [
        {
          quota: SnapshotQuotas.rdsCluster,
          region: "us-west-2",
          usage: { used: 99, max: 100 },
          skipped: ["inventory-b", "inventory-c"],
        },
      ],
      "us-west-2",
      AT,
    );

    // Assess
    expect(alert).toMatchObject({
      severity: "critical",
      title: "2 database snapshot(s) not planned: the Manual DB cluster snapshots quota is full in us-west-2",
      resourceIds: ["inventory-b", "inventory-c"],
    });
    expect(alert?.body).toContain("99 of 100 used");
    expect(alert?.body).toContain("--quota-code L-9B510759 --desired-value 200");
  });

  it("sends nothing when everything fitted", () => {
    // Act
    const alert = quotaExhaustedAlert([], "us-west-2", AT);

    // Assess
    expect(alert).toBeUndefined();
  });
});
