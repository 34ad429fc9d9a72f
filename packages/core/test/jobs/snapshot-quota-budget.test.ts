import { DescribeAccountAttributesCommand, DescribeDBSnapshotsCommand, RDSClient } from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
// Types for the matchers test/setup.ts registers.
import type {} from "aws-sdk-client-mock-vitest/extend";
import { afterEach, describe, expect, it } from "vitest";
import { createSnapshotQuotaBudget } from "../../src/jobs/snapshot-quota-budget.ts";
import type { SnapshotPlan } from "../../src/snapshot/plan.ts";
import type { SnapshotWorkItem } from "../../src/snapshot/work-item.ts";
import { awsError, clients, clusterItem, volumeItem } from "./snapshot-fixtures.ts";

const rdsMock = mockClient(RDSClient);

afterEach(() => {
  rdsMock.reset();
});

const db = (id: string): SnapshotWorkItem => ({
  kind: "rds-instance",
  region: "us-west-2",
  policy: "orders",
  schedule: "daily",
  window: "w",
  key: `orders/${id}/w`,
  tags: [],
  dbInstanceId: id,
  snapshotId: `oo-orders-${id}-w`,
});

function pagePlan(items: SnapshotWorkItem[]): SnapshotPlan {
  return {
    policy: "orders",
    region: "us-west-2",
    at: new Date("2024-05-14T00:00:20Z"),
    code: "due",
    reason: "page",
    selected: items.length,
    items,
    skipped: [],
    notes: [],
  };
}

const quotas = (used: number, max: number) => ({
  AccountQuotas: [
    { AccountQuotaName: "ManualSnapshots", Used: used, Max: max },
    { AccountQuotaName: "ManualClusterSnapshots", Used: 0, Max: 100 },
  ],
});

describe("Function: createSnapshotQuotaBudget", () => {
  it("reads the quotas once per run and spends the room across pages", async () => {
    // Prepare: room for 3 DB instance snapshots
    rdsMock.on(DescribeAccountAttributesCommand).resolves(quotas(97, 100));
    const budget = createSnapshotQuotaBudget(clients(), "us-west-2");

    // Act
    const first = await budget.fit(pagePlan([db("a"), db("b")]));
    const second = await budget.fit(pagePlan([db("c"), db("d"), clusterItem]));

    // Assess
    expect(first.items.map((i) => i.key)).toEqual(["orders/a/w", "orders/b/w"]);
    expect(second.items.map((i) => i.key)).toEqual(["orders/c/w", clusterItem.key]);
    expect(second.skipped.map((s) => [s.resourceId, s.code])).toEqual([["d", "quota-exhausted"]]);
    expect(budget.shortfalls()).toEqual([
      {
        quota: expect.objectContaining({ quotaCode: "L-272F1212" }),
        region: "us-west-2",
        usage: { used: 97, max: 100 },
        skipped: ["d"],
      },
    ]);
    expect(rdsMock).toHaveReceivedCommandTimes(DescribeAccountAttributesCommand, 1);
  });

  it("plans a re-run's items whose snapshots exist already, without a false quota alert", async () => {
    // Prepare: the window's first run took a and b, which filled the quota
    rdsMock.on(DescribeAccountAttributesCommand).resolves(quotas(100, 100));
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [{ DBSnapshotIdentifier: "oo-orders-a-w" }, { DBSnapshotIdentifier: "oo-orders-b-w" }],
    });
    const budget = createSnapshotQuotaBudget(clients(), "us-west-2");

    // Act
    const fitted = await budget.fit(pagePlan([db("a"), db("b"), db("c")]));

    // Assess: a and b are planned (the worker reports them existing), only c lacks room
    expect(fitted.items.map((i) => i.key)).toEqual(["orders/a/w", "orders/b/w"]);
    expect(fitted.skipped.map((s) => s.resourceId)).toEqual(["c"]);
    expect(budget.shortfalls().map((f) => f.skipped)).toEqual([["c"]]);
    expect(rdsMock).toHaveReceivedCommandWith(DescribeDBSnapshotsCommand, {
      Filters: [{ Name: "db-snapshot-id", Values: ["oo-orders-a-w", "oo-orders-b-w", "oo-orders-c-w"] }],
    });
  });

  it("calls nothing for a page without database items", async () => {
    // Prepare
    const budget = createSnapshotQuotaBudget(clients(), "us-west-2");
    const plan = pagePlan([volumeItem()]);

    // Act
    const fitted = await budget.fit(plan);

    // Assess
    expect(fitted).toBe(plan);
    expect(rdsMock.calls()).toHaveLength(0);
  });

  it("plans everything when the quotas cannot be read (the worker still catches a full quota)", async () => {
    // Prepare
    rdsMock.on(DescribeAccountAttributesCommand).rejects(awsError("AccessDenied", 403));
    const budget = createSnapshotQuotaBudget(clients(), "us-west-2");

    // Act
    const fitted = await budget.fit(pagePlan([db("a"), db("b")]));

    // Assess
    expect(fitted.items).toHaveLength(2);
    expect(budget.shortfalls()).toEqual([]);
    expect(budget.problems()).toEqual([
      expect.stringContaining(
        "could not read the RDS snapshot quotas (DescribeAccountAttributes): AccessDenied",
      ),
    ]);
  });
});
