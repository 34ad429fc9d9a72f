import { DescribeInstancesCommand, DescribeVolumesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
// Types for the matchers test/setup.ts registers.
import type {} from "aws-sdk-client-mock-vitest/extend";
import { afterEach, describe, expect, it } from "vitest";
import { createClients } from "../../src/aws/clients.ts";
import { parseConfig } from "../../src/config/schema.ts";
import { collectResources, planSnapshotRun } from "../../src/jobs/snapshot.ts";

const FACTORY = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0a1b2c3d4e5f60718";
const WINDOW = "2024-05-14T00:00Z";
const DUE = new Date("2024-05-14T00:00:20Z");
const NOT_DUE = new Date("2024-05-14T10:30:00Z");

const ec2Mock = mockClient(EC2Client);
const rdsMock = mockClient(RDSClient);

// Real clients (one attempt, unreachable endpoint), their send replaced by the mocks above.
const clients = () =>
  createClients({
    endpoint: "http://127.0.0.1:9",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    maxAttempts: 1,
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
      Filters: [
        { Name: "tag:Backup", Values: ["daily"] },
        { Name: "outpost-arn", Values: [FACTORY] },
      ],
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
