import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  GetOutpostCommand,
  GetOutpostInstanceTypesCommand,
  ListOutpostsCommand,
  OutpostsClient,
} from "@aws-sdk/client-outposts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
let sb: Sandbox;
let cw: CloudWatchClient;
let outposts: OutpostsClient;

beforeAll(async () => {
  sb = await startSandbox();
  cw = new CloudWatchClient({ region: "us-west-2", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  outposts = new OutpostsClient({ region: "us-west-2", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  sb.seed({
    outposts: [
      {
        region: "us-west-2",
        id: "op-0123456789abcdef0",
        name: "factory-1",
        availabilityZone: "us-west-2a",
        instanceTypes: ["m5.xlarge"],
      },
    ],
    metrics: [
      {
        region: "us-west-2",
        namespace: "AWS/Outposts",
        name: "ConnectedStatus",
        dimensions: { OutpostId: "op-0123456789abcdef0" },
        points: [
          ["2024-01-01T00:00:00Z", 1],
          ["2024-01-01T00:01:00Z", 0],
          ["2024-01-01T00:01:30Z", 1],
        ],
      },
    ],
  });
});

afterAll(async () => {
  cw.destroy();
  outposts.destroy();
  await sb.close();
});

describe("Sandbox: CloudWatch", () => {
  it("returns seeded datapoints aggregated per period, newest first", async () => {
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date("2024-01-01T00:00:00Z"),
        EndTime: new Date("2024-01-01T01:00:00Z"),
        MetricDataQueries: [
          {
            Id: "c",
            MetricStat: {
              Metric: {
                Namespace: "AWS/Outposts",
                MetricName: "ConnectedStatus",
                Dimensions: [{ Name: "OutpostId", Value: "op-0123456789abcdef0" }],
              },
              Period: 60,
              Stat: "Minimum",
            },
          },
        ],
      }),
    );
    expect(out.MetricDataResults?.[0]).toMatchObject({ Id: "c", StatusCode: "Complete", Values: [0, 1] });
    expect(out.MetricDataResults?.[0]?.Timestamps?.map((t) => t.toISOString())).toEqual([
      "2024-01-01T00:01:00.000Z",
      "2024-01-01T00:00:00.000Z",
    ]);
  });

  it("stores PutMetricData and alarms", async () => {
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "Custom/App",
        MetricData: [{ MetricName: "Cpu", Value: 42, Timestamp: sb.clock.now() }],
      }),
    );
    const data = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(sb.clock.now().getTime() - 60_000),
        EndTime: new Date(sb.clock.now().getTime() + 60_000),
        MetricDataQueries: [
          {
            Id: "x",
            MetricStat: {
              Metric: { Namespace: "Custom/App", MetricName: "Cpu" },
              Period: 60,
              Stat: "Average",
            },
          },
        ],
      }),
    );
    expect(data.MetricDataResults?.[0]?.Values).toEqual([42]);
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "outpost-ops-connected",
        Namespace: "AWS/Outposts",
        MetricName: "ConnectedStatus",
        Statistic: "Minimum",
        Period: 60,
        EvaluationPeriods: 3,
        Threshold: 1,
        ComparisonOperator: "LessThanThreshold",
        AlarmActions: ["arn:aws:sns:us-west-2:123456789012:alerts"],
      }),
    );
    const alarms = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "outpost-ops" }));
    expect(alarms.MetricAlarms?.[0]).toMatchObject({
      AlarmName: "outpost-ops-connected",
      StateValue: "INSUFFICIENT_DATA",
      Threshold: 1,
      AlarmArn: "arn:aws:cloudwatch:us-west-2:123456789012:alarm:outpost-ops-connected",
    });
  });
});

describe("Sandbox: Outposts", () => {
  it("lists and gets outposts and their instance types", async () => {
    const list = await outposts.send(new ListOutpostsCommand({}));
    expect(list.Outposts?.[0]).toMatchObject({
      OutpostId: "op-0123456789abcdef0",
      Name: "factory-1",
      LifeCycleStatus: "ACTIVE",
      OutpostArn: "arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0",
    });
    const one = await outposts.send(new GetOutpostCommand({ OutpostId: "op-0123456789abcdef0" }));
    expect(one.Outpost?.AvailabilityZone).toBe("us-west-2a");
    const types = await outposts.send(
      new GetOutpostInstanceTypesCommand({ OutpostId: "op-0123456789abcdef0" }),
    );
    expect(types.InstanceTypes).toEqual([{ InstanceType: "m5.xlarge", VCPUs: 4 }]);
    await expect(outposts.send(new GetOutpostCommand({ OutpostId: "op-nope" }))).rejects.toMatchObject({
      name: "NotFoundException",
      $metadata: { httpStatusCode: 404 },
    });
  });
});
