import {
  DescribeInstancesCommand,
  DescribeVolumesCommand,
  EC2Client,
  type Volume,
} from "@aws-sdk/client-ec2";
import {
  DescribeAccountAttributesCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
// Types for the matchers test/setup.ts registers.
import type {} from "aws-sdk-client-mock-vitest/extend";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/schema.ts";
import { DeadlineError } from "../../src/deadline.ts";
import { collectResources, planSnapshotPages, planSnapshotRun } from "../../src/jobs/snapshot.ts";
import { createSnapshotQuotaBudget } from "../../src/jobs/snapshot-quota-budget.ts";
import type { SnapshotPlan } from "../../src/snapshot/plan.ts";
import { clients } from "./snapshot-fixtures.ts";

const FACTORY = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0a1b2c3d4e5f60718";
const WINDOW = "2024-05-14T00:00Z";
const DUE = new Date("2024-05-14T00:00:20Z");
const NOT_DUE = new Date("2024-05-14T10:30:00Z");

const ec2Mock = mockClient(EC2Client);
const rdsMock = mockClient(RDSClient);

const volume = (id: string): Volume => ({
  VolumeId: id,
  VolumeType: "gp3",
  AvailabilityZone: "us-west-2a",
  OutpostArn: FACTORY,
  Tags: [{ Key: "Backup", Value: "daily" }],
});

const config = parseConfig({
  regions: { primary: "us-west-2", dr: "us-east-1" },
  outposts: [{ name: "factory", arn: FACTORY }],
  alerts: { emails: [] },
  policies: [
    {
      name: "line-volumes",
      resource: "ebs-volume",
      selector: { tags: { Backup: "daily" }, outposts: ["factory"] },
      schedules: [{ name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 7 } }],
    },
    {
      name: "orders",
      resource: "rds-instance",
      selector: { tags: { Backup: "daily" } },
      schedules: [{ name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 7 } }],
    },
    {
      name: "inventory",
      resource: "aurora-cluster",
      selector: { tags: { Backup: "daily" } },
      schedules: [{ name: "weekly", expression: "cron(0 0 ? * SUN *)", retention: { keepLast: 4 } }],
    },
  ],
});

describe("Function: planSnapshotRun", () => {
  afterEach(() => {
    ec2Mock.reset();
    rdsMock.reset();
  });

  it("plans without any AWS call when no schedule is due", async () => {
    // Act
    const plans = await planSnapshotRun({ clients: clients(), config, region: "us-west-2", now: NOT_DUE });

    // Assess
    expect(plans.map((p) => p.items.length)).toEqual([0, 0, 0]);
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(rdsMock.calls()).toHaveLength(0);
  });

  it("merges a policy's pages into one plan", async () => {
    // Prepare
    ec2Mock
      .on(DescribeVolumesCommand)
      .resolvesOnce({ Volumes: [volume("vol-0000000000000000b")], NextToken: "p2" })
      .resolves({ Volumes: [volume("vol-0000000000000000a")] });
    rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });

    // Act
    const plans = await planSnapshotRun({ clients: clients(), config, region: "us-west-2", now: DUE });

    // Assess
    expect(plans.map((p) => p.policy)).toEqual(["line-volumes", "orders", "inventory"]);
    expect(plans[0]?.items.map((i) => i.key)).toEqual([
      `line-volumes/vol-0000000000000000a/${WINDOW}`,
      `line-volumes/vol-0000000000000000b/${WINDOW}`,
    ]);
    expect(plans[0]?.selected).toBe(2);
    expect(plans[0]?.reason).toMatch(/: 2 snapshot\(s\) planned of 2 selected, 0 skipped$/);
  });

  it("lists only the due policies' resources and plans their items for the window", async () => {
    // Prepare (2024-05-14 is a Tuesday: the weekly Aurora schedule is not due)
    ec2Mock.on(DescribeVolumesCommand).resolves({
      Volumes: [
        {
          VolumeId: "vol-0123456789abcdef0",
          VolumeType: "gp3",
          AvailabilityZone: "us-west-2a",
          OutpostArn: FACTORY,
          Tags: [{ Key: "Backup", Value: "daily" }],
        },
      ],
    });
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: "orders-db",
          DBInstanceStatus: "available",
          TagList: [{ Key: "Backup", Value: "daily" }],
        },
        { DBInstanceIdentifier: "scratch", DBInstanceStatus: "available", TagList: [] },
      ],
    });

    // Act
    const plans = await planSnapshotRun({ clients: clients(), config, region: "us-west-2", now: DUE });

    // Assess
    expect(plans.map((p) => p.items.map((i) => i.key))).toEqual([
      [`line-volumes/vol-0123456789abcdef0/${WINDOW}`],
      [`orders/orders-db/${WINDOW}`],
      [],
    ]);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVolumesCommand, {
      Filters: [{ Name: "tag:Backup", Values: ["daily"] }],
    });
    expect(rdsMock).not.toHaveReceivedCommand(DescribeDBClustersCommand);
  });
});

describe("Function: collectResources", () => {
  afterEach(() => {
    ec2Mock.reset();
    rdsMock.reset();
  });

  it("keeps RDS clusters that carry a selector key, dropping the rest client-side", async () => {
    // Prepare
    rdsMock.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        { DBClusterIdentifier: "inventory", TagList: [{ Key: "Backup", Value: "daily" }] },
        { DBClusterIdentifier: "opted-out", TagList: [{ Key: "Backup", Value: "none" }] },
        { DBClusterIdentifier: "untagged" },
      ],
    });
    const policy = config.policies[2];
    if (!policy) throw new Error("no policy");

    // Act
    const resources = await collectResources(clients(), config, policy, "us-west-2");

    // Assess
    expect(resources.map((r) => (r.kind === "aurora-cluster" ? r.cluster.id : r.kind))).toEqual([
      "inventory",
      "opted-out",
    ]);
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeInstancesCommand);
  });
});

describe("Function: planSnapshotPages", () => {
  afterEach(() => {
    ec2Mock.reset();
    rdsMock.reset();
  });

  it("yields one plan per inventory page, so each page can be enqueued as soon as it is planned", async () => {
    // Prepare: two DescribeVolumes pages
    ec2Mock
      .on(DescribeVolumesCommand)
      .resolvesOnce({ Volumes: [volume("vol-0000000000000000a")], NextToken: "p2" })
      .resolves({ Volumes: [volume("vol-0000000000000000b")] });
    rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });

    // Act
    const pages: SnapshotPlan[] = [];
    for await (const page of planSnapshotPages({ clients: clients(), config, region: "us-west-2", now: DUE }))
      pages.push(page);

    // Assess
    expect(pages.map((p) => [p.policy, p.items.map((i) => i.key)])).toEqual([
      ["line-volumes", [`line-volumes/vol-0000000000000000a/${WINDOW}`]],
      ["line-volumes", [`line-volumes/vol-0000000000000000b/${WINDOW}`]],
      ["orders", []],
      // Not due on a Tuesday: planned without listing anything.
      ["inventory", []],
    ]);
  });

  it("keeps the pages planned before the deadline and throws DeadlineError at the next one", async () => {
    // Prepare: time runs out once the first page was handed over
    ec2Mock
      .on(DescribeVolumesCommand)
      .resolvesOnce({ Volumes: [volume("vol-0000000000000000a")], NextToken: "p2" })
      .resolves({ Volumes: [volume("vol-0000000000000000b")] });
    const pages: SnapshotPlan[] = [];
    const deadline = { remainingMs: () => (pages.length > 0 ? 0 : 60_000) };

    // Act
    const run = async () => {
      for await (const page of planSnapshotPages({
        clients: clients(),
        config,
        region: "us-west-2",
        now: DUE,
        deadline,
      }))
        pages.push(page);
    };

    // Assess
    await expect(run()).rejects.toThrow(DeadlineError);
    expect(pages.flatMap((p) => p.items.map((i) => i.key))).toEqual([
      `line-volumes/vol-0000000000000000a/${WINDOW}`,
    ]);
  });

  it("plans only the DB snapshots the quota has room for and skips the rest as quota-exhausted", async () => {
    // Prepare: 98 of 100 manual DB snapshots used, three databases due
    ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [] });
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: ["orders-a", "orders-b", "orders-c"].map((id) => ({
        DBInstanceIdentifier: id,
        DBInstanceStatus: "available",
        TagList: [{ Key: "Backup", Value: "daily" }],
      })),
    });
    rdsMock.on(DescribeAccountAttributesCommand).resolves({
      AccountQuotas: [{ AccountQuotaName: "ManualSnapshots", Used: 98, Max: 100 }],
    });
    const quota = createSnapshotQuotaBudget(clients(), "us-west-2");

    // Act
    const plans = await planSnapshotRun({ clients: clients(), config, region: "us-west-2", now: DUE, quota });

    // Assess
    const orders = plans[1];
    expect(orders?.items.map((i) => i.key)).toEqual([
      `orders/orders-a/${WINDOW}`,
      `orders/orders-b/${WINDOW}`,
    ]);
    expect(orders?.skipped).toEqual([
      {
        resourceId: "orders-c",
        code: "quota-exhausted",
        reason:
          "not planned: the Manual DB instance snapshots quota in us-west-2 has no room left (98 of 100 used before this run)",
      },
    ]);
    expect(quota.shortfalls().map((s) => [s.quota.quotaCode, s.skipped])).toEqual([
      ["L-272F1212", ["orders-c"]],
    ]);
  });
});
